/**
 * The sizes the team's claims have in the cluster now, for the shrink check (claim-sizes.ts):
 * the larger of each claim's request and of its static volume's capacity (a static
 * claim keeps its first request while its volume's recorded capacity follows the config). Read
 * with the kubernetes provider's own kubeconfig and context, through list calls the deployer may
 * already make.
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import type { Plan } from '../config/plan';
import { TEAM_LABEL } from '../config/names';
import { parseQuantity } from '../config/quantity';
import { isQuantity } from '../config/quantity';
import { kubeApi, kubeconfigFiles, type KubeApi, type KubeListItem } from './api-client';
import type { ClaimSizes } from './claim-sizes';

const larger = (a: string | undefined, b: string | undefined): string | undefined => {
  const valid = [a, b].filter((value): value is string => typeof value === 'string' && isQuantity(value));
  return valid.reduce<string | undefined>((max, value) => (max === undefined || parseQuantity(value) > parseQuantity(max) ? value : max), undefined);
};

/** Claim name -> the largest size its claim or volume holds in the cluster. */
export function sizesOf(plan: Plan, claims: readonly KubeListItem[], volumes: readonly KubeListItem[]): ClaimSizes {
  const sizes: Record<string, string> = {};
  const note = (claim: string, size: string | undefined) => {
    const max = larger(sizes[claim], size);
    if (max !== undefined) sizes[claim] = max;
  };
  for (const claim of claims) {
    if (claim.metadata.namespace !== undefined && claim.metadata.namespace !== plan.namespace) continue;
    // The request, not status.capacity: a claim bound to a larger volume (a static or local
    // volume, a provisioner rounding up) keeps its smaller request, and repeating it is no shrink.
    note(claim.metadata.name, claim.spec?.resources?.requests?.storage);
  }
  for (const volume of volumes) {
    const ref = volume.spec?.claimRef;
    if (ref?.namespace === plan.namespace && ref.name) note(ref.name, volume.spec?.capacity?.storage);
  }
  return Object.fromEntries(Object.entries(sizes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export async function liveClaimSizes(plan: Plan, api: KubeApi): Promise<ClaimSizes> {
  const selector = { labelSelector: `${TEAM_LABEL}=${plan.team}` };
  const claims = await api.list(`/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/persistentvolumeclaims`, selector);
  const volumes = await api.list('/api/v1/persistentvolumes', selector);
  return sizesOf(plan, claims, volumes);
}

/** A client for the cluster the kubernetes provider deploys to: its `kubeconfig` (a path or the text) and `context` settings, else KUBECONFIG. */
export function providerKubeApi(): KubeApi {
  const config = new pulumi.Config('kubernetes');
  const kubeconfig = config.get('kubeconfig');
  const files = kubeconfig === undefined ? kubeconfigFiles() : /[\n{]/.test(kubeconfig) ? [{ text: kubeconfig }] : [kubeconfig];
  return kubeApi({ files, context: config.get('context'), timeoutMs: 10_000 });
}

/** Whether the program runs under Pulumi mocks (tests, `notebook-platform check`): there is no cluster to read then. */
export function underMocks(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

/**
 * The live sizes, or undefined (with a warning on the resource) when the cluster cannot be read:
 * the update then goes ahead and Kubernetes itself refuses a smaller dynamic claim.
 */
export function liveClaimSizesOrWarn(plan: Plan, resource: pulumi.Resource, api: () => KubeApi = providerKubeApi): Promise<ClaimSizes | undefined> | undefined {
  if (underMocks()) return undefined;
  return liveClaimSizes(plan, api()).catch((error: Error) => {
    void pulumi.log.warn(`could not read the team's claims to check that no size shrinks (${error.message}); continuing without the check`, resource);
    return undefined;
  });
}

/**
 * The sizes the team's claims have in the cluster now, for the shrink check (claim-sizes.ts):
 * the larger of each claim's request and of its static volume's capacity (a static
 * claim keeps its first request while its volume's recorded capacity follows the config). Read
 * with the kubernetes provider's own kubeconfig and context, through list calls the deployer may
 * already make.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Plan } from '../config/plan';
import { TEAM_LABEL } from '../config/names';
import { parseQuantity } from '../config/quantity';
import { isQuantity } from '../config/quantity';
import type { KubeApi, KubeListItem } from './api-client';
import { providerKubeApi, underMocks } from './provider-api';
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

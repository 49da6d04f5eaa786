/**
 * Restores against the cluster, before anything changes: a session's `restoreFrom` makes a new
 * home claim start from a VolumeSnapshot, and a claim's data source is fixed when it is created.
 * So a restoreFrom whose claim already exists is refused unless that claim started from the same
 * snapshot (the steady state after a restore, when restoreFrom stays in the config); the existing
 * claim and its data are never replaced. A new claim's snapshot must exist in the namespace.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Plan } from '../config/plan';
import { CONFIG_NAMESPACE } from '../config/schema';
import { SNAPSHOT_API_GROUP } from '../manifests/storage';
import type { KubeApi, KubeListItem } from './api-client';
import { providerKubeApi, underMocks } from './provider-api';

/** What the cluster holds for one restoring session: its claim (if any) and its snapshot (if any). */
export interface RestoreState {
  readonly session: string;
  readonly claim: string;
  readonly snapshot: string;
  readonly existingClaim?: KubeListItem;
  readonly existingSnapshot?: KubeListItem;
}

/** The problems of the restores, one message each, and what to warn about. */
export function restoreVerdicts(plan: Plan, states: readonly RestoreState[]): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const state of states) {
    const field = `${CONFIG_NAMESPACE}:sessions (session "${state.session}").restoreFrom`;
    const where = `${plan.namespace}/${state.claim}`;
    const claim = state.existingClaim;
    if (claim) {
      const source = claim.spec?.dataSource;
      if (source?.kind === 'VolumeSnapshot' && source.apiGroup === SNAPSHOT_API_GROUP && source.name === state.snapshot) continue;
      const started = source?.name ? `started from ${source.kind ?? 'a data source'} "${source.name}"` : 'started empty';
      problems.push(
        `${field}: "${state.snapshot}" cannot apply: the claim ${where} already exists (created ${claim.metadata.creationTimestamp ?? 'earlier'}, ${started}), and a claim's data source is fixed when it is created. Its data is left as it is: restore into a new session (a new name with restoreFrom: "${state.snapshot}"), or remove restoreFrom`,
      );
      continue;
    }
    const snapshot = state.existingSnapshot;
    if (!snapshot) {
      problems.push(`${field}: there is no VolumeSnapshot "${state.snapshot}" in ${plan.namespace} (kubectl get volumesnapshots -n ${plan.namespace}); a new claim cannot start from it`);
    } else if (snapshot.status?.readyToUse !== true) {
      warnings.push(`${field}: VolumeSnapshot ${plan.namespace}/${state.snapshot} is not ready to use yet; the claim ${where} waits for it`);
    }
  }
  return { problems, warnings };
}

/** Reads, for every session with restoreFrom, its claim and its snapshot (two GETs each). */
export async function liveRestores(plan: Plan, api: KubeApi): Promise<RestoreState[]> {
  const states: RestoreState[] = [];
  const namespace = encodeURIComponent(plan.namespace);
  for (const session of plan.sessions) {
    const snapshot = session.home.restoreFrom;
    if (!snapshot || !session.ownsHomeClaim) continue;
    const claim = session.home.claimName;
    const existingClaim = await api.get(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${encodeURIComponent(claim)}`);
    const existingSnapshot = existingClaim ? undefined : await api.get(`/apis/${SNAPSHOT_API_GROUP}/v1/namespaces/${namespace}/volumesnapshots/${encodeURIComponent(snapshot)}`);
    states.push({ session: session.name, claim, snapshot, ...(existingClaim ? { existingClaim } : {}), ...(existingSnapshot ? { existingSnapshot } : {}) });
  }
  return states;
}

/**
 * Resolves when every restore can go ahead; fails the update with a RunError naming each refused
 * one otherwise. Without a cluster to read (mocks) or when it cannot be read, it warns and goes
 * on: the claim then keeps any data source it has (its ignoreChanges), and the API server
 * refuses to change one.
 */
export function restoreCheck(plan: Plan, resource: pulumi.Resource, api: () => KubeApi = providerKubeApi): pulumi.Output<pulumi.Resource[]> | undefined {
  if (underMocks() || !plan.sessions.some((session) => session.home.restoreFrom && session.ownsHomeClaim)) return undefined;
  return pulumi.output(
    liveRestores(plan, api()).then(
      (states) => {
        const { problems, warnings } = restoreVerdicts(plan, states);
        for (const warning of warnings) void pulumi.log.warn(warning, resource);
        if (problems.length > 0) throw new pulumi.RunError(`nothing was changed: ${problems.length === 1 ? 'a restore cannot apply' : `${problems.length} restores cannot apply`}\n${problems.join('\n')}`);
        return [] as pulumi.Resource[];
      },
      (error: Error) => {
        void pulumi.log.warn(`could not read the team's claims and snapshots to check restoreFrom (${error.message}); continuing without the check`, resource);
        return [] as pulumi.Resource[];
      },
    ),
  );
}

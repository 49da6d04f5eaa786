/**
 * Claim sizes across updates. A larger size is an in-place update of the claim's request, which
 * the StorageClass's resizer turns into a larger volume (classes with `allowVolumeExpansion`);
 * Kubernetes refuses a smaller request, so a shrink is refused here, before anything changes, by
 * comparing with the sizes the claims have now (live-sizes.ts).
 * Claims bound to static volumes (nfs, EFS shares) cannot be resized by Kubernetes at all: their
 * volume's recorded capacity follows the config and the claim keeps its first request.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Plan } from '../config/plan';
import { CONFIG_NAMESPACE } from '../config/schema';
import { isQuantity, parseQuantity } from '../config/quantity';
import type { KubeObject } from '../manifests/objects';

/** Claim name -> size: the `claimSizes` stack output, and the sizes claims have now (live-sizes.ts). */
export type ClaimSizes = Readonly<Record<string, string>>;

export interface ClaimSize {
  readonly size: string;
  /** The config field the size comes from, as `validate` names fields. */
  readonly field: string;
}

const cache = new WeakMap<Plan, Map<string, ClaimSize>>();

/** Every claim the plan registers, with its size and the config field that sets it. */
export function claimSizeFields(plan: Plan): Map<string, ClaimSize> {
  const cached = cache.get(plan);
  if (cached) return cached;
  const fields = new Map<string, ClaimSize>();
  const sizeField = (size: string) => `${CONFIG_NAMESPACE}:sizes.${size}.workdirSize`;
  for (const session of plan.sessions) {
    if (session.ownsHomeClaim) fields.set(session.home.claimName, { size: session.home.size, field: sizeField(session.size) });
  }
  for (const { owner, home } of plan.userHomes) {
    // A per-user home has the largest workdirSize of its owner's sessions.
    const session = plan.sessions.find((s) => s.owner === owner && parseQuantity(s.home.size) === parseQuantity(home.size)) ?? plan.sessions.find((s) => s.owner === owner);
    fields.set(home.claimName, { size: home.size, field: `${session ? sizeField(session.size) : `${CONFIG_NAMESPACE}:sizes`} (the largest of ${owner}'s sessions)` });
  }
  if (plan.storage.teamWorkdir) fields.set(plan.storage.teamWorkdir.claimName, { size: plan.storage.teamWorkdir.size, field: `${CONFIG_NAMESPACE}:storage.homesSize` });
  for (const share of plan.shares) fields.set(share.claimName, { size: share.size, field: `${CONFIG_NAMESPACE}:shares (share "${share.name}").size` });
  cache.set(plan, fields);
  return fields;
}

/** The `claimSizes` stack output: claim name -> size, sorted. */
export function claimSizes(plan: Plan): ClaimSizes {
  return Object.fromEntries([...claimSizeFields(plan).entries()].map(([name, { size }]) => [name, size]).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A claim bound to a static volume: Kubernetes refuses to change its request. */
export function isStaticClaim(object: KubeObject): boolean {
  return object.kind === 'PersistentVolumeClaim' && typeof (object.spec as { volumeName?: unknown } | undefined)?.volumeName === 'string';
}

/**
 * The resource options a data object needs across updates: a static claim keeps its first
 * request, and a claim with a data source (a restored home) keeps the one it was created with, so
 * a data source added to or changed on an existing claim is never a replacement (the API server
 * refuses to change it; live-restores.ts refuses it first with the reason).
 */
export function resizeOptions(object: KubeObject): pulumi.CustomResourceOptions {
  const ignore: string[] = [];
  if (isStaticClaim(object)) ignore.push('spec.resources');
  if (object.kind === 'PersistentVolumeClaim' && (object.spec as { dataSource?: unknown } | undefined)?.dataSource !== undefined) ignore.push('spec.dataSource', 'spec.dataSourceRef');
  return ignore.length > 0 ? { ignoreChanges: ignore } : {};
}

/** The message of a refused shrink. */
export function shrinkMessage(field: string, claim: string, namespace: string, previous: string, next: string): string {
  return `${field}: "${next}" is smaller than the ${previous} claim ${namespace}/${claim} already has; a claim can only grow (Kubernetes refuses a smaller request). Keep ${previous} or more, or give the session a new home and move the data`;
}

/** Every shrink of `plan` against `previous`, one message each. */
export function shrinks(plan: Plan, previous: ClaimSizes | undefined): string[] {
  if (!previous) return [];
  const messages: string[] = [];
  for (const [claim, { size, field }] of claimSizeFields(plan)) {
    const before = previous[claim];
    if (typeof before === 'string' && isQuantity(before) && parseQuantity(size) < parseQuantity(before)) messages.push(shrinkMessage(field, claim, plan.namespace, before, size));
  }
  return messages;
}

/** Rejects with a RunError listing every shrink of `plan` against `previous`; resolves otherwise. */
export async function assertNoShrink(plan: Plan, previous: ClaimSizes | undefined | Promise<ClaimSizes | undefined>): Promise<void> {
  const problems = shrinks(plan, await previous);
  if (problems.length > 0) throw new pulumi.RunError(`nothing was changed: ${problems.length === 1 ? 'a size shrinks' : `${problems.length} sizes shrink`}\n${problems.join('\n')}`);
}

/**
 * What the namespace waits for (its `dependsOn`): nothing once no size shrinks, a failure
 * naming every shrink otherwise. Everything else waits for the namespace, so a refused update
 * changes nothing.
 */
export function sizeCheck(plan: Plan, previous: pulumi.Input<ClaimSizes | undefined>): pulumi.Output<pulumi.Resource[]> {
  return pulumi.output(previous).apply(async (sizes) => {
    await assertNoShrink(plan, sizes);
    return [];
  });
}

/**
 * Node disk: a notebook's root file system is writable by design, and emptyDirs live on the
 * node's disk, so without bounds one user can fill a node and get other teams' pods evicted.
 * Every container requests and is limited in ephemeral-storage, every emptyDir has a sizeLimit,
 * and every team namespace has a LimitRange defaulting it and a ResourceQuota capping it.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { containersOf, describe, describeContainer, podTemplateOf, TYPES, type KubeProps, type PodTemplate } from './kube';
import { stackRule, type StackRule } from './policy';

export const EPHEMERAL_STORAGE = 'ephemeral-storage';
/** The ResourceQuota keys that cap a namespace's node disk. */
export const DISK_QUOTA_KEYS: readonly string[] = [`requests.${EPHEMERAL_STORAGE}`, `limits.${EPHEMERAL_STORAGE}`];

type Problem = { readonly message: string; readonly urn?: string };

/** A pod template's containers without an ephemeral-storage request or limit, and emptyDirs without a sizeLimit. */
export function checkPodDisk(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    if (kind === 'ephemeral container') continue; // the API does not allow resources on them
    const missing = (['requests', 'limits'] as const).filter((section) => !(container.resources?.[section] as Record<string, string | undefined> | undefined)?.[EPHEMERAL_STORAGE]);
    if (missing.length > 0) problems.push(`${describeContainer(kind, container)} has no ${missing.map((section) => `${section}.${EPHEMERAL_STORAGE}`).join(', ')}`);
  }
  for (const volume of template.spec.volumes ?? []) {
    if (volume.emptyDir && !volume.emptyDir.sizeLimit) {
      problems.push(`emptyDir volume "${volume.name}" has no sizeLimit${volume.emptyDir.medium === 'Memory' ? ' (in memory, it grows up to the pod\'s memory limit)' : ' (it grows on the node\'s disk)'}`);
    }
  }
  return problems;
}

const namespaceOf = (resource: PolicyResource) => (resource.props as KubeProps).metadata?.namespace;
const nameOf = (resource: PolicyResource) => (resource.props as KubeProps).metadata?.name ?? resource.name;

interface LimitRangeItem {
  readonly type?: string;
  readonly default?: Record<string, string>;
  readonly defaultRequest?: Record<string, string>;
}

/** Every namespace the stack declares has a ResourceQuota capping node disk and a LimitRange defaulting it for containers. */
export function checkNamespaceDisk(resources: readonly PolicyResource[]): Problem[] {
  const problems: Problem[] = [];
  for (const namespace of resources.filter((r) => r.type === TYPES.namespace)) {
    const name = nameOf(namespace);
    const quotas = resources.filter((r) => r.type === TYPES.resourceQuota && namespaceOf(r) === name);
    const capped = quotas.some((quota) => {
      const hard = ((quota.props as KubeProps).spec as { hard?: Record<string, string> } | undefined)?.hard ?? {};
      return DISK_QUOTA_KEYS.every((key) => hard[key] !== undefined);
    });
    if (!capped) {
      problems.push({ message: `Namespace ${name} has no ResourceQuota with ${DISK_QUOTA_KEYS.join(' and ')}: its pods' scratch files are not capped`, urn: namespace.urn });
    }
    const ranges = resources.filter((r) => r.type === TYPES.limitRange && namespaceOf(r) === name);
    const defaulted = ranges.some((range) =>
      (((range.props as KubeProps).spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []).some(
        (item) => item.type === 'Container' && item.default?.[EPHEMERAL_STORAGE] !== undefined && item.defaultRequest?.[EPHEMERAL_STORAGE] !== undefined,
      ),
    );
    if (!defaulted) {
      problems.push({ message: `Namespace ${name} has no LimitRange giving containers a default ${EPHEMERAL_STORAGE} request and limit`, urn: namespace.urn });
    }
  }
  return problems;
}

export function checkDisk(resources: readonly PolicyResource[]): Problem[] {
  const problems: Problem[] = [];
  for (const resource of resources) {
    const template = podTemplateOf(resource.type, resource.props);
    if (!template) continue;
    for (const message of checkPodDisk(template)) problems.push({ message: `${describe(resource.props as KubeProps)}: ${message}`, urn: resource.urn });
  }
  return [...problems, ...checkNamespaceDisk(resources)];
}

export function nodeDiskBoundedRule(): StackRule {
  return stackRule(
    {
      name: 'node-disk-bounded',
      description: 'Every container requests and is limited in ephemeral-storage, every emptyDir has a sizeLimit, and every namespace has a LimitRange default and a ResourceQuota for ephemeral-storage.',
      enforcementLevel: 'mandatory',
      remediationSteps:
        'Give every container resources.requests and resources.limits for ephemeral-storage (a size\'s ephemeralStorage for the notebook, HELPER_RESOURCES for helpers), an emptyDir.sizeLimit to every emptyDir, and the namespace a LimitRange with default/defaultRequest ephemeral-storage and a ResourceQuota with requests.ephemeral-storage and limits.ephemeral-storage (quota.ephemeralStorage).',
    },
    (args: StackValidationArgs) => checkDisk(args.resources),
  );
}

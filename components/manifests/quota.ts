/**
 * The team's ResourceQuota and LimitRange, from `quota` and the plan's container limits.
 *
 * CPU is capped by requests only: CPU is compressible, the scheduler reserves requests, and
 * sessions default to a CPU limit of twice the request, so a cap on the sum of limits would
 * waste half of the team's budget. Memory is capped on requests and limits alike, since a
 * session's memory limit equals its request (memory is never overcommitted). Node disk
 * (ephemeral-storage) likewise, so one team's scratch files cannot crowd out another's pods.
 */
import type { Plan } from '../config/plan';
import { names } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { LimitRangeManifest, ResourceQuotaManifest } from './kube';

/** The extended resource of NVIDIA GPUs; quotas only know it as a request. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** The quota's `hard` limits, keys sorted. A team without GPUs gets a GPU quota of 0. */
export function quotaHard(plan: Plan): Record<string, string> {
  const quota = plan.quota;
  const hard: Record<string, string> = {
    'limits.ephemeral-storage': quota.ephemeralStorage,
    'limits.memory': quota.memory,
    persistentvolumeclaims: String(quota.persistentVolumeClaims),
    pods: String(quota.pods),
    'requests.cpu': quota.cpu,
    'requests.ephemeral-storage': quota.ephemeralStorage,
    'requests.memory': quota.memory,
    [`requests.${GPU_RESOURCE}`]: String(quota.gpu),
    'requests.storage': quota.storage,
  };
  return Object.fromEntries(Object.entries(hard).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function resourceQuota(plan: Plan): ResourceQuotaManifest {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(names.quota(), plan.labels, plan.namespace), spec: { hard: quotaHard(plan) } };
}

/**
 * Container defaults and ceiling: a container that states no resources gets the helper
 * defaults (`limits.defaultContainer`); none may exceed the largest size (`limits.maxContainer`).
 */
export function limitRange(plan: Plan): LimitRangeManifest {
  const { defaultContainer, maxContainer } = plan.limits;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta(names.limitRange(), plan.labels, plan.namespace),
    spec: {
      limits: [{ type: 'Container', default: { ...defaultContainer.limits }, defaultRequest: { ...defaultContainer.requests }, max: { ...maxContainer.limits } }],
    },
  };
}

export function quotaObjects(plan: Plan): KubeObject[] {
  return [resourceQuota(plan), limitRange(plan)];
}

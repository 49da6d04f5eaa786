/**
 * Where a pod runs: the plan's node selector and tolerations as pod spec fields, each set only
 * when it has entries, so a pod without placement renders exactly as before.
 */
import type { SchedulingPlan } from '../config/plan';
import type { PodSpecManifest } from './kube';

export function placementFields(scheduling: SchedulingPlan): Pick<PodSpecManifest, 'nodeSelector' | 'tolerations'> {
  return {
    ...(Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: { ...scheduling.nodeSelector } } : {}),
    ...(scheduling.tolerations.length > 0 ? { tolerations: scheduling.tolerations.map((toleration) => ({ ...toleration })) } : {}),
  };
}

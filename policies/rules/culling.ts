/**
 * GPU sessions have a stop rule: an idle GPU is the most expensive thing a team can leave
 * running. A running session that requests GPUs must be watched by the team's culler (its
 * config lists the session with an idle, lifetime or schedule rule), unless the team opted out
 * with `jupyter.keepIdleGpuSessions`, which marks its GPU StatefulSets with KEEP_IDLE_GPU_ANNOTATION.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { SESSION_LABEL } from '../../shared/names';
import { CULLER_CONFIG_FILE, CULLER_NAMES, KEEP_IDLE_GPU_ANNOTATION } from '../../shared/culling';

import { isNotebookWorkload, podTemplateOf, TYPES, type KubeProps, type StatefulSetSpec } from './kube';
import { stackRule, type StackRule } from './policy';

const GPU_RESOURCE = 'nvidia.com/gpu';

interface CullerConfig {
  readonly sessions?: readonly { readonly name: string; readonly rules?: { stopIdleSessionsAfterSeconds?: number; maxLifetimeSeconds?: number; schedule?: unknown } }[];
}

/** Sessions the team's culler stops by some rule, from its ConfigMap (none when it has none). */
function culledSessions(resources: readonly PolicyResource[]): Set<string> {
  const culled = new Set<string>();
  for (const resource of resources) {
    if (resource.type !== TYPES.configMap) continue;
    const props = resource.props as KubeProps & { data?: Record<string, string> };
    if (props.metadata?.name !== CULLER_NAMES.culler) continue;
    let config: CullerConfig;
    try {
      config = JSON.parse(props.data?.[CULLER_CONFIG_FILE] ?? '{}') as CullerConfig;
    } catch {
      continue;
    }
    for (const session of config.sessions ?? []) {
      const rules = session.rules ?? {};
      if ((rules.stopIdleSessionsAfterSeconds ?? 0) > 0 || (rules.maxLifetimeSeconds ?? 0) > 0 || rules.schedule) culled.add(session.name);
    }
  }
  return culled;
}

export function checkGpuSessionsCulled(resources: readonly PolicyResource[]): { message: string; urn?: string }[] {
  const culled = culledSessions(resources);
  const problems: { message: string; urn?: string }[] = [];
  for (const resource of resources) {
    if (resource.type !== TYPES.statefulSet) continue;
    const props = resource.props as KubeProps;
    const template = podTemplateOf(resource.type, resource.props);
    if (!template || !isNotebookWorkload(props, template)) continue;
    if (((props.spec as StatefulSetSpec | undefined)?.replicas ?? 1) === 0) continue;
    const gpus = (template.spec.containers ?? []).some((c) => Number((c.resources?.requests as Record<string, string> | undefined)?.[GPU_RESOURCE] ?? 0) > 0);
    if (!gpus) continue;
    if (props.metadata?.annotations?.[KEEP_IDLE_GPU_ANNOTATION] === 'true') continue;
    const name = template.metadata.labels?.[SESSION_LABEL] ?? props.metadata?.name ?? resource.name;
    if (!culled.has(name)) {
      problems.push({ message: `session ${name} requests GPUs and nothing stops it when idle: set jupyter.stopIdleSessionsAfterSeconds (or the session's own, or maxLifetimeSeconds, or a schedule), or opt the team out with jupyter.keepIdleGpuSessions: true`, urn: resource.urn });
    }
  }
  return problems;
}

export function gpuSessionsCulledRule(): StackRule {
  return stackRule(
    {
      name: 'gpu-sessions-culled',
      description: 'Running sessions that request GPUs have a stop rule (idle, lifetime or schedule) applied by the team culler, unless the team opts out.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Set jupyter.stopIdleSessionsAfterSeconds (team) or sessions[].jupyter.stopIdleSessionsAfterSeconds, maxLifetimeSeconds or a schedule, with network.apiServer; or set jupyter.keepIdleGpuSessions: true after review.',
    },
    (args: StackValidationArgs) => checkGpuSessionsCulled(args.resources),
  );
}

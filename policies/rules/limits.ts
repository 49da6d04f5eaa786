/**
 * Session limits across the stack (validation checks the team's own quota; this is the
 * platform's ceiling, from the pack's config): how many sessions one owner may have, and how
 * many may run at once. A session is its notebook StatefulSet; a stopped one has 0 replicas.
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { OWNER_LABEL, SESSION_LABEL } from '../../shared/names';
import { DEFAULT_SESSION_LIMITS as STACK_DEFAULT_SESSION_LIMITS } from '../../shared/session-limits';
import { isNotebookWorkload, podTemplateOf, TYPES, type KubeProps, type StatefulSetSpec } from './kube';
import { configOf, stackRule, type StackRule } from './policy';

export interface SessionLimitsConfig {
  /** Sessions one owner may have in a stack, running or not. */
  readonly maxSessionsPerUser: number;
  /** Sessions of a stack with replicas > 0. */
  readonly maxRunningSessions: number;
}

/** The stack config's own defaults (quota.maxSessionsPerUser, quota.maxRunningSessions). */
export const DEFAULT_SESSION_LIMITS: SessionLimitsConfig = { ...STACK_DEFAULT_SESSION_LIMITS };

export const sessionLimitsSchema: PolicyConfigSchema = {
  properties: {
    maxSessionsPerUser: { type: 'integer', minimum: 1, default: DEFAULT_SESSION_LIMITS.maxSessionsPerUser, description: 'Sessions one owner may have in a stack, running or not.' },
    maxRunningSessions: { type: 'integer', minimum: 0, default: DEFAULT_SESSION_LIMITS.maxRunningSessions, description: 'Sessions of a stack that may run at once.' },
  },
};

export interface SessionSummary {
  readonly name: string;
  readonly owner?: string;
  readonly running: boolean;
  readonly urn: string;
}

/** The notebook sessions of a stack: one per notebook StatefulSet. */
export function sessionsOf(resources: readonly PolicyResource[]): SessionSummary[] {
  const sessions: SessionSummary[] = [];
  for (const resource of resources) {
    if (resource.type !== TYPES.statefulSet) continue;
    const props = resource.props as KubeProps;
    const template = podTemplateOf(resource.type, resource.props);
    if (!template || !isNotebookWorkload(props, template)) continue;
    const labels = { ...props.metadata?.labels, ...template.metadata.labels };
    const replicas = (props.spec as StatefulSetSpec | undefined)?.replicas ?? 1;
    sessions.push({ name: labels[SESSION_LABEL] ?? props.metadata?.name ?? resource.name, owner: labels[OWNER_LABEL], running: replicas > 0, urn: resource.urn });
  }
  return sessions;
}

export function checkSessionLimits(sessions: readonly SessionSummary[], limits: SessionLimitsConfig): { message: string; urn?: string }[] {
  const problems: { message: string; urn?: string }[] = [];
  const byOwner = new Map<string, SessionSummary[]>();
  for (const session of sessions) {
    if (session.owner === undefined) {
      problems.push({ message: `session ${session.name} has no owner (${OWNER_LABEL}); per-user limits cannot be applied`, urn: session.urn });
      continue;
    }
    byOwner.set(session.owner, [...(byOwner.get(session.owner) ?? []), session]);
  }
  for (const [owner, owned] of [...byOwner].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (owned.length > limits.maxSessionsPerUser) {
      const names = owned.map((s) => s.name).sort();
      problems.push({ message: `owner ${owner} has ${owned.length} sessions (${names.join(', ')}); at most ${limits.maxSessionsPerUser} per user`, urn: owned[owned.length - 1].urn });
    }
  }
  const running = sessions.filter((session) => session.running);
  if (running.length > limits.maxRunningSessions) {
    problems.push({ message: `${running.length} sessions are running; at most ${limits.maxRunningSessions} may run at once (set running: false on some)` });
  }
  return problems;
}

export function sessionLimitsRule(): StackRule {
  return {
    ...stackRule(
      {
        name: 'session-limits',
        description: 'No owner has more sessions than maxSessionsPerUser, and no more than maxRunningSessions run at once (policy config).',
        enforcementLevel: 'mandatory',
        remediationSteps: 'Remove or stop sessions (running: false) in the team stack config, or raise the limits in the policy pack config after review.',
      },
      (args: StackValidationArgs) => checkSessionLimits(sessionsOf(args.resources), configOf<SessionLimitsConfig>(args, DEFAULT_SESSION_LIMITS)),
    ),
    configSchema: sessionLimitsSchema,
  };
}

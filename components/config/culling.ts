/**
 * The culling part of the plan: each session's stop rules (the team's `jupyter` defaults with the
 * session's overrides) and, when any running session has one, the team's culler: its names, the
 * image it runs, how often it looks, and the sessions it watches.
 */
import type { StackConfig, SessionConfig } from './schema';
import type { Weekday } from './culling-schema';
import { COMPONENT_LABEL, JUPYTER_PORT } from './names';

import { CULLER_COMPONENT, CULLER_NAMES } from '../../shared/culling';

export { CULLER_COMPONENT, CULLER_CONFIG_FILE, CULLER_NAMES, KEEP_IDLE_GPU_ANNOTATION } from '../../shared/culling';

export interface SchedulePlan {
  readonly stopAt: string;
  /** Sorted mon..sun; every day when the config names none. */
  readonly days: readonly Weekday[];
  readonly timeZone: string;
}

/** When a session is stopped; 0 turns a rule off. */
export interface CullingRules {
  readonly stopIdleSessionsAfterSeconds: number;
  readonly maxLifetimeSeconds: number;
  readonly schedule?: SchedulePlan;
}

export interface CulledSession {
  readonly name: string;
  readonly statefulSet: string;
  readonly tokenSecret: string;
  /** The session's Jupyter base URL inside the cluster, through its Service. */
  readonly url: string;
  readonly rules: CullingRules;
}

export interface CullerPlan {
  /** Deployment, ServiceAccount, Role, RoleBinding and config ConfigMap. */
  readonly name: string;
  /** Where the culler records why it stopped each session (it writes `data`; the stack never does). */
  readonly statusConfigMap: string;
  readonly environment: string;
  readonly image: string;
  readonly intervalSeconds: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly sessions: readonly CulledSession[];
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
}

const WEEK_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A session's stop rules: its own overrides, else the team's defaults. */
export function cullingRules(config: StackConfig, session: SessionConfig): CullingRules {
  const schedule = session.schedule && {
    stopAt: session.schedule.stopAt,
    days: WEEK_ORDER.filter((day) => (session.schedule!.days ?? WEEK_ORDER).includes(day)),
    timeZone: session.schedule.timeZone,
  };
  return {
    stopIdleSessionsAfterSeconds: session.jupyter?.stopIdleSessionsAfterSeconds ?? config.jupyter.stopIdleSessionsAfterSeconds,
    maxLifetimeSeconds: session.jupyter?.maxLifetimeSeconds ?? config.jupyter.maxLifetimeSeconds,
    ...(schedule ? { schedule } : {}),
  };
}

export function hasStopRule(rules: CullingRules): boolean {
  return rules.stopIdleSessionsAfterSeconds > 0 || rules.maxLifetimeSeconds > 0 || rules.schedule !== undefined;
}

/**
 * How often the culler looks: a quarter of the shortest timeout, between 10 s and 60 s (a
 * schedule is met within a minute).
 */
export function cullerInterval(rules: readonly CullingRules[]): number {
  const timeouts = rules.flatMap((r) => [r.stopIdleSessionsAfterSeconds, r.maxLifetimeSeconds]).filter((seconds) => seconds > 0);
  if (timeouts.length === 0) return 60;
  return Math.min(60, Math.max(10, Math.floor(Math.min(...timeouts) / 4)));
}

interface SessionFacts {
  readonly name: string;
  readonly running: boolean;
  readonly environment: string;
  readonly baseUrl: string;
  readonly names: { readonly statefulSet: string; readonly service: string; readonly tokenSecret: string };
  readonly culling: CullingRules;
}

/**
 * The team's culler, or undefined when no running session has a stop rule. It runs the image of
 * the team's first environment (by name) among the sessions it watches: an image the team
 * already pulls, with the Python the culler needs.
 */
export function cullerPlan(config: StackConfig, namespace: string, teamLabels: Readonly<Record<string, string>>, sessions: readonly SessionFacts[]): CullerPlan | undefined {
  const watched = sessions.filter((session) => session.running && hasStopRule(session.culling));
  if (watched.length === 0) return undefined;
  const apiServer = config.network.apiServer;
  // Validation refuses stop rules without network.apiServer; the plan never guesses an address.
  if (!apiServer) throw new Error('notebook-platform: a culler needs network.apiServer (validation should have said so)');
  const environment = [...new Set(watched.map((session) => session.environment))].sort()[0];
  const selector = { ...teamLabels, [COMPONENT_LABEL]: CULLER_COMPONENT };
  return {
    name: CULLER_NAMES.culler,
    statusConfigMap: CULLER_NAMES.status,
    environment,
    image: config.environments[environment].image,
    intervalSeconds: cullerInterval(watched.map((session) => session.culling)),
    labels: { ...selector, 'app.kubernetes.io/name': CULLER_NAMES.culler },
    selector,
    sessions: watched.map((session) => ({
      name: session.name,
      statefulSet: session.names.statefulSet,
      tokenSecret: session.names.tokenSecret,
      url: `http://${session.names.service}.${namespace}.svc:${JUPYTER_PORT}${session.baseUrl}`,
      rules: session.culling,
    })),
    apiServer: { cidrs: [...new Set(apiServer.cidrs)].sort(), port: apiServer.port },
  };
}

/** Where the culler finds a session's token: a projected volume of the token Secrets, one directory each. */
export const CULLER_TOKENS_DIR = '/var/run/notebook-platform/tokens';
export const CULLER_CONFIG_DIR = '/etc/notebook-culler';
export const cullerTokenFile = (session: string): string => `${CULLER_TOKENS_DIR}/${session}`;

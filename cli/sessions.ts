/**
 * `sessions list|start|stop`: owners start and stop their own sessions without a platform
 * engineer, with their own cluster credentials (the current kubeconfig). The team's Role for an
 * owner (access.ownerSubject) allows the scale of their own running sessions only, so the API
 * server refuses anyone else. A session the config stops (`running: false`) is not started
 * here: the config decides, and the next `pulumi up` would stop it again.
 *
 * The stack is named like Pulumi's (`--stack <team>` reads Pulumi.<team>.yaml from the current
 * directory or stacks/), or given as a file (`--config FILE`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStackConfigFile } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import type { Plan, SessionPlan } from '../components/config/plan';
import { CULLER_NAMES } from '../components/config/culling';
import { kubeApi, KubeApiError, type KubeApi } from '../components/kubernetes/api-client';
import { scaleStatefulSet } from '../components/kubernetes/scale';
import { describeStatus, parseCullerRecord, sessionStatus, type SessionStatus } from '../components/session-state';
import { parseArgs, UsageError, type Io } from './io';

export const SESSIONS_USAGE = 'sessions list|start|stop [SESSION] (--stack TEAM | --config FILE) [--context NAME] [--json]';

/** What `sessions` needs from the cluster; tests give a fake. */
export interface SessionsCluster {
  readonly api: KubeApi;
  scale(namespace: string, statefulSet: string, replicas: number): Promise<number>;
}

/** The stack config file: --config FILE, or Pulumi.<team>.yaml in the current directory or stacks/. */
export function stackFile(options: Record<string, string>, cwd = process.cwd()): string {
  if (options.config) return options.config;
  const stack = options.stack;
  if (!stack) throw new UsageError(`name the stack: --stack TEAM (reads Pulumi.TEAM.yaml) or --config FILE\nusage: notebook-platform ${SESSIONS_USAGE}`);
  const candidates = [join(cwd, `Pulumi.${stack}.yaml`), join(cwd, 'stacks', `Pulumi.${stack}.yaml`)];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new UsageError(`no stack config for --stack ${stack}: looked for ${candidates.join(' and ')}`);
  return found;
}

function planOf(file: string): Plan {
  const result = validateConfig(readStackConfigFile(file));
  if (!result.ok) throw new UsageError(`${file} is not a valid stack config:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.plan;
}

/** The live status of every session (a session's replicas, the culler's records when readable). */
export async function statusOf(plan: Plan, api: KubeApi): Promise<Map<string, SessionStatus>> {
  let records: Record<string, string> = {};
  try {
    const status = (await api.get(`/api/v1/namespaces/${plan.namespace}/configmaps/${CULLER_NAMES.status}`)) as { data?: Record<string, string> } | undefined;
    records = status?.data ?? {};
  } catch (error) {
    // An owner may not read ConfigMaps: states are then without the culler's reasons.
    if (!(error instanceof KubeApiError)) throw error;
  }
  const result = new Map<string, SessionStatus>();
  for (const session of plan.sessions) {
    const live = session.running ? ((await api.get(`/apis/apps/v1/namespaces/${plan.namespace}/statefulsets/${session.names.statefulSet}`)) as { spec?: { replicas?: number } } | undefined) : undefined;
    const replicas = live ? (live.spec?.replicas ?? 1) : undefined;
    result.set(session.name, sessionStatus(session.running, replicas, parseCullerRecord(records[session.name])));
  }
  return result;
}

function sessionNamed(plan: Plan, name: string | undefined, verb: string): SessionPlan {
  if (!name) throw new UsageError(`sessions ${verb} needs a session name\nusage: notebook-platform ${SESSIONS_USAGE}`);
  const session = plan.sessions.find((s) => s.name === name);
  if (!session) throw new UsageError(`team ${plan.team} has no session "${name}"; its sessions: ${plan.sessions.map((s) => s.name).join(', ') || '(none)'}`);
  return session;
}

const urlOf = (session: SessionPlan) => session.url ?? `${session.baseUrl} (no ingress host: reach it with kubectl port-forward)`;

export async function sessionsOf(verb: string, name: string | undefined, file: string, io: Io, cluster: SessionsCluster, json = false): Promise<number> {
  const plan = planOf(file);
  if (verb === 'list') {
    const statuses = await statusOf(plan, cluster.api);
    const rows = plan.sessions.map((s) => ({ session: s.name, owner: s.owner, ...statuses.get(s.name)!, url: s.url ?? s.baseUrl }));
    if (json) io.out(JSON.stringify(rows, null, 2));
    else {
      io.out(['SESSION', 'OWNER', 'STATE', 'URL'].join('\t'));
      for (const row of rows) io.out([row.session, row.owner, describeStatus(row), row.url].join('\t'));
    }
    return 0;
  }
  const session = sessionNamed(plan, name, verb);
  const command = `notebook-platform sessions ${verb === 'start' ? 'stop' : 'start'} ${session.name} --stack ${plan.team}`;
  if (!session.running) {
    io.err(`${plan.team}/${session.name} is stopped by its config (running: false): set running: true in ${file} and run pulumi up; the stack would stop it again otherwise`);
    return 1;
  }
  const replicas = verb === 'start' ? 1 : 0;
  const scaled = await cluster.scale(plan.namespace, session.names.statefulSet, replicas);
  if (verb === 'start') {
    io.out(`started ${plan.team}/${session.name} (StatefulSet ${plan.namespace}/${session.names.statefulSet} scaled to ${scaled}); its home and files are as they were`);
    io.out(`url: ${urlOf(session)}`);
  } else {
    io.out(`stopped ${plan.team}/${session.name} (StatefulSet ${plan.namespace}/${session.names.statefulSet} scaled to ${scaled}); its home is kept`);
    io.out(`start it again with: ${command}`);
  }
  return 0;
}

export async function sessionsCommand(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const { positional, options } = parseArgs(args.filter((arg) => arg !== '--json'), ['stack', 'config', 'context']);
  const [verb, name, ...rest] = positional;
  if (!verb || !['list', 'start', 'stop'].includes(verb) || rest.length > 0 || (verb === 'list' && name)) {
    throw new UsageError(`usage: notebook-platform ${SESSIONS_USAGE}`);
  }
  const file = stackFile(options);
  const cluster: SessionsCluster = {
    api: kubeApi({ context: options.context }),
    scale: async (namespace, statefulSet, replicas) => (await scaleStatefulSet(namespace, statefulSet, replicas, { context: options.context })).replicas,
  };
  try {
    return await sessionsOf(verb, name, file, io, cluster, json);
  } catch (error) {
    if (error instanceof KubeApiError) {
      const forbidden = / 403: /.test(error.message) ? ' (the cluster refused: only a session\'s owner, through access.ownerSubject, or an admin may start or stop it)' : '';
      io.err(`notebook-platform sessions ${verb}: ${error.message}${forbidden}`);
      return 1;
    }
    throw error;
  }
}

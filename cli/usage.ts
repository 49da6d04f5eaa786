/**
 * `usage FILE [--json] [--context NAME]`: the used bytes of every home and share of a team, as
 * the team's usage CronJob (the config's `usage`) last measured them, next to their sizes. Reads
 * the team's pods and the newest finished run's log, nothing else.
 */
import { readStackConfigFile } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import type { Plan } from '../components/config/plan';
import { COMPONENT_LABEL, TEAM_LABEL } from '../components/config/names';
import { parseQuantity } from '../components/config/quantity';
import { kubeApi, KubeApiError, type KubeApi } from '../components/kubernetes/api-client';
import { USAGE_COMPONENT, USAGE_NAME, usageEntries } from '../components/manifests/usage';
import { parseArgs, UsageError, type Io } from './io';

export interface UsageRow {
  readonly kind: 'home' | 'share';
  readonly claim: string;
  readonly subPath?: string;
  readonly session?: string;
  readonly owner?: string;
  readonly share?: string;
  readonly size: string;
  /** undefined when not measured (a restricted share, or no finished run). */
  readonly usedBytes?: number;
  /** false when some files could not be read: the figure is a lower bound. */
  readonly complete?: boolean;
  readonly note?: string;
}

export interface Measurement {
  readonly claim: string;
  readonly subPath?: string;
  readonly usedBytes: number | null;
  readonly complete: boolean;
}

/** The measurements of a run's log, and when it finished; undefined unless the run finished. */
export function parseUsageLog(log: string): { measuredAt: string; measurements: Measurement[] } | undefined {
  const measurements: Measurement[] = [];
  for (const line of log.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (value.done === true && typeof value.measuredAt === 'string') return { measuredAt: value.measuredAt, measurements };
    if (typeof value.claim === 'string') {
      measurements.push({
        claim: value.claim,
        ...(typeof value.subPath === 'string' ? { subPath: value.subPath } : {}),
        usedBytes: typeof value.usedBytes === 'number' ? value.usedBytes : null,
        complete: value.complete === true,
      });
    }
  }
  return undefined;
}

/** One row per home and share of the plan, with what the run measured. */
export function usageRows(plan: Plan, measurements: readonly Measurement[]): UsageRow[] {
  const measured = new Map(measurements.map((m) => [`${m.claim}/${m.subPath ?? ''}`, m]));
  const rows: UsageRow[] = [];
  const seen = new Set<string>();
  const home = (claim: string, subPath: string | undefined, size: string, who: { session?: string; owner?: string }) => {
    const key = `${claim}/${subPath ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const m = measured.get(key);
    rows.push({ kind: 'home', claim, ...(subPath ? { subPath } : {}), ...who, size, ...(m && m.usedBytes !== null ? { usedBytes: m.usedBytes, complete: m.complete } : {}) });
  };
  if (plan.stateModel === 'user') {
    for (const session of plan.sessions) home(session.home.claimName, session.home.subPath, session.home.size, { owner: session.owner });
  } else {
    for (const session of plan.sessions) home(session.home.claimName, session.home.subPath, session.home.size, { session: session.name, owner: session.owner });
  }
  const skipped = new Set(usageEntries(plan).skipped);
  for (const share of plan.shares) {
    const m = measured.get(`${share.claimName}/`);
    rows.push({
      kind: 'share',
      claim: share.claimName,
      share: share.name,
      size: share.size,
      ...(m && m.usedBytes !== null ? { usedBytes: m.usedBytes, complete: m.complete } : {}),
      ...(skipped.has(share.claimName) ? { note: 'restricted share: not mounted by the usage job' } : {}),
    });
  }
  return rows;
}

/** Bytes in binary units, one decimal: 0B, 512B, 1.5Ki, 20.0Gi. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)}${unit}`;
}

/** Rows as columns two spaces apart, the last column unpadded. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

/** The newest finished run of the team's usage job: its pod, when it finished, what it measured. */
export async function latestRun(api: KubeApi, plan: Plan): Promise<{ pod: string; measuredAt: string; measurements: Measurement[] } | undefined> {
  const pods = await api.list(`/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/pods`, { labelSelector: `${TEAM_LABEL}=${plan.team},${COMPONENT_LABEL}=${USAGE_COMPONENT}` });
  const newestFirst = pods
    .filter((pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
    .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
  for (const pod of newestFirst.slice(0, 5)) {
    const log = await api.getText(`/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/log?container=usage`);
    const parsed = log === undefined ? undefined : parseUsageLog(log);
    if (parsed) return { pod: pod.metadata.name, ...parsed };
  }
  return undefined;
}

export async function usageOf(file: string, io: Io, api: KubeApi, options: { json?: boolean } = {}): Promise<number> {
  const result = validateConfig(readStackConfigFile(file));
  if (!result.ok) {
    for (const problem of result.problems) io.out(`${file}: ${formatProblem(problem)}`);
    return 1;
  }
  const { plan } = result;
  if (!plan.usage) {
    io.out(`${file}: team ${plan.team} does not measure usage: add notebook-platform:usage (e.g. usage: { schedule: "17 * * * *" }) and pulumi up`);
    return 1;
  }
  const run = await latestRun(api, plan);
  const rows = usageRows(plan, run?.measurements ?? []);
  if (options.json) {
    io.out(JSON.stringify({ team: plan.team, namespace: plan.namespace, measuredAt: run?.measuredAt ?? null, pod: run?.pod ?? null, rows }, null, 2));
    return 0;
  }
  if (!run) {
    io.out(`no finished usage run in ${plan.namespace} yet (CronJob ${USAGE_NAME}, schedule "${plan.usage.schedule}" UTC); to measure now: kubectl create job --from=cronjob/${USAGE_NAME} ${USAGE_NAME}-now -n ${plan.namespace}`);
    return 0;
  }
  const percent = (row: UsageRow) => (row.usedBytes === undefined ? '-' : `${Math.round((row.usedBytes / parseQuantity(row.size)) * 100)}%`);
  for (const line of table([
    ['KIND', 'CLAIM', 'SESSION', 'OWNER', 'SIZE', 'USED', 'USE%'],
    ...rows.map((row) => [
      row.kind,
      row.subPath ? `${row.claim}/${row.subPath}` : row.claim,
      row.session ?? (row.share ? `(share ${row.share})` : '-'),
      row.owner ?? '-',
      row.size,
      `${row.complete === false ? '>=' : ''}${formatBytes(row.usedBytes)}`,
      percent(row),
    ]),
  ])) io.out(line);
  io.out('');
  io.out(`measured at ${run.measuredAt} by pod ${run.pod}${rows.some((row) => row.note) ? '; restricted shares are not measured (only their readers and writers may mount them)' : ''}${rows.some((row) => row.complete === false) ? '; >= marks a home with files the job could not read' : ''}`);
  return 0;
}

export async function usageCommand(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const { positional, options } = parseArgs(args.filter((arg) => arg !== '--json'), ['context']);
  if (positional.length !== 1) throw new UsageError('usage needs exactly one stack config file (stacks/Pulumi.<team>.yaml)');
  try {
    return await usageOf(positional[0], io, kubeApi({ context: options.context }), { json });
  } catch (error) {
    if (error instanceof KubeApiError) throw new UsageError(`cannot read the team's usage runs: ${error.message}`);
    throw error;
  }
}

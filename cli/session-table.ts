/**
 * The session table `npm start` prints (scripts/demo): each session's state, URL and home, and
 * how many bytes its home and each share use, as the team's usage job last measured them.
 */
import type { Plan } from '../components/config/plan';
import { USAGE_NAME } from '../components/manifests/usage';
import { formatBytes, table, type UsageRow } from './usage';

/** A session as the stack's `sessions` output has it (tokens are never read here). */
export interface SessionOutput {
  readonly owner?: string;
  readonly size?: string;
  readonly state?: string;
  readonly running?: boolean;
  readonly url?: string;
  readonly stateClaim?: string;
}

/** What is known about used bytes: a finished run's rows, or why there are none. */
export type UsageKnown =
  | { readonly kind: 'measured'; readonly rows: readonly UsageRow[]; readonly measuredAt: string; readonly pod: string }
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'not-yet' }
  | { readonly kind: 'unreadable'; readonly reason: string };

const used = (row: UsageRow | undefined) => (row?.usedBytes === undefined ? '-' : `${row.complete === false ? '>=' : ''}${formatBytes(row.usedBytes)}/${row.size}`);

/** The table's lines: one row per session, then the shares, then where the figures come from. */
export function sessionTable(plan: Pick<Plan, 'team' | 'namespace' | 'stateModel'> & { readonly usage?: { readonly schedule: string } }, sessions: Record<string, SessionOutput>, usage: UsageKnown): string[] {
  const rows = usage.kind === 'measured' ? usage.rows : [];
  // A home is the session's, or with per-user state its owner's (shared by the owner's sessions).
  const homeOf = (name: string, owner: string | undefined) =>
    rows.find((row) => row.kind === 'home' && (plan.stateModel === 'user' ? row.owner === owner && row.session === undefined : row.session === name));
  const names = Object.keys(sessions).sort((a, b) => a.localeCompare(b));
  const lines = table([
    ['SESSION', 'OWNER', 'SIZE', 'STATE', 'URL', 'STATE CLAIM', 'USED'],
    ...names.map((name) => {
      const s = sessions[name];
      return [name, s.owner ?? '', s.size ?? '', s.state ?? (s.running ? 'running' : 'stopped by config'), s.url ?? '', s.stateClaim ?? '', used(homeOf(name, s.owner))];
    }),
  ]);
  if (names.length === 0) lines.push('(no sessions)');
  const shares = rows.filter((row) => row.kind === 'share');
  if (shares.length > 0) {
    lines.push('', ...table([['SHARE', 'CLAIM', 'USED'], ...shares.map((row) => [row.share ?? '', row.claim, row.note ? `- (${row.note})` : used(row)])]));
  }
  lines.push('', usageNote(plan, usage));
  return lines;
}

function usageNote(plan: { team: string; namespace: string; usage?: { schedule: string } }, usage: UsageKnown): string {
  const now = `kubectl create job --from=cronjob/${USAGE_NAME} ${USAGE_NAME}-now -n ${plan.namespace}`;
  switch (usage.kind) {
    case 'measured':
      return `USED: bytes on disk/requested size, measured at ${usage.measuredAt} by ${usage.pod} (${USAGE_NAME}, "${plan.usage?.schedule ?? '?'}" UTC); >= when some files could not be read`;
    case 'not-configured':
      return `USED: team ${plan.team} does not measure usage (add notebook-platform:usage to its stack config)`;
    case 'not-yet':
      return `USED: no finished ${USAGE_NAME} run yet (schedule "${plan.usage?.schedule ?? '?'}" UTC); measure now: ${now}, then scripts/demo sessions`;
    case 'unreadable':
      return `USED: cannot read the usage runs: ${usage.reason}`;
  }
}

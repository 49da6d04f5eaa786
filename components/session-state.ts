/**
 * How a session is, as its owner and the platform engineer see it: running, stopped by the
 * config, or stopped by the team's culler (as idle, by schedule, at its maximum lifetime, with
 * when), or stopped by someone else (its owner, an administrator). Pure: the CLI, `npm start`'s
 * table and the stack outputs read the StatefulSet's replicas and the culler's status record
 * and ask here.
 */

export type SessionState = 'running' | 'stopped by config' | 'stopped as idle' | 'stopped by schedule' | 'stopped at max lifetime' | 'stopped';

export interface SessionStatus {
  readonly state: SessionState;
  /** When the culler stopped it (ISO 8601), for the culler's states. */
  readonly since?: string;
  /** The culler's reason in words, e.g. "no activity since ...". */
  readonly detail?: string;
}

/** One record of the culler's status ConfigMap (assets/culler.py writes them as JSON). */
export interface CullerRecord {
  readonly reason: 'idle' | 'schedule' | 'lifetime';
  readonly since?: string;
  readonly detail?: string;
}

const BY_REASON: Readonly<Record<CullerRecord['reason'], SessionState>> = {
  idle: 'stopped as idle',
  schedule: 'stopped by schedule',
  lifetime: 'stopped at max lifetime',
};

/** Parses a status ConfigMap value; undefined for anything that is not a culler record. */
export function parseCullerRecord(text: string | undefined): CullerRecord | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<CullerRecord>;
    if (value.reason !== 'idle' && value.reason !== 'schedule' && value.reason !== 'lifetime') return undefined;
    return { reason: value.reason, ...(typeof value.since === 'string' ? { since: value.since } : {}), ...(typeof value.detail === 'string' ? { detail: value.detail } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The state of a session: `configRunning` from the stack config, `replicas` from its
 * StatefulSet (undefined when it does not exist yet: treated as the config says), `record` from
 * the culler's status ConfigMap. A record only explains a stop while the session is stopped.
 */
export function sessionStatus(configRunning: boolean, replicas: number | undefined, record: CullerRecord | undefined): SessionStatus {
  if (!configRunning) return { state: 'stopped by config' };
  if (replicas === undefined || replicas > 0) return { state: 'running' };
  if (record) return { state: BY_REASON[record.reason], ...(record.since ? { since: record.since } : {}), ...(record.detail ? { detail: record.detail } : {}) };
  return { state: 'stopped' };
}

/** "stopped as idle since 2026-03-02T10:00:00Z" */
export function describeStatus(status: SessionStatus): string {
  return status.since ? `${status.state} since ${status.since}` : status.state;
}

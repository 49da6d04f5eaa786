/**
 * The stack-config fields that decide when a session is stopped to give its node back: after
 * being idle, after a maximum lifetime, or at a scheduled time. The team's culler applies them
 * (manifests/culler.ts); 0 turns each rule off.
 */
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A stop time of day, 24-hour `HH:MM`. */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Whether the runtime's time-zone database knows `zone` (an IANA name such as "Europe/Berlin"). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const seconds = z.number().int().min(0).max(366 * 24 * 3600);

export const scheduleSchema = z.strictObject({
  /** Local time of day (24-hour "HH:MM") at which the session is stopped, e.g. "20:00". */
  stopAt: z.string().regex(TIME_OF_DAY, { message: 'must be a 24-hour time of day "HH:MM" such as "20:00"' }),
  /** Days the stop applies, of mon, tue, wed, thu, fri, sat, sun. @default every day */
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
  /** IANA time zone of `stopAt`, e.g. "Europe/Berlin". @default "UTC" */
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'is not an IANA time zone; allowed: a name from the tz database such as "UTC", "Europe/Berlin" or "America/New_York"' })
    .default('UTC'),
});

/** Per-session overrides of the team's culling settings. */
export const sessionJupyterSchema = z.strictObject({
  /** Overrides `jupyter.stopIdleSessionsAfterSeconds` for this session; 0 never stops it as idle. */
  stopIdleSessionsAfterSeconds: seconds.optional(),
  /** Overrides `jupyter.maxLifetimeSeconds` for this session; 0 sets no limit. */
  maxLifetimeSeconds: seconds.optional(),
});

/** The team-level culling fields of `jupyter` (merged into jupyterSchema). */
export const teamCullingFields = {
  /**
   * Stop (scale to zero) a session whose Jupyter server has seen no activity (no request, no
   * kernel or terminal activity, no busy kernel) for this long; its home is kept and
   * `notebook-platform sessions start` brings it back. 0 never stops idle sessions. @default 0
   */
  stopIdleSessionsAfterSeconds: seconds.default(0),
  /** Stop a session that has run this long, whatever its activity. 0 sets no limit. @default 0 */
  maxLifetimeSeconds: seconds.default(0),
  /**
   * GPU sessions without any stop rule (idle, lifetime or schedule) are refused by the policy pack:
   * an idle GPU is the most expensive thing a team can leave running. true opts the team out.
   * @default false
   */
  keepIdleGpuSessions: z.boolean().default(false),
};

/** Keys that were replaced, with what to write instead: validation says so instead of "unknown key". */
export const REPLACED_KEYS: Readonly<Record<string, string>> = {
  'jupyter.shutdownIdleServerAfterSeconds':
    'was replaced: it restarted an idle Jupyter server in place, so the session kept its CPU, memory and GPUs; write jupyter.stopIdleSessionsAfterSeconds with the same number instead (the session is stopped, scaled to zero, its home kept; `notebook-platform sessions start` brings it back; it also needs network.apiServer)',
};

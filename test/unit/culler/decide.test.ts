// The culler's decisions (assets/culler.py `decide`), run by the real Python with a clock the
// test sets: idle, busy kernels, terminals, maximum lifetime, schedules across days and time zones.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assetsDirectory } from '../../../components/manifests/scripts';

const CULLER = join(assetsDirectory(), 'culler.py');

interface Decision {
  stop: boolean;
  reason: string;
  detail: string;
  since?: string;
  lastActivity?: string;
}
interface Case {
  rules: Record<string, unknown>;
  status: Record<string, unknown>;
  kernels?: Record<string, unknown>[];
  terminals?: Record<string, unknown>[];
  now: string;
}

/** Every case in one Python process (one spawn per test file would do too; this keeps it fast). */
function decide(...cases: Case[]): Decision[] {
  const run = spawnSync('python3', [CULLER, '--decide'], { input: JSON.stringify({ cases }), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`culler.py --decide failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { decisions: Decision[] }).decisions;
}

const HOUR = 3600;
const idleRule = { stopIdleSessionsAfterSeconds: HOUR, maxLifetimeSeconds: 0 };
const status = (started: string, lastActivity: string) => ({ started, last_activity: lastActivity, kernels: 0, connections: 0 });

describe('idle', () => {
  it('stops a session with no activity for the timeout, and not one second before', () => {
    const [before, at] = decide(
      { rules: idleRule, status: status('2026-03-02T08:00:00Z', '2026-03-02T09:00:00Z'), now: '2026-03-02T09:59:59Z' },
      { rules: idleRule, status: status('2026-03-02T08:00:00Z', '2026-03-02T09:00:00Z'), now: '2026-03-02T10:00:00Z' },
    );
    expect(before).toMatchObject({ stop: false, reason: 'active' });
    expect(at).toMatchObject({ stop: true, reason: 'idle', lastActivity: '2026-03-02T09:00:00Z', since: '2026-03-02T10:00:00Z' });
  });

  it('a busy kernel is never idle, however old its last message', () => {
    const kernels = [{ id: 'k1', execution_state: 'busy', last_activity: '2026-03-02T01:00:00Z' }];
    const [busy, idleKernel] = decide(
      { rules: idleRule, status: status('2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z'), kernels, now: '2026-03-02T09:00:00Z' },
      { rules: idleRule, status: status('2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z'), kernels: [{ ...kernels[0], execution_state: 'idle' }], now: '2026-03-02T09:00:00Z' },
    );
    expect(busy).toMatchObject({ stop: false, reason: 'busy' });
    expect(idleKernel).toMatchObject({ stop: true, reason: 'idle' });
  });

  it('kernel and terminal activity count, even when the server\'s own last activity is old', () => {
    const old = status('2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z');
    const [kernel, terminal, quietTerminal] = decide(
      { rules: idleRule, status: old, kernels: [{ id: 'k', execution_state: 'idle', last_activity: '2026-03-02T08:30:00Z' }], now: '2026-03-02T09:00:00Z' },
      { rules: idleRule, status: old, terminals: [{ name: '1', last_activity: '2026-03-02T08:45:00Z' }], now: '2026-03-02T09:00:00Z' },
      { rules: idleRule, status: old, terminals: [{ name: '1', last_activity: '2026-03-02T07:00:00Z' }], now: '2026-03-02T09:00:00Z' },
    );
    expect(kernel).toMatchObject({ stop: false, reason: 'active' });
    expect(terminal).toMatchObject({ stop: false, reason: 'active' });
    // An open terminal that has been quiet for the whole timeout is idle.
    expect(quietTerminal).toMatchObject({ stop: true, reason: 'idle', lastActivity: '2026-03-02T07:00:00Z' });
  });

  it('a server that just started is not idle, whatever an old last activity says', () => {
    const [fresh] = decide({ rules: idleRule, status: status('2026-03-02T08:30:00Z', '2026-03-01T00:00:00Z'), now: '2026-03-02T09:00:00Z' });
    expect(fresh).toMatchObject({ stop: false, reason: 'active' });
  });

  it('0 turns idle stopping off', () => {
    const [off] = decide({ rules: { stopIdleSessionsAfterSeconds: 0, maxLifetimeSeconds: 0 }, status: status('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), now: '2026-03-02T09:00:00Z' });
    expect(off).toMatchObject({ stop: false, reason: 'no-idle-rule' });
  });
});

describe('maximum lifetime', () => {
  it('stops a session that has run that long, even with a busy kernel', () => {
    const rules = { stopIdleSessionsAfterSeconds: HOUR, maxLifetimeSeconds: 8 * HOUR };
    const kernels = [{ id: 'k', execution_state: 'busy', last_activity: '2026-03-02T15:59:00Z' }];
    const [young, old] = decide(
      { rules, status: status('2026-03-02T08:00:00Z', '2026-03-02T15:59:00Z'), kernels, now: '2026-03-02T15:59:59Z' },
      { rules, status: status('2026-03-02T08:00:00Z', '2026-03-02T15:59:00Z'), kernels, now: '2026-03-02T16:00:00Z' },
    );
    expect(young).toMatchObject({ stop: false, reason: 'busy' });
    expect(old).toMatchObject({ stop: true, reason: 'lifetime' });
  });
});

describe('schedule', () => {
  const weekdays = (stopAt: string, timeZone: string) => ({ stopIdleSessionsAfterSeconds: 0, maxLifetimeSeconds: 0, schedule: { stopAt, days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone } });

  it('stops at the time on a listed day, once: a session started after it runs until the next one', () => {
    // 2026-03-04 is a Wednesday.
    const rules = weekdays('20:00', 'UTC');
    const [before, at, startedAfter, nextDay] = decide(
      { rules, status: status('2026-03-04T09:00:00Z', '2026-03-04T19:59:00Z'), now: '2026-03-04T19:59:59Z' },
      { rules, status: status('2026-03-04T09:00:00Z', '2026-03-04T19:59:00Z'), now: '2026-03-04T20:00:00Z' },
      { rules, status: status('2026-03-04T21:00:00Z', '2026-03-04T21:00:00Z'), now: '2026-03-04T23:00:00Z' },
      { rules, status: status('2026-03-04T21:00:00Z', '2026-03-05T12:00:00Z'), now: '2026-03-05T20:00:30Z' },
    );
    expect(before.stop).toBe(false);
    expect(at).toMatchObject({ stop: true, reason: 'schedule', detail: 'scheduled stop at 2026-03-04T20:00:00Z' });
    expect(startedAfter.stop).toBe(false);
    expect(nextDay).toMatchObject({ stop: true, reason: 'schedule', detail: 'scheduled stop at 2026-03-05T20:00:00Z' });
  });

  it('days not listed have no stop: a session running through the weekend is stopped on Monday evening', () => {
    const rules = weekdays('20:00', 'UTC');
    // Started Saturday 2026-03-07; Sunday evening passes; Monday 2026-03-09 20:00 stops it.
    const [sunday, monday] = decide(
      { rules, status: status('2026-03-07T10:00:00Z', '2026-03-08T21:00:00Z'), now: '2026-03-08T21:00:00Z' },
      { rules, status: status('2026-03-07T10:00:00Z', '2026-03-09T19:00:00Z'), now: '2026-03-09T20:01:00Z' },
    );
    expect(sunday.stop).toBe(false);
    expect(monday).toMatchObject({ stop: true, detail: 'scheduled stop at 2026-03-09T20:00:00Z' });
  });

  it('the stop time is local to its time zone, across daylight-saving changes', () => {
    const rules = weekdays('20:00', 'Europe/Berlin');
    const [winter, summer, beforeSummer] = decide(
      // Winter (UTC+1): 20:00 Berlin is 19:00 UTC. 2026-03-04 is a Wednesday.
      { rules, status: status('2026-03-04T08:00:00Z', '2026-03-04T18:00:00Z'), now: '2026-03-04T19:00:00Z' },
      // Summer (UTC+2, from 2026-03-29): 20:00 Berlin is 18:00 UTC. 2026-03-30 is a Monday.
      { rules, status: status('2026-03-30T08:00:00Z', '2026-03-30T17:00:00Z'), now: '2026-03-30T18:00:00Z' },
      { rules, status: status('2026-03-30T08:00:00Z', '2026-03-30T17:00:00Z'), now: '2026-03-30T17:59:59Z' },
    );
    expect(winter).toMatchObject({ stop: true, detail: 'scheduled stop at 2026-03-04T19:00:00Z' });
    expect(summer).toMatchObject({ stop: true, detail: 'scheduled stop at 2026-03-30T18:00:00Z' });
    expect(beforeSummer.stop).toBe(false);
  });

  it('a zone west of UTC: the local day decides, not the UTC day', () => {
    // Friday 2026-03-06 20:00 in New York (UTC-5) is Saturday 01:00 UTC: still Friday's stop.
    const rules = { stopIdleSessionsAfterSeconds: 0, maxLifetimeSeconds: 0, schedule: { stopAt: '20:00', days: ['fri'], timeZone: 'America/New_York' } };
    const [friday] = decide({ rules, status: status('2026-03-06T14:00:00Z', '2026-03-06T14:00:00Z'), now: '2026-03-07T01:00:00Z' });
    expect(friday).toMatchObject({ stop: true, detail: 'scheduled stop at 2026-03-07T01:00:00Z' });
  });
});

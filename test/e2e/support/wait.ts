/**
 * Polling with a deadline, for state the controllers reach eventually (a claim bound, a
 * StatefulSet ready, a pod gone). Never a fixed sleep: the condition is checked every
 * `intervalMs` and the wait ends as soon as it holds. On timeout the error carries the last
 * observation and the caller's diagnostics (typically `kubectl describe` output), so a failure
 * says why rather than just "timed out".
 */

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra text for the timeout error, e.g. `kubectl describe` of the objects involved. */
  diagnostics?: () => Promise<string>;
}

/** What a check reports: done, or not yet and why (the last reason ends up in the timeout error). */
export type Check<T> = { done: true; value: T } | { done: false; reason: string };

export const done = <T>(value: T): Check<T> => ({ done: true, value });
export const notYet = (reason: string): Check<never> => ({ done: false, reason });

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(what: string, check: () => Promise<Check<T>>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 250;
  const started = Date.now();
  let last = 'not checked yet';
  for (;;) {
    const result = await check();
    if (result.done) return result.value;
    last = result.reason;
    if (Date.now() - started >= timeoutMs) break;
    await delay(intervalMs);
  }
  let diagnostics = '';
  if (opts.diagnostics) {
    try {
      diagnostics = await opts.diagnostics();
    } catch (error) {
      diagnostics = `(diagnostics failed: ${String(error)})`;
    }
  }
  throw new WaitTimeoutError(
    `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}; last state: ${last}` +
      (diagnostics ? `\n---- diagnostics\n${diagnostics}` : ''),
  );
}

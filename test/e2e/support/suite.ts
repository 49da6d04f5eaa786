/**
 * What the suites that run the real Pulumi engine share: a control plane, kubectl on it, a work
 * directory, a Pulumi workspace in it and stack variants written there, set up before the suite
 * and removed after it, with the suite's timings printed at the end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ControlPlane, START_TIMEOUT_MS, STOP_TIMEOUT_MS, startControlPlane } from './control-plane';
import { type Kubectl, kubectlFor } from './kubectl';
import { PulumiWorkspace } from './pulumi';
import { type StackValues, writeStackVariant } from './stacks';

export interface PulumiSuite {
  readonly cp: ControlPlane;
  readonly k: Kubectl;
  /** The suite's temporary directory (removed after it). */
  readonly work: string;
  readonly ws: PulumiWorkspace;
  /** Milliseconds by label, printed after the suite. */
  readonly timings: Record<string, number>;
  /** `<work>/variants/Pulumi.<name>.yaml`: stacks/Pulumi.<base>.yaml with `edit` applied (support/stacks.ts). */
  variant(base: string, name: string, edit?: (values: StackValues) => void): string;
  /** Records a command's duration under `label` and returns its result. */
  time<T>(label: string, result: T & { durationMs: number }): T;
}

/**
 * Registers the suite's beforeAll and afterAll (call it at the top of a test file) and returns the
 * suite; its cp, k, work and ws are there once beforeAll has run. `setUp` runs at the end of
 * beforeAll, for what the suite needs before its first test.
 */
export function pulumiSuite(name: string, setUp?: (suite: PulumiSuite) => void | Promise<void>): PulumiSuite {
  const started = Date.now();
  const timings: Record<string, number> = {};
  let state: { cp: ControlPlane; k: Kubectl; work: string; ws: PulumiWorkspace } | undefined;
  let work: string | undefined;
  let cp: ControlPlane | undefined;
  const ready = () => {
    if (!state) throw new Error(`the ${name} suite is not set up yet (use it inside tests or hooks)`);
    return state;
  };
  const suite: PulumiSuite = {
    get cp() {
      return ready().cp;
    },
    get k() {
      return ready().k;
    },
    get work() {
      return ready().work;
    },
    get ws() {
      return ready().ws;
    },
    timings,
    variant: (base, variantName, edit = () => undefined) => writeStackVariant(path.join(ready().work, 'variants'), base, variantName, edit),
    time: (label, result) => {
      timings[label] = result.durationMs;
      return result;
    },
  };
  beforeAll(async () => {
    const cpStarted = Date.now();
    cp = await startControlPlane();
    timings['control plane start'] = Date.now() - cpStarted;
    work = fs.mkdtempSync(path.join(os.tmpdir(), `np-e2e-${name}-`));
    state = { cp, k: kubectlFor(cp), work, ws: PulumiWorkspace.create(path.join(work, 'pulumi'), cp.kubeconfig) };
    await setUp?.(suite);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    try {
      if (cp) await cp.stop();
    } finally {
      if (work) fs.rmSync(work, { recursive: true, force: true });
      timings.suite = Date.now() - started;
      process.stderr.write(`${name} e2e timings: ${Object.entries(timings).map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
    }
  }, STOP_TIMEOUT_MS);
  return suite;
}

/**
 * `npm start` (scripts/demo) with the kwok stack (NOTEBOOK_PLATFORM_DEMO_STACK=demo; the default,
 * real-node stack is test/real/demo.real.test.ts) from an empty state directory, twice,
 * then `npm run stop`. Its state (control plane, file backend, PULUMI_HOME, config copy) goes to
 * a temporary NOTEBOOK_PLATFORM_DEMO_DIR instead of ~/.cache/notebook-platform/demo, and the
 * plane it starts is tied to this process (NOTEBOOK_PLATFORM_DEMO_OWNER_PID).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './support/control-plane';
import { runProcess, type ProcessResult } from './support/process';

const DEMO = path.join(REPO_ROOT, 'scripts', 'demo');
const TEST_TIMEOUT_MS = 10 * 60_000;


let dir: string;
const timings: Record<string, number> = {};

function demo(args: string[]): Promise<ProcessResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NOTEBOOK_PLATFORM_DEMO_DIR: dir, NOTEBOOK_PLATFORM_DEMO_OWNER_PID: String(process.pid), NOTEBOOK_PLATFORM_DEMO_STACK: 'demo' };
  delete env.KUBECONFIG;
  return runProcess('bash', [DEMO, ...args], { cwd: REPO_ROOT, env });
}

function explain(r: ProcessResult): string {
  return r.code === 0 ? '' : `exit ${r.code}\n---- stdout\n${r.stdout.slice(-4000)}\n---- stderr\n${r.stderr.slice(-4000)}`;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-demo-'));
});

afterAll(async () => {
  try {
    await demo(['stop']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`demo e2e timings: ${Object.entries(timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
  }
}, TEST_TIMEOUT_MS);

describe('npm start (scripts/demo)', () => {
  let token = '';

  it('deploys the demo stack and prints the session table without tokens', async () => {
    const r = await demo(['start']);
    timings['first npm start'] = r.durationMs;
    expect(explain(r)).toBe('');
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => /^SESSION\s+OWNER\s+SIZE\s+STATE\s+URL\s+STATE CLAIM\s+USED$/.test(l));
    expect(header).toBeGreaterThanOrEqual(0);
    // The demo team measures no usage (kwok runs no containers): USED is "-" and the note says why.
    expect(lines.slice(header + 1, header + 4)).toEqual([
      expect.stringMatching(/^churn-model\s+alice\s+small\s+running\s+https:\/\/notebooks\.example\.com\/notebooks\/demo\/churn-model\/\s+workdirs\/sessions\/churn-model\s+-$/),
      expect.stringMatching(/^forecasting\s+bob\s+medium\s+running\s+\S+\s+workdirs\/sessions\/forecasting\s+-$/),
      expect.stringMatching(/^payroll-audit\s+carol\s+small\s+stopped by config\s+\S+\s+workdirs\/sessions\/payroll-audit\s+-$/),
    ]);
    expect(r.stdout).toContain('USED: team demo does not measure usage (add notebook-platform:usage to its stack config)');
    expect(r.stdout).toMatch(/scripts\/demo token <session>/);
    // The example file is never written (the salt goes into the copy in the state dir).
    expect(fs.readFileSync(path.join(REPO_ROOT, 'stacks', 'Pulumi.demo.yaml'), 'utf8')).not.toMatch(/encryptionsalt/);
    expect(fs.readFileSync(path.join(dir, 'Pulumi.demo.yaml'), 'utf8')).toMatch(/^encryptionsalt: /m);

    const t = await demo(['token', 'churn-model']);
    expect(explain(t)).toBe('');
    token = t.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(r.stdout + r.stderr).not.toContain(token);
  }, TEST_TIMEOUT_MS);

  it('a second npm start is a no-op update', async () => {
    const r = await demo(['start']);
    timings['second npm start'] = r.durationMs;
    expect(explain(r)).toBe('');
    expect(r.stderr).toMatch(/demo stack updated in \d+s: no changes \(\d+ unchanged\)/);
    expect(r.stderr).toMatch(/control plane already running/);
    expect((await demo(['token', 'churn-model'])).stdout.trim()).toBe(token);
  }, TEST_TIMEOUT_MS);

  it('npm run stop stops the plane; the next npm start deploys again on a fresh one', async () => {
    const stop = await demo(['stop']);
    expect(explain(stop)).toBe('');
    expect(fs.existsSync(path.join(dir, 'cluster', 'kubeconfig'))).toBe(false);

    const r = await demo(['start']);
    timings['npm start after stop'] = r.durationMs;
    expect(explain(r)).toBe('');
    expect(r.stderr).toMatch(/refreshing its state first/);
    expect(r.stderr).not.toMatch(/no changes/);
    expect(r.stdout).toMatch(/^churn-model\s+alice/m);
  }, TEST_TIMEOUT_MS);
});

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
import { processesWith, runProcess, type ProcessResult, type RunningProcess } from './support/process';
import { done, notYet, waitFor } from './support/wait';

const DEMO = path.join(REPO_ROOT, 'scripts', 'demo');
const TEST_TIMEOUT_MS = 10 * 60_000;


let dir: string;
const timings: Record<string, number> = {};

/** `marker` (NAME=VALUE) goes into the environment, so everything the run starts carries it. */
function demo(args: string[], marker = 'NOTEBOOK_PLATFORM_E2E_RUN=demo'): Promise<ProcessResult> {
  const [name, value] = marker.split('=');
  const env: NodeJS.ProcessEnv = { ...process.env, NOTEBOOK_PLATFORM_DEMO_DIR: dir, NOTEBOOK_PLATFORM_DEMO_OWNER_PID: String(process.pid), NOTEBOOK_PLATFORM_DEMO_STACK: 'demo', [name]: value };
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

  /** kubectl against the demo's plane (its env file puts the plane's kubectl and kubeconfig in place). */
  const kubectl = (...args: string[]) => runProcess('bash', ['-c', 'source "$1" && shift && kubectl "$@"', '_', path.join(dir, 'cluster', 'env'), ...args]);
  /** The CLI, its plugins and the programs they run (the Node.js program, policy packs). */
  const ofPulumi = (p: RunningProcess) => /^pulumi/.test(p.exe) || /@pulumi\/pulumi\/cmd\//.test(p.cmd);
  const lockDir = () => path.join(dir, 'backend', '.pulumi', 'locks', 'organization', 'notebook-platform', 'demo');

  it("npm start leaves another host's lock alone and prints the commands to run", async () => {
    fs.mkdirSync(lockDir(), { recursive: true });
    const lock = path.join(lockDir(), 'e2e-other-host.json');
    // Pulumi's lock file, as the CLI writes it (pid, username, hostname, timestamp).
    fs.writeFileSync(lock, JSON.stringify({ pid: 4242, username: 'ci', hostname: 'ci-runner-7', timestamp: new Date().toISOString() }));
    try {
      const r = await demo(['start']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/the stack is currently locked by 1 lock\(s\)/);
      expect(r.stderr).toMatch(/lock of stack demo held by ci@ci-runner-7 pid 4242 since \S+: file:\/\/\S+e2e-other-host\.json/);
      expect(r.stderr).toContain('pulumi cancel --stack demo --yes');
      expect(r.stderr).toMatch(/pulumi refresh --stack demo --config-file \S+ --yes --skip-preview --clear-pending-creates/);
      expect(fs.existsSync(lock)).toBe(true);
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }, TEST_TIMEOUT_MS);

  it('npm start killed half-way (its pulumi CLI SIGKILLed): nothing of it keeps running; the next npm start removes the stale lock, clears the pending operations, completes', async () => {
    // A fresh plane: this start creates every object again, so there is a half-way to kill it at.
    expect(explain(await demo(['stop']))).toBe('');
    const marker = `NOTEBOOK_PLATFORM_E2E_RUN=demo-killed-${process.pid}`;
    const killed = demo(['start'], marker);
    await waitFor(
      'secret/churn-model-token',
      async () => {
        if (!fs.existsSync(path.join(dir, 'cluster', 'env'))) return notYet('no plane yet');
        const r = await kubectl('get', 'secret', 'churn-model-token', '-n', 'nb-demo', '-o', 'name');
        return r.code === 0 ? done(true) : notYet(r.stderr.trim());
      },
      { timeoutMs: 5 * 60_000, intervalMs: 200 },
    );
    const running = processesWith(marker).filter(ofPulumi);
    const cli = running.find((p) => p.exe === 'pulumi' && / up /.test(p.cmd));
    expect(cli).toBeDefined();
    expect(running.map((p) => p.exe)).toEqual(expect.arrayContaining(['pulumi-guard', 'pulumi-language-nodejs', 'pulumi-resource-kubernetes']));
    process.kill(cli!.pid, 'SIGKILL');
    const k = await killed;
    expect(k.code).not.toBe(0);
    // pulumi-guard ended whatever the CLI left before the script exited. (The control plane that
    // start brought up carries the marker too, and runs on by design: not counted.)
    const left = processesWith(marker).filter(ofPulumi);
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    expect(left.map((p) => `${p.pid} ${p.exe}`)).toEqual([]);
    expect(fs.readdirSync(lockDir()).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const claims = await kubectl('get', 'persistentvolumeclaims', '-n', 'nb-demo', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}');

    let r = await demo(['start']);
    expect(r.stderr).toMatch(new RegExp(`stale lock of stack demo: \\S+ pid ${cli!.pid} \\(not running on this host\\)`));
    expect(r.stderr).toMatch(/removed the stale lock\(s\) of stack demo/);
    if (r.code !== 0) {
      // Token Secrets the dead run may have created unrecorded: the script names the commands.
      const commands = [...r.stderr.matchAll(/kubectl delete secret (\S+) -n (\S+) --ignore-not-found/g)];
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) expect((await kubectl('delete', 'secret', c[1], '-n', c[2], '--ignore-not-found')).code).toBe(0);
      r = await demo(['start']);
    }
    expect(explain(r)).toBe('');
    expect(r.stdout).toMatch(/^churn-model\s+alice/m);
    expect(fs.readdirSync(lockDir()).filter((f) => f.endsWith('.json'))).toEqual([]);
    const again = await demo(['start']);
    expect(explain(again)).toBe('');
    expect(again.stderr).toMatch(/no changes \(\d+ unchanged\)/);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/pending operation/);
    // Claims that existed when the run was killed are the same objects.
    const after = await kubectl('get', 'persistentvolumeclaims', '-n', 'nb-demo', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}');
    for (const line of claims.stdout.split('\n').filter(Boolean)) expect(after.stdout.split('\n')).toContain(line);
  }, 2 * TEST_TIMEOUT_MS);
});

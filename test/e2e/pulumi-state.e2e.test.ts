/**
 * scripts/lib/pulumi-state.sh's repair_file_backend against the real Pulumi CLI and its file
 * backend: what a run killed inside a write leaves on disk, and that the next command works
 * after the repair with the stack's state unchanged.
 *
 * The on-disk states are the ones the file backend's write sequence passes through (a temp file
 * beside the object, the object's `.attrs` truncated then written, the temp file renamed over the
 * object); a SIGKILL can stop it at each. They are made here directly, so each case is tested
 * every run rather than when a kill happens to land in one (demo.e2e kills `npm start` for real).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './support/control-plane';
import { PulumiWorkspace } from './support/pulumi';
import { runProcess } from './support/process';

const STACK = 'demo';
const TEST_TIMEOUT_MS = 2 * 60_000;

let work: string;
let ws: PulumiWorkspace;
let backend: string;
let stackFile: string;
let lockDir: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-state-'));
  // No program runs here: the kubeconfig is never read.
  ws = PulumiWorkspace.create(work, '/dev/null');
  backend = path.join(work, 'backend', '.pulumi');
  await ws.initStack(STACK);
  stackFile = path.join(backend, 'stacks', ws.projectName, `${STACK}.json`);
  lockDir = path.join(backend, 'locks', 'organization', ws.projectName, STACK);
  expect(fs.existsSync(`${stackFile}.attrs`)).toBe(true);
}, TEST_TIMEOUT_MS);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Runs repair_file_backend the way scripts/demo and scripts/ci-steps do (their log, strict mode). */
async function repair(env: Record<string, string> = ws.env) {
  const script = `set -euo pipefail; log() { printf '[test] %s\\n' "$*" >&2; }; source scripts/lib/pulumi-state.sh; repair_file_backend`;
  const r = await runProcess('bash', ['-c', script], { cwd: REPO_ROOT, env, timeoutMs: 60_000 });
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: '' });
  return r.stderr;
}

/** Every file under the backend with its bytes, to show what a repair did and did not touch. */
function backendFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(backend, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(file, fs.readFileSync(file, 'utf8'));
    }
  }
  return files;
}

/** The scratch project the stack was created in: a command that reads the stack's config runs
 * there, never in the repository (whose stacks/ files it would rewrite). */
function project(): string {
  return path.join(work, 'project');
}

/** A lock's temp file as the backend writes it beside `<uuid>.json`; mtime `ageSeconds` ago. */
function lockTemp(content: string, ageSeconds: number): string {
  fs.mkdirSync(lockDir, { recursive: true });
  const file = path.join(lockDir, `${Math.random().toString(16).slice(2)}.json.${(Date.now() * 1e6).toString(16)}.tmp`);
  fs.writeFileSync(file, content);
  const at = new Date(Date.now() - ageSeconds * 1000);
  fs.utimesSync(file, at, at);
  return file;
}

function lockContent(pid: number, timestamp: Date): string {
  return JSON.stringify({ pid, username: os.userInfo().username, hostname: os.hostname(), timestamp: timestamp.toISOString() });
}

/** A pid no process has: past the kernel's pid_max. */
function deadPid(): number {
  return Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) + 1;
}

describe('repair_file_backend (scripts/lib/pulumi-state.sh) on the real file backend', () => {
  it('an empty .attrs (killed between its truncate and its write): every read fails with "EOF"; the repair removes it and the checkpoint reads as before', async () => {
    const checkpoint = fs.readFileSync(stackFile, 'utf8');
    const before = await ws.run(['stack', 'export', '--stack', STACK]);
    fs.writeFileSync(`${stackFile}.attrs`, '');

    const broken = await ws.run(['stack', 'ls', '--json'], { allowFailure: true });
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/error: EOF/);

    const log = await repair();
    expect(log).toContain(`${stackFile}.attrs`);
    expect(fs.existsSync(`${stackFile}.attrs`)).toBe(false);
    expect(fs.readFileSync(stackFile, 'utf8')).toBe(checkpoint);
    const stacks = JSON.parse((await ws.run(['stack', 'ls', '--json'])).stdout) as { name: string }[];
    expect(stacks.map((s) => s.name)).toContain(STACK);
    expect((await ws.run(['stack', 'export', '--stack', STACK])).stdout).toBe(before.stdout);
  }, TEST_TIMEOUT_MS);

  it('a lock temp file left empty: the stack cannot be updated; once older than a write can take, the repair removes it and a refresh runs', async () => {
    const young = lockTemp('', 0);
    const old = lockTemp('', 30);
    const refused = await ws.run(['refresh', '--stack', STACK, '--yes', '--skip-preview'], { allowFailure: true, cwd: project() });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unexpected end of JSON input/);

    const log = await repair();
    expect(log).toContain(old);
    expect(fs.existsSync(old)).toBe(false);
    // A temp file this new may belong to a write in progress: left for the next run.
    expect(log).not.toContain(young);
    expect(fs.existsSync(young)).toBe(true);
    fs.rmSync(young);
    await ws.run(['refresh', '--stack', STACK, '--yes', '--skip-preview'], { cwd: project() });
  }, TEST_TIMEOUT_MS);

  it("a lock temp file that names its writer: removed when that process is gone from this host, kept while it runs or on another host", async () => {
    const dead = lockTemp(lockContent(deadPid(), new Date()), 0);
    // This test's own process, written after it started: a live writer.
    const live = lockTemp(lockContent(process.pid, new Date()), 0);
    const elsewhere = lockTemp(JSON.stringify({ pid: deadPid(), username: 'ci', hostname: `not-${os.hostname()}`, timestamp: new Date().toISOString() }), 0);

    const log = await repair();
    expect(log).toContain(dead);
    expect(fs.existsSync(dead)).toBe(false);
    for (const kept of [live, elsewhere]) {
      expect(log).not.toContain(kept);
      expect(fs.existsSync(kept)).toBe(true);
      fs.rmSync(kept);
    }
  }, TEST_TIMEOUT_MS);

  it('a sound backend, or one that is not a file backend: nothing printed, nothing touched', async () => {
    const before = backendFiles();
    expect(await repair()).toBe('');
    fs.writeFileSync(`${stackFile}.attrs`, '');
    const s3 = { ...ws.env, PULUMI_BACKEND_URL: 's3://notebook-platform-state?region=eu-west-1' };
    expect(await repair(s3)).toBe('');
    expect(fs.readFileSync(`${stackFile}.attrs`, 'utf8')).toBe('');
    fs.writeFileSync(`${stackFile}.attrs`, before.get(`${stackFile}.attrs`)!);
    expect(backendFiles()).toEqual(before);
  }, TEST_TIMEOUT_MS);
});

/**
 * Helpers for the session tests: plans from the example stacks or the config fixture, and real
 * git and bash in throw-away directories for the script tests.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStackConfigFile, validateConfig, type Plan, type SessionPlan } from '../../../components/config';
import { assetPath, type ScriptFile } from '../../../components/manifests/scripts';

export const root = join(__dirname, '..', '..', '..');

/** The validated plan of a config object; fails the test with every problem if it is invalid. */
export function planOf(config: unknown): Plan {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(`invalid config:\n${result.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
  return result.plan;
}

export function stackPlan(team: 'demo' | 'team-a' | 'team-b'): Plan {
  return planOf(readStackConfigFile(join(root, 'stacks', `Pulumi.${team}.yaml`)));
}

export function sessionOf(plan: Plan, name: string): SessionPlan {
  const session = plan.sessions.find((s) => s.name === name);
  if (!session) throw new Error(`no session ${name} in ${plan.sessions.map((s) => s.name).join(', ')}`);
  return session;
}

/** Temporary directories, removed by `cleanup()` (call it in afterAll). */
export class Scratch {
  private readonly dirs: string[] = [];
  dir(prefix = 'np-session-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  cleanup(): void {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** An environment without the caller's git config, so tests see only what they set. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig-absent'),
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'advice.detachedHead=false'];

/** Runs git in `cwd` with a test identity; returns trimmed stdout, throws on failure. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, env: cleanEnv(cwd), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Whether `git` succeeds (for refs that may not exist). */
export function gitOk(cwd: string, ...args: string[]): boolean {
  return spawnSync('git', [...IDENTITY, ...args], { cwd, env: cleanEnv(cwd), stdio: 'ignore' }).status === 0;
}

/**
 * A bare "remote" with one commit on main (README.md and a .gitignore ignoring *.log), and a
 * clone of it as the session's work tree.
 */
export function remoteAndClone(scratch: Scratch): { remote: string; work: string; base: string } {
  const base = scratch.dir();
  const remote = join(base, 'remote.git');
  git(base, 'init', '--quiet', '--bare', remote);
  const seed = join(base, 'seed');
  git(base, 'init', '--quiet', seed);
  writeFileSync(join(seed, 'README.md'), '# project\n');
  writeFileSync(join(seed, '.gitignore'), '*.log\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'initial');
  git(seed, 'push', '--quiet', remote, 'main');
  const work = join(base, 'work');
  git(base, 'clone', '--quiet', remote, work);
  return { remote, work, base };
}

export interface ScriptResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of the real assets with bash and the given environment. */
export function runScript(file: ScriptFile, env: NodeJS.ProcessEnv, args: string[] = []): ScriptResult {
  const result = spawnSync('bash', [assetPath(file), ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs one of the real assets without blocking the event loop (a test's own servers keep
 * answering meanwhile), in `cwd` if given; killed after `timeoutMs` (default 60 s).
 */
export function runScriptAsync(file: ScriptFile, env: NodeJS.ProcessEnv, args: string[] = [], options: { timeoutMs?: number; cwd?: string } = {}): Promise<ScriptResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const child = spawn('bash', [assetPath(file), ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Starts a script in the background; its stderr is collected in `log()`. */
export function startScript(file: ScriptFile, env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string } {
  const child = spawn('bash', [assetPath(file)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += String(chunk)));
  return { child, log: () => log };
}

/** Stops a started script: SIGTERM (it cleans up), SIGKILL if it has not exited within 15 s. Resolves with its exit code. */
export async function stopScript(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts and stops a local Kubernetes control plane (scripts/control-plane)
 * for end-to-end suites. Node built-ins only.
 *
 *   let cp: ControlPlane;
 *   beforeAll(async () => { cp = await startControlPlane(); }, START_TIMEOUT_MS);
 *   afterAll(async () => { await cp?.stop(); }, STOP_TIMEOUT_MS);
 *
 * The binaries are built on first use (tens of minutes on a cold cache): run
 * `scripts/control-plane build` before the test runner so a test timeout
 * never has to cover a compile.
 */
import { spawnSync } from 'node:child_process';
import { runProcess, type ProcessResult } from './process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CONTROL_PLANE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'control-plane');

/** Generous: start is ~10-30 s when the binaries are cached. */
export const START_TIMEOUT_MS = 5 * 60_000;
export const STOP_TIMEOUT_MS = 60_000;

export interface ControlPlaneUser {
  name: string;
  token: string;
  groups: string[];
  /** A kubeconfig that authenticates as this user. */
  kubeconfig: string;
}

export interface ControlPlane {
  /** State directory (certificates, etcd data, logs, kubeconfigs). */
  dir: string;
  /** Kubernetes version the control plane runs, e.g. "v1.37.2". */
  version: string;
  /** https://127.0.0.1:PORT */
  server: string;
  caFile: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  /** Directory with kubectl, kube-apiserver, ..., kwok. */
  binDir: string;
  kubectlPath: string;
  /** Cache dir for kubectl's discovery cache, inside `dir`. */
  kubectlCacheDir: string;
  admin: ControlPlaneUser;
  /** Test users by name: alice (team-a), bob (team-b), carol (platform-admins), mallory (no team). */
  users: Record<string, ControlPlaneUser>;
  /** Variables from DIR/env (KUBECONFIG, NOTEBOOK_PLATFORM_CP_*, PATH). */
  env: Record<string, string>;
  /** Tail of each component's log, for failure reports. */
  logTails(lines?: number): string;
  /** Stops exactly the processes this start started and removes `dir`. */
  stop(opts?: { keepLogs?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** State directory; a fresh temporary directory when omitted. */
  dir?: string;
  /** Where progress lines of the script go (default: process.stderr). */
  log?: (chunk: string) => void;
  timeoutMs?: number;
  /** Also start a real node (kubelet, containerd, CNI, kube-proxy, kube-router, CoreDNS): scripts/real-node. @default false */
  realNode?: boolean;
}

interface UsersFile {
  version: string;
  server: string;
  caFile: string;
  kubeconfig: string;
  binDir: string;
  admin: ControlPlaneUser;
  users: Record<string, ControlPlaneUser>;
}


function runScript(
  args: string[],
  timeoutMs: number,
  log: (chunk: string) => void,
): Promise<ProcessResult> {
  // The script cleans up after itself on SIGTERM (its EXIT trap).
  return runProcess('bash', [CONTROL_PLANE_SCRIPT, ...args], { cwd: REPO_ROOT, timeoutMs, timeoutSignal: 'SIGTERM', killAfterMs: 60_000, onStderr: log });
}

/** Parses `export NAME="value"` lines. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-cp-'));
  const log = opts.log ?? ((chunk: string) => process.stderr.write(chunk));
  const res = await runScript(
    ['start', '--dir', dir, '--owner-pid', String(process.pid), ...(opts.realNode ? ['--real-node'] : [])],
    opts.timeoutMs ?? START_TIMEOUT_MS,
    log,
  );
  if (res.code !== 0) {
    throw new Error(
      `scripts/control-plane start failed (exit ${res.code ?? res.signal}):\n${tail(res.stderr, 60)}`,
    );
  }
  const env = parseExports(res.stdout);
  if (!env.KUBECONFIG || !env.NOTEBOOK_PLATFORM_CP_USERS || !env.NOTEBOOK_PLATFORM_CP_BIN) {
    throw new Error(`unexpected output of scripts/control-plane start:\n${res.stdout}`);
  }
  const users = JSON.parse(fs.readFileSync(env.NOTEBOOK_PLATFORM_CP_USERS, 'utf8')) as UsersFile;
  const stateDir = env.NOTEBOOK_PLATFORM_CP_DIR ?? dir;

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [CONTROL_PLANE_SCRIPT, 'stop', '--dir', stateDir], { stdio: 'ignore' });
  };
  // Last resort if the suite never reaches afterAll; the script's watchdog
  // covers a runner that is killed outright.
  process.once('exit', stopSync);

  const cp: ControlPlane = {
    dir: stateDir,
    version: users.version,
    server: users.server,
    caFile: users.caFile,
    kubeconfig: env.KUBECONFIG,
    binDir: env.NOTEBOOK_PLATFORM_CP_BIN,
    kubectlPath: path.join(env.NOTEBOOK_PLATFORM_CP_BIN, 'kubectl'),
    kubectlCacheDir: path.join(stateDir, 'cache'),
    admin: users.admin,
    users: users.users,
    env,
    logTails(lines = 20): string {
      const logDir = path.join(stateDir, 'logs');
      if (!fs.existsSync(logDir)) return '';
      return fs
        .readdirSync(logDir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => `---- ${f}\n${tail(fs.readFileSync(path.join(logDir, f), 'utf8'), lines)}`)
        .join('\n');
    },
    async stop(stopOpts: { keepLogs?: boolean } = {}): Promise<void> {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      const args = ['stop', '--dir', stateDir];
      if (stopOpts.keepLogs) args.push('--keep-logs');
      const r = await runScript(args, STOP_TIMEOUT_MS, log);
      if (r.code !== 0) {
        throw new Error(`scripts/control-plane stop failed (exit ${r.code ?? r.signal}):\n${tail(r.stderr, 30)}`);
      }
    },
  };
  return cp;
}

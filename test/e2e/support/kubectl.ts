/**
 * Runs the control plane's own kubectl (the pinned version, not whatever is
 * on PATH) as the admin, as a test user, or with any bearer token.
 * Node built-ins only.
 *
 *   const k = kubectlFor(cp);                 // admin
 *   const alice = kubectlFor(cp, 'alice');    // test user by name
 *   const r = await alice(['get', 'pods', '-n', 'team-a']);   // never throws
 *   expect(r.code).toBe(1); expect(r.serverMessage).toMatch(/forbidden/);
 *   await k.ok(['apply', '-f', '-'], { input: yaml });         // throws KubectlError
 */
import { runProcess } from './process';
import type { ControlPlane } from './control-plane';

export interface KubectlResult {
  /** The arguments kubectl ran with (credentials left out). */
  args: string[];
  stdout: string;
  stderr: string;
  /** Exit code; null when killed (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /**
   * The API server's reason when the command failed, e.g.
   * `Error from server (Forbidden): pods is forbidden: User "mallory" cannot list ...`
   * (the `Error from server` / `error:` lines of stderr), else ''.
   */
  serverMessage: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
}

/** How to reach and authenticate to the API server. */
export interface KubectlTarget {
  kubectlPath: string;
  /** Either a kubeconfig ... */
  kubeconfig?: string;
  /** ... or server + CA + bearer token. */
  server?: string;
  caFile?: string;
  token?: string;
  /** kubectl's discovery cache (defaults to kubectl's own in $HOME). */
  cacheDir?: string;
}

export class KubectlError extends Error {
  constructor(readonly result: KubectlResult) {
    super(describeFailure(result));
    this.name = 'KubectlError';
  }
}

export function describeFailure(r: KubectlResult): string {
  const how = r.code === null ? `killed by ${r.signal}` : `exit ${r.code}`;
  const reason = r.serverMessage || r.stderr.trim() || '(no output)';
  return `kubectl ${r.args.join(' ')} failed (${how}): ${reason}`;
}

/**
 * The lines of kubectl's stderr that carry the API server's (or kubectl's) reason. A validation
 * failure (422 Invalid) comes without a prefix: `The Pod "x" is invalid: spec...`.
 */
export function extractServerMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(Error from server|error:|Error:)/.test(l) || /^The \S+ "[^"]*" is invalid: /.test(l));
  return lines.join('\n');
}

export async function runKubectl(
  target: KubectlTarget,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const auth: string[] = [];
  if (target.token !== undefined) {
    if (!target.server || !target.caFile) {
      throw new Error('runKubectl: a token needs server and caFile');
    }
    // An empty kubeconfig, so nothing from the admin's config (or
    // $KUBECONFIG) is mixed into this user's credentials.
    auth.push(
      '--kubeconfig=/dev/null',
      `--server=${target.server}`,
      `--certificate-authority=${target.caFile}`,
      `--token=${target.token}`,
    );
  } else if (target.kubeconfig) {
    auth.push(`--kubeconfig=${target.kubeconfig}`);
  } else {
    throw new Error('runKubectl: pass a kubeconfig or a token');
  }
  if (target.cacheDir) auth.push(`--cache-dir=${target.cacheDir}`);

  const env = { ...process.env };
  delete env.KUBECONFIG;

  const r = await runProcess(target.kubectlPath, [...auth, ...args], { env, input: opts.input ?? '', timeoutMs: opts.timeoutMs ?? 120_000 });
  return { args, stdout: r.stdout, stderr: r.stderr, code: r.code, signal: r.signal, serverMessage: r.code !== 0 ? extractServerMessage(r.stderr) : '' };
}

export interface Kubectl {
  /** Runs kubectl; resolves with the result whatever the exit code. */
  (args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Runs kubectl; rejects with a KubectlError (carrying the server's message) unless it exits 0. */
  ok(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** `ok` with `-o json`, parsed. */
  json<T = unknown>(args: string[], opts?: KubectlOptions): Promise<T>;
  readonly target: KubectlTarget;
}

/**
 * kubectl bound to a control plane and an identity: 'admin' (default), the
 * name of a test user, or `{ token }` for any bearer token (e.g. a
 * ServiceAccount's).
 */
export function kubectlFor(cp: ControlPlane, who: string | { token: string } = 'admin'): Kubectl {
  let target: KubectlTarget;
  if (typeof who === 'object') {
    target = { kubectlPath: cp.kubectlPath, server: cp.server, caFile: cp.caFile, token: who.token };
  } else if (who === 'admin') {
    target = { kubectlPath: cp.kubectlPath, kubeconfig: cp.kubeconfig };
  } else {
    const user = cp.users[who];
    if (!user) throw new Error(`no test user '${who}' (have: ${Object.keys(cp.users).join(', ')})`);
    target = { kubectlPath: cp.kubectlPath, server: cp.server, caFile: cp.caFile, token: user.token };
  }
  target.cacheDir = cp.kubectlCacheDir;
  return bindKubectl(target);
}

export function bindKubectl(target: KubectlTarget): Kubectl {
  const run = ((args: string[], opts?: KubectlOptions) => runKubectl(target, args, opts)) as Kubectl;
  run.ok = async (args, opts) => {
    const r = await runKubectl(target, args, opts);
    if (r.code !== 0) throw new KubectlError(r);
    return r;
  };
  run.json = async (args, opts) => {
    const r = await run.ok([...args, '-o', 'json'], opts);
    return JSON.parse(r.stdout);
  };
  Object.defineProperty(run, 'target', { value: target });
  return run;
}

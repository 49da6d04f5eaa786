/**
 * Reaching sessions on the real node: `kubectl port-forward` to a session's Service, Jupyter's
 * REST API through it, commands inside pods, and TCP probes from one pod to an address (bash's
 * /dev/tcp with a timeout, so a dropped connection ends as "closed" instead of hanging).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { Kubectl } from '../../e2e/support/kubectl';

export interface PortForward {
  port: number;
  close(): void;
}

/** `kubectl port-forward` to `target` (e.g. svc/alpha) in `namespace`; resolves once it listens. */
export function portForward(k: Kubectl, namespace: string, target: string, remotePort: number): Promise<PortForward> {
  const t = k.target;
  const auth = t.kubeconfig ? ['--kubeconfig', t.kubeconfig] : ['--server', t.server!, '--certificate-authority', t.caFile!, '--token', t.token!];
  const child: ChildProcess = spawn(t.kubectlPath, [...auth, 'port-forward', '-n', namespace, target, `:${remotePort}`, '--address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`port-forward to ${namespace}/${target} did not start in 30 s: ${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), close: () => child.kill('SIGTERM') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward to ${namespace}/${target} exited (${code}): ${output}`));
    });
  });
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** One HTTP request to 127.0.0.1:port, bounded by a timeout. */
export function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, timeout: 30_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in 30 s`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Jupyter's contents API of one session, through a port-forward, authenticated with its token. */
export class JupyterClient {
  constructor(
    readonly port: number,
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private auth(): Record<string, string> {
    return { authorization: `token ${this.token}` };
  }

  status(withToken: boolean): Promise<HttpResponse> {
    return request(this.port, 'GET', `${this.baseUrl}api/status`, withToken ? this.auth() : {});
  }

  async writeFile(file: string, content: string): Promise<void> {
    const r = await request(this.port, 'PUT', `${this.baseUrl}api/contents/${file}`, this.auth(), JSON.stringify({ type: 'file', format: 'text', content }));
    if (r.status !== 200 && r.status !== 201) throw new Error(`PUT ${file}: ${r.status} ${r.body}`);
  }

  /** The file's text, or undefined when Jupyter says 404. */
  async readFile(file: string): Promise<string | undefined> {
    const r = await request(this.port, 'GET', `${this.baseUrl}api/contents/${file}?content=1&type=file&format=text`, this.auth());
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${file}: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { content: string }).content;
  }

  /** Names in a directory of the home. */
  async list(directory = ''): Promise<string[]> {
    const r = await request(this.port, 'GET', `${this.baseUrl}api/contents/${directory}?content=1`, this.auth());
    if (r.status !== 200) throw new Error(`GET ${directory}/: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { content: { name: string }[] }).content.map((entry) => entry.name).sort();
  }
}

/** Runs a bash script in a container; the result whatever its exit code. */
export async function execIn(k: Kubectl, namespace: string, pod: string, container: string, script: string, timeoutMs = 60_000) {
  return k(['exec', '-n', namespace, pod, '-c', container, '--', 'bash', '-c', script], { timeoutMs });
}

/**
 * Whether `pod` can open a TCP connection to address:port (a 4 s connect timeout). "closed"
 * covers refused, dropped and unreachable alike: every "closed" verdict in the suite is paired
 * with an "open" one to the same listener from a source that is allowed.
 */
export async function canConnect(k: Kubectl, namespace: string, pod: string, container: string, address: string, port: number): Promise<boolean> {
  const r = await execIn(k, namespace, pod, container, `timeout 4 bash -c 'exec 3<>/dev/tcp/${address}/${port}' 2>/dev/null && echo open || echo closed`);
  if (r.code !== 0) throw new Error(`exec in ${namespace}/${pod} failed: ${r.stderr}`);
  return r.stdout.trim() === 'open';
}

/**
 * A small Kubernetes API client: the current kubeconfig (`KUBECONFIG`, else ~/.kube/config, or a
 * kubeconfig's text) and plain requests over HTTPS. Supports what clusters hand out: a CA,
 * bearer tokens (inline or a file), client certificates and exec credential plugins (`aws eks
 * get-token`). Used by the CLI (orphans, usage, sessions) and by the stack to read live claim
 * sizes. Reading is all KubeApi offers; the one write is `patch` (the CLI's session scale), which
 * the caller's own credentials and the cluster's RBAC decide.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** A failure to reach or authenticate to the cluster, or an API error: the CLI exits 2 with it. */
export class KubeApiError extends Error {}

/** What the CLI commands need from the cluster. */
export interface KubeApi {
  /** Every item of a list path (`/api/v1/persistentvolumes`), following `continue` tokens. */
  list(path: string, query?: Record<string, string>): Promise<KubeListItem[]>;
  /** One object, or undefined when the API answers 404. */
  get(path: string): Promise<KubeListItem | undefined>;
  /** A text resource (a pod's log), or undefined on 404. */
  getText(path: string): Promise<string | undefined>;
}

/** The client kubeApi() returns: KubeApi's reads and a merge patch. */
export interface KubeClient extends KubeApi {
  /** A JSON merge patch of `path` (query included); the answer's JSON. A non-2xx answer is a KubeApiError. */
  patch(path: string, body: unknown): Promise<unknown>;
}

export interface KubeListItem {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; uid?: string };
  /** The fields of claims and volumes the CLI reads. */
  spec?: {
    volumeName?: string;
    storageClassName?: string;
    resources?: { requests?: Record<string, string> };
    capacity?: Record<string, string>;
    claimRef?: { name?: string; namespace?: string };
    dataSource?: { apiGroup?: string; kind?: string; name?: string };
  };
  status?: { phase?: string; capacity?: Record<string, string>; readyToUse?: boolean };
}

interface Credentials {
  server: string;
  ca?: Buffer;
  insecure: boolean;
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

type Named<T> = { name: string } & T;
type Entry = Record<string, unknown>;
interface KubeconfigDoc {
  'current-context'?: string;
  clusters?: Named<{ cluster: Entry }>[];
  users?: Named<{ user: Entry }>[];
  contexts?: Named<{ context: { cluster: string; user?: string; namespace?: string } }>[];
}

/** The kubeconfig files in force: `KUBECONFIG` (a path list) or ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.KUBECONFIG ?? '').split(':').filter((file) => file.length > 0);
  return list.length > 0 ? list : [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** A kubeconfig given as its text (the kubernetes provider's `kubeconfig` setting may be either). */
export interface KubeconfigText {
  readonly text: string;
  /** Relative paths in it are relative to this directory. @default the working directory */
  readonly dir?: string;
}

/** Entries from several files merge as kubectl merges them: the first file to name one wins. */
function loadKubeconfig(files: readonly (string | KubeconfigText)[]): { doc: Required<KubeconfigDoc>; dirOf: Map<object, string> } {
  const doc: Required<KubeconfigDoc> = { 'current-context': '', clusters: [], users: [], contexts: [] };
  const dirOf = new Map<object, string>();
  let found = false;
  for (const source of files) {
    let text: string;
    const file = typeof source === 'string' ? source : '(kubeconfig text)';
    if (typeof source !== 'string') text = source.text;
    else {
      try {
        text = readFileSync(source, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && files.length > 1) continue; // kubectl skips missing files of a list
        throw new KubeApiError(`${source}: cannot read the kubeconfig (${code ?? String(error)})`);
      }
    }
    const dir = typeof source === 'string' ? dirname(source) : (source.dir ?? process.cwd());
    found = true;
    let part: KubeconfigDoc;
    try {
      part = (parse(text) ?? {}) as KubeconfigDoc;
    } catch (error) {
      throw new KubeApiError(`${file}: not a kubeconfig: ${(error as Error).message}`);
    }
    if (!doc['current-context'] && part['current-context']) doc['current-context'] = part['current-context'];
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of (part[key] ?? []) as Named<object>[]) {
        if ((doc[key] as Named<object>[]).some((seen) => seen.name === entry.name)) continue;
        (doc[key] as Named<object>[]).push(entry);
        dirOf.set(entry, dir);
      }
    }
  }
  if (!found) throw new KubeApiError(`no kubeconfig found (${files.map(String).join(', ')}); set KUBECONFIG`);
  return { doc, dirOf };
}

function fileOrData(entry: Entry, key: string, dir: string): Buffer | undefined {
  const data = entry[`${key}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[key];
  if (typeof file !== 'string') return undefined;
  const path = isAbsolute(file) ? file : join(dir, file);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new KubeApiError(`kubeconfig ${key} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Runs an exec credential plugin (client.authentication.k8s.io) and returns what it issued. */
function execCredential(exec: Entry, server: string): { token?: string; cert?: Buffer; key?: Buffer } {
  const apiVersion = String(exec.apiVersion ?? 'client.authentication.k8s.io/v1');
  const env = { ...process.env };
  for (const { name, value } of ((exec.env as unknown[] | undefined) ?? []) as { name: string; value: string }[]) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false, cluster: { server } } });
  let out: string;
  try {
    out = execFileSync(String(exec.command), ((exec.args as unknown[] | undefined) ?? []).map(String), { env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new KubeApiError(`kubeconfig exec plugin ${String(exec.command)} failed: ${(error as Error).message.split('\n')[0]}`);
  }
  let status: Record<string, string> | undefined;
  try {
    status = (JSON.parse(out) as { status?: Record<string, string> }).status;
  } catch {
    throw new KubeApiError(`kubeconfig exec plugin ${String(exec.command)} printed no ExecCredential`);
  }
  if (!status) throw new KubeApiError(`kubeconfig exec plugin ${String(exec.command)} returned no status`);
  return {
    token: status.token,
    cert: status.clientCertificateData ? Buffer.from(status.clientCertificateData) : undefined,
    key: status.clientKeyData ? Buffer.from(status.clientKeyData) : undefined,
  };
}

/** The server and credentials of a context (default: the current one). */
export function resolveCredentials(files: readonly (string | KubeconfigText)[], contextName?: string): Credentials {
  const { doc, dirOf } = loadKubeconfig(files);
  const name = contextName ?? doc['current-context'];
  if (!name) throw new KubeApiError('the kubeconfig has no current-context; name a context');
  const context = doc.contexts.find((entry) => entry.name === name);
  if (!context) throw new KubeApiError(`context "${name}" is not in the kubeconfig; defined: ${doc.contexts.map((c) => c.name).join(', ') || '(none)'}`);
  const clusterEntry = doc.clusters.find((entry) => entry.name === context.context.cluster);
  if (!clusterEntry) throw new KubeApiError(`cluster "${context.context.cluster}" of context "${name}" is not in the kubeconfig`);
  const cluster = clusterEntry.cluster;
  const server = String(cluster.server ?? '');
  if (!/^https?:\/\//.test(server)) throw new KubeApiError(`cluster "${clusterEntry.name}" has no http(s) server URL`);
  const credentials: Credentials = { server: server.replace(/\/+$/, ''), ca: fileOrData(cluster, 'certificate-authority', dirOf.get(clusterEntry)!), insecure: cluster['insecure-skip-tls-verify'] === true };
  const userEntry = context.context.user ? doc.users.find((entry) => entry.name === context.context.user) : undefined;
  if (!userEntry) return credentials;
  const user = userEntry.user ?? {};
  const dir = dirOf.get(userEntry)!;
  if (typeof user.token === 'string') credentials.token = user.token;
  else if (typeof user.tokenFile === 'string') credentials.token = readFileSync(isAbsolute(user.tokenFile) ? user.tokenFile : join(dir, user.tokenFile), 'utf8').trim();
  credentials.cert = fileOrData(user, 'client-certificate', dir);
  credentials.key = fileOrData(user, 'client-key', dir);
  if (user.exec) Object.assign(credentials, Object.fromEntries(Object.entries(execCredential(user.exec as Entry, server)).filter(([, v]) => v !== undefined)));
  if (user['auth-provider']) throw new KubeApiError(`user "${userEntry.name}" uses an auth-provider, which this command does not support; use an exec plugin or a token`);
  return credentials;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Pages of a list: 500 items each, so 500 000 objects at most; the loop is bounded whatever the server says. */
const PAGE_SIZE = 500;
const MAX_PAGES = 1000;

/** A request's method and, for a write, its body and content type. */
interface Send {
  readonly method: 'GET' | 'PATCH';
  readonly body?: string;
  readonly contentType?: string;
}

function request(credentials: Credentials, path: string, timeoutMs: number, send: Send = { method: 'GET' }): Promise<{ status: number; body: string }> {
  const url = new URL(credentials.server + path);
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'notebook-platform-cli' };
  if (send.body !== undefined) Object.assign(headers, { 'Content-Type': send.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(send.body)) });
  if (credentials.token) headers.Authorization = `Bearer ${credentials.token}`;
  const options: https.RequestOptions = { method: send.method, headers, timeout: timeoutMs };
  if (secure) Object.assign(options, { ca: credentials.ca, cert: credentials.cert, key: credentials.key, rejectUnauthorized: !credentials.insecure });
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => reject(new KubeApiError(`${credentials.server}: ${error.message}`)));
    req.end(send.body);
  });
}

function apiMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return `${status}: ${parsed.message}`;
  } catch {
    // not a Status object
  }
  return `${status}: ${body.slice(0, 200)}`;
}

export interface KubeApiOptions {
  /** Kubeconfig files or texts. @default kubeconfigFiles(): `KUBECONFIG`, else ~/.kube/config */
  readonly files?: readonly (string | KubeconfigText)[];
  /** @default the kubeconfig's current-context */
  readonly context?: string;
  /** Per request. @default 30000 */
  readonly timeoutMs?: number;
}

/** A client for the current kubeconfig (or the given files and context). */
export function kubeApi(options: KubeApiOptions = {}): KubeClient {
  // Resolved on the first request: a command reports a bad config file before a missing kubeconfig.
  let credentials: Credentials | undefined;
  const send = (path: string, how?: Send) => {
    credentials ??= resolveCredentials(options.files ?? kubeconfigFiles(), options.context);
    return request(credentials, path, options.timeoutMs ?? REQUEST_TIMEOUT_MS, how);
  };
  const getBody = async (path: string): Promise<string | undefined> => {
    const { status, body } = await send(path);
    if (status === 404) return undefined;
    if (status < 200 || status >= 300) throw new KubeApiError(`GET ${path}: ${apiMessage(status, body)}`);
    return body;
  };
  type Json = { items?: KubeListItem[]; metadata?: { continue?: string } } & KubeListItem;
  const getJson = async (path: string): Promise<Json | undefined> => {
    const body = await getBody(path);
    if (body === undefined) return undefined;
    try {
      return JSON.parse(body) as Json;
    } catch {
      throw new KubeApiError(`GET ${path}: the answer is not JSON`);
    }
  };
  return {
    async list(path, query = {}) {
      const items: KubeListItem[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = new URLSearchParams({ ...query, limit: String(PAGE_SIZE), ...(token ? { continue: token } : {}) });
        const value = await getJson(`${path}?${params.toString()}`);
        if (!value) throw new KubeApiError(`GET ${path}: 404 (is the API server a Kubernetes API server?)`);
        items.push(...(value.items ?? []));
        token = value.metadata?.continue || undefined;
        if (!token) return items;
      }
      throw new KubeApiError(`GET ${path}: more than ${MAX_PAGES * PAGE_SIZE} items`);
    },
    async get(path) {
      return getJson(path);
    },
    getText: getBody,
    async patch(path, patch) {
      const { status, body } = await send(path, { method: 'PATCH', body: JSON.stringify(patch), contentType: 'application/merge-patch+json' });
      if (status < 200 || status >= 300) throw new KubeApiError(`PATCH ${path.split('?')[0]}: ${apiMessage(status, body)}`);
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new KubeApiError(`PATCH ${path.split('?')[0]}: the answer is not JSON`);
      }
    },
  };
}

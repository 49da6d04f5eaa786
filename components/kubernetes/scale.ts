/**
 * Changing a StatefulSet's scale through its `scale` subresource, with the caller's own
 * kubeconfig credentials: what `notebook-platform sessions start|stop` does, and what an
 * owner's Role allows (statefulsets/scale, by name). The scale subresource changes replicas and
 * nothing else, and the stack leaves a running session's replicas to the cluster, so the next
 * `pulumi up` keeps what the owner chose.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { kubeconfigFiles, KubeApiError, resolveCredentials, type KubeApiOptions } from './api-client';

const REQUEST_TIMEOUT_MS = 30_000;
/** The field manager the API server records for scale changes made by the CLI. */
export const SESSIONS_FIELD_MANAGER = 'notebook-platform-sessions';

export interface ScaleResult {
  readonly replicas: number;
}

/** Sets `replicas` of `namespace/name` (a merge patch of the scale subresource). */
export async function scaleStatefulSet(namespace: string, name: string, replicas: number, options: KubeApiOptions = {}): Promise<ScaleResult> {
  const credentials = resolveCredentials(options.files ?? kubeconfigFiles(), options.context);
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}/scale?fieldManager=${SESSIONS_FIELD_MANAGER}`;
  const url = new URL(credentials.server + path);
  const secure = url.protocol === 'https:';
  const body = JSON.stringify({ spec: { replicas } });
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/merge-patch+json',
    'Content-Length': String(Buffer.byteLength(body)),
    'User-Agent': 'notebook-platform-cli',
  };
  if (credentials.token) headers.Authorization = `Bearer ${credentials.token}`;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const requestOptions: https.RequestOptions = { method: 'PATCH', headers, timeout: timeoutMs };
  if (secure) Object.assign(requestOptions, { ca: credentials.ca, cert: credentials.cert, key: credentials.key, rejectUnauthorized: !credentials.insecure });
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = (secure ? https : http).request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => reject(new KubeApiError(`${credentials.server}: ${error.message}`)));
    req.end(body);
  });
  if (status < 200 || status >= 300) throw new KubeApiError(`PATCH ${path.split('?')[0]}: ${statusMessage(status, text)}`);
  const scale = JSON.parse(text) as { spec?: { replicas?: number } };
  return { replicas: scale.spec?.replicas ?? replicas };
}

function statusMessage(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (parsed.message) return `${status}: ${parsed.message}`;
  } catch {
    // not a Status object
  }
  return `${status}: ${text.slice(0, 200)}`;
}

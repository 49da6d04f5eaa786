/**
 * Cluster-side helpers for end-to-end suites: server-side apply with our field manager,
 * failures that carry kubectl's whole stderr (the API server's reason), events, and
 * `kubectl describe` diagnostics for timeouts.
 */
import type { ControlPlane } from './control-plane';
import { describeFailure, type Kubectl, type KubectlResult } from './kubectl';

/** The field manager of every apply in the e2e suites. */
export const FIELD_MANAGER = 'notebook-platform-e2e';

/** Throws unless kubectl exited 0; the error has the API server's reason and kubectl's stderr. */
export function mustSucceed(r: KubectlResult, context = ''): KubectlResult {
  if (r.code === 0) return r;
  throw new Error(`${context ? `${context}: ` : ''}${describeFailure(r)}\n---- kubectl stderr\n${r.stderr.trim()}`);
}

/** Warning lines kubectl printed (API server warnings such as PodSecurity `warn`). */
export function warnings(r: KubectlResult): string[] {
  return r.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^Warning:/.test(line));
}

/** `kubectl apply --server-side --field-manager=notebook-platform-e2e -f file [-f file...]`, in order. */
export async function applyServerSide(k: Kubectl, files: string | readonly string[]): Promise<KubectlResult> {
  const list = typeof files === 'string' ? [files] : files;
  const args = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...list.flatMap((f) => ['-f', f])];
  return mustSucceed(await k(args), `server-side apply of ${list.join(', ')}`);
}

export interface KubeItem {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    managedFields?: { manager: string; operation: string; time?: string; fieldsV1?: unknown }[];
  };
  spec?: any;
  status?: any;
}

/** The live objects named in manifest files (`kubectl get -f file...`), in their order. */
export async function getFromFile(k: Kubectl, files: string | readonly string[]): Promise<KubeItem[]> {
  const list = typeof files === 'string' ? [files] : files;
  const r = mustSucceed(await k(['get', ...list.flatMap((f) => ['-f', f]), '-o', 'json', '--show-managed-fields']), `get -f ${list.join(' -f ')}`);
  const parsed = JSON.parse(r.stdout) as KubeItem | { items: KubeItem[] };
  return 'items' in parsed ? parsed.items : [parsed];
}

/** An object, or undefined when it does not exist (any other failure throws). */
export async function getOptional(k: Kubectl, namespace: string | undefined, ref: string): Promise<KubeItem | undefined> {
  const args = ['get', ref, '-o', 'json', '--show-managed-fields', ...(namespace ? ['-n', namespace] : [])];
  const r = await k(args);
  if (r.code === 0) return JSON.parse(r.stdout) as KubeItem;
  if (/\(NotFound\)/.test(r.serverMessage)) return undefined;
  mustSucceed(r);
  return undefined;
}

export async function getObject(k: Kubectl, namespace: string | undefined, ref: string): Promise<KubeItem> {
  const object = await getOptional(k, namespace, ref);
  if (!object) throw new Error(`${ref}${namespace ? ` in ${namespace}` : ''} does not exist`);
  return object;
}

export interface KubeEvent {
  type: string;
  reason: string;
  message: string;
  count?: number;
  involvedObject: { kind: string; name: string };
}

/** Core events about one object, optionally of one reason (e.g. FailedCreate). */
export async function eventsFor(k: Kubectl, namespace: string, kind: string, name: string, reason?: string): Promise<KubeEvent[]> {
  const selector = [`involvedObject.kind=${kind}`, `involvedObject.name=${name}`, ...(reason ? [`reason=${reason}`] : [])].join(',');
  const r = mustSucceed(await k(['get', 'events', '-n', namespace, '--field-selector', selector, '-o', 'json']));
  return (JSON.parse(r.stdout) as { items: KubeEvent[] }).items;
}

/**
 * `kubectl describe` of each ref, the namespace's events, and the tail of the control plane's
 * logs: what a timed-out wait prints.
 */
export async function diagnose(cp: ControlPlane, k: Kubectl, namespace: string, refs: string[]): Promise<string> {
  const parts: string[] = [];
  for (const ref of refs) {
    const r = await k(['describe', ref, '-n', namespace]);
    parts.push(`---- kubectl describe ${ref} -n ${namespace}\n${(r.code === 0 ? r.stdout : r.stderr).trim()}`);
  }
  const ev = await k(['get', 'events', '-n', namespace, '--sort-by=.lastTimestamp']);
  parts.push(`---- events in ${namespace}\n${(ev.code === 0 ? ev.stdout : ev.stderr).trim()}`);
  parts.push(`---- control plane logs\n${cp.logTails(10)}`);
  return parts.join('\n');
}

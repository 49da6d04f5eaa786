/**
 * Culling on the real node: the team's culler (its own pod, in the notebook image) reads each
 * session's Jupyter activity through the session's Service and scales idle sessions to zero.
 *
 * Two sessions with a 60 s idle rule: `idle` does nothing; `busy` runs a kernel executing a long
 * sleep. The culler must stop `idle` (its requests leave the quota's used figures, its home
 * stays), leave `busy` running, and leave the record of why. Afterwards `pulumi up` changes
 * nothing, a non-owner cannot start the session, and its owner starts it with
 * `notebook-platform sessions start`, files intact; exec into it is the owner's alone.
 *
 * The same deployed team is then attacked through its config, as a platform engineer's typo or a
 * hostile pull request would: a reserved or foreign namespace, a `__proto__` key that once moved
 * every object, `system:` groups as viewers or admins. The real engine must refuse each before
 * anything is created or changed (stack state and cluster objects compared before and after), and a
 * signed-in user outside the team's groups (every user is in `system:authenticated`) reaches nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../components/config';
import { startControlPlane, REPO_ROOT, type ControlPlane } from '../e2e/support/control-plane';
import { kubectlFor, type Kubectl } from '../e2e/support/kubectl';
import { PulumiWorkspace, urnName } from '../e2e/support/pulumi';
import { runProcess } from '../e2e/support/process';
import { waitFor, done, notYet } from '../e2e/support/wait';
import { NAMESPACE, localVolumes, readImages, teamValues, writeStackConfig, type Images } from './support/fixtures';
import { execIn } from './support/sessions';

const STACK = 'culling';
const SETUP_TIMEOUT_MS = 40 * 60_000;
const STEP_TIMEOUT_MS = 10 * 60_000;
const IDLE_SECONDS = 60;
const CLI = path.join(REPO_ROOT, 'bin', 'notebook-platform.js');

let cp: ControlPlane;
let k: Kubectl;
let images: Images;
let ws: PulumiWorkspace;
let workDir: string;
let configFile: string;
let values: Record<string, unknown>;

const log = (message: string) => process.stderr.write(`[real-node culling ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function apply(objects: Record<string, unknown>[]): Promise<void> {
  await k.ok(['apply', '--server-side', '--field-manager', 'real-node-suite', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
}

interface Pod {
  metadata: { uid: string };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
async function podOf(name: string): Promise<Pod | undefined> {
  const r = await k(['get', 'pod', '-n', NAMESPACE, name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
}
async function waitReady(name: string): Promise<Pod> {
  return waitFor(`${NAMESPACE}/${name} Ready`, async () => {
    const pod = await podOf(name);
    const ready = pod?.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready ? done(pod!) : notYet(pod ? `phase ${pod.status.phase}` : 'no pod');
  }, { timeoutMs: 5 * 60_000, intervalMs: 1000, diagnostics: async () => (await k(['describe', 'pod', '-n', NAMESPACE, name])).stdout });
}
const replicas = async (session: string) => (await k.json<{ spec: { replicas?: number } }>(['get', 'statefulset', '-n', NAMESPACE, session])).spec.replicas;
const quotaUsed = async () => (await k.json<{ status: { used: Record<string, string> } }>(['get', 'resourcequota', '-n', NAMESPACE, 'notebook-quota'])).status.used;

/** Starts a kernel in the session and has it execute a long sleep: the kernel stays busy. */
const BUSY_KERNEL = `
import json, os, subprocess, time, urllib.request
from jupyter_client import BlockingKernelClient
token = open('/etc/jupyter-token/token').read().strip()
base = 'http://127.0.0.1:8888' + os.environ['NOTEBOOK_PLATFORM_BASE_URL']
request = urllib.request.Request(base + 'api/kernels', data=b'{}', method='POST', headers={'Authorization': 'token ' + token, 'Content-Type': 'application/json'})
kernel = json.load(urllib.request.urlopen(request))
runtime = subprocess.run(['jupyter', '--runtime-dir'], capture_output=True, text=True).stdout.strip()
client = BlockingKernelClient(connection_file=os.path.join(runtime, 'kernel-%s.json' % kernel['id']))
client.load_connection_file()
client.start_channels()
client.wait_for_ready(timeout=60)
client.execute('import time; time.sleep(1800)')
time.sleep(3)
print('busy', kernel['id'])
`;

/** Objects a team config could create, by namespace: `kind/name uid` (pods and jobs churn, so not listed). */
const WATCHED_KINDS = 'configmaps,secrets,serviceaccounts,services,roles,rolebindings,networkpolicies,statefulsets,deployments,cronjobs,resourcequotas,limitranges,persistentvolumeclaims';
async function objectsIn(namespace: string): Promise<string[]> {
  const list = await k.json<{ items: { kind: string; metadata: { name: string; uid: string } }[] }>(['get', WATCHED_KINDS, '-n', namespace, '-o', 'json']);
  return list.items.map((o) => `${o.kind}/${o.metadata.name} ${o.metadata.uid}`).sort();
}
/** Every subject of every RoleBinding and ClusterRoleBinding in the cluster. */
async function boundSubjects(): Promise<string[]> {
  const bindings = await k.json<{ items: { kind: string; metadata: { namespace?: string; name: string }; subjects?: { kind: string; name: string }[] }[] }>(['get', 'rolebindings,clusterrolebindings', '-A', '-o', 'json']);
  return bindings.items.flatMap((b) => (b.subjects ?? []).map((s) => `${b.metadata.namespace ?? ''}/${b.kind}/${b.metadata.name} ${s.kind}:${s.name}`)).sort();
}

async function sessionsAs(user: string, args: string[]) {
  return runProcess(process.execPath, [CLI, 'sessions', ...args, '--config', configFile], { env: { ...process.env, KUBECONFIG: cp.users[user].kubeconfig }, timeoutMs: 60_000 });
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-real-culling-'));
  const started = Date.now();
  cp = await startControlPlane({ realNode: true, timeoutMs: SETUP_TIMEOUT_MS });
  log(`control plane and real node up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  k = kubectlFor(cp);
  const node = cp.env.NOTEBOOK_PLATFORM_REAL_NODE;
  images = readImages(cp.env.NOTEBOOK_PLATFORM_REAL_NODE_IMAGES);
  await apply(localVolumes(path.join(workDir, 'volumes'), node, 4, '2Gi'));

  // Where pods reach the API server: the endpoint of the `kubernetes` Service (NetworkPolicies see it after kube-proxy).
  const endpoints = await k.json<{ subsets: { addresses: { ip: string }[]; ports: { port: number }[] }[] }>(['get', 'endpoints', 'kubernetes', '-n', 'default']);
  const apiServer = { cidrs: [`${endpoints.subsets[0].addresses[0].ip}/32`], port: endpoints.subsets[0].ports[0].port };
  const base = teamValues(images, [
    { name: 'idle', owner: 'alice' },
    { name: 'busy', owner: 'bob' },
  ]);
  values = {
    ...base,
    network: { ...(base.network as object), apiServer },
    access: { ...(base.access as object), ownerSubject: '{owner}', allowExec: true },
    jupyter: { stopIdleSessionsAfterSeconds: IDLE_SECONDS },
  };
  const validated = validateConfig(values);
  if (!validated.ok) throw new Error(validated.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  configFile = writeStackConfig(path.join(workDir, 'config'), STACK, values);

  ws = PulumiWorkspace.create(path.join(workDir, 'pulumi'), cp.kubeconfig);
  await ws.initStack(STACK);
  await ws.up(STACK, ws.stackConfig(STACK, configFile));
  await waitReady('idle-0');
  await waitReady('busy-0');
  log('sessions ready');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (cp) await cp.stop({ keepLogs: false }).catch((error) => log(`stop: ${error}`));
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}, STEP_TIMEOUT_MS);

describe('the culler on the real node', () => {
  let busyUid: string;
  let usedBefore: Record<string, string>;

  it('runs restricted in the team namespace, on the node the team\'s helpers setting names', async () => {
    const pod = await waitFor('culler pod Running', async () => {
      const pods = await k.json<{ items: { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string } }[] }>(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=culler']);
      const running = pods.items.find((p) => p.status.phase === 'Running');
      return running ? done(running) : notYet(`${pods.items.length} pods`);
    }, { timeoutMs: 3 * 60_000, intervalMs: 2000 });
    expect(pod.metadata.name).toMatch(/^notebook-culler-/);
    // A pod on a kwok node only looks Running: the culler must be on the real node to stop anything.
    expect(pod.spec.nodeName).toBe(cp.env.NOTEBOOK_PLATFORM_REAL_NODE);
  }, STEP_TIMEOUT_MS);

  it('a busy kernel, an idle session: the idle one is stopped, its requests leave the quota, the busy one runs on', async () => {
    const files = await execIn(k, NAMESPACE, 'idle-0', 'notebook', 'echo "kept across the stop" > ~/kept.txt && cat ~/kept.txt');
    expect(files.stdout.trim()).toBe('kept across the stop');
    const busy = await execIn(k, NAMESPACE, 'busy-0', 'notebook', `python3 - <<'EOF'\n${BUSY_KERNEL}\nEOF`, 120_000);
    expect({ code: busy.code, out: busy.stdout.trim() }).toEqual({ code: 0, out: expect.stringMatching(/^busy /) });
    busyUid = (await podOf('busy-0'))!.metadata.uid;
    usedBefore = await quotaUsed();

    const started = Date.now();
    await waitFor('idle stopped by the culler', async () => ((await replicas('idle')) === 0 ? done(true) : notYet('still running')), {
      timeoutMs: 5 * 60_000,
      intervalMs: 5000,
      diagnostics: async () => (await k(['logs', '-n', NAMESPACE, 'deployment/notebook-culler', '--tail', '40'])).stdout,
    });
    log(`idle stopped ${((Date.now() - started) / 1000).toFixed(0)} s after the busy kernel started (rule: ${IDLE_SECONDS} s)`);
    await waitFor('idle pod gone', async () => ((await podOf('idle-0')) ? notYet('pod still there') : done(true)), { timeoutMs: 3 * 60_000, intervalMs: 2000 });

    const status = await k.json<{ data?: Record<string, string> }>(['get', 'configmap', '-n', NAMESPACE, 'notebook-culler-status']);
    expect(JSON.parse(status.data?.idle ?? '{}')).toMatchObject({ reason: 'idle', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(status.data?.busy).toBeUndefined();

    const usedAfter = await quotaUsed();
    const mebibytes = (q: string) => (q.endsWith('Gi') ? parseFloat(q) * 1024 : q.endsWith('Mi') ? parseFloat(q) : parseFloat(q) / 2 ** 20);
    expect(mebibytes(usedAfter['requests.memory'])).toBeLessThan(mebibytes(usedBefore['requests.memory']));
    expect(Number(usedAfter.pods)).toBe(Number(usedBefore.pods) - 1);

    // Past the idle time by now, yet running: its kernel is busy.
    expect(await replicas('busy')).not.toBe(0);
    expect((await podOf('busy-0'))?.metadata.uid).toBe(busyUid);
  }, STEP_TIMEOUT_MS);

  it('pulumi up with the same config changes nothing: the culled session stays stopped', async () => {
    const r = await ws.up(STACK, ws.stackConfig(STACK, configFile));
    expect(r.steps.filter((s) => s.op !== 'same').map((s) => `${s.op} ${urnName(s.urn)}`)).toEqual([]);
    expect(await replicas('idle')).toBe(0);
  }, STEP_TIMEOUT_MS);

  it('another owner cannot start it; its owner can, and the home is as it was', async () => {
    const stranger = await sessionsAs('bob', ['start', 'idle']);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/forbidden/i);
    expect(await replicas('idle')).toBe(0);

    const list = await runProcess(process.execPath, [CLI, 'sessions', 'list', '--config', configFile, '--json'], { env: { ...process.env, KUBECONFIG: cp.kubeconfig }, timeoutMs: 60_000 });
    const rows = JSON.parse(list.stdout) as { session: string; state: string }[];
    expect(rows.find((r) => r.session === 'idle')?.state).toBe('stopped as idle');
    expect(rows.find((r) => r.session === 'busy')?.state).toBe('running');

    const owner = await sessionsAs('alice', ['start', 'idle']);
    expect({ code: owner.code, out: owner.stdout }).toEqual({ code: 0, out: expect.stringContaining('started real/idle') });
    await waitReady('idle-0');
    const kept = await execIn(k, NAMESPACE, 'idle-0', 'notebook', 'cat ~/kept.txt');
    expect(kept.stdout.trim()).toBe('kept across the stop');
    // Exec is the owner's alone, on the real kubelet: alice runs a command in her pod; bob (owner
    // of busy, no viewer here) is refused by the API server (the pod, or its exec) before the node.
    const ownExec = await kubectlFor(cp, 'alice')(['exec', '-n', NAMESPACE, 'idle-0', '-c', 'notebook', '--', 'cat', '/home/jovyan/kept.txt']);
    expect({ code: ownExec.code, out: ownExec.stdout.trim() }).toEqual({ code: 0, out: 'kept across the stop' });
    const strangerExec = await kubectlFor(cp, 'bob')(['exec', '-n', NAMESPACE, 'idle-0', '-c', 'notebook', '--', 'true']);
    expect({ code: strangerExec.code, refused: /forbidden: User "bob" cannot (create|get) resource "pods(\/exec)?"/i.test(strangerExec.stderr), stderr: strangerExec.stderr.trim() }).toEqual({ code: 1, refused: true, stderr: expect.stringContaining('forbidden') });
    // Running again: the culler clears its record.
    await waitFor('record cleared', async () => {
      const status = await k.json<{ data?: Record<string, string> }>(['get', 'configmap', '-n', NAMESPACE, 'notebook-culler-status']);
      return status.data?.idle === undefined ? done(true) : notYet('record still there');
    }, { timeoutMs: 2 * 60_000, intervalMs: 2000 });
  }, STEP_TIMEOUT_MS);
});

describe('config that would move the team or widen who may act in it: refused by the real engine, nothing changes', () => {
  const NAMESPACES = [NAMESPACE, 'kube-system', 'default'];
  let before: { state: string[]; objects: Record<string, string[]>; subjects: string[] };

  const snapshot = async () => ({
    state: (await ws.resources(STACK)).map((r) => `${r.urn} ${r.id ?? ''}`).sort(),
    objects: Object.fromEntries(await Promise.all(NAMESPACES.map(async (ns) => [ns, await objectsIn(ns)] as const))),
    subjects: await boundSubjects(),
  });

  beforeAll(async () => {
    before = await snapshot();
  }, STEP_TIMEOUT_MS);

  // Each case: the stack config keys as written (`notebook-platform:` prefix added), the field and the rule the refusal names.
  type Values = Record<string, unknown>;
  const attacks: [string, (v: Values) => [string, unknown][], RegExp][] = [
    ['namespace: kube-system', (v) => [...Object.entries(v), ['namespace', 'kube-system']], /namespace: "kube-system" is reserved for the cluster/],
    ['namespace: default', (v) => [...Object.entries(v), ['namespace', 'default']], /namespace: "default" is reserved for the cluster/],
    ['namespace of another team', (v) => [...Object.entries(v), ['namespace', 'nb-other']], /namespace: "nb-other" is not the team's namespace/],
    ['__proto__ carrying a namespace', (v) => [...Object.entries(v), ['__proto__', { namespace: 'kube-system' }]], /__proto__: key "__proto__" is not allowed/],
    ['adminGroups: [system:authenticated]', (v) => [...Object.entries(v), ['access', { ...(v.access as object), adminGroups: ['system:authenticated'] }]], /access\.adminGroups\[0\]: "system:authenticated" is a Kubernetes system group/],
    ['viewerGroups: [system:masters]', (v) => [...Object.entries(v), ['access', { ...(v.access as object), viewerGroups: ['system:masters'] }]], /access\.viewerGroups\[0\]: "system:masters" is a Kubernetes system group/],
  ];

  it.each(attacks)('%s: pulumi up fails with the field and the rule, no stack trace, before anything is created', async (name, change, message) => {
    // Entries, not object spread: a `__proto__` key must reach the YAML as data, as a user would write it.
    const file = writeStackConfig(path.join(workDir, 'attacks', name.replace(/[^a-z]+/gi, '-')), STACK, Object.fromEntries(change(values)));
    const r = await ws.up(STACK, ws.stackConfig(STACK, file), [], { allowFailure: true });
    const output = `${r.errors.join('\n')}\n${r.stderr}`;
    expect({ code: r.code, refused: message.test(output) }).toEqual({ code: expect.not.stringMatching(/^0$/), refused: true });
    expect(output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(r.steps.filter((s) => s.op !== 'same')).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, STEP_TIMEOUT_MS);

  it('a signed-in user outside the team groups reaches nothing in the team namespace (no binding names a system: group)', async () => {
    expect(before.subjects.filter((s) => s.startsWith(`${NAMESPACE}/`) && / Group:system:/.test(s))).toEqual([]);
    const mallory = kubectlFor(cp, 'mallory');
    for (const args of [['get', 'pods'], ['get', 'secrets'], ['get', 'statefulsets'], ['get', 'configmaps']]) {
      const r = await mallory([...args, '-n', NAMESPACE]);
      expect({ args, code: r.code, forbidden: /forbidden/i.test(r.stderr) }).toEqual({ args, code: 1, forbidden: true });
    }
    const exec = await mallory(['exec', '-n', NAMESPACE, 'busy-0', '-c', 'notebook', '--', 'true']);
    expect({ code: exec.code, forbidden: /forbidden/i.test(exec.stderr) }).toEqual({ code: 1, forbidden: true });
  }, STEP_TIMEOUT_MS);
});

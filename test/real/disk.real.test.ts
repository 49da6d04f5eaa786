/**
 * Node disk on the real node: a session that writes past its size's ephemeralStorage into the
 * notebook's writable image layer is evicted by the kubelet (its home kept), and the node gets
 * the space back, instead of the write filling the node's disk. The kubelet runs without
 * eviction thresholds (scripts/lib/real-node/node-config.sh: evictionHard {}); the per-pod
 * limits are enforced anyway (LocalStorageCapacityIsolation, on by default), checked every 10 s
 * by the eviction manager on the usage the runtime reports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../components/config';
import { startControlPlane, type ControlPlane } from '../e2e/support/control-plane';
import { kubectlFor, type Kubectl } from '../e2e/support/kubectl';
import { PulumiWorkspace } from '../e2e/support/pulumi';
import { waitFor, done, notYet } from '../e2e/support/wait';
import { captureHostState, hostStateDiff, type HostState } from './support/host-state';
import { NAMESPACE, localVolumes, readImages, teamValues, writeStackConfig, type Images } from './support/fixtures';
import { execIn } from './support/sessions';

const STACK = 'disk';
const SETUP_TIMEOUT_MS = 40 * 60_000;
const STEP_TIMEOUT_MS = 10 * 60_000;
/** The session's ephemeralStorage: small, so the test writes little. */
const LIMIT_MI = 256;
/** What the writer would write if nothing stopped it: far past the limit. */
const TARGET_MI = 4096;
/** The writer's pace (MiB every 0.25 s): slow enough that eviction comes long before the target. */
const STEP_MI = 4;
const SESSION = 'filler';

let hostBefore: HostState;
let cp: ControlPlane;
let k: Kubectl;
let images: Images;
let node: string;
let workDir: string;
let ws: PulumiWorkspace;

const log = (message: string) => process.stderr.write(`[disk suite ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Pod {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string; containers: { name: string; resources: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
  status: { phase?: string; reason?: string; message?: string; conditions?: { type: string; status: string }[] };
}

interface Summary {
  node: { fs: { availableBytes: number; capacityBytes: number } };
  pods: { podRef: { name: string; namespace: string; uid?: string }; 'ephemeral-storage'?: { usedBytes?: number } }[];
}

async function podOf(): Promise<Pod | undefined> {
  const r = await k(['get', 'pod', '-n', NAMESPACE, `${SESSION}-0`, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
}

/** The kubelet's own view of the node's file system and the pods' ephemeral storage. */
async function summary(): Promise<Summary> {
  return JSON.parse((await k.ok(['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`])).stdout) as Summary;
}

const podUsage = (stats: Summary, uid?: string) => stats.pods.find((p) => p.podRef.namespace === NAMESPACE && p.podRef.name === `${SESSION}-0` && (uid === undefined || p.podRef.uid === uid))?.['ephemeral-storage']?.usedBytes;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function waitReady(notUid?: string): Promise<Pod> {
  return waitFor(
    `${NAMESPACE}/${SESSION}-0 Ready`,
    async () => {
      const pod = await podOf();
      if (!pod || pod.metadata.uid === notUid) return notYet('no new pod yet');
      return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? done(pod) : notYet(`phase ${pod.status.phase}`);
    },
    { timeoutMs: 5 * 60_000, intervalMs: 1000, diagnostics: async () => (await k(['describe', 'pod', '-n', NAMESPACE, `${SESSION}-0`])).stdout },
  );
}

beforeAll(async () => {
  hostBefore = captureHostState();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-disk-'));
  const started = Date.now();
  cp = await startControlPlane({ realNode: true, timeoutMs: SETUP_TIMEOUT_MS });
  log(`control plane and real node up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  k = kubectlFor(cp);
  node = cp.env.NOTEBOOK_PLATFORM_REAL_NODE;
  images = readImages(cp.env.NOTEBOOK_PLATFORM_REAL_NODE_IMAGES);
  const volumes = localVolumes(path.join(workDir, 'volumes'), node, 3, '2Gi');
  await k.ok(['apply', '--server-side', '--field-manager', 'disk-suite', '-f', '-'], { input: volumes.map((o) => JSON.stringify(o)).join('\n') });

  const values = teamValues(images, [{ name: SESSION, owner: 'alice' }]);
  const sizes = values.sizes as Record<string, Record<string, unknown>>;
  sizes.small = { ...sizes.small, ephemeralStorage: `${LIMIT_MI}Mi` };
  const result = validateConfig(values);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  ws = PulumiWorkspace.create(path.join(workDir, 'pulumi'), cp.kubeconfig);
  await ws.initStack(STACK);
  await ws.up(STACK, ws.stackConfig(STACK, writeStackConfig(path.join(workDir, 'config'), STACK, values)));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (cp) await cp.stop({ keepLogs: false }).catch((error) => log(`stop: ${error}`));
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}, STEP_TIMEOUT_MS);

describe('a session writing past its ephemeralStorage', () => {
  let firstUid: string;

  it('runs on the real node with the limit on its notebook container, which the node has room for', async () => {
    const pod = await waitReady();
    firstUid = pod.metadata.uid;
    expect(pod.spec.nodeName).toBe(node);
    const notebook = pod.spec.containers.find((c) => c.name === 'notebook')!;
    expect(notebook.resources.limits?.['ephemeral-storage']).toBe(`${LIMIT_MI}Mi`);
    expect(notebook.resources.requests?.['ephemeral-storage']).toBe(`${LIMIT_MI}Mi`);
    const nodeInfo = await k.json<{ status: { allocatable: Record<string, string> } }>(['get', 'node', node]);
    expect(nodeInfo.status.allocatable['ephemeral-storage']).toBeDefined();
    // Something in the home, to find again after the eviction.
    const marker = await execIn(k, NAMESPACE, `${SESSION}-0`, 'notebook', 'echo kept > ~/before-eviction.txt && cat ~/before-eviction.txt');
    expect(marker.stdout.trim()).toBe('kept');
  }, STEP_TIMEOUT_MS);

  it('is evicted by the kubelet long before the write finishes; the new pod starts with an empty writable layer and the same home', async () => {
    const before = await summary();
    log(`node fs before: ${(before.node.fs.availableBytes / 2 ** 30).toFixed(2)} GiB available of ${(before.node.fs.capacityBytes / 2 ** 30).toFixed(2)} GiB`);
    // Into the image's environment (writable by the notebook user, on the container's writable layer).
    const writer = [
      'import os, sys, time',
      `step = ${STEP_MI} << 20`,
      'written = 0',
      "with open('/opt/jupyter/fill.bin', 'wb') as out:",
      `    while written < ${TARGET_MI} << 20:`,
      '        out.write(os.urandom(step)); out.flush(); os.fsync(out.fileno())',
      '        written += step',
      "        print(written >> 20, flush=True)",
      '        time.sleep(0.25)',
    ].join('\n');
    const started = Date.now();
    const run = await execIn(k, NAMESPACE, `${SESSION}-0`, 'notebook', `python3 - <<'PY'\n${writer}\nPY`, STEP_TIMEOUT_MS);
    const seconds = (Date.now() - started) / 1000;
    const progress = run.stdout.trim().split('\n').filter(Boolean).map(Number);
    const reached = progress.length ? progress[progress.length - 1] : 0;
    log(`writer ended after ${seconds.toFixed(1)} s at ${reached} MiB (exit ${run.code})`);
    expect(run.code).not.toBe(0);
    expect(reached).toBeGreaterThanOrEqual(LIMIT_MI);
    expect(reached).toBeLessThan(TARGET_MI);

    const evicted = await waitFor(
      'the evicted pod',
      async () => {
        const pod = await podOf();
        if (pod && pod.metadata.uid === firstUid && pod.status.reason === 'Evicted') return done(pod);
        const events = await k.json<{ items: { reason: string; message: string; involvedObject: { uid: string } }[] }>(['get', 'events', '-n', NAMESPACE]);
        const event = events.items.find((e) => e.reason === 'Evicted' && e.involvedObject.uid === firstUid);
        return event ? done({ status: { reason: 'Evicted', message: event.message } } as Pod) : notYet(`pod ${pod?.metadata.uid === firstUid ? pod.status.phase : 'replaced'}, no Evicted event yet`);
      },
      { timeoutMs: 2 * 60_000, intervalMs: 1000 },
    );
    log(`eviction: ${evicted.status.message}`);
    expect(evicted.status.message).toMatch(/ephemeral local storage|EmptyDir volume/);
    expect(evicted.status.message).toContain(`${LIMIT_MI}Mi`);

    // The StatefulSet starts a new pod with a fresh writable layer and the same home.
    const second = await waitReady(firstUid);
    const marker = await execIn(k, NAMESPACE, `${SESSION}-0`, 'notebook', 'cat ~/before-eviction.txt; test -e /opt/jupyter/fill.bin && echo fill-still-there || echo fill-gone');
    expect(marker.stdout.trim().split('\n')).toEqual(['kept', 'fill-gone']);
    // The kubelet's measure of the new pod: what the fresh pod uses, nowhere near the limit.
    // (The node's free space is logged, not asserted: other processes on the host write too.)
    const fresh = await waitFor(
      'the new pod\'s ephemeral-storage figure',
      async () => {
        const used = podUsage(await summary(), second.metadata.uid);
        return used === undefined ? notYet('no figure yet') : done(used);
      },
      { timeoutMs: 2 * 60_000, intervalMs: 2000 },
    );
    log(`new pod uses ${mib(fresh)}; node fs after: ${((await summary()).node.fs.availableBytes / 2 ** 30).toFixed(2)} GiB available`);
    expect(fresh).toBeLessThan(LIMIT_MI * 2 ** 20);
  }, 2 * STEP_TIMEOUT_MS);

  it('scripts/control-plane stop leaves the host as it was', async () => {
    await cp.stop();
    expect(hostStateDiff(hostBefore, captureHostState())).toEqual([]);
  }, STEP_TIMEOUT_MS);
});

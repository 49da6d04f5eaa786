/**
 * Snapshot and restore for real on the real node: a team on a storageClass backend whose CSI
 * driver takes snapshots (scripts/csi-snapshots: our hostpath driver with the upstream
 * csi-provisioner, csi-snapshotter and snapshot-controller, as host processes; the VolumeSnapshot
 * CRDs from the external-snapshotter client module). A session writes a file into its home; the
 * team's snapshot job (a Job made from the notebook-snapshots CronJob's template, which the
 * team's `helpers` places on the real node: kwok nodes run no containers) snapshots every claim;
 * the file changes; a new session with restoreFrom starts with the old content, while the source
 * snapshot and the original claim (same uid, new content) stay. restoreFrom on the existing
 * session is refused by pulumi up before anything changes. What the script changed on the host is undone by its stop.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../components/config';
import { startControlPlane, REPO_ROOT, type ControlPlane } from '../e2e/support/control-plane';
import { kubectlFor, type Kubectl } from '../e2e/support/kubectl';
import { PulumiWorkspace } from '../e2e/support/pulumi';
import { runProcess } from '../e2e/support/process';
import { waitFor, done, notYet } from '../e2e/support/wait';
import { captureHostState, hostStateDiff, type HostState } from './support/host-state';
import { NAMESPACE, REAL_NODE_LABEL, readImages, teamValues, writeStackConfig } from './support/fixtures';
import { execIn } from './support/sessions';

const STACK = 'snapshots';
const SETUP_TIMEOUT_MS = 40 * 60_000;
const STEP_TIMEOUT_MS = 10 * 60_000;
const CSI = path.join(REPO_ROOT, 'scripts', 'csi-snapshots');
const HOME_FILE = '/home/jovyan/results.txt';

let hostBefore: HostState;
let cp: ControlPlane;
let k: Kubectl;
let ws: PulumiWorkspace;
let workDir: string;
let csiDir: string;
let values: Record<string, unknown>;
let sessions: Record<string, unknown>[];

const log = (message: string) => process.stderr.write(`[real-node snapshots ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function csi(args: string[]) {
  // The node's exports, and the plane's kubectl first on PATH (the env file says "<bin>:$PATH").
  const node = Object.fromEntries(Object.entries(cp.env).filter(([key]) => key.startsWith('NOTEBOOK_PLATFORM_')));
  const PATH = (cp.env.PATH ?? '$PATH').replace('$PATH', process.env.PATH ?? '/usr/bin:/bin');
  const env = { ...process.env, ...node, PATH, KUBECONFIG: cp.kubeconfig };
  return runProcess('bash', [CSI, ...args], { env, timeoutMs: SETUP_TIMEOUT_MS });
}

async function up(withSessions: Record<string, unknown>[], allowFailure = false) {
  const file = writeStackConfig(path.join(workDir, 'config'), STACK, { ...values, sessions: withSessions });
  return ws.up(STACK, ws.stackConfig(STACK, file), [], { allowFailure });
}

interface Pod {
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
async function waitReady(name: string): Promise<void> {
  await waitFor(`${NAMESPACE}/${name} Ready`, async () => {
    const r = await k(['get', 'pod', '-n', NAMESPACE, name, '-o', 'json']);
    const pod = r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
    return pod?.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? done(true) : notYet(pod ? `phase ${pod.status.phase}` : 'no pod');
  }, { timeoutMs: 5 * 60_000, intervalMs: 1000, diagnostics: async () => (await k(['describe', 'pod', '-n', NAMESPACE, name])).stdout });
}

interface Snapshot {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { source: { persistentVolumeClaimName?: string }; volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; boundVolumeSnapshotContentName?: string };
}
interface Claim {
  metadata: { uid: string };
  spec: { dataSource?: { apiGroup?: string; kind: string; name: string }; volumeName?: string };
  status: { phase?: string };
}
const claim = (name: string) => k.json<Claim>(['get', 'pvc', '-n', NAMESPACE, name]);
const snapshotsOf = async (claimName: string) =>
  (await k.json<{ items: Snapshot[] }>(['get', 'volumesnapshots', '-n', NAMESPACE, '-l', `notebook-platform.io/snapshot-of=${claimName}`])).items;
const cat = async (pod: string) => (await execIn(k, NAMESPACE, pod, 'notebook', `cat ${HOME_FILE}`)).stdout;

beforeAll(async () => {
  hostBefore = captureHostState();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-real-snapshots-'));
  csiDir = path.join(workDir, 'csi');
  const started = Date.now();
  cp = await startControlPlane({ realNode: true, timeoutMs: SETUP_TIMEOUT_MS });
  log(`control plane and real node up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  k = kubectlFor(cp);
  const csiStart = await csi(['start', '--dir', csiDir]);
  if (csiStart.code !== 0) throw new Error(`scripts/csi-snapshots start failed:\n${csiStart.stderr.slice(-6000)}`);
  log(`CSI driver, sidecars and snapshot-controller up (${(csiStart.durationMs / 1000).toFixed(1)} s)`);

  const images = readImages(cp.env.NOTEBOOK_PLATFORM_REAL_NODE_IMAGES);
  const endpoints = await k.json<{ subsets: { addresses: { ip: string }[]; ports: { port: number }[] }[] }>(['get', 'endpoints', 'kubernetes', '-n', 'default']);
  const apiServer = { cidrs: [`${endpoints.subsets[0].addresses[0].ip}/32`], port: endpoints.subsets[0].ports[0].port };
  const base = teamValues(images, [{ name: 'analysis', owner: 'alice' }]);
  values = {
    ...base,
    storage: { backend: 'storageClass', storageClassName: 'csi-hostpath' },
    shares: [],
    network: { ...(base.network as object), apiServer },
    // Twelve hours away, so the schedule cannot fire inside the suite and add a snapshot of the
    // home taken before the test wrote to it (the test runs the CronJob's template itself).
    backup: { schedule: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`, retentionDays: 7, volumeSnapshotClassName: 'csi-hostpath-snapclass' },
  };
  sessions = base.sessions as Record<string, unknown>[];
  const validated = validateConfig(values);
  if (!validated.ok) throw new Error(validated.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  ws = PulumiWorkspace.create(path.join(workDir, 'pulumi'), cp.kubeconfig);
  await ws.initStack(STACK);
  await up(sessions);
  await waitReady('analysis-0');
  log('session analysis ready on a csi-hostpath claim');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (cp) await cp.stop({ keepLogs: false }).catch((error) => log(`stop: ${error}`));
  if (csiDir) {
    const stop = await csi(['stop', '--dir', csiDir]);
    if (stop.code !== 0) log(`csi-snapshots stop: ${stop.stderr}`);
  }
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  expect(hostStateDiff(hostBefore, captureHostState())).toEqual([]);
}, STEP_TIMEOUT_MS);

describe('snapshot and restore on the real node', () => {
  let snapshot: Snapshot;
  let originalUid: string;

  it('the home claim was provisioned by the CSI driver, and the session writes into it', async () => {
    const home = await claim('workdir-analysis');
    expect(home.status.phase).toBe('Bound');
    originalUid = home.metadata.uid;
    const pv = await k.json<{ spec: { csi?: { driver: string } } }>(['get', 'pv', home.spec.volumeName!]);
    expect(pv.spec.csi?.driver).toBe('hostpath.csi.notebook-platform.local');
    const write = await execIn(k, NAMESPACE, 'analysis-0', 'notebook', `echo monday-results > ${HOME_FILE} && sync && cat ${HOME_FILE}`);
    expect(write.stdout.trim()).toBe('monday-results');
  }, STEP_TIMEOUT_MS);

  it('the team\'s snapshot job takes a VolumeSnapshot of the home, ready to use', async () => {
    // The CronJob's own job template, unchanged: the script runs with the job's ServiceAccount,
    // Role and NetworkPolicy as it would on schedule, on the real node by the team's `helpers`.
    const cron = await k.json<{ spec: { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } } }>(['get', 'cronjob', '-n', NAMESPACE, 'notebook-snapshots']);
    const jobSpec = cron.spec.jobTemplate.spec;
    expect(jobSpec.template.spec.nodeSelector).toEqual({ [REAL_NODE_LABEL]: 'true' });
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'snapshots-now', namespace: NAMESPACE }, spec: jobSpec };
    await k.ok(['create', '-f', '-'], { input: JSON.stringify(job) });
    await waitFor('snapshot job complete', async () => {
      const status = (await k.json<{ status: { succeeded?: number; failed?: number } }>(['get', 'job', '-n', NAMESPACE, 'snapshots-now'])).status;
      if ((status.failed ?? 0) > 0) throw new Error(`the snapshot job failed:\n${(await k(['logs', '-n', NAMESPACE, 'job/snapshots-now'])).stdout}`);
      return status.succeeded ? done(true) : notYet('running');
    }, { timeoutMs: 5 * 60_000, intervalMs: 1000, diagnostics: async () => (await k(['describe', 'job', '-n', NAMESPACE, 'snapshots-now'])).stdout });
    snapshot = await waitFor('the home snapshot ready to use', async () => {
      const [found] = await snapshotsOf('workdir-analysis');
      return found?.status?.readyToUse ? done(found) : notYet(found ? JSON.stringify(found.status ?? {}) : 'none');
    }, { timeoutMs: 3 * 60_000, intervalMs: 1000, diagnostics: async () => (await k(['describe', 'volumesnapshots', '-n', NAMESPACE])).stdout });
    expect(snapshot.metadata.name).toMatch(/^workdir-analysis-\d{8}-\d{4}$/);
    expect(snapshot.spec).toEqual({ source: { persistentVolumeClaimName: 'workdir-analysis' }, volumeSnapshotClassName: 'csi-hostpath-snapclass' });
    log(`snapshot ${snapshot.metadata.name} ready`);
  }, STEP_TIMEOUT_MS);

  it('after the file changes, a new session with restoreFrom starts with the old content; the snapshot and the original claim stay', async () => {
    await execIn(k, NAMESPACE, 'analysis-0', 'notebook', `echo tuesday-mistake > ${HOME_FILE}`);
    expect((await cat('analysis-0')).trim()).toBe('tuesday-mistake');

    const restored = { name: 'analysis-monday', owner: 'alice', size: 'small', environment: 'lab', restoreFrom: snapshot.metadata.name };
    const r = await up([...sessions, restored]);
    expect(r.errors).toEqual([]);
    await waitReady('analysis-monday-0');
    expect((await cat('analysis-monday-0')).trim()).toBe('monday-results');
    const claimed = await claim('workdir-analysis-monday');
    expect(claimed.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: snapshot.metadata.name });

    // The source stays: the snapshot (same uid), the original claim (same uid, its new content).
    const after = await k.json<Snapshot>(['get', 'volumesnapshot', '-n', NAMESPACE, snapshot.metadata.name]);
    expect(after.metadata.uid).toBe(snapshot.metadata.uid);
    expect((await claim('workdir-analysis')).metadata.uid).toBe(originalUid);
    expect((await cat('analysis-0')).trim()).toBe('tuesday-mistake');
    sessions = [...sessions, restored];

    // A second up with restoreFrom still in the config changes nothing.
    const again = await up(sessions);
    expect(again.errors).toEqual([]);
    expect((await claim('workdir-analysis-monday')).metadata.uid).toBe(claimed.metadata.uid);
  }, STEP_TIMEOUT_MS);

  it('restoreFrom on the session whose claim already exists is refused before anything changes', async () => {
    const refused = await up(sessions.map((s) => (s.name === 'analysis' ? { ...s, restoreFrom: snapshot.metadata.name } : s)), true);
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/nothing was changed: a restore cannot apply/);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/the claim nb-real\/workdir-analysis already exists \(created [^,]+, started empty\)/);
    expect((await claim('workdir-analysis')).metadata.uid).toBe(originalUid);
    expect((await claim('workdir-analysis')).spec.dataSource).toBeUndefined();
    expect((await cat('analysis-0')).trim()).toBe('tuesday-mistake');
  }, STEP_TIMEOUT_MS);
});

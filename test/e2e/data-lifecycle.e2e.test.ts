/**
 * The data lifecycle with the real Pulumi engine on a local control plane (kwok nodes, the
 * `kwok-volume` class, which binds claims and allows expansion):
 * - orphans: a removed session's claim is listed by `notebook-platform orphans`, with its session,
 *   owner, size and phase, and the config change it prints purges it;
 * - resize: a larger workdirSize updates the same claim; a smaller one fails preview and up
 *   with the field's name and changes nothing; on nfs a larger homesSize updates the static
 *   volume and leaves the bound claim's request alone (Kubernetes refuses to change it);
 * - rename: `renamedFrom` keeps the claim: the preview deletes and replaces no claim, and after
 *   `up` the claim has the same uid.
 * Each describe is one stack's history; its tests run in order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { type ControlPlane, START_TIMEOUT_MS, STOP_TIMEOUT_MS, startControlPlane } from './support/control-plane';
import { type Kubectl, kubectlFor } from './support/kubectl';
import { getObject, getOptional, type KubeItem } from './support/cluster';
import { done, notYet, waitFor } from './support/wait';
import { PulumiWorkspace, urnName } from './support/pulumi';
import { run as cli } from '../../cli/main';
import { RETAIN_ANNOTATION } from '../../components/kubernetes/register';

const TEST_TIMEOUT_MS = 10 * 60_000;
const WAIT_MS = 90_000;
const PVC = 'kubernetes:core/v1:PersistentVolumeClaim';

let cp: ControlPlane;
let k: Kubectl;
let work: string;
let ws: PulumiWorkspace;
const savedKubeconfig = process.env.KUBECONFIG;

beforeAll(async () => {
  cp = await startControlPlane();
  k = kubectlFor(cp);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-lifecycle-'));
  ws = PulumiWorkspace.create(path.join(work, 'pulumi'), cp.kubeconfig);
  process.env.KUBECONFIG = cp.kubeconfig; // for the in-process CLI
}, START_TIMEOUT_MS);

afterAll(async () => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  try {
    if (cp) await cp.stop();
  } finally {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}, STOP_TIMEOUT_MS);

type Values = Record<string, unknown>;
type Session = { name: string; owner: string; size: string; environment: string; [key: string]: unknown };

/** A stack config file with these `notebook-platform:*` values. */
function configFile(name: string, values: Values): string {
  const file = path.join(work, 'variants', `Pulumi.${name}.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringify({ config: Object.fromEntries(Object.entries(values).map(([key, value]) => [`notebook-platform:${key}`, value])) }, { lineWidth: 0 }));
  return file;
}

function classTeam(team: string, sessions: Session[], workdirSize = '10Gi'): Values {
  return {
    team,
    storage: { backend: 'storageClass', storageClassName: 'kwok-volume' },
    sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize } },
    environments: { minimal: { image: 'quay.io/jupyter/minimal-notebook:2025-12-01' } },
    sessions,
  };
}

async function claimBound(ns: string, name: string): Promise<KubeItem> {
  return waitFor(
    `claim ${ns}/${name} Bound`,
    async () => {
      const pvc = await getOptional(k, ns, `persistentvolumeclaim/${name}`);
      if (!pvc) return notYet('not found');
      return pvc.status?.phase === 'Bound' ? done(pvc) : notYet(`phase ${pvc.status?.phase}`);
    },
    { timeoutMs: WAIT_MS },
  );
}

async function gone(ns: string, ref: string): Promise<void> {
  await waitFor(`${ref} gone`, async () => ((await getOptional(k, ns, ref)) ? notYet('still there') : done(true)), { timeoutMs: WAIT_MS });
}

async function orphans(file: string): Promise<{ code: number; json: { orphans: Record<string, any>[] }; out: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(['orphans', file, '--json'], { out: (line) => out.push(line), err: (line) => err.push(line) });
  if (code !== 0) throw new Error(`orphans exited ${code}: ${err.join('\n')}`);
  const table: string[] = [];
  await cli(['orphans', file], { out: (line) => table.push(line), err: () => undefined });
  return { code, json: JSON.parse(out.join('\n')), out: table };
}

/** `pulumi preview --json`: the steps it would take. */
async function previewSteps(stack: string, config: string): Promise<{ op: string; urn: string; type: string }[]> {
  const r = await ws.run(['preview', '--stack', stack, '--config-file', config, '--json'], { allowFailure: true });
  if (r.code !== 0) throw new Error(`preview failed: ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const steps = (JSON.parse(r.stdout).steps ?? []) as { op: string; urn: string; newState?: { type: string }; oldState?: { type: string } }[];
  return steps.map((s) => ({ op: s.op, urn: s.urn, type: s.newState?.type ?? s.oldState?.type ?? s.urn.split('::')[2].split('$').pop()! }));
}

describe('orphans and their purge (storageClass, a claim per session)', () => {
  const stack = 'orphans';
  const ns = 'nb-orphans';
  const kept: Session = { name: 'kept', owner: 'alice', size: 'small', environment: 'minimal' };
  const leaving: Session = { name: 'leaving', owner: 'bob', size: 'small', environment: 'minimal' };
  let uid: string;

  beforeAll(async () => {
    await ws.initStack(stack);
  }, TEST_TIMEOUT_MS);

  it('a removed session\'s claim is an orphan with its session, owner, size, age and phase', async () => {
    const first = configFile('orphans-0', classTeam('orphans', [kept, leaving]));
    await ws.up(stack, ws.stackConfig(stack, first));
    uid = (await claimBound(ns, 'workdir-leaving')).metadata.uid;
    expect((await orphans(first)).json.orphans).toEqual([]);
    const file = configFile('orphans-1', classTeam('orphans', [kept]));
    await ws.up(stack, ws.stackConfig(stack, file));
    const { json, out } = await orphans(file);
    expect(json.orphans).toHaveLength(1);
    expect(json.orphans[0]).toMatchObject({ kind: 'PersistentVolumeClaim', name: 'workdir-leaving', session: 'leaving', owner: 'bob', size: '10Gi', phase: 'Bound' });
    expect(json.orphans[0].ageSeconds).toBeGreaterThanOrEqual(0);
    expect(out[1].split(/\s+/).slice(0, 4)).toEqual(['pvc', 'workdir-leaving', 'leaving', 'bob']);
    expect((await getObject(k, ns, 'persistentvolumeclaim/workdir-leaving')).metadata.uid).toBe(uid);
  }, TEST_TIMEOUT_MS);

  it('the printed config change purges it: add the entry, up, remove it, up', async () => {
    const file = configFile('orphans-1', classTeam('orphans', [kept]));
    const { json } = await orphans(file);
    const hint = json.orphans[0].purge;
    expect(hint.how).toBe('config');
    const entry = hint.sessionEntry as Session;
    await ws.up(stack, ws.stackConfig(stack, configFile('orphans-2', classTeam('orphans', [kept, entry]))));
    const claim = await claimBound(ns, 'workdir-leaving');
    expect(claim.metadata.uid).toBe(uid); // adopted, not re-created
    expect(claim.metadata.annotations?.[RETAIN_ANNOTATION]).toBe('false');
    const r = await ws.up(stack, ws.stackConfig(stack, file));
    expect(r.steps.filter((s) => s.type === PVC && s.op === 'delete').map((s) => urnName(s.urn))).toEqual([`${ns}/PersistentVolumeClaim/workdir-leaving`]);
    await gone(ns, 'persistentvolumeclaim/workdir-leaving');
    expect((await orphans(file)).json.orphans).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe('resize (storageClass kwok-volume, allowVolumeExpansion)', () => {
  const stack = 'resize';
  const ns = 'nb-resize';
  const sessions: Session[] = [{ name: 'grow', owner: 'alice', size: 'small', environment: 'minimal' }];
  let uid: string;

  beforeAll(async () => {
    await ws.initStack(stack);
    await ws.up(stack, ws.stackConfig(stack, configFile('resize-0', classTeam('resize', sessions, '10Gi'))));
    uid = (await claimBound(ns, 'workdir-grow')).metadata.uid;
  }, TEST_TIMEOUT_MS);

  it('a larger workdirSize updates the claim in place', async () => {
    const r = await ws.up(stack, ws.stackConfig(stack, configFile('resize-1', classTeam('resize', sessions, '20Gi'))));
    const claimSteps = r.steps.filter((s) => s.type === PVC).map((s) => s.op);
    expect(claimSteps).toEqual(['update']);
    const claim = await getObject(k, ns, 'persistentvolumeclaim/workdir-grow');
    expect(claim.metadata.uid).toBe(uid);
    expect(claim.spec.resources.requests.storage).toBe('20Gi');
  }, TEST_TIMEOUT_MS);

  it('a smaller one fails preview and up with the field\'s name, and changes nothing', async () => {
    const config = ws.stackConfig(stack, configFile('resize-2', classTeam('resize', sessions, '5Gi')));
    const preview = await ws.preview(stack, config);
    expect(preview.code).not.toBe(0);
    const said = `${preview.stdout}\n${preview.stderr}`;
    expect(said).toContain('notebook-platform:sizes.small.workdirSize: "5Gi" is smaller than the 20Gi claim nb-resize/workdir-grow already has');
    const up = await ws.up(stack, config, [], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.steps.filter((s) => s.op !== 'same')).toEqual([]);
    const claim = await getObject(k, ns, 'persistentvolumeclaim/workdir-grow');
    expect([claim.metadata.uid, claim.spec.resources.requests.storage]).toEqual([uid, '20Gi']);
  }, TEST_TIMEOUT_MS);

  it('on nfs a larger homesSize grows the static volume and leaves the bound claim\'s request', async () => {
    const nfs = 'nfsresize';
    const values = (homesSize: string) => ({
      team: nfs,
      storage: { backend: 'nfs', server: 'nfs.example.com', path: '/exports', homesSize },
      sizes: { small: { cpu: '500m', memory: '2Gi' } },
      environments: { minimal: { image: 'quay.io/jupyter/minimal-notebook:2025-12-01' } },
      sessions: [{ name: 'one', owner: 'alice', size: 'small', environment: 'minimal' }],
    });
    await ws.initStack(nfs);
    await ws.up(nfs, ws.stackConfig(nfs, configFile('nfs-0', values('100Gi'))));
    const before = await claimBound(`nb-${nfs}`, 'workdirs');
    const r = await ws.up(nfs, ws.stackConfig(nfs, configFile('nfs-1', values('300Gi'))));
    expect(r.errors).toEqual([]);
    const volume = await getObject(k, undefined, `persistentvolume/nb-${nfs}-workdirs`);
    expect(volume.spec.capacity.storage).toBe('300Gi');
    const after = await getObject(k, `nb-${nfs}`, 'persistentvolumeclaim/workdirs');
    expect([after.metadata.uid, after.spec.resources.requests.storage]).toEqual([before.metadata.uid, '100Gi']);
  }, TEST_TIMEOUT_MS);
});

describe('rename (renamedFrom keeps the home)', () => {
  const stack = 'rename';
  const ns = 'nb-rename';
  const original: Session = { name: 'analysis', owner: 'alice', size: 'small', environment: 'minimal' };
  const other: Session = { name: 'reports', owner: 'bob', size: 'small', environment: 'minimal' };
  const renamed: Session = { ...original, name: 'churn-analysis', renamedFrom: 'analysis' };
  let uid: string;

  beforeAll(async () => {
    await ws.initStack(stack);
    await ws.up(stack, ws.stackConfig(stack, configFile('rename-0', classTeam('rename', [original, other]))));
    uid = (await claimBound(ns, 'workdir-analysis')).metadata.uid;
  }, TEST_TIMEOUT_MS);

  it('the preview deletes and replaces no claim', async () => {
    const steps = await previewSteps(stack, ws.stackConfig(stack, configFile('rename-1', classTeam('rename', [renamed, other]))));
    const claims = steps.filter((s) => s.type === PVC);
    expect(claims.filter((s) => !['same', 'update'].includes(s.op))).toEqual([]);
    // Only changed resources are listed: the renamed session's claim, whose session label changes.
    expect(claims.map((s) => `${s.op} ${urnName(s.urn)}`)).toEqual([`update ${ns}/PersistentVolumeClaim/workdir-analysis`]);
    // The session's objects named after it are new; the old ones go.
    expect(steps.filter((s) => s.type === 'kubernetes:apps/v1:StatefulSet' && s.op !== 'same').map((s) => `${s.op} ${urnName(s.urn)}`).sort()).toEqual([
      `create ${ns}/StatefulSet/churn-analysis`,
      `delete ${ns}/StatefulSet/analysis`,
    ]);
  }, TEST_TIMEOUT_MS);

  it('after up the renamed session uses the same claim', async () => {
    const r = await ws.up(stack, ws.stackConfig(stack, configFile('rename-1', classTeam('rename', [renamed, other]))));
    expect(r.steps.filter((s) => s.type === PVC && !['same', 'update'].includes(s.op))).toEqual([]);
    const claim = await claimBound(ns, 'workdir-analysis');
    expect(claim.metadata.uid).toBe(uid);
    expect(claim.metadata.labels?.['notebook-platform.io/session']).toBe('churn-analysis');
    const sts = await getObject(k, ns, 'statefulset/churn-analysis');
    const volumes = sts.spec.template.spec.volumes as { persistentVolumeClaim?: { claimName: string } }[];
    expect(volumes.map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean)).toContain('workdir-analysis');
    await gone(ns, 'statefulset/analysis');
    expect((await orphans(configFile('rename-1', classTeam('rename', [renamed, other])))).json.orphans).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

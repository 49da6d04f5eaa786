/**
 * `notebook-platform orphans` against a real kube-apiserver (local control plane, kwok nodes and
 * the `kwok-volume` class): claims made the way the stack makes them, some referenced by the
 * config and some not, a claim of another team, and a volume kept after its claim was deleted.
 * Also what the resize design rests on, asked of the real API server: a bound claim of an
 * expandable class takes a larger request, and a claim bound to a static volume takes none.
 */
import { type ControlPlane, START_TIMEOUT_MS, STOP_TIMEOUT_MS, startControlPlane } from './support/control-plane';
import { type Kubectl, kubectlFor } from './support/kubectl';
import { getOptional, mustSucceed } from './support/cluster';
import { done, notYet, waitFor } from './support/wait';
import { run as cli } from '../../cli/main';
import { tempFile } from '../unit/cli/support';

let cp: ControlPlane;
let k: Kubectl;
const saved = process.env.KUBECONFIG;

beforeAll(async () => {
  cp = await startControlPlane();
  k = kubectlFor(cp);
  process.env.KUBECONFIG = cp.kubeconfig;
}, START_TIMEOUT_MS);
afterAll(async () => {
  if (saved === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = saved;
  await cp?.stop();
}, STOP_TIMEOUT_MS);

const config = `config:
  notebook-platform:team: lab
  notebook-platform:storage: { backend: storageClass, storageClassName: kwok-volume }
  notebook-platform:sizes: { small: { cpu: 500m, memory: 2Gi, workdirSize: 10Gi } }
  notebook-platform:environments: { minimal: { image: "quay.io/jupyter/minimal-notebook:2025-12-01" } }
  notebook-platform:sessions:
    - { name: kept, owner: alice, size: small, environment: minimal }
`;

const claim = (namespace: string, name: string, labels: Record<string, string>, extra = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: ${JSON.stringify(labels)}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: ${extra ? '""' : 'kwok-volume'}
  resources: { requests: { storage: 10Gi } }
${extra}`;

async function bound(namespace: string, name: string) {
  return waitFor(`claim ${namespace}/${name} Bound`, async () => {
    const pvc = await getOptional(k, namespace, `persistentvolumeclaim/${name}`);
    return pvc?.status?.phase === 'Bound' ? done(pvc) : notYet(`phase ${pvc?.status?.phase}`);
  }, { timeoutMs: 90_000 });
}

async function orphans(file: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(['orphans', file, '--json'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, err, json: code === 0 ? JSON.parse(out.join('\n')) : undefined };
}

describe('orphans on a real API server', () => {
  const team = { 'app.kubernetes.io/managed-by': 'notebook-platform', 'notebook-platform.io/team': 'lab' };
  const workdir = (session: string, owner: string) => ({ ...team, 'notebook-platform.io/data': 'workdir', 'notebook-platform.io/session': session, 'notebook-platform.io/owner': owner });

  beforeAll(async () => {
    mustSucceed(await k(['create', 'namespace', 'nb-lab']));
    mustSucceed(await k(['create', 'namespace', 'nb-other']));
    const manifests = [
      claim('nb-lab', 'workdir-kept', workdir('kept', 'alice')),
      claim('nb-lab', 'workdir-gone', workdir('gone', 'bob')),
      claim('nb-lab', 'workdir-purged', workdir('purged', 'carol')),
      claim('nb-other', 'workdir-x', { 'notebook-platform.io/team': 'other', 'notebook-platform.io/session': 'x' }),
    ].join('---\n');
    mustSucceed(await k(['apply', '-f', '-'], { input: manifests }));
    for (const [ns, name] of [['nb-lab', 'workdir-kept'], ['nb-lab', 'workdir-gone'], ['nb-lab', 'workdir-purged'], ['nb-other', 'workdir-x']]) await bound(ns, name);
    // A purged session's volume, kept (Retain) after its claim went.
    const purged = await bound('nb-lab', 'workdir-purged');
    mustSucceed(await k(['patch', 'pv', purged.spec.volumeName, '-p', '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}']));
    mustSucceed(await k(['delete', 'pvc', 'workdir-purged', '-n', 'nb-lab', '--wait=true']));
  }, 5 * 60_000);

  it('lists exactly the team\'s unreferenced claim and released volume, with session, owner, size, age and phase', async () => {
    const file = tempFile(config, 'Pulumi.lab.yaml');
    const result = await waitFor('the released volume to show', async () => {
      const r = await orphans(file);
      if (r.code !== 0) throw new Error(`orphans exited ${r.code}: ${r.err.join('\n')}`);
      return r.json.orphans.length === 2 ? done(r.json) : notYet(JSON.stringify(r.json.orphans.map((o: { name: string; phase: string }) => `${o.name} ${o.phase}`)));
    }, { timeoutMs: 60_000 });
    const [claimOrphan, volumeOrphan] = result.orphans;
    expect(claimOrphan).toMatchObject({ kind: 'PersistentVolumeClaim', name: 'workdir-gone', session: 'gone', owner: 'bob', size: '10Gi', phase: 'Bound' });
    expect(claimOrphan.purge.sessionEntry).toEqual({ name: 'gone', owner: 'bob', size: 'small', environment: 'minimal', running: false, purge: true });
    expect(volumeOrphan).toMatchObject({ kind: 'PersistentVolume', session: 'purged', size: '10Gi', boundTo: 'nb-lab/workdir-purged' });
    expect(['Released', 'Bound']).toContain(volumeOrphan.phase);
    expect(claimOrphan.ageSeconds).toBeGreaterThanOrEqual(0);
  }, 2 * 60_000);

  it('a user without list rights gets exit 2 and the API server\'s reason', async () => {
    process.env.KUBECONFIG = cp.users.mallory.kubeconfig;
    try {
      const r = await orphans(tempFile(config, 'Pulumi.lab.yaml'));
      expect(r.code).toBe(2);
      expect(r.err[0]).toMatch(/403: persistentvolumeclaims is forbidden: User "mallory" cannot list resource "persistentvolumeclaims"/);
    } finally {
      process.env.KUBECONFIG = cp.kubeconfig;
    }
  });

  it('the API server takes a larger request on a bound claim of an expandable class, and none on a claim bound to a static volume', async () => {
    mustSucceed(await k(['patch', 'pvc', 'workdir-kept', '-n', 'nb-lab', '-p', '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}']));
    expect((await getOptional(k, 'nb-lab', 'persistentvolumeclaim/workdir-kept'))?.spec.resources.requests.storage).toBe('20Gi');
    const smaller = await k(['patch', 'pvc', 'workdir-kept', '-n', 'nb-lab', '-p', '{"spec":{"resources":{"requests":{"storage":"5Gi"}}}}']);
    expect(smaller.code).not.toBe(0);
    mustSucceed(await k(['apply', '-f', '-'], { input: `apiVersion: v1
kind: PersistentVolume
metadata: { name: static-homes }
spec:
  capacity: { storage: 10Gi }
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  claimRef: { namespace: nb-lab, name: workdirs }
  nfs: { server: nfs.example.com, path: /exports }
---
${claim('nb-lab', 'workdirs', team, '  volumeName: static-homes\n')}` }));
    await bound('nb-lab', 'workdirs');
    const grow = await k(['patch', 'pvc', 'workdirs', '-n', 'nb-lab', '-p', '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}']);
    expect(grow.code).not.toBe(0);
    expect(grow.serverMessage).toMatch(/only dynamically provisioned pvc can be resized|Forbidden/);
    // The volume's recorded capacity can follow the config.
    mustSucceed(await k(['patch', 'pv', 'static-homes', '-p', '{"spec":{"capacity":{"storage":"20Gi"}}}']));
  }, 2 * 60_000);
});

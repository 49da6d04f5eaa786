/**
 * `restoreFrom`: a session's new home claim starts from a VolumeSnapshot (storageClass only),
 * validation names what each backend cannot do, an existing claim is never replaced (the live
 * check refuses a restore it did not start from; ignoreChanges keeps its data source), and the
 * snapshot job never deletes a snapshot a session restores from.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readStackConfigFile } from '../../../components/config';
import { planFromConfig, validateConfig } from '../../../components/config/validate';
import { formatProblem } from '../../../components/config/problems';
import { sessionObjects } from '../../../components/manifests/session';
import { snapshotObjects } from '../../../components/manifests/snapshots';
import { assetsDirectory } from '../../../components/manifests/scripts';
import { resizeOptions } from '../../../components/kubernetes/claim-sizes';
import { liveRestores, restoreVerdicts } from '../../../components/kubernetes/live-restores';
import type { KubeApi, KubeListItem } from '../../../components/kubernetes/api-client';
import { runOffline } from '../../../offline';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const load = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`)) as Record<string, any>;
const classTeam = (restore: Record<string, unknown> = { restoreFrom: 'workdir-etl-20261130-0300' }, extra: Record<string, unknown> = {}) => ({
  team: 'lab',
  storage: { backend: 'storageClass', storageClassName: 'csi-hostpath' },
  sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize: '1Gi' } },
  environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } },
  network: { apiServer: { cidrs: ['10.0.0.1/32'], port: 6443 } },
  backup: { volumeSnapshotClassName: 'csi-hostpath-snapclass' },
  sessions: [
    { name: 'etl', owner: 'frank', size: 'small', environment: 'scipy' },
    { name: 'etl-monday', owner: 'frank', size: 'small', environment: 'scipy', ...restore },
  ],
  ...extra,
});
const problems = (config: unknown) => {
  const result = validateConfig(config);
  return result.ok ? [] : result.problems.map(formatProblem);
};
const withRestore = (config: Record<string, any>, index: number, extra: Record<string, unknown>) => ({ ...config, sessions: config.sessions.map((s: Record<string, unknown>, i: number) => (i === index ? { ...s, ...extra } : s)) });

describe('restoreFrom validation', () => {
  it('accepts a VolumeSnapshot name on a storageClass team with per-session homes', () => {
    expect(problems(classTeam())).toEqual([]);
    expect(problems(classTeam({ restoreFrom: 'snap.v1-monday' }))).toEqual([]);
  });

  it('refuses a name that is not an RFC 1123 subdomain, naming the field', () => {
    expect(problems(classTeam({ restoreFrom: 'Monday_Backup' }))).toEqual([
      'notebook-platform:sessions[1].restoreFrom: "Monday_Backup" must be a VolumeSnapshot name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters (RFC 1123)',
    ]);
  });

  it('refuses efs, pointing to the administrator\'s AWS Backup restore', () => {
    expect(problems(withRestore(load('team-a'), 0, { restoreFrom: 'monday' }))).toEqual([
      'notebook-platform:sessions[0].restoreFrom: "monday": the EFS CSI driver takes no snapshots, so a claim cannot start from one; on efs restoring is an administrator\'s step: restore the AWS Backup recovery point to the file system as a new directory, then copy the session\'s directory into this session\'s home (docs/data-lifecycle.md, "Restore"). Remove restoreFrom',
    ]);
  });

  it('says what nfs cannot do', () => {
    expect(problems(withRestore(load('demo'), 0, { restoreFrom: 'monday' }))).toEqual([
      'notebook-platform:sessions[0].restoreFrom: "monday": the nfs backend has no snapshots the stack can restore from (homes are directories of one export, /exports/notebooks); restore the session\'s directory from the NFS server\'s own backups. Remove restoreFrom',
    ]);
  });

  it('refuses a shared per-user home, a renamed session\'s existing home, and a second first content (forkFrom)', () => {
    expect(problems(classTeam(undefined, { stateModel: 'user' }))).toEqual([
      expect.stringMatching(/^notebook-platform:sessions\[1\]\.restoreFrom: "workdir-etl-20261130-0300": with stateModel "user" a home belongs to the owner and is shared by all of "frank"'s sessions/),
    ]);
    expect(problems(classTeam({ restoreFrom: 'snap', renamedFrom: 'old-etl' }))).toEqual([
      'notebook-platform:sessions[1].restoreFrom: "snap": a renamed session keeps its existing home (workdir-old-etl), and an existing claim cannot start from a snapshot; restore into a new session instead (remove renamedFrom or restoreFrom)',
    ]);
    expect(problems(classTeam({ restoreFrom: 'snap', forkFrom: 'etl' }))).toEqual([
      'notebook-platform:sessions[1].restoreFrom: "snap": forkFrom "etl" also gives the new home its first content; use one of restoreFrom and forkFrom',
    ]);
  });
});

describe('the restored claim', () => {
  const plan = planFromConfig(classTeam());
  const claimOf = (name: string) => sessionObjects(plan, plan.sessions.find((s) => s.name === name)!).find((o) => o.kind === 'PersistentVolumeClaim')!;

  it('names the snapshot as its data source; a session without restoreFrom has none', () => {
    expect(claimOf('etl-monday').spec).toEqual({
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'csi-hostpath',
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'workdir-etl-20261130-0300' },
    });
    expect(claimOf('etl').spec).not.toHaveProperty('dataSource');
  });

  it('keeps the data source it was created with across updates (never a replacement), and is retained', async () => {
    expect(resizeOptions(claimOf('etl-monday'))).toEqual({ ignoreChanges: ['spec.dataSource', 'spec.dataSourceRef'] });
    expect(resizeOptions(claimOf('etl'))).toEqual({});
    const resources = await runOffline(classTeam());
    const claim = resources.find((r) => r.type === 'kubernetes:core/v1:PersistentVolumeClaim' && (r.inputs.metadata as { name: string }).name === 'workdir-etl-monday')!;
    expect(claim.opts.ignoreChanges).toEqual(['spec.dataSource', 'spec.dataSourceRef']);
    expect(claim.opts.retainOnDelete).toBe(true);
    expect((claim.inputs.spec as { dataSource: unknown }).dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'workdir-etl-20261130-0300' });
  });

  it('makes the snapshot job keep the source snapshot', () => {
    const config = snapshotObjects(plan).find((o) => o.kind === 'ConfigMap')!;
    expect(JSON.parse((config.data as Record<string, string>)['config.json']).keep).toEqual(['workdir-etl-20261130-0300']);
    expect(JSON.parse((snapshotObjects(planFromConfig(classTeam({}))).find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['config.json'])).not.toHaveProperty('keep');
  });
});

describe('restores against the cluster', () => {
  const plan = planFromConfig(classTeam());
  const claim = (dataSource?: Record<string, string>): KubeListItem => ({ metadata: { name: 'workdir-etl-monday', namespace: 'nb-lab', creationTimestamp: '2026-12-01T09:00:00Z' }, spec: dataSource ? { dataSource } : {} });
  const snapshot = (readyToUse: boolean): KubeListItem => ({ metadata: { name: 'workdir-etl-20261130-0300' }, status: { readyToUse } });
  const state = (extra: Record<string, KubeListItem>) => [{ session: 'etl-monday', claim: 'workdir-etl-monday', snapshot: 'workdir-etl-20261130-0300', ...extra }];

  it('lets a new claim start from a ready snapshot, and a claim that started from it stay', () => {
    expect(restoreVerdicts(plan, state({ existingSnapshot: snapshot(true) }))).toEqual({ problems: [], warnings: [] });
    expect(restoreVerdicts(plan, state({ existingClaim: claim({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'workdir-etl-20261130-0300' }) }))).toEqual({ problems: [], warnings: [] });
  });

  it('refuses a restore onto an existing claim, leaving it as it is, and saying what to do', () => {
    expect(restoreVerdicts(plan, state({ existingClaim: claim() })).problems).toEqual([
      'notebook-platform:sessions (session "etl-monday").restoreFrom: "workdir-etl-20261130-0300" cannot apply: the claim nb-lab/workdir-etl-monday already exists (created 2026-12-01T09:00:00Z, started empty), and a claim\'s data source is fixed when it is created. Its data is left as it is: restore into a new session (a new name with restoreFrom: "workdir-etl-20261130-0300"), or remove restoreFrom',
    ]);
    expect(restoreVerdicts(plan, state({ existingClaim: claim({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'older' }) })).problems[0]).toContain('started from VolumeSnapshot "older"');
  });

  it('refuses a missing snapshot and warns about one not ready yet', () => {
    expect(restoreVerdicts(plan, state({})).problems).toEqual([
      'notebook-platform:sessions (session "etl-monday").restoreFrom: there is no VolumeSnapshot "workdir-etl-20261130-0300" in nb-lab (kubectl get volumesnapshots -n nb-lab); a new claim cannot start from it',
    ]);
    expect(restoreVerdicts(plan, state({ existingSnapshot: snapshot(false) }))).toEqual({ problems: [], warnings: ['notebook-platform:sessions (session "etl-monday").restoreFrom: VolumeSnapshot nb-lab/workdir-etl-20261130-0300 is not ready to use yet; the claim nb-lab/workdir-etl-monday waits for it'] });
  });

  it('reads the claim, and the snapshot only for a new claim', async () => {
    const asked: string[] = [];
    const api = (objects: Record<string, KubeListItem>): KubeApi => ({
      list: async () => [],
      getText: async () => undefined,
      get: async (path) => {
        asked.push(path);
        return objects[path];
      },
    });
    const claimPath = '/api/v1/namespaces/nb-lab/persistentvolumeclaims/workdir-etl-monday';
    const snapshotPath = '/apis/snapshot.storage.k8s.io/v1/namespaces/nb-lab/volumesnapshots/workdir-etl-20261130-0300';
    expect(await liveRestores(plan, api({ [snapshotPath]: snapshot(true) }))).toEqual(state({ existingSnapshot: snapshot(true) }));
    expect(asked).toEqual([claimPath, snapshotPath]);
    asked.length = 0;
    expect(await liveRestores(plan, api({ [claimPath]: claim() }))).toEqual(state({ existingClaim: claim() }));
    expect(asked).toEqual([claimPath]);
  });
});

describe('snapshots.py keeps restore sources (real Python)', () => {
  it('never deletes a snapshot a session restores from, however old', () => {
    const input = {
      now: '2026-03-10T02:00:30Z',
      claims: ['workdir-a'],
      retentionDays: 7,
      keep: ['workdir-a-restored'],
      snapshots: [
        { name: 'workdir-a-old', labels: { 'notebook-platform.io/snapshot-of': 'workdir-a' }, created: '2026-03-01T02:00:00Z' },
        { name: 'workdir-a-restored', labels: { 'notebook-platform.io/snapshot-of': 'workdir-a' }, created: '2026-03-02T02:00:00Z' },
        { name: 'workdir-a-new', labels: { 'notebook-platform.io/snapshot-of': 'workdir-a' }, created: '2026-03-09T02:00:00Z' },
      ],
    };
    const run = spawnSync('python3', [join(assetsDirectory(), 'snapshots.py'), '--decide'], { input: JSON.stringify(input), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).delete).toEqual(['workdir-a-old']);
  });
});

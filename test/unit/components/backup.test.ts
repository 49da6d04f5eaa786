/**
 * The `backup` block: validation refuses what a backend cannot do; on efs the stack creates an
 * AWS Backup vault, plan and selection (and a copy vault in another region when asked); on
 * storageClass a least-privilege CronJob takes CSI snapshots, and its script's decisions are run
 * by the real Python.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readStackConfigFile } from '../../../components/config';
import { validateConfig } from '../../../components/config/validate';
import { formatProblem } from '../../../components/config/problems';
import { awsBackupSchedule, isBackupSchedule } from '../../../components/config/lifecycle-schema';
import { assetsDirectory } from '../../../components/manifests/scripts';
import { runOffline, type RegisteredResource } from '../../../offline';
import { evaluatePolicies } from '../../../policies/evaluate';
import { notebookPolicies } from '../../../policies/rules';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const teamA = () => readStackConfigFile(join(stacks, 'Pulumi.team-a.yaml')) as Record<string, any>;
const demo = () => readStackConfigFile(join(stacks, 'Pulumi.demo.yaml')) as Record<string, any>;
const classTeam = (extra: Record<string, unknown> = {}) => ({
  team: 'lab',
  storage: { backend: 'storageClass', storageClassName: 'ceph-rbd' },
  shares: [{ name: 'models', access: 'team' }],
  sizes: { small: { cpu: '500m', memory: '2Gi' } },
  environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' }, base: { image: 'quay.io/jupyter/base-notebook:2025-12-01' } },
  network: { apiServer: { cidrs: ['10.0.0.1/32'], port: 6443 } },
  sessions: [
    { name: 'etl', owner: 'frank', size: 'small', environment: 'scipy' },
    { name: 'reports', owner: 'grace', size: 'small', environment: 'scipy' },
  ],
  ...extra,
});
const problems = (config: unknown) => {
  const result = validateConfig(config);
  return result.ok ? [] : result.problems.map(formatProblem);
};
const ofType = (resources: RegisteredResource[], type: string) => resources.filter((r) => r.type === type);

describe('backup validation', () => {
  it('accepts what each backend can honour', () => {
    expect(problems({ ...teamA(), backup: {} })).toEqual([]);
    expect(problems({ ...teamA(), backup: { schedule: '30 1 * * 0', retentionDays: 90, copyToRegion: 'eu-central-1' } })).toEqual([]);
    expect(problems(classTeam({ backup: { volumeSnapshotClassName: 'csi-rbd' } }))).toEqual([]);
  });

  it('refuses what the backend cannot do, saying why', () => {
    expect(problems({ ...demo(), backup: {} })).toEqual([
      'notebook-platform:backup: the nfs backend has no snapshot or backup API the stack can drive: back up /exports/notebooks on the NFS server (remove backup, or move the team to efs or a storageClass with CSI snapshots)',
    ]);
    expect(problems({ ...teamA(), backup: { volumeSnapshotClassName: 'csi' } })).toEqual([
      'notebook-platform:backup.volumeSnapshotClassName: the EFS CSI driver takes no volume snapshots; on efs the stack backs the file system up with AWS Backup (remove volumeSnapshotClassName)',
    ]);
    expect(problems(classTeam({ backup: { copyToRegion: 'eu-central-1' }, network: {} }))).toEqual([
      'notebook-platform:backup.volumeSnapshotClassName: is required with storage.backend "storageClass": name the VolumeSnapshotClass of "ceph-rbd"\'s CSI driver (kubectl get volumesnapshotclass); a class whose driver takes no snapshots cannot be backed up from here',
      'notebook-platform:network.apiServer: is required with backup on storage.backend "storageClass": the team\'s snapshot job creates VolumeSnapshots through the Kubernetes API; name the API server\'s endpoint addresses, e.g. { cidrs: ["10.0.0.0/16"], port: 443 }',
      'notebook-platform:backup.copyToRegion: cross-region copies are an AWS Backup feature (storage.backend "efs"); replicate snapshots with the storage system behind "ceph-rbd"',
    ]);
  });

  it('takes five-field UTC cron schedules AWS Backup can run: one minute, not both day fields', () => {
    for (const ok of ['0 3 * * *', '15 */6 * * *', '0 2 1 * *', '0 4 * * 1-5', '59 23 * 1,7 0,6']) expect([ok, isBackupSchedule(ok)]).toEqual([ok, true]);
    for (const bad of ['*/5 * * * *', '0 3 * *', '0 3 1 * 1', 'daily', '60 3 * * *', '0 3 * * MON;']) expect([bad, isBackupSchedule(bad)]).toEqual([bad, false]);
    expect(problems({ ...teamA(), backup: { schedule: '*/5 * * * *' } })[0]).toMatch(/^notebook-platform:backup\.schedule: "\*\/5 \* \* \* \*" must be a five-field cron schedule in UTC/);
  });

  it('turns the schedule into AWS Backup\'s cron (year field, "?" for the unused day, Sunday is 1)', () => {
    expect(awsBackupSchedule('0 3 * * *')).toBe('cron(0 3 * * ? *)');
    expect(awsBackupSchedule('05 1 15 * *')).toBe('cron(5 1 15 * ? *)');
    expect(awsBackupSchedule('30 1 * * 0')).toBe('cron(30 1 ? * 1 *)');
    expect(awsBackupSchedule('0 4 * * 1-5')).toBe('cron(0 4 ? * 2-6 *)');
    expect(awsBackupSchedule('0 4 * * 6,7')).toBe('cron(0 4 ? * 7,1 *)');
  });
});

describe('backup on efs (AWS Backup)', () => {
  let resources: RegisteredResource[];
  beforeAll(async () => {
    resources = await runOffline({ ...teamA(), backup: { schedule: '30 1 * * 0', retentionDays: 90, copyToRegion: 'eu-central-1' } });
  });

  it('creates a retained vault and a plan with the schedule, retention and a copy to the other region\'s vault', () => {
    const vaults = ofType(resources, 'aws:backup/vault:Vault');
    expect(vaults.map((v) => v.inputs.name)).toEqual(['notebook-platform-nb-team-a', 'notebook-platform-nb-team-a']);
    for (const vault of vaults) expect(vault.opts.retainOnDelete).toBe(true);
    const region = ofType(resources, 'pulumi:providers:aws');
    expect(region.map((p) => p.inputs.region)).toEqual(['eu-central-1']);
    const [plan] = ofType(resources, 'aws:backup/plan:Plan');
    const [rule] = plan.inputs.rules as Record<string, any>[];
    expect(rule).toMatchObject({ schedule: 'cron(30 1 ? * 1 *)', scheduleExpressionTimezone: 'Etc/UTC', lifecycle: { deleteAfter: 90 } });
    expect(rule.copyActions).toEqual([expect.objectContaining({ lifecycle: { deleteAfter: 90 } })]);
  });

  it('selects the file system with a role only AWS Backup may assume, holding the AWS backup policy', () => {
    const [role] = ofType(resources, 'aws:iam/role:Role').filter((r) => String(r.inputs.assumeRolePolicy).includes('backup.amazonaws.com'));
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const attachments = ofType(resources, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').map((a) => a.inputs.policyArn);
    expect(attachments).toContain('arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup');
    const [selection] = ofType(resources, 'aws:backup/selection:Selection');
    expect(selection.inputs.resources).toHaveLength(1);
    const fileSystem = ofType(resources, 'aws:efs/fileSystem:FileSystem')[0];
    expect(selection.propertyDependencies.resources).toEqual([fileSystem.urn]);
  });

  it('makes no AWS Backup resources without a backup block', async () => {
    const withoutBackup = teamA();
    delete withoutBackup.backup;
    const none = await runOffline(withoutBackup);
    expect(none.filter((r) => r.type.startsWith('aws:backup/'))).toEqual([]);
  });
});

describe('backup on a storageClass (CSI snapshots)', () => {
  let resources: RegisteredResource[];
  const named = (type: string) => ofType(resources, type).find((r) => (r.inputs.metadata as { name: string }).name === 'notebook-snapshots')!;
  beforeAll(async () => {
    resources = await runOffline(classTeam({ backup: { volumeSnapshotClassName: 'csi-rbd', schedule: '0 2 * * *', retentionDays: 14 } }));
  });

  it('runs a CronJob on the schedule in UTC, one run at a time, in the first environment\'s image', () => {
    const cron = named('kubernetes:batch/v1:CronJob');
    const spec = cron.inputs.spec as Record<string, any>;
    expect(spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    const pod = spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].image).toBe('quay.io/jupyter/base-notebook:2025-12-01');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: 'notebook-snapshots' } }]);
  });

  it('may touch VolumeSnapshots only, reach DNS and the API server only, and snapshots every claim', () => {
    expect(named('kubernetes:rbac.authorization.k8s.io/v1:Role').inputs.rules).toEqual([{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'delete', 'list'] }]);
    const policy = named('kubernetes:networking.k8s.io/v1:NetworkPolicy').inputs.spec as Record<string, any>;
    expect(policy.ingress).toEqual([]);
    expect(policy.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] });
    const config = JSON.parse((named('kubernetes:core/v1:ConfigMap').inputs.data as Record<string, string>)['config.json']);
    expect(config).toMatchObject({ claims: ['share-models', 'workdir-etl', 'workdir-reports'], namespace: 'nb-lab', retentionDays: 14, volumeSnapshotClassName: 'csi-rbd' });
  });

  it('passes the policy pack (restricted pod, resources, pinned image)', async () => {
    const violations = await evaluatePolicies(notebookPolicies(), resources, {});
    expect(violations.filter((v) => v.enforcementLevel === 'mandatory').map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});

describe('snapshots.py decisions (real Python)', () => {
  const script = join(assetsDirectory(), 'snapshots.py');
  const decide = (input: unknown) => {
    const run = spawnSync('python3', [script, '--decide'], { input: JSON.stringify(input), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as { create: { name: string; claim: string }[]; delete: string[] };
  };
  const snap = (name: string, claim: string | undefined, created: string) => ({ name, labels: claim ? { 'notebook-platform.io/snapshot-of': claim } : {}, created });

  it('snapshots every claim, and deletes only its own snapshots of those claims past the retention, never the newest', () => {
    const result = decide({
      now: '2026-03-10T02:00:30Z',
      claims: ['workdir-a', 'share-b'],
      retentionDays: 7,
      snapshots: [
        snap('workdir-a-old', 'workdir-a', '2026-03-02T02:00:00Z'),
        snap('workdir-a-recent', 'workdir-a', '2026-03-09T02:00:00Z'),
        snap('workdir-a-edge', 'workdir-a', '2026-03-03T02:00:31Z'),
        snap('share-b-only', 'share-b', '2026-01-01T00:00:00Z'),
        snap('gone-claim-old', 'workdir-gone', '2026-01-01T00:00:00Z'),
        snap('unlabelled', undefined, '2026-01-01T00:00:00Z'),
      ],
    });
    expect(result.create).toEqual([
      { name: 'workdir-a-20260310-0200', claim: 'workdir-a' },
      { name: 'share-b-20260310-0200', claim: 'share-b' },
    ]);
    expect(result.delete).toEqual(['workdir-a-old']);
  });
});

/**
 * The backup-scheduled advisory over what the stack registers: efs and storageClass teams without
 * a backup are advised, with one they are not; nfs teams (nothing the stack can back up) never.
 */
import { join } from 'node:path';
import { readStackConfigFile } from '../../../components/config';
import { runOffline } from '../../../offline';
import { evaluatePolicies } from '../../../policies/evaluate';
import { backupScheduledRule } from '../../../policies/rules/lifecycle';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const load = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`)) as Record<string, any>;
const classTeam = (extra: Record<string, unknown> = {}) => ({
  team: 'lab',
  storage: { backend: 'storageClass', storageClassName: 'ceph-rbd' },
  sizes: { small: { cpu: '500m', memory: '2Gi' } },
  environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } },
  network: { apiServer: { cidrs: ['10.0.0.1/32'], port: 6443 } },
  sessions: [{ name: 'etl', owner: 'frank', size: 'small', environment: 'scipy' }],
  ...extra,
});
const advise = async (config: Record<string, unknown>) => (await evaluatePolicies([backupScheduledRule()], await runOffline(config), {})).map((v) => `${v.enforcementLevel}: ${v.message}`);

describe('backup-scheduled (advisory)', () => {
  it('advises a storageClass team without backups, and not one with CSI snapshots', async () => {
    expect(await advise(classTeam())).toEqual(['advisory: the team schedules no backup: its 1 claim of a StorageClass has no snapshots; add notebook-platform:backup (docs/data-lifecycle.md)']);
    expect(await advise(classTeam({ backup: { volumeSnapshotClassName: 'csi-rbd' } }))).toEqual([]);
  });

  it('advises an efs team without an AWS Backup plan, and not one with', async () => {
    const teamA = { ...load('team-a'), backup: undefined };
    delete teamA.backup;
    expect(await advise(teamA)).toEqual([expect.stringMatching(/^advisory: the team schedules no backup: its EFS file system relies on AWS's automatic backups only/)]);
    expect(await advise({ ...teamA, backup: {} })).toEqual([]);
  });

  it('says nothing on nfs, where the stack cannot back up', async () => {
    expect(await advise(load('demo'))).toEqual([]);
  });
});

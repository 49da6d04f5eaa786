/**
 * The backup-scheduled advisory over what the stack registers: efs and storageClass teams without
 * a backup are advised, with one they are not; nfs teams (nothing the stack can back up) never.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readStackConfigFile } from '../../../components/config';
import { runOffline } from '../../../offline';
import { evaluatePolicies } from '../../../policies/evaluate';
import { backupScheduledRule } from '../../../policies/rules/lifecycle';
import { notebookPolicies } from '../../../policies/rules';
import { run } from '../../../cli/main';

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

describe('backup-scheduled in the pack', () => {
  const check = async (...files: string[]) => {
    const out: string[] = [];
    const code = await run(['check', ...files.map((team) => (team.includes('/') ? team : join(stacks, `Pulumi.${team}.yaml`)))], { out: (line) => out.push(line), err: (line) => out.push(line) });
    return { code, out };
  };

  it('is served by notebookPolicies() as an advisory', () => {
    expect(notebookPolicies().filter((rule) => rule.name === 'backup-scheduled').map((rule) => rule.enforcementLevel)).toEqual(['advisory']);
  });

  it('is quiet on the example stacks that schedule backups (team-a on efs, team-b on cephfs)', async () => {
    const { code, out } = await check('team-a', 'team-b');
    expect(code).toBe(0);
    expect(out.filter((line) => line.includes('backup-scheduled'))).toEqual([]);
    expect(out).toHaveLength(2);
  });

  it('advises through check, exit 0, when a stack on a StorageClass has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-backup-'));
    try {
      const document = parse(readFileSync(join(stacks, 'Pulumi.team-b.yaml'), 'utf8'));
      delete document.config['notebook-platform:backup'];
      const file = join(dir, 'Pulumi.team-b.yaml');
      writeFileSync(file, stringify(document));
      const { code, out } = await check(file);
      expect(code).toBe(0);
      expect(out).toEqual([
        `${file}: backup-scheduled  stack  advisory: the team schedules no backup: its 3 claims of a StorageClass have no snapshots; add notebook-platform:backup (docs/data-lifecycle.md)`,
        expect.stringMatching(/: ok with 1 advisory violation \(\d+ resources, \d+ policies\)$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

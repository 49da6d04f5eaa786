/**
 * Data lifecycle advisories: a team whose storage can be backed up from the stack (an EFS file
 * system, or claims of a StorageClass whose driver may take snapshots) and that schedules no
 * backup. Advisory: AWS's automatic EFS backups are on anyway, and some storage systems are
 * backed up outside Kubernetes.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { TYPES, type KubeProps, type PersistentVolumeClaimSpec } from './kube';
import { stackRule, type StackRule } from './policy';
import { SNAPSHOTS_NAME } from '../../shared/names';

export const AWS_BACKUP_PLAN = 'aws:backup/plan:Plan';
/** The snapshot CronJob's name, from the chart that makes it (so the two cannot drift). */
export const SNAPSHOT_JOB = SNAPSHOTS_NAME;

/** One advisory when the stack has data it could back up and schedules no backup. */
export function checkBackupScheduled(resources: readonly PolicyResource[]): { message: string }[] {
  const efs = resources.some((r) => r.type === TYPES.efsFileSystem);
  const dynamicClaims = resources.filter((r) => {
    if (r.type !== TYPES.persistentVolumeClaim) return false;
    const spec = (r.props as KubeProps).spec as PersistentVolumeClaimSpec | undefined;
    return typeof spec?.storageClassName === 'string' && spec.storageClassName !== '';
  });
  if (!efs && dynamicClaims.length === 0) return [];
  const scheduled =
    resources.some((r) => r.type === AWS_BACKUP_PLAN) ||
    resources.some((r) => r.type === TYPES.cronJob && (r.props as KubeProps).metadata?.name === SNAPSHOT_JOB);
  if (scheduled) return [];
  const what = efs ? 'its EFS file system relies on AWS\'s automatic backups only' : `its ${dynamicClaims.length} claim${dynamicClaims.length === 1 ? ' of a StorageClass has' : 's of a StorageClass have'} no snapshots`;
  return [{ message: `the team schedules no backup: ${what}; add notebook-platform:backup (docs/data-lifecycle.md)` }];
}

export function backupScheduledRule(): StackRule {
  return stackRule(
    {
      name: 'backup-scheduled',
      description: 'A team on EFS or on a StorageClass schedules backups of its homes and shares (advisory).',
      enforcementLevel: 'advisory',
      remediationSteps: 'Add notebook-platform:backup to the stack config: on efs an AWS Backup plan and vault, on a storageClass CSI snapshots with a volumeSnapshotClassName (docs/data-lifecycle.md).',
    },
    (args: StackValidationArgs) => checkBackupScheduled(args.resources),
  );
}

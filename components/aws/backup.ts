/**
 * AWS Backup for a team's EFS file system (the config's `backup` on efs): a vault of the team's
 * own, a plan with the team's schedule and retention (and an optional copy to a vault in another
 * region), and a selection of exactly this file system, made with a role AWS Backup assumes.
 * Vaults are retained: their recovery points are the team's backups and outlive the stack.
 * Restoring is an administrator's step (docs/data-lifecycle.md): AWS Backup restores into a new
 * directory of the file system, never over live homes.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { Plan } from '../config/plan';
import { awsBackupSchedule } from '../config/lifecycle-schema';

/** The AWS-managed policy that lets AWS Backup back up the resources it selects. */
export const BACKUP_SERVICE_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup';

/** What EfsBackup needs: the plan, the file system and the tags. */
export interface EfsBackupArgs {
  /** The team's plan; its `backup` sets schedule, retention and the copy region. */
  readonly plan: Plan;
  /** The file system's ARN (created by the stack, or looked up when adopted). */
  readonly fileSystemArn: pulumi.Input<string>;
  /** Tags of every AWS resource (the file system's), also given to the recovery points. */
  readonly tags: Record<string, string>;
}

/** The team's AWS Backup vault, plan and selection of its EFS file system. */
export class EfsBackup extends pulumi.ComponentResource {
  /** `notebook-platform-<namespace>`, in the stack's region (and in `copyToRegion`). */
  readonly vaultName: pulumi.Output<string>;
  /** The AWS Backup plan's id. */
  readonly planId: pulumi.Output<string>;
  /** The vault in `copyToRegion`, if any. */
  readonly copyVaultArn?: pulumi.Output<string>;

  constructor(name: string, args: EfsBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super('notebook-platform:aws:EfsBackup', name, {}, opts);
    const { plan, tags } = args;
    const backup = plan.backup;
    if (!backup) throw new Error('EfsBackup needs the config\'s backup block');
    const vaultName = `notebook-platform-${plan.namespace}`;
    const vault = new aws.backup.Vault(`${name}-vault`, { name: vaultName, tags }, { parent: this, retainOnDelete: true });
    let copyVault: aws.backup.Vault | undefined;
    if (backup.copyToRegion) {
      const region = new aws.Provider(`${name}-${backup.copyToRegion}`, { region: backup.copyToRegion as aws.Region }, { parent: this });
      copyVault = new aws.backup.Vault(`${name}-copy-vault`, { name: vaultName, tags }, { parent: this, provider: region, retainOnDelete: true });
    }
    const lifecycle = { deleteAfter: backup.retentionDays };
    const backupPlan = new aws.backup.Plan(
      `${name}-plan`,
      {
        name: vaultName,
        rules: [
          {
            ruleName: 'scheduled',
            targetVaultName: vault.name,
            schedule: awsBackupSchedule(backup.schedule),
            scheduleExpressionTimezone: 'Etc/UTC',
            lifecycle,
            recoveryPointTags: tags,
            ...(copyVault ? { copyActions: [{ destinationVaultArn: copyVault.arn, lifecycle }] } : {}),
          },
        ],
        tags,
      },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        tags,
      },
      { parent: this },
    );
    const attachment = new aws.iam.RolePolicyAttachment(`${name}-role`, { role: role.name, policyArn: BACKUP_SERVICE_POLICY }, { parent: this });
    new aws.backup.Selection(`${name}-selection`, { name: vaultName, planId: backupPlan.id, iamRoleArn: role.arn, resources: [args.fileSystemArn] }, { parent: this, dependsOn: [attachment] });
    this.vaultName = vault.name;
    this.planId = backupPlan.id;
    this.copyVaultArn = copyVault?.arn;
    this.registerOutputs({ vaultName: this.vaultName, planId: this.planId });
  }
}

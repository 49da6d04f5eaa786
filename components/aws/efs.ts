/**
 * EFS for a team: created (encrypted, backed up, elastic throughput, lifecycle to IA, mount
 * targets, an NFS security group open only to the nodes, TLS-only policy) or adopted by id, plus
 * one access point per share. The file system is protected and retained: `pulumi destroy` never
 * deletes notebook data.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { Plan } from '../config/plan';
import { EfsBackup } from './backup';

export interface EfsArgs {
  readonly plan: Plan;
}

export class EfsStorage extends pulumi.ComponentResource {
  /** The file system id (created or adopted). */
  readonly fileSystemId: pulumi.Output<string>;
  /** Access point id per share name. */
  readonly accessPointIds: Record<string, pulumi.Output<string>>;
  /** The created file system, undefined when adopted. */
  readonly fileSystem?: aws.efs.FileSystem;
  /** The team's AWS Backup plan and vault (the config's `backup`), undefined without one. */
  readonly backup?: EfsBackup;

  constructor(name: string, args: EfsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('notebook-platform:aws:EfsStorage', name, {}, opts);
    const { plan } = args;
    const storage = plan.storage.config;
    if (storage.backend !== 'efs') throw new Error(`EfsStorage needs storage.backend "efs", got "${storage.backend}"`);
    const tags = { ...plan.storage.tags };

    if (storage.fileSystemId) {
      this.fileSystemId = pulumi.output(storage.fileSystemId);
    } else {
      this.fileSystem = createFileSystem(name, plan, tags, this);
      this.fileSystemId = this.fileSystem.id;
    }
    this.accessPointIds = {};
    for (const share of plan.shares) {
      if (!share.accessPoint) {
        this.accessPointIds[share.name] = pulumi.output(share.accessPointId!);
        continue;
      }
      const accessPoint = new aws.efs.AccessPoint(
        `${name}-share-${share.name}`,
        {
          fileSystemId: this.fileSystemId,
          posixUser: { uid: share.posixUid, gid: share.posixGid },
          rootDirectory: {
            path: share.accessPoint.path,
            creationInfo: { ownerUid: share.posixUid, ownerGid: share.posixGid, permissions: share.accessPoint.permissions },
          },
          tags: { ...share.accessPoint.tags },
        },
        { parent: this, retainOnDelete: true },
      );
      this.accessPointIds[share.name] = accessPoint.id;
    }
    if (storage.csiDriverAddon) installCsiDriver(name, storage.csiDriverAddon, tags, this);
    if (plan.backup) {
      const fileSystemArn = this.fileSystem ? this.fileSystem.arn : aws.efs.getFileSystemOutput({ fileSystemId: this.fileSystemId }, { parent: this }).arn;
      this.backup = new EfsBackup(`${name}-backups`, { plan, fileSystemArn, tags }, { parent: this });
    }
    this.registerOutputs({ fileSystemId: this.fileSystemId, accessPointIds: this.accessPointIds });
  }
}

function createFileSystem(name: string, plan: Plan, tags: Record<string, string>, parent: pulumi.Resource): aws.efs.FileSystem {
  const storage = plan.storage.config;
  if (storage.backend !== 'efs') throw new Error('unreachable');
  const fileSystem = new aws.efs.FileSystem(
    `${name}-fs`,
    {
      encrypted: true,
      kmsKeyId: storage.kmsKeyId,
      throughputMode: 'elastic',
      performanceMode: 'generalPurpose',
      lifecyclePolicies: [{ transitionToIa: `AFTER_${storage.transitionToIaDays}_DAYS` }, { transitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
      tags: { ...tags, Name: `${plan.namespace}-notebooks` },
    },
    // Notebook data: never deleted by an update or a destroy.
    { parent, protect: true, retainOnDelete: true },
  );
  new aws.efs.BackupPolicy(`${name}-backup`, { fileSystemId: fileSystem.id, backupPolicy: { status: 'ENABLED' } }, { parent, retainOnDelete: true });
  new aws.efs.FileSystemPolicy(
    `${name}-tls-only`,
    {
      fileSystemId: fileSystem.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyNonTlsAccess',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: '*',
            Resource: fileSystem.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    },
    { parent },
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-nfs`,
    {
      vpcId: storage.vpcId,
      description: `NFS to the ${plan.namespace} notebook file system, from cluster nodes only`,
      ingress: [{ protocol: 'tcp', fromPort: 2049, toPort: 2049, securityGroups: [storage.nodeSecurityGroupId!], description: 'NFS from cluster nodes' }],
      tags: { ...tags, Name: `${plan.namespace}-efs-nfs` },
    },
    { parent },
  );
  for (const subnetId of [...storage.subnetIds].sort()) {
    new aws.efs.MountTarget(`${name}-mount-${subnetId}`, { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] }, { parent });
  }
  return fileSystem;
}

/** The EFS CSI driver as an EKS add-on, with an IRSA role for its controller. */
function installCsiDriver(
  name: string,
  addon: { clusterName: string; oidcProviderArn: string; oidcProviderUrl: string },
  tags: Record<string, string>,
  parent: pulumi.Resource,
): void {
  const issuer = addon.oidcProviderUrl.replace(/^https:\/\//, '');
  const role = new aws.iam.Role(
    `${name}-efs-csi`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: addon.oidcProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringLike: { [`${issuer}:sub`]: 'system:serviceaccount:kube-system:efs-csi-*', [`${issuer}:aud`]: 'sts.amazonaws.com' } },
          },
        ],
      }),
      tags,
    },
    { parent },
  );
  new aws.iam.RolePolicyAttachment(`${name}-efs-csi`, { role: role.name, policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy' }, { parent });
  new aws.eks.Addon(`${name}-efs-csi`, { clusterName: addon.clusterName, addonName: 'aws-efs-csi-driver', serviceAccountRoleArn: role.arn, tags }, { parent });
}

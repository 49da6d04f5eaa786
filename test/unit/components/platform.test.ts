/**
 * The components under Pulumi mocks (offline/, runOffline): every registered resource with its
 * inputs and options, as the engine would receive them.
 */
import { join } from 'node:path';
import { readStackConfigFile, type StackConfigInput } from '../../../components/config';
import { NotebookPlatform } from '../../../components/platform';
import { PURGE_ANNOTATION, RETAIN_ANNOTATION } from '../../../components/kubernetes/register';
import { runOffline, UNKNOWN, type RegisteredResource } from '../../../offline';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const load = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`)) as Record<string, any>;
const ofType = (resources: RegisteredResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RegisteredResource[], type: string) => {
  const found = ofType(resources, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const meta = (r: RegisteredResource) => r.inputs.metadata as { name: string; labels: Record<string, string>; annotations?: Record<string, string> };

describe('NotebookPlatform on EFS (team-a)', () => {
  let resources: RegisteredResource[];
  beforeAll(async () => {
    resources = await runOffline(load('team-a'));
  });

  it('creates an encrypted, elastic, protected and retained file system', () => {
    const fs = one(resources, 'aws:efs/fileSystem:FileSystem');
    expect(fs.inputs).toMatchObject({ encrypted: true, throughputMode: 'elastic', lifecyclePolicies: [{ transitionToIa: 'AFTER_30_DAYS' }, { transitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }] });
    expect(fs.opts.protect).toBe(true);
    expect(fs.opts.retainOnDelete).toBe(true);
  });

  it('turns automatic backups on', () => {
    expect(one(resources, 'aws:efs/backupPolicy:BackupPolicy').inputs.backupPolicy).toEqual({ status: 'ENABLED' });
  });

  it('denies non-TLS access and admits NFS only from the node security group', () => {
    const policy = one(resources, 'aws:efs/fileSystemPolicy:FileSystemPolicy');
    const text = String(policy.inputs.policy);
    // The policy embeds the file system's ARN, unknown before deployment.
    if (text !== UNKNOWN) expect(JSON.parse(text).Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const group = one(resources, 'aws:ec2/securityGroup:SecurityGroup');
    expect(group.inputs.ingress).toEqual([expect.objectContaining({ protocol: 'tcp', fromPort: 2049, toPort: 2049, securityGroups: ['sg-0a1b2c3d4e5f60718'] })]);
    expect(ofType(resources, 'aws:efs/mountTarget:MountTarget').map((m) => m.inputs.subnetId)).toEqual(['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718']);
  });

  it('creates one retained access point per share with its POSIX owner', () => {
    const points = ofType(resources, 'aws:efs/accessPoint:AccessPoint');
    expect(points.map((p) => (p.inputs.rootDirectory as { path: string }).path).sort()).toEqual(['/shares/patients', '/shares/reference-data', '/shares/team-data']);
    for (const point of points) {
      expect(point.inputs.posixUser).toEqual({ uid: 1000, gid: 100 });
      expect(point.opts.retainOnDelete).toBe(true);
    }
  });

  it('registers the EFS CSI StorageClass with deterministic, retained directories', () => {
    const sc = one(resources, 'kubernetes:storage.k8s.io/v1:StorageClass');
    expect(sc.inputs).toMatchObject({ provisioner: 'efs.csi.aws.com', reclaimPolicy: 'Retain' });
    expect(sc.inputs.parameters).toMatchObject({
      provisioningMode: 'efs-ap',
      directoryPerms: '700',
      uid: '1000',
      gid: '100',
      basePath: '/notebooks/nb-team-a',
      subPathPattern: '${.PVC.namespace}/${.PVC.name}',
      ensureUniqueDirectory: 'false',
      reuseAccessPoint: 'true',
    });
  });

  it('points each share volume at its access point', () => {
    const pvs = ofType(resources, 'kubernetes:core/v1:PersistentVolume');
    expect(pvs.map((pv) => meta(pv).name).sort()).toEqual(['nb-team-a-share-patients', 'nb-team-a-share-reference-data', 'nb-team-a-share-team-data']);
    for (const pv of pvs) expect((pv.inputs.spec as { csi: { driver: string } }).csi.driver).toBe('efs.csi.aws.com');
  });

  it('retains every claim and volume, and says so on the object', () => {
    const data = resources.filter((r) => r.type === 'kubernetes:core/v1:PersistentVolumeClaim' || r.type === 'kubernetes:core/v1:PersistentVolume');
    expect(data.length).toBe(3 + 3 + 3); // share PVs, share PVCs, session workdirs
    for (const r of data) {
      expect(r.opts.retainOnDelete).toBe(true);
      expect(meta(r).annotations?.[RETAIN_ANNOTATION]).toBe('true');
    }
    expect(one(resources, 'kubernetes:core/v1:Namespace').opts.retainOnDelete).toBe(true);
  });

  it('registers a NotebookSession per session whose objects carry its labels', () => {
    const sessions = ofType(resources, 'notebook-platform:index:NotebookSession');
    expect(sessions.map((s) => s.name).sort()).toEqual(['team-a/imaging', 'team-a/imaging-retry', 'team-a/trial-analysis']);
    for (const session of sessions) {
      const children = resources.filter((r) => r.parent === session.urn && r.type.startsWith('kubernetes:'));
      expect(children.length).toBeGreaterThanOrEqual(6);
      for (const child of children) expect(meta(child).labels).toMatchObject({ 'notebook-platform.io/session': session.name.slice('team-a/'.length), 'notebook-platform.io/team': 'team-a' });
    }
  });

  it('keeps token values out of what it records and marks the token output secret', () => {
    const secrets = ofType(resources, 'kubernetes:core/v1:Secret');
    expect(secrets).toHaveLength(3);
    for (const secret of secrets) {
      expect(secret.secretPaths).toContain('data');
      expect(secret.inputs.data).toEqual({ token: UNKNOWN });
      expect(secret.opts.ignoreChanges).toEqual(['data']);
    }
  });
});

describe('EFS CSI driver add-on', () => {
  it('is off by default and, when asked, installs the EKS add-on with its IRSA role', async () => {
    expect(ofType(await runOffline(load('team-a')), 'aws:eks/addon:Addon')).toEqual([]);
    const config = load('team-a');
    config.storage.csiDriverAddon = { clusterName: 'research', oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC', oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' };
    const resources = await runOffline(config);
    expect(one(resources, 'aws:eks/addon:Addon').inputs).toMatchObject({ clusterName: 'research', addonName: 'aws-efs-csi-driver' });
    // team-a's AWS Backup plan has its own role (for backup.amazonaws.com): pick the driver's.
    const roles = ofType(resources, 'aws:iam/role:Role').filter((r) => String(r.inputs.assumeRolePolicy).includes('efs-csi-'));
    expect(roles).toHaveLength(1);
    const trust = JSON.parse(String(roles[0].inputs.assumeRolePolicy));
    expect(trust.Statement[0].Condition.StringLike).toEqual({ 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:kube-system:efs-csi-*', 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com' });
    expect(ofType(resources, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').map((a) => a.inputs.policyArn).sort()).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy',
    ]);
  });
});

describe('NotebookSession lifecycle (demo, nfs)', () => {
  const withSessions = (mutate: (sessions: Record<string, any>[]) => void) => {
    const config = load('demo');
    mutate(config.sessions);
    return config;
  };
  const byUrn = (resources: RegisteredResource[]) => new Map(resources.map((r) => [r.urn, r]));

  it('names resources the same across runs and whatever the order of sessions', async () => {
    const first = await runOffline(load('demo'));
    const reversed = await runOffline(withSessions((s) => s.reverse()));
    expect(reversed.map((r) => r.urn).sort()).toEqual(first.map((r) => r.urn).sort());
    const again = byUrn(reversed);
    for (const r of first) expect(again.get(r.urn)!.inputs).toEqual(r.inputs);
  });

  it('toggling running changes only the replicas of that session', async () => {
    const running = byUrn(await runOffline(load('demo')));
    const stopped = byUrn(await runOffline(withSessions((s) => (s.find((x) => x.name === 'churn-model')!.running = false))));
    const changed = [...running.values()].filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(stopped.get(r.urn)!.inputs));
    expect(changed.map((r) => r.name)).toEqual(['nb-demo/StatefulSet/churn-model']);
    const { spec: before } = changed[0].inputs as { spec: Record<string, unknown> };
    const { spec: after } = stopped.get(changed[0].urn)!.inputs as { spec: Record<string, unknown> };
    // Running leaves replicas to the cluster (so the culler's stop sticks); stopped says 0.
    expect(['replicas' in before, after.replicas]).toEqual([false, 0]);
    expect(Object.fromEntries(Object.entries(after).filter(([key]) => key !== 'replicas'))).toEqual(before);
  });

  it('adding a session adds only that session and its resources', async () => {
    const before = new Set((await runOffline(load('demo'))).map((r) => r.urn));
    const after = await runOffline(withSessions((s) => s.push({ name: 'new-one', owner: 'dave', size: 'small', environment: 'scipy' })));
    const added = after.filter((r) => !before.has(r.urn));
    expect(added.every((r) => r.name === 'new-one' || r.name.includes('/new-one'))).toBe(true);
    expect(added.map((r) => r.type).sort()).toEqual(
      ['kubernetes:apps/v1:StatefulSet', 'kubernetes:core/v1:ConfigMap', 'kubernetes:core/v1:Secret', 'kubernetes:core/v1:Service', 'kubernetes:core/v1:ServiceAccount', 'kubernetes:networking.k8s.io/v1:Ingress', 'notebook-platform:index:NotebookSession'].sort(),
    );
  });

  it('fails with every config problem before registering anything, itself included', () => {
    // No mocks and no engine: constructing would fail on the first registration, so reaching the
    // config error proves validation ran before it.
    const config = withSessions((s) => {
      s[0].size = 'huge';
      s[1].environment = 'r';
    });
    expect(() => new NotebookPlatform('demo', { config: config as StackConfigInput })).toThrow(
      'invalid notebook-platform config (2 problems):\n' +
        'notebook-platform:sessions[0].size: "huge" is not a defined size; allowed: small, medium\n' +
        'notebook-platform:sessions[1].environment: "r" is not a defined environment; allowed: scipy, pytorch',
    );
  });
});

describe('purge (team-b variant with per-session claims)', () => {
  it('drops retainOnDelete only for the purged session', async () => {
    const config = load('team-b');
    config.stateModel = 'session';
    config.sessions.find((s: any) => s.name === 'etl-debug').purge = true;
    const resources = await runOffline(config);
    const claims = Object.fromEntries(ofType(resources, 'kubernetes:core/v1:PersistentVolumeClaim').map((c) => [meta(c).name, c]));
    expect(claims['workdir-etl-debug'].opts.retainOnDelete).toBe(false);
    expect(meta(claims['workdir-etl-debug']).annotations).toMatchObject({ [RETAIN_ANNOTATION]: 'false', [PURGE_ANNOTATION]: 'true' });
    expect(meta(claims['workdir-etl']).annotations?.[PURGE_ANNOTATION]).toBeUndefined();
    expect(claims['workdir-etl'].opts.retainOnDelete).toBe(true);
    expect(claims['share-models'].opts.retainOnDelete).toBe(true);
  });
});

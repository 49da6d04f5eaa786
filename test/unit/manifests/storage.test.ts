/** Storage objects for every backend, access level and state model. */
import { stackConfigSchema, normalise, type Plan } from '../../../components/config';
import { synthesize, type KubeObject } from '../../../components/manifests';
import { baseConfig } from '../config/fixtures';

function planOf(edit: (config: Record<string, any>) => void = () => undefined): Plan {
  const config = baseConfig();
  edit(config);
  return normalise(stackConfigSchema.parse(config));
}
const allObjects = (plan: Plan): KubeObject[] => synthesize(plan).flatMap((file) => file.objects);
const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as KubeObject & { spec: Record<string, any> };
};
const kinds = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();

describe('nfs backend', () => {
  const objects = allObjects(planOf());

  it('holds every home in one team volume, bound by claimRef, retained', () => {
    const pv = find(objects, 'PersistentVolume', 'nb-analytics-workdirs');
    expect(pv.spec).toMatchObject({
      nfs: { server: '10.0.0.5', path: '/exports/notebooks/nb-analytics/homes' },
      persistentVolumeReclaimPolicy: 'Retain',
      accessModes: ['ReadWriteMany'],
      claimRef: { namespace: 'nb-analytics', name: 'workdirs' },
    });
    expect(find(objects, 'PersistentVolumeClaim', 'workdirs').spec).toMatchObject({ volumeName: 'nb-analytics-workdirs', storageClassName: '' });
    expect(kinds(objects, 'PersistentVolumeClaim')).toEqual(['share-datasets', 'share-payroll', 'share-scratch', 'workdirs']);
  });

  it('gives each share a static volume under <path>/shares/<share>', () => {
    expect(find(objects, 'PersistentVolume', 'nb-analytics-share-payroll').spec.nfs).toEqual({ server: '10.0.0.5', path: '/exports/notebooks/shares/payroll' });
    expect(find(objects, 'PersistentVolume', 'nb-analytics-share-payroll').metadata.labels).toMatchObject({ 'notebook-platform.io/team': 'analytics', 'notebook-platform.io/share': 'payroll' });
  });
});

describe('efs backend, adopted file system and access points', () => {
  const objects = allObjects(
    planOf((c) => {
      c.storage = { backend: 'efs', fileSystemId: 'fs-0123456789abcdef0' };
      c.shares.forEach((share: Record<string, unknown>, i: number) => (share.accessPointId = `fsap-0${i}`));
    }),
  );

  it('renders the StorageClass with the adopted id', () => {
    expect(find(objects, 'StorageClass', 'nb-analytics-workdir')).toMatchObject({ parameters: { fileSystemId: 'fs-0123456789abcdef0' }, reclaimPolicy: 'Retain' });
  });

  it('gives each share a static CSI volume on its access point', () => {
    expect(find(objects, 'PersistentVolume', 'nb-analytics-share-scratch').spec.csi).toEqual({ driver: 'efs.csi.aws.com', volumeHandle: 'fs-0123456789abcdef0::fsap-01' });
  });

  it('gives each session its own workdir claim, labelled with team, session and owner', () => {
    const claim = find(objects, 'PersistentVolumeClaim', 'workdir-churn');
    expect(claim.spec).toMatchObject({ storageClassName: 'nb-analytics-workdir', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } });
    expect(claim.metadata.labels).toMatchObject({ 'notebook-platform.io/team': 'analytics', 'notebook-platform.io/session': 'churn', 'notebook-platform.io/owner': 'alice' });
  });
});

describe('storageClass backend', () => {
  const plan = planOf((c) => {
    c.storage = { backend: 'storageClass', storageClassName: 'cephfs' };
    c.shares[0].access = 'team';
  });
  const objects = allObjects(plan);

  it('provisions share and workdir claims dynamically from the class, with no volumes', () => {
    expect(kinds(objects, 'PersistentVolume')).toEqual([]);
    expect(find(objects, 'PersistentVolumeClaim', 'share-datasets').spec.storageClassName).toBe('cephfs');
    expect(find(objects, 'PersistentVolumeClaim', 'workdir-report').spec.storageClassName).toBe('cephfs');
  });

  it('per-user state: one home claim per owner, labelled with the owner and no session', () => {
    const perUser = allObjects(
      planOf((c) => {
        c.storage = { backend: 'storageClass', storageClassName: 'cephfs' };
        c.shares = [];
        for (const session of c.sessions) delete session.shares;
        c.stateModel = 'user';
      }),
    );
    expect(kinds(perUser, 'PersistentVolumeClaim')).toEqual(['home-alice', 'home-bob', 'home-carol']);
    const home = find(perUser, 'PersistentVolumeClaim', 'home-bob');
    expect(home.metadata.labels).toMatchObject({ 'notebook-platform.io/owner': 'bob', 'notebook-platform.io/data': 'home' });
    expect(home.metadata.labels).not.toHaveProperty('notebook-platform.io/session');
  });
});

describe('share claims record their access for the policy pack', () => {
  it('annotates access level, readers and writers', () => {
    const claim = find(allObjects(planOf()), 'PersistentVolumeClaim', 'share-payroll');
    expect(claim.metadata.annotations).toMatchObject({ 'notebook-platform.io/share-access': 'restricted', 'notebook-platform.io/share-readers': 'bob' });
  });
});

/**
 * home-on-persistent-claim, data-retained-on-delete, efs-data-protected and share-entitlements
 * over the example stacks (nfs, EFS created, storageClass with per-user homes) and unsafe variants.
 */
import { RETAIN_ANNOTATION } from '../../../components/kubernetes/register';
import { SHARE_ACCESS_ANNOTATION } from '../../../components/manifests/storage';
import {
  dataRetainedRule, efsDataProtectedRule, homeOnPersistentClaimRule, PURGE_ANNOTATION, shareEntitlementsRule,
} from '../../../policies/rules';
import { all, clone, containerOf, messages, pick, podSpecOf, stackResources, TYPE, describeMandatoryRules } from './fixtures';

const IMAGING = 'StatefulSet nb-team-a/imaging';

describeMandatoryRules([
  ['home-on-persistent-claim', homeOnPersistentClaimRule],
  ['data-retained-on-delete', dataRetainedRule],
  ['efs-data-protected', efsDataProtectedRule],
  ['share-entitlements', shareEntitlementsRule],
]);

describe('home-on-persistent-claim', () => {
  it('fails a home on an emptyDir', async () => {
    const resources = await stackResources('team-a');
    const spec = podSpecOf(pick(resources, TYPE.statefulSet, 'imaging'));
    spec.volumes = spec.volumes.map((volume: { name: string }) => (volume.name === 'home' ? { name: 'home', emptyDir: {} } : volume));
    expect(await messages(homeOnPersistentClaimRule(), resources)).toEqual([
      `${IMAGING}: /home/jovyan is mounted from volume "home" (emptyDir), not a PersistentVolumeClaim; work there would be lost when the pod goes`,
    ]);
  });

  it('fails a notebook that does not mount its home', async () => {
    const resources = await stackResources('team-b');
    const notebook = containerOf(pick(resources, TYPE.statefulSet, 'reports'), 'notebook');
    notebook.volumeMounts = notebook.volumeMounts.filter((mount: { mountPath: string }) => mount.mountPath !== '/home/jovyan');
    expect(await messages(homeOnPersistentClaimRule(), resources)).toEqual([
      'StatefulSet nb-team-b/reports: the notebook container "notebook" does not mount /home/jovyan; work there would be lost when the pod restarts',
    ]);
  });

  it('fails a home claim the stack does not declare, and one that is not ReadWriteMany', async () => {
    const resources = await stackResources('team-a');
    const spec = podSpecOf(pick(resources, TYPE.statefulSet, 'imaging'));
    spec.volumes.find((volume: { name: string }) => volume.name === 'home').persistentVolumeClaim.claimName = 'workdir-elsewhere';
    pick(resources, TYPE.claim, 'workdir-trial-analysis').inputs.spec.accessModes = ['ReadWriteOnce'];
    expect(await messages(homeOnPersistentClaimRule(), resources)).toEqual([
      `${IMAGING}: the home claim workdir-elsewhere is not declared by the stack`,
      'StatefulSet nb-team-a/trial-analysis: the home claim workdir-trial-analysis is not ReadWriteMany (accessModes: ReadWriteOnce); the state models share homes between pods',
    ]);
  });
});

describe('data-retained-on-delete', () => {
  it('fails a claim that would go with its resource without a purge (annotation and option both false)', async () => {
    const resources = await stackResources('team-a');
    const claim = pick(resources, TYPE.claim, 'workdir-imaging');
    claim.inputs.metadata.annotations[RETAIN_ANNOTATION] = 'false';
    (claim.opts as { retainOnDelete: boolean }).retainOnDelete = false;
    expect(await messages(dataRetainedRule(), resources)).toEqual([
      `PersistentVolumeClaim nb-team-a/workdir-imaging would be deleted with its stack resource (${RETAIN_ANNOTATION}: "false") but is not being purged; data leaves only through an explicit purge`,
    ]);
  });

  it('fails an annotation that disagrees with the retainOnDelete option (offline, where the option is known)', async () => {
    const resources = await stackResources('demo');
    pick(resources, TYPE.claim, 'workdirs').inputs.metadata.annotations[RETAIN_ANNOTATION] = 'false';
    expect(await messages(dataRetainedRule(), resources)).toEqual([
      `PersistentVolumeClaim nb-demo/workdirs would be deleted with its stack resource (${RETAIN_ANNOTATION}: "false") but is not being purged; data leaves only through an explicit purge`,
      `PersistentVolumeClaim nb-demo/workdirs says ${RETAIN_ANNOTATION}: "false" but is registered with retainOnDelete: true`,
    ]);
  });

  it('accepts a purged session workdir, and only a session workdir', async () => {
    const resources = await stackResources('team-a');
    for (const name of ['workdir-imaging-retry', 'share-patients']) {
      const claim = pick(resources, TYPE.claim, name);
      Object.assign(claim.inputs.metadata.annotations, { [RETAIN_ANNOTATION]: 'false', [PURGE_ANNOTATION]: 'true' });
      (claim.opts as { retainOnDelete: boolean }).retainOnDelete = false;
    }
    expect(await messages(dataRetainedRule(), resources)).toEqual([
      'PersistentVolumeClaim nb-team-a/share-patients is marked for purge but is not a session workdir (notebook-platform.io/data: share); only a session\'s own claim can be purged',
    ]);
  });

  it('fails a claim that does not say, a volume and a StorageClass that reclaim with Delete', async () => {
    const resources = await stackResources('team-a');
    delete pick(resources, TYPE.claim, 'share-team-data').inputs.metadata.annotations[RETAIN_ANNOTATION];
    pick(resources, TYPE.volume, 'nb-team-a-share-team-data').inputs.spec.persistentVolumeReclaimPolicy = 'Delete';
    delete pick(resources, TYPE.storageClass).inputs.reclaimPolicy;
    // Sorted by URN: the volume, the claim, the StorageClass.
    expect(await messages(dataRetainedRule(), resources)).toEqual([
      'PersistentVolume nb-team-a-share-team-data reclaims with Delete: releasing its claim would delete the data; set persistentVolumeReclaimPolicy: Retain',
      `PersistentVolumeClaim nb-team-a/share-team-data does not say whether it is retained (annotation ${RETAIN_ANNOTATION} is missing); register it through registerObject(withRetention(...)) with retainOnDelete`,
      'StorageClass nb-team-a-workdir reclaims volumes with Delete (the default): deleting a claim would delete its data; set reclaimPolicy: Retain',
    ]);
  });
});

describe('efs-data-protected', () => {
  it('fails an unprotected, unretained, unencrypted file system', async () => {
    const resources = await stackResources('team-a');
    const fileSystem = pick(resources, TYPE.fileSystem);
    Object.assign(fileSystem.opts, { protect: false, retainOnDelete: false });
    fileSystem.inputs.encrypted = false;
    expect(await messages(efsDataProtectedRule(), resources)).toEqual([
      'EFS file system team-a-efs-fs is not protected: a destroy or a replacement would delete every notebook; set protect: true',
      'EFS file system team-a-efs-fs is not retained on delete; set retainOnDelete: true',
      'EFS file system team-a-efs-fs is not encrypted at rest; set encrypted: true',
    ]);
  });

  it('fails backups that are off, and a file system without a backup policy', async () => {
    const resources = await stackResources('team-a');
    pick(resources, TYPE.backupPolicy).inputs.backupPolicy.status = 'DISABLED';
    expect(await messages(efsDataProtectedRule(), resources)).toEqual(['EFS file system team-a-efs-fs has backups DISABLED; set backupPolicy.status: ENABLED']);
    const withoutBackups = resources.filter((r) => r.type !== TYPE.backupPolicy);
    expect(await messages(efsDataProtectedRule(), withoutBackups)).toEqual(['EFS file system team-a-efs-fs has no BackupPolicy; add aws.efs.BackupPolicy with status ENABLED']);
  });

  it('matches backup policies to file systems by where fileSystemId comes from, not by id (unknown in a preview)', async () => {
    const resources = await stackResources('team-a');
    const backup = pick(resources, TYPE.backupPolicy);
    (backup as unknown as { propertyDependencies: Record<string, string[]> }).propertyDependencies = { fileSystemId: ['urn:pulumi:team-a::notebook-platform::aws:efs/fileSystem:FileSystem::other'] };
    expect(await messages(efsDataProtectedRule(), resources)).toEqual(['EFS file system team-a-efs-fs has no BackupPolicy; add aws.efs.BackupPolicy with status ENABLED']);
  });
});

describe('share-entitlements', () => {
  it('fails a restricted share mounted in a session whose owner is not entitled', async () => {
    const resources = await stackResources('team-a');
    pick(resources, TYPE.statefulSet, 'imaging').inputs.spec.template.metadata.labels['notebook-platform.io/owner'] = 'mallory';
    expect(await messages(shareEntitlementsRule(), resources)).toEqual([
      `${IMAGING} mounts restricted share patients but owner mallory is not entitled (readers: erin; writers: dana)`,
    ]);
  });

  it('fails a share mounted read-write by an owner who may only read it', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    delete podSpecOf(statefulSet).volumes.find((volume: { name: string }) => volume.name === 'share-patients').persistentVolumeClaim.readOnly;
    delete containerOf(statefulSet, 'notebook').volumeMounts.find((mount: { name: string }) => mount.name === 'share-patients').readOnly;
    expect(await messages(shareEntitlementsRule(), resources)).toEqual([`${IMAGING} mounts restricted share patients read-write in "notebook" but owner erin may only read it`]);
  });

  it('fails a workload without an owner that mounts a restricted share (and a team share read-write)', async () => {
    const resources = await stackResources('demo');
    const session = pick(resources, TYPE.statefulSet, 'forecasting');
    const pod = clone(session);
    Object.assign(pod, { type: TYPE.pod, urn: 'urn:pulumi:demo::notebook-platform::kubernetes:core/v1:Pod::debug', name: 'debug' });
    pod.inputs = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'nb-demo' }, spec: session.inputs.spec.template.spec };
    resources.push(pod);
    // Without an owner, a workload is nobody's session: no restricted shares, the others read-only.
    expect(await messages(shareEntitlementsRule(), resources)).toEqual([
      'Pod nb-demo/debug mounts restricted share payroll but a workload without an owner (notebook-platform.io/owner) is not entitled (readers: bob; writers: carol)',
      'Pod nb-demo/debug mounts team share scratch read-write in "notebook" but a workload without an owner (notebook-platform.io/owner) may only read it',
    ]);
  });

  it('fails a share claim that does not record who may mount it', async () => {
    const resources = await stackResources('demo');
    delete pick(resources, TYPE.claim, 'share-payroll').inputs.metadata.annotations[SHARE_ACCESS_ANNOTATION];
    expect(await messages(shareEntitlementsRule(), resources)).toEqual([
      `PersistentVolumeClaim nb-demo/share-payroll is share payroll but does not record its access level (${SHARE_ACCESS_ANNOTATION}: missing); who may mount it cannot be checked`,
    ]);
  });

  it('reports each problem on the resource it is about', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    statefulSet.inputs.spec.template.metadata.labels['notebook-platform.io/owner'] = 'mallory';
    const { violations } = await import('./fixtures');
    expect((await violations(shareEntitlementsRule(), resources)).map((v) => v.urn)).toEqual([statefulSet.urn]);
    expect(all(resources, TYPE.claim).length).toBeGreaterThan(0);
  });
});

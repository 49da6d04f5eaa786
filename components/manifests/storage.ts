/**
 * Storage objects: the EFS StorageClass for workdirs, static volumes and claims for shares, the
 * nfs team volume, and the per-session or per-owner home claims. Claims and volumes always carry
 * labels naming team, session or share, and owner, so data can be listed and attributed.
 */
import type { HomeVolume, Plan, SharePlan } from '../config/plan';
import { NOTEBOOK_GID, NOTEBOOK_UID, PURGE_ANNOTATION, RETAIN_ANNOTATION, SHARE_ACCESS_ANNOTATION, SHARE_READERS_ANNOTATION, SHARE_WRITERS_ANNOTATION } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { PersistentVolumeClaimManifest, PersistentVolumeManifest, StorageClassManifest } from './kube';

export const EFS_CSI_DRIVER = 'efs.csi.aws.com';
const RWX = ['ReadWriteMany'] as const;

/**
 * An id Pulumi supplies at deployment (an Output in the Pulumi component), typed as the string it
 * becomes in the manifest; `synth` and cdk8s pass strings.
 */
const deferred = <Id>(id: Id) => id as Id & string;

/**
 * The EFS CSI StorageClass for per-session workdirs. Each claim gets an access point rooted at
 * `<basePath>/<namespace>/<claim>`; with `ensureUniqueDirectory: false` and `reuseAccessPoint` a
 * claim re-created under the same name finds the same directory. Reclaim is Retain.
 */
export function efsStorageClass<Id>(plan: Plan, fileSystemId: Id): StorageClassManifest {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: meta(plan.storage.storageClassName!, plan.storage.storageClassLabels!),
    provisioner: EFS_CSI_DRIVER,
    parameters: {
      basePath: plan.storage.basePath!,
      directoryPerms: '700',
      ensureUniqueDirectory: 'false',
      fileSystemId: deferred(fileSystemId),
      gid: String(NOTEBOOK_GID),
      provisioningMode: 'efs-ap',
      reuseAccessPoint: 'true',
      subPathPattern: '${.PVC.namespace}/${.PVC.name}',
      uid: String(NOTEBOOK_UID),
    },
    mountOptions: ['tls'],
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  };
}

function staticVolume(plan: Plan, name: string, size: string, labels: Record<string, string>, claimName: string, source: VolumeSource): PersistentVolumeManifest {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta(name, labels),
    spec: {
      accessModes: RWX,
      capacity: { storage: size },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claimName, namespace: plan.namespace },
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      volumeMode: 'Filesystem',
      ...source,
    },
  };
}

type VolumeSource = Pick<PersistentVolumeManifest['spec'] & object, 'mountOptions' | 'csi' | 'nfs'>;

function claim(
  plan: Plan,
  name: string,
  size: string,
  labels: Record<string, string>,
  binding: { volumeName: string } | { storageClassName: string },
  annotations?: Record<string, string>,
): PersistentVolumeClaimManifest {
  const spec: PersistentVolumeClaimManifest['spec'] & object = { accessModes: RWX, resources: { requests: { storage: size } } };
  if ('volumeName' in binding) {
    spec.storageClassName = '';
    spec.volumeName = binding.volumeName;
  } else {
    spec.storageClassName = binding.storageClassName;
  }
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(name, labels, plan.namespace, annotations), spec };
}

/** An EFS share's static volume: `volumeHandle` is `<fs id>::<access point id>`. */
export function efsShareVolume<Handle>(plan: Plan, share: SharePlan, volumeHandle: Handle): PersistentVolumeManifest {
  return staticVolume(plan, share.volumeName!, share.size, { ...share.labels }, share.claimName, {
    mountOptions: ['tls'],
    csi: { driver: EFS_CSI_DRIVER, volumeHandle: deferred(volumeHandle) },
  });
}

function nfsVolume(plan: Plan, name: string, size: string, labels: Record<string, string>, claimName: string, path: string): PersistentVolumeManifest {
  if (plan.storage.config.backend !== 'nfs') throw new Error('nfsVolume needs the nfs backend');
  return staticVolume(plan, name, size, labels, claimName, {
    mountOptions: ['nfsvers=4.1', 'hard'],
    nfs: { server: plan.storage.config.server, path },
  });
}

export { SHARE_ACCESS_ANNOTATION, SHARE_READERS_ANNOTATION, SHARE_WRITERS_ANNOTATION };

export function shareAccessAnnotations(share: SharePlan): Record<string, string> {
  return {
    [SHARE_ACCESS_ANNOTATION]: share.access,
    [SHARE_READERS_ANNOTATION]: share.readers.join(','),
    [SHARE_WRITERS_ANNOTATION]: share.writers.join(','),
  };
}

export function shareClaim(plan: Plan, share: SharePlan): PersistentVolumeClaimManifest {
  const binding = share.volumeName ? { volumeName: share.volumeName } : { storageClassName: plan.storage.storageClassName! };
  return claim(plan, share.claimName, share.size, { ...share.labels }, binding, shareAccessAnnotations(share));
}

/** The API group of VolumeSnapshots, which a restored claim names as its data source. */
export const SNAPSHOT_API_GROUP = 'snapshot.storage.k8s.io';

/** A home claim (per session or per owner) on the efs or storageClass backend; a restored home starts from its VolumeSnapshot. */
export function homeClaim(plan: Plan, home: HomeVolume): PersistentVolumeClaimManifest {
  const object = claim(plan, home.claimName, home.size, { ...home.labels }, { storageClassName: plan.storage.storageClassName! });
  if (home.restoreFrom && object.spec) object.spec.dataSource = { apiGroup: SNAPSHOT_API_GROUP, kind: 'VolumeSnapshot', name: home.restoreFrom };
  return object;
}

/**
 * Team-level storage objects whose values are all known before deployment. On efs the
 * StorageClass and share volumes need the file system and access point ids: when those are
 * Outputs (created by the stack), the platform component builds them itself with the same
 * functions; here they are included only when the ids are known (adopted).
 */
export function teamStorageObjects(plan: Plan): KubeObject[] {
  const objects: KubeObject[] = [];
  const storage = plan.storage;
  if (storage.config.backend === 'efs' && storage.config.fileSystemId) {
    objects.push(efsStorageClass(plan, storage.config.fileSystemId));
    for (const share of plan.shares) {
      if (share.volumeHandle) objects.push(efsShareVolume(plan, share, share.volumeHandle));
    }
  }
  if (storage.config.backend === 'nfs') {
    const workdir = storage.teamWorkdir!;
    objects.push(nfsVolume(plan, workdir.volumeName, workdir.size, workdir.labels, workdir.claimName, workdir.path));
    objects.push(claim(plan, workdir.claimName, workdir.size, workdir.labels, { volumeName: workdir.volumeName }));
    for (const share of plan.shares) objects.push(nfsVolume(plan, share.volumeName!, share.size, { ...share.labels }, share.claimName, share.nfsPath!));
  }
  for (const share of plan.shares) objects.push(shareClaim(plan, share));
  for (const { home } of plan.userHomes) objects.push(homeClaim(plan, home));
  return objects;
}

/** Whether the efs objects that need ids must be built by the Pulumi component (ids are Outputs). */
export function efsNeedsOutputs(plan: Plan): boolean {
  return plan.storage.config.backend === 'efs' && (!plan.storage.config.fileSystemId || plan.shares.some((share) => !share.accessPointId));
}

/** True for objects that hold user data: they are retained when they leave the config. */
export function holdsData(object: KubeObject): boolean {
  return object.kind === 'PersistentVolumeClaim' || object.kind === 'PersistentVolume';
}

/** What a data-holding object states about its retention (both deployment paths): retained or not, and a purge. */
export function retentionAnnotations(retain: boolean, purge: boolean): Record<string, string> {
  return purge ? { [RETAIN_ANNOTATION]: String(retain), [PURGE_ANNOTATION]: 'true' } : { [RETAIN_ANNOTATION]: String(retain) };
}

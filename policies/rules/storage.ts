/**
 * The persistence promise and data safety: a session's home is a persistent ReadWriteMany claim;
 * claims and volumes outlive the stack resources that declare them unless a purge says
 * otherwise; the EFS file system is protected, encrypted and backed up; shares are mounted only
 * by sessions whose owner may, and read-only where the owner may only read.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { DATA_LABEL, OWNER_LABEL, PURGE_ANNOTATION, RETAIN_ANNOTATION, SHARE_ACCESS_ANNOTATION, SHARE_LABEL, SHARE_READERS_ANNOTATION, SHARE_WRITERS_ANNOTATION, paths } from '../../shared/names';
import { ACCESS_LEVELS, shareAccess, type ShareAccessLevel as AccessLevel } from '../../shared/access';
import { ARGO_KEEP, ARGO_SYNC_OPTIONS_ANNOTATION, FLUX_KEEP, FLUX_PRUNE_ANNOTATION, gitOpsDeletionRoutes } from '../../shared/gitops';
import {
  describe, isNotebookWorkload, normalisePath, notebookContainerOf, podTemplateOf, TYPES,
  type KubeProps, type PersistentVolumeClaimSpec, type PersistentVolumeSpec, type PodTemplate, type StatefulSetSpec,
} from './kube';
import { resourceRule, stackRule, type ResourceRule, type StackRule } from './policy';

export { PURGE_ANNOTATION };

type Problem = { readonly message: string; readonly urn?: string };
const HOLDS_DATA: readonly string[] = [TYPES.persistentVolumeClaim, TYPES.persistentVolume];

// ---- data-retained-on-delete ---------------------------------------------------------------

/**
 * Claims and volumes say they are retained (RETAIN_ANNOTATION "true") unless purged; a purge is
 * explicit (PURGE_ANNOTATION "true") and only ever on a session's workdir. Volumes and
 * StorageClasses reclaim with Retain. Offline, where the real retainOnDelete option is known,
 * the annotation must agree with it. An object read from manifests (`gitOps`) that says it is
 * retained must also be kept by the GitOps tools that sync it: no pruning, no deletion.
 */
export function checkRetention(type: string, props: KubeProps, retainOnDelete?: boolean, gitOps = false): string[] {
  const what = describe(props);
  if (type === TYPES.storageClass) {
    const policy = props.reclaimPolicy as string | undefined;
    return policy === 'Retain' ? [] : [`${what} reclaims volumes with ${policy ?? 'Delete (the default)'}: deleting a claim would delete its data; set reclaimPolicy: Retain`];
  }
  if (!HOLDS_DATA.includes(type)) return [];
  const problems: string[] = [];
  const annotations = props.metadata?.annotations ?? {};
  const retain = annotations[RETAIN_ANNOTATION];
  const purged = annotations[PURGE_ANNOTATION] === 'true';
  if (retain === undefined) {
    problems.push(`${what} does not say whether it is retained (annotation ${RETAIN_ANNOTATION} is missing); register it through registerObject(withRetention(...)) with retainOnDelete`);
  } else if (retain !== 'true' && !purged) {
    problems.push(`${what} would be deleted with its stack resource (${RETAIN_ANNOTATION}: "${retain}") but is not being purged; data leaves only through an explicit purge`);
  } else if (retain !== 'true' && props.metadata?.labels?.[DATA_LABEL] !== 'workdir') {
    problems.push(`${what} is marked for purge but is not a session workdir (${DATA_LABEL}: ${props.metadata?.labels?.[DATA_LABEL] ?? 'none'}); only a session's own claim can be purged`);
  }
  if (retain !== undefined && retainOnDelete !== undefined && String(retainOnDelete) !== retain) {
    problems.push(`${what} says ${RETAIN_ANNOTATION}: "${retain}" but is registered with retainOnDelete: ${retainOnDelete}`);
  }
  const routes = gitOps && retain === 'true' ? gitOpsDeletionRoutes(annotations) : [];
  if (routes.length > 0) {
    problems.push(
      `${what} says ${RETAIN_ANNOTATION}: "true" but a GitOps sync could delete it (${routes.join('; ')}); ` +
        `annotate it ${ARGO_SYNC_OPTIONS_ANNOTATION}: "${ARGO_KEEP}" and ${FLUX_PRUNE_ANNOTATION}: "${FLUX_KEEP}" (synth and the cdk8s constructs do)`,
    );
  }
  if (type === TYPES.persistentVolume) {
    const reclaim = (props.spec as PersistentVolumeSpec | undefined)?.persistentVolumeReclaimPolicy;
    if (reclaim !== undefined && reclaim !== 'Retain' && !purged) problems.push(`${what} reclaims with ${reclaim}: releasing its claim would delete the data; set persistentVolumeReclaimPolicy: Retain`);
  }
  return problems;
}

export function dataRetainedRule(): ResourceRule {
  return resourceRule(
    {
      name: 'data-retained-on-delete',
      description: 'Claims and volumes are retained when they leave the stack (unless purged), and volumes and StorageClasses reclaim with Retain.',
      enforcementLevel: 'mandatory',
      remediationSteps:
        `Register claims and volumes with retainOnDelete: true and ${RETAIN_ANNOTATION}: "true" (withRetention in components/kubernetes/register.ts); only a purged session's claim may say "false", with ${PURGE_ANNOTATION}: "true". Use reclaimPolicy Retain.`,
    },
    [...HOLDS_DATA, TYPES.storageClass],
    (props, args) => {
      const opts = args.opts as { retainOnDelete?: boolean; gitOps?: boolean };
      return checkRetention(args.type, props as KubeProps, opts.retainOnDelete, opts.gitOps === true);
    },
  );
}

// ---- home-on-persistent-claim ----------------------------------------------------------------

const claimKey = (namespace: string | undefined, name: string) => `${namespace ?? 'default'}/${name}`;

/** Declared claims by namespace/name. */
function claimsOf(resources: readonly PolicyResource[]): Map<string, PolicyResource> {
  const claims = new Map<string, PolicyResource>();
  for (const resource of resources) {
    if (resource.type !== TYPES.persistentVolumeClaim) continue;
    const metadata = (resource.props as KubeProps).metadata;
    if (metadata?.name) claims.set(claimKey(metadata.namespace, metadata.name), resource);
  }
  return claims;
}

/** Workloads with their pod template. */
function workloadsOf(resources: readonly PolicyResource[]): { resource: PolicyResource; props: KubeProps; template: PodTemplate }[] {
  const workloads: { resource: PolicyResource; props: KubeProps; template: PodTemplate }[] = [];
  for (const resource of resources) {
    const template = podTemplateOf(resource.type, resource.props);
    if (template) workloads.push({ resource, props: resource.props as KubeProps, template });
  }
  return workloads;
}

/**
 * A notebook pod's home: the notebook container mounts /home/jovyan from a PersistentVolumeClaim
 * (declared in the stack, or a StatefulSet claim template) that is ReadWriteMany, read-write.
 */
export function checkHome(props: KubeProps, template: PodTemplate, claims: ReadonlyMap<string, { accessModes?: string[] }>): string[] {
  const what = describe(props);
  const container = notebookContainerOf(template);
  if (!container) return [`${what} has no containers`];
  const mount = (container.volumeMounts ?? []).find((m) => normalisePath(m.mountPath) === paths.home);
  if (!mount) return [`${what}: the notebook container "${container.name}" does not mount ${paths.home}; work there would be lost when the pod restarts`];
  const problems: string[] = [];
  if (mount.readOnly) problems.push(`${what}: ${paths.home} is mounted read-only`);
  const volume = (template.spec.volumes ?? []).find((v) => v.name === mount.name);
  const claimTemplate = ((props.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates ?? []).find((t) => t.metadata?.name === mount.name);
  let accessModes: string[] | undefined;
  let claimName: string;
  if (volume?.persistentVolumeClaim?.claimName) {
    claimName = volume.persistentVolumeClaim.claimName;
    const claim = claims.get(claimKey(props.metadata?.namespace, claimName));
    if (!claim) return [...problems, `${what}: the home claim ${claimName} is not declared by the stack`];
    accessModes = claim.accessModes;
  } else if (claimTemplate && !volume) {
    claimName = `${mount.name} (claim template)`;
    accessModes = claimTemplate.spec?.accessModes;
  } else {
    const source = volume ? Object.keys(volume).filter((key) => key !== 'name').join(', ') || 'nothing' : 'no such volume';
    return [...problems, `${what}: ${paths.home} is mounted from volume "${mount.name}" (${source}), not a PersistentVolumeClaim; work there would be lost when the pod goes`];
  }
  if (!(accessModes ?? []).includes('ReadWriteMany')) {
    problems.push(`${what}: the home claim ${claimName} is not ReadWriteMany (accessModes: ${(accessModes ?? []).join(', ') || 'none'}); the state models share homes between pods`);
  }
  return problems;
}

export function checkHomes(resources: readonly PolicyResource[]): Problem[] {
  const claims = new Map([...claimsOf(resources)].map(([key, claim]) => [key, { accessModes: (claim.props.spec as PersistentVolumeClaimSpec | undefined)?.accessModes }]));
  const problems: Problem[] = [];
  for (const { resource, props, template } of workloadsOf(resources)) {
    if (!isNotebookWorkload(props, template)) continue;
    for (const message of checkHome(props, template, claims)) problems.push({ message, urn: resource.urn });
  }
  return problems;
}

export function homeOnPersistentClaimRule(): StackRule {
  return stackRule(
    {
      name: 'home-on-persistent-claim',
      description: `Every notebook mounts ${paths.home} from a ReadWriteMany PersistentVolumeClaim the stack declares.`,
      enforcementLevel: 'mandatory',
      remediationSteps: `Mount the session's home claim (names.sessionWorkdirClaim, userHomeClaim or the nfs team claim with a subPath) at ${paths.home} in the notebook container, with accessModes [ReadWriteMany].`,
    },
    (args: StackValidationArgs) => checkHomes(args.resources),
  );
}

// ---- efs-data-protected ------------------------------------------------------------------------

/** The resources a resource's `property` input came from (property dependencies, else all dependencies). */
function inputsFrom(resource: PolicyResource, property: string): readonly PolicyResource[] {
  return resource.propertyDependencies[property] ?? resource.dependencies;
}

/**
 * Every EFS file system the stack creates is protected, encrypted and has an ENABLED backup
 * policy. Backup policies are matched to file systems by where their fileSystemId comes from
 * (ids are unknown before deployment).
 */
export function checkEfs(resources: readonly PolicyResource[]): Problem[] {
  const problems: Problem[] = [];
  const backups = resources.filter((r) => r.type === TYPES.efsBackupPolicy);
  for (const fileSystem of resources.filter((r) => r.type === TYPES.efsFileSystem)) {
    const what = `EFS file system ${fileSystem.name}`;
    if (!fileSystem.opts.protect) problems.push({ message: `${what} is not protected: a destroy or a replacement would delete every notebook; set protect: true`, urn: fileSystem.urn });
    const retainOnDelete = (fileSystem.opts as { retainOnDelete?: boolean }).retainOnDelete;
    if (retainOnDelete === false) problems.push({ message: `${what} is not retained on delete; set retainOnDelete: true`, urn: fileSystem.urn });
    if (fileSystem.props.encrypted !== true) problems.push({ message: `${what} is not encrypted at rest; set encrypted: true`, urn: fileSystem.urn });
    const own = backups.filter((backup) => inputsFrom(backup, 'fileSystemId').some((source) => source.urn === fileSystem.urn));
    if (own.length === 0) problems.push({ message: `${what} has no BackupPolicy; add aws.efs.BackupPolicy with status ENABLED`, urn: fileSystem.urn });
    else if (!own.some((backup) => (backup.props.backupPolicy as { status?: string } | undefined)?.status === 'ENABLED')) {
      problems.push({ message: `${what} has backups ${own.map((b) => (b.props.backupPolicy as { status?: string } | undefined)?.status ?? 'unset').join(', ')}; set backupPolicy.status: ENABLED`, urn: fileSystem.urn });
    }
  }
  return problems;
}

export function efsDataProtectedRule(): StackRule {
  return stackRule(
    {
      name: 'efs-data-protected',
      description: 'Every EFS file system the stack creates is protected, retained, encrypted and has ENABLED backups.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Create the file system with encrypted: true and { protect: true, retainOnDelete: true }, and an aws.efs.BackupPolicy on it with status ENABLED (components/aws/efs.ts does).',
    },
    (args: StackValidationArgs) => checkEfs(args.resources),
  );
}

// ---- share-entitlements ------------------------------------------------------------------------

export interface ShareEntitlement {
  readonly share: string;
  readonly access: AccessLevel;
  readonly readers: readonly string[];
  readonly writers: readonly string[];
}

const list = (value: string | undefined) => (value ? value.split(',').map((item) => item.trim()).filter(Boolean) : []);

/** What a share claim records about who may mount it, or a problem when it records nothing usable. */
export function entitlementOf(props: KubeProps): ShareEntitlement | string {
  const metadata = props.metadata ?? {};
  const share = metadata.labels?.[SHARE_LABEL] ?? '?';
  const access = metadata.annotations?.[SHARE_ACCESS_ANNOTATION];
  if (!access || !(ACCESS_LEVELS as readonly string[]).includes(access)) {
    return `${describe(props)} is share ${share} but does not record its access level (${SHARE_ACCESS_ANNOTATION}: ${access ?? 'missing'}); who may mount it cannot be checked`;
  }
  return { share, access: access as AccessLevel, readers: list(metadata.annotations?.[SHARE_READERS_ANNOTATION]), writers: list(metadata.annotations?.[SHARE_WRITERS_ANNOTATION]) };
}

/**
 * A workload's share mounts against the share claims' entitlements: the owner (OWNER_LABEL) must
 * be entitled (the same shareAccess the plan uses) and must mount read-only where it may only read.
 */
export function checkShareMounts(props: KubeProps, template: PodTemplate, shares: ReadonlyMap<string, ShareEntitlement>): string[] {
  const what = describe(props);
  const owner = template.metadata.labels?.[OWNER_LABEL] ?? props.metadata?.labels?.[OWNER_LABEL];
  const problems: string[] = [];
  for (const volume of template.spec.volumes ?? []) {
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const share = shares.get(claimKey(props.metadata?.namespace, claimName));
    if (!share) continue;
    const access = owner === undefined ? (share.access === 'restricted' ? 'none' : 'read') : shareAccess(share, owner);
    const who = owner === undefined ? `a workload without an owner (${OWNER_LABEL})` : `owner ${owner}`;
    if (access === 'none') {
      problems.push(`${what} mounts ${share.access} share ${share.share} but ${who} is not entitled (readers: ${share.readers.join(', ') || 'none'}; writers: ${share.writers.join(', ') || 'none'})`);
      continue;
    }
    if (access === 'read' && !volume.persistentVolumeClaim?.readOnly) {
      const writable = [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])].filter((container) =>
        (container.volumeMounts ?? []).some((mount) => mount.name === volume.name && !mount.readOnly),
      );
      if (writable.length > 0) {
        problems.push(`${what} mounts ${share.access} share ${share.share} read-write in ${writable.map((c) => `"${c.name}"`).join(', ')} but ${who} may only read it`);
      }
    }
  }
  return problems;
}

/** Share claims by namespace/name with who may mount them; a share claim that does not record it is a problem. */
export function shareClaimsOf(resources: readonly PolicyResource[]): { shares: Map<string, ShareEntitlement>; problems: Problem[] } {
  const problems: Problem[] = [];
  const shares = new Map<string, ShareEntitlement>();
  for (const resource of resources) {
    if (resource.type !== TYPES.persistentVolumeClaim) continue;
    const props = resource.props as KubeProps;
    if (props.metadata?.labels?.[SHARE_LABEL] === undefined) continue;
    const entitlement = entitlementOf(props);
    if (typeof entitlement === 'string') problems.push({ message: entitlement, urn: resource.urn });
    else shares.set(claimKey(props.metadata?.namespace, props.metadata?.name ?? ''), entitlement);
  }
  return { shares, problems };
}

export function checkShares(resources: readonly PolicyResource[]): Problem[] {
  const { shares, problems } = shareClaimsOf(resources);
  for (const { resource, props, template } of workloadsOf(resources)) {
    for (const message of checkShareMounts(props, template, shares)) problems.push({ message, urn: resource.urn });
  }
  return problems;
}

export function shareEntitlementsRule(): StackRule {
  return stackRule(
    {
      name: 'share-entitlements',
      description: 'Shares are mounted only by sessions whose owner is entitled, and read-only where the owner may only read.',
      enforcementLevel: 'mandatory',
      remediationSteps: `Mount a share only in sessions of its readers or writers (restricted) and read-only unless the owner is a writer; share claims record access, readers and writers (${SHARE_ACCESS_ANNOTATION}, ${SHARE_READERS_ANNOTATION}, ${SHARE_WRITERS_ANNOTATION}).`,
    },
    (args: StackValidationArgs) => checkShares(args.resources),
  );
}


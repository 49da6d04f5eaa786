/**
 * Kubernetes shapes for the rules: type tokens, typed props (the @pulumi/kubernetes input types,
 * unwrapped: what a policy receives is plain JSON), and the pod template of any workload. Type
 * imports only: the pack never loads the provider SDKs, so it starts fast and shares nothing
 * with the program's copy of @pulumi/pulumi.
 */
import type { Unwrap } from '@pulumi/pulumi';
import type * as k8s from '@pulumi/kubernetes/types/input';
import { COMPONENT_LABEL, JUPYTER_PORT, NOTEBOOK_COMPONENT } from '../../shared/names';

export type ObjectMeta = Unwrap<k8s.meta.v1.ObjectMeta>;
export type PodSpec = Unwrap<k8s.core.v1.PodSpec>;
export type Container = Unwrap<k8s.core.v1.Container>;
export type Volume = Unwrap<k8s.core.v1.Volume>;
export type PersistentVolumeClaimSpec = Unwrap<k8s.core.v1.PersistentVolumeClaimSpec>;
export type PersistentVolumeSpec = Unwrap<k8s.core.v1.PersistentVolumeSpec>;
export type ServiceSpec = Unwrap<k8s.core.v1.ServiceSpec>;
export type NetworkPolicySpec = Unwrap<k8s.networking.v1.NetworkPolicySpec>;
export type StatefulSetSpec = Unwrap<k8s.apps.v1.StatefulSetSpec>;

/** A Kubernetes object as a policy sees a resource's props. */
export interface KubeProps {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: unknown;
  readonly [field: string]: unknown;
}

/** Pulumi type tokens the rules look at. */
export const TYPES = {
  namespace: 'kubernetes:core/v1:Namespace',
  pod: 'kubernetes:core/v1:Pod',
  service: 'kubernetes:core/v1:Service',
  configMap: 'kubernetes:core/v1:ConfigMap',
  persistentVolumeClaim: 'kubernetes:core/v1:PersistentVolumeClaim',
  persistentVolume: 'kubernetes:core/v1:PersistentVolume',
  resourceQuota: 'kubernetes:core/v1:ResourceQuota',
  limitRange: 'kubernetes:core/v1:LimitRange',
  statefulSet: 'kubernetes:apps/v1:StatefulSet',
  deployment: 'kubernetes:apps/v1:Deployment',
  daemonSet: 'kubernetes:apps/v1:DaemonSet',
  replicaSet: 'kubernetes:apps/v1:ReplicaSet',
  job: 'kubernetes:batch/v1:Job',
  cronJob: 'kubernetes:batch/v1:CronJob',
  networkPolicy: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
  ingress: 'kubernetes:networking.k8s.io/v1:Ingress',
  storageClass: 'kubernetes:storage.k8s.io/v1:StorageClass',
  roleBinding: 'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
  clusterRoleBinding: 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding',
  efsFileSystem: 'aws:efs/fileSystem:FileSystem',
  efsBackupPolicy: 'aws:efs/backupPolicy:BackupPolicy',
} as const;

/** The pod template of a workload: the Pod itself, or the template its controller stamps out. */
export interface PodTemplate {
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
}

/** The types holding a pod spec, and where. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  [TYPES.pod]: [],
  [TYPES.statefulSet]: ['spec', 'template'],
  [TYPES.deployment]: ['spec', 'template'],
  [TYPES.daemonSet]: ['spec', 'template'],
  [TYPES.replicaSet]: ['spec', 'template'],
  [TYPES.job]: ['spec', 'template'],
  [TYPES.cronJob]: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_TYPES: readonly string[] = Object.keys(TEMPLATE_PATHS);

/** The pod template of a workload resource, or undefined for anything else (or a workload without a spec yet). */
export function podTemplateOf(type: string, props: Record<string, unknown>): PodTemplate | undefined {
  const path = TEMPLATE_PATHS[type];
  if (!path) return undefined;
  let node: unknown = props;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  const template = node as { metadata?: ObjectMeta; spec?: PodSpec } | undefined;
  if (!template?.spec) return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec };
}

export type ContainerKind = 'container' | 'init container' | 'ephemeral container';

/** Every container of a pod, init containers first, with what kind each is. */
export function containersOf(spec: PodSpec): { readonly container: Container; readonly kind: ContainerKind }[] {
  return [
    ...(spec.initContainers ?? []).map((container) => ({ container, kind: 'init container' as const })),
    ...(spec.containers ?? []).map((container) => ({ container, kind: 'container' as const })),
    ...((spec.ephemeralContainers ?? []) as Container[]).map((container) => ({ container, kind: 'ephemeral container' as const })),
  ];
}

/** `StatefulSet nb-team-a/analysis`, `PersistentVolume nb-team-a-share-data`: how messages name an object. */
export function describe(props: KubeProps): string {
  const kind = props.kind ?? 'object';
  const name = props.metadata?.name ?? '?';
  return props.metadata?.namespace ? `${kind} ${props.metadata.namespace}/${name}` : `${kind} ${name}`;
}

/** `init container "git-sync"`. */
export function describeContainer(kind: ContainerKind, container: Container): string {
  return `${kind} "${container.name ?? '?'}"`;
}

/** Whether a workload is a notebook session: the component label on the workload or its pods. */
export function isNotebookWorkload(props: KubeProps, template: PodTemplate): boolean {
  return props.metadata?.labels?.[COMPONENT_LABEL] === NOTEBOOK_COMPONENT || template.metadata.labels?.[COMPONENT_LABEL] === NOTEBOOK_COMPONENT;
}

/**
 * The notebook container of a session pod: the one serving the Jupyter port, else the pod's
 * `kubectl.kubernetes.io/default-container`, else the first container.
 */
export function notebookContainerOf(template: PodTemplate): Container | undefined {
  const containers = template.spec.containers ?? [];
  const serving = containers.find((container) => (container.ports ?? []).some((port) => port.containerPort === JUPYTER_PORT));
  if (serving) return serving;
  const preferred = template.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  return containers.find((container) => container.name === preferred) ?? containers[0];
}

/** A mount path without a trailing slash, for comparisons. */
export function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * Kubernetes objects typed by the Kubernetes API definitions that cdk8s-plus-27 ships (its `k8s`
 * module, generated from the API's OpenAPI schema), in the form they take in a manifest. Every
 * builder of this folder returns one of these, so a misspelt field or a value of the wrong type
 * fails `tsc` (test/unit/manifests/kube-types.test.ts compiles a fixture that must fail).
 *
 * Why types only, and not the module's classes or its `manifest()`/`toJson_*` functions: those
 * walk every field of every object at run time (an object per schema type, then a copy per set
 * field), which measured more than the whole of `synth` at 1000 sessions (bench/). The types
 * cost nothing at run time and the objects stay the plain values they were, byte for byte.
 *
 * `Manifest<T>` is `T` as JSON: the module's `Quantity` and `IntOrString` classes are the string
 * or number they render to, and the few fields the module renames (`clusterIp` for `clusterIP`)
 * carry their JSON names again (JSON_FIELD_NAMES; a test checks it against the module's own
 * `toJson_*` functions).
 */
import type { k8s } from 'cdk8s-plus-27';
import type { ObjectMeta } from './objects';

/** The module's TypeScript field names that differ from the API's JSON names, and the JSON name of each. */
export const JSON_FIELD_NAMES = {
  ref: '$ref',
  schema: '$schema',
  clusterIp: 'clusterIP',
  datasetUuid: 'datasetUUID',
  diskUri: 'diskURI',
  externalId: 'externalID',
  hostIp: 'hostIP',
  hostIpc: 'hostIPC',
  hostPid: 'hostPID',
  insecureSkipTlsVerify: 'insecureSkipTLSVerify',
  loadBalancerIp: 'loadBalancerIP',
  nodeId: 'nodeID',
  nonResourceUrLs: 'nonResourceURLs',
  pdId: 'pdID',
  podCidr: 'podCIDR',
  podCidRs: 'podCIDRs',
  providerId: 'providerID',
  setHostnameAsFqdn: 'setHostnameAsFQDN',
  storagePolicyId: 'storagePolicyID',
  targetCpuUtilizationPercentage: 'targetCPUUtilizationPercentage',
  targetWwNs: 'targetWWNs',
  volumeId: 'volumeID',
  xKubernetesEmbeddedResource: 'x-kubernetes-embedded-resource',
  xKubernetesIntOrString: 'x-kubernetes-int-or-string',
  xKubernetesListMapKeys: 'x-kubernetes-list-map-keys',
  xKubernetesListType: 'x-kubernetes-list-type',
  xKubernetesMapType: 'x-kubernetes-map-type',
  xKubernetesPreserveUnknownFields: 'x-kubernetes-preserve-unknown-fields',
  xKubernetesValidations: 'x-kubernetes-validations',
} as const;

type JsonName<K> = K extends keyof typeof JSON_FIELD_NAMES ? (typeof JSON_FIELD_NAMES)[K] : K;

/**
 * A type of the `k8s` module as it appears in a manifest. Fields keep their optionality and are
 * writable (builders fill a spec step by step); lists are readonly so that constant lists can be
 * used as they are.
 */
export type Manifest<T> = T extends k8s.Quantity | k8s.IntOrString
  ? string | number
  : T extends readonly (infer Item)[]
    ? readonly Manifest<Item>[]
    : T extends object
      ? { -readonly [K in keyof T as JsonName<K>]: Manifest<T[K]> }
      : T;

/** A whole object: `apiVersion` and `kind` as the module's class sets them, metadata with a name. */
export type KubeManifest<ApiVersion extends string, Kind extends string, Props extends { readonly metadata?: unknown }> = {
  readonly apiVersion: ApiVersion;
  readonly kind: Kind;
  readonly metadata: ObjectMeta;
} & Omit<Manifest<Props>, 'metadata'>;

export type NamespaceManifest = KubeManifest<'v1', 'Namespace', k8s.KubeNamespaceProps>;
export type ServiceAccountManifest = KubeManifest<'v1', 'ServiceAccount', k8s.KubeServiceAccountProps>;
export type ServiceManifest = KubeManifest<'v1', 'Service', k8s.KubeServiceProps>;
export type ConfigMapManifest = KubeManifest<'v1', 'ConfigMap', k8s.KubeConfigMapProps>;
export type PersistentVolumeManifest = KubeManifest<'v1', 'PersistentVolume', k8s.KubePersistentVolumeProps>;
export type PersistentVolumeClaimManifest = KubeManifest<'v1', 'PersistentVolumeClaim', k8s.KubePersistentVolumeClaimProps>;
export type ResourceQuotaManifest = KubeManifest<'v1', 'ResourceQuota', k8s.KubeResourceQuotaProps>;
export type LimitRangeManifest = KubeManifest<'v1', 'LimitRange', k8s.KubeLimitRangeProps>;
export type StatefulSetManifest = KubeManifest<'apps/v1', 'StatefulSet', k8s.KubeStatefulSetProps>;
export type DeploymentManifest = KubeManifest<'apps/v1', 'Deployment', k8s.KubeDeploymentProps>;
export type CronJobManifest = KubeManifest<'batch/v1', 'CronJob', k8s.KubeCronJobProps>;
export type NetworkPolicyManifest = KubeManifest<'networking.k8s.io/v1', 'NetworkPolicy', k8s.KubeNetworkPolicyProps>;
export type IngressManifest = KubeManifest<'networking.k8s.io/v1', 'Ingress', k8s.KubeIngressProps>;
export type RoleManifest = KubeManifest<'rbac.authorization.k8s.io/v1', 'Role', k8s.KubeRoleProps>;
export type RoleBindingManifest = KubeManifest<'rbac.authorization.k8s.io/v1', 'RoleBinding', k8s.KubeRoleBindingProps>;
export type StorageClassManifest = KubeManifest<'storage.k8s.io/v1', 'StorageClass', k8s.KubeStorageClassProps>;

export type PodSpecManifest = Manifest<k8s.PodSpec>;
/** A container as in a pod spec (`k8s.Container` in manifest form): what `NotebookSessionConstruct.addSidecar` takes. */
export type ContainerManifest = Manifest<k8s.Container>;
export type SecurityContextManifest = Manifest<k8s.SecurityContext>;
export type ProbeManifest = Manifest<k8s.Probe>;
/** A pod volume (`k8s.Volume` in manifest form): what `NotebookSessionConstruct.addVolume` takes. */
export type VolumeManifest = Manifest<k8s.Volume>;
/** A container's volume mount (`k8s.VolumeMount` in manifest form). */
export type VolumeMountManifest = Manifest<k8s.VolumeMount>;
export type EnvVarManifest = Manifest<k8s.EnvVar>;
export type PolicyRuleManifest = Manifest<k8s.PolicyRule>;
export type NetworkPolicyPeerManifest = Manifest<k8s.NetworkPolicyPeer>;
export type NetworkPolicyPortManifest = Manifest<k8s.NetworkPolicyPort>;
export type NetworkPolicyEgressRuleManifest = Manifest<k8s.NetworkPolicyEgressRule>;
export type NetworkPolicyIngressRuleManifest = Manifest<k8s.NetworkPolicyIngressRule>;
export type NetworkPolicySpecManifest = Manifest<k8s.NetworkPolicySpec>;

/**
 * A value that Pulumi supplies at deployment (an EFS id that is an Output) where the manifest
 * holds a string: `Id` is `string` for cdk8s and `synth`, an Input in the Pulumi component.
 */
export type Deferred<T, Field extends keyof T, Id> = Omit<T, Field> & { [K in Field]: Id };

/**
 * Registers plain Kubernetes objects as typed @pulumi/kubernetes resources, one resource per
 * object, client-side: under mocks and in the policy pack every object is visible with its real
 * type token (`kubernetes:apps/v1:StatefulSet`).
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { getVersion } from '@pulumi/kubernetes/utilities';
import type { KubeObject } from '../manifests/objects';
import { PURGE_ANNOTATION, RETAIN_ANNOTATION } from '../config/names';
import { kubeResourceName } from '../../shared/kube-resources';
import { holdsData, retentionAnnotations } from '../manifests/storage';

type ResourceClass = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const CLASSES: Record<string, ResourceClass> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/Service': k8s.core.v1.Service,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/PersistentVolume': k8s.core.v1.PersistentVolume,
  'v1/PersistentVolumeClaim': k8s.core.v1.PersistentVolumeClaim,
  'v1/ResourceQuota': k8s.core.v1.ResourceQuota,
  'v1/LimitRange': k8s.core.v1.LimitRange,
  'apps/v1/StatefulSet': k8s.apps.v1.StatefulSet,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'batch/v1/CronJob': k8s.batch.v1.CronJob,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'networking.k8s.io/v1/Ingress': k8s.networking.v1.Ingress,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'storage.k8s.io/v1/StorageClass': k8s.storage.v1.StorageClass,
};

/** The Pulumi resource name of an object: `<namespace or "cluster">/<Kind>/<name>`, stable and unique in a stack. */
export function resourceName(object: KubeObject): string {
  return kubeResourceName(object);
}

/**
 * Kinds whose generated class adds `aliases` to the pre-v1 types of the same kind
 * (`kubernetes:apps/v1beta1:StatefulSet`, `kubernetes:networking.k8s.io/v1beta1:Ingress`, ...).
 * Those aliases only matter to a stack that once registered the beta type, which this package
 * never did; but the SDK turns every alias into a chain of Outputs per resource, and with two on
 * each session's StatefulSet and Ingress that was about a quarter of the CPU time and 190 MB of
 * the peak memory of evaluating 1000 sessions (bench/). These kinds are registered as the same
 * type token, name, inputs and provider version as their class, without the aliases.
 */
const WITHOUT_LEGACY_ALIASES = new Set([
  'apps/v1/StatefulSet',
  'apps/v1/Deployment',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/NetworkPolicy',
  'networking.k8s.io/v1/Ingress',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'storage.k8s.io/v1/StorageClass',
]);

/** The provider version the generated classes request (their `resourceOptsDefaults`). */
const PROVIDER_VERSION = getVersion();

export function registerObject(object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const kind = `${object.apiVersion}/${object.kind}`;
  const Class = CLASSES[kind];
  if (!Class) throw new Error(`no Pulumi resource type registered for ${object.apiVersion} ${object.kind}`);
  if (!WITHOUT_LEGACY_ALIASES.has(kind)) return new Class(resourceName(object), object as never, opts);
  // What the class's constructor does, minus the aliases; the instance is still `instanceof Class`.
  const type = (Class as unknown as { __pulumiType: string }).__pulumiType;
  const args = [type, resourceName(object), { ...object }, pulumi.mergeOptions({ version: PROVIDER_VERSION }, opts)];
  return Reflect.construct(pulumi.CustomResource, args, Class) as pulumi.CustomResource;
}

export { RETAIN_ANNOTATION, PURGE_ANNOTATION };

/** The kubernetes provider's annotation that makes a server-side apply take over conflicting fields. */
export const PATCH_FORCE_ANNOTATION = 'pulumi.com/patchForce';

/** A data-holding object stating its retention (and, for a purged session's claim, the purge). */
export function withRetention(object: KubeObject, retain: boolean, purge = false): KubeObject {
  if (!holdsData(object)) return object;
  const annotations: Record<string, string> = { ...object.metadata.annotations, ...retentionAnnotations(retain, purge) };
  if (purge) {
    // A purge may re-adopt a claim an earlier registration left behind (orphans prints how); that
    // registration's field manager still owns the retain annotation, so the apply takes it over.
    annotations[PATCH_FORCE_ANNOTATION] = 'true';
  }
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/**
 * Registers plain Kubernetes objects as typed @pulumi/kubernetes resources, one resource per
 * object, client-side: under mocks and in the policy pack every object is visible with its real
 * type token (`kubernetes:apps/v1:StatefulSet`).
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { KubeObject } from '../manifests/objects';

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
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'networking.k8s.io/v1/Ingress': k8s.networking.v1.Ingress,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'storage.k8s.io/v1/StorageClass': k8s.storage.v1.StorageClass,
};

/** The Pulumi resource name of an object: `<namespace or "cluster">/<Kind>/<name>`, stable and unique in a stack. */
export function resourceName(object: KubeObject): string {
  return `${object.metadata.namespace ?? 'cluster'}/${object.kind}/${object.metadata.name}`;
}

export function registerObject(object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const Class = CLASSES[`${object.apiVersion}/${object.kind}`];
  if (!Class) throw new Error(`no Pulumi resource type registered for ${object.apiVersion} ${object.kind}`);
  return new Class(resourceName(object), object as never, opts);
}

/**
 * The annotation mirroring a data-holding object's `retainOnDelete` option. Policy packs cannot
 * read that option (it is not among the options the analyzer receives), so the component states
 * it on the object from the same value it passes to the engine.
 */
export const RETAIN_ANNOTATION = 'notebook-platform.io/retain-on-delete';

export function withRetention(object: KubeObject, retain: boolean): KubeObject {
  if (object.kind !== 'PersistentVolumeClaim' && object.kind !== 'PersistentVolume') return object;
  const annotations = { ...object.metadata.annotations, [RETAIN_ANNOTATION]: String(retain) };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

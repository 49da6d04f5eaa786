/**
 * How a Kubernetes object is named as a Pulumi resource (shared by the components, which register
 * objects, and the policy pack, which checks manifest files as if they had been registered): the
 * same object gets the same type token and name on both paths, so a violation reads the same.
 */

/** What naming needs of an object. */
export interface KubeObjectId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** The resource name: `<namespace or "cluster">/<Kind>/<name>`, stable and unique in a stack. */
export function kubeResourceName(object: KubeObjectId): string {
  return `${object.metadata.namespace ?? 'cluster'}/${object.kind}/${object.metadata.name}`;
}

/** The type token @pulumi/kubernetes registers: `kubernetes:<group, "core" for v1>/<version>:<Kind>`. */
export function kubeTypeToken(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const groupVersion = slash < 0 ? `core/${apiVersion}` : apiVersion;
  return `kubernetes:${groupVersion}:${kind}`;
}

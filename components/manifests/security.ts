/**
 * Team-level security objects: the namespace with Pod Security labels, NetworkPolicies, RBAC,
 * ResourceQuota and LimitRange. Each kind is built by its own module; this one puts them in order.
 */
import type { Plan } from '../config/plan';
import { meta, type KubeObject } from './objects';
import type { NamespaceManifest } from './kube';
import { networkPolicies } from './network-policy';
import { rbacObjects } from './rbac';
import { quotaObjects } from './quota';

export * from './network-policy';
export * from './rbac';
export * from './quota';

/** Pod Security Standards version the namespace labels pin. */
export const POD_SECURITY_VERSION = 'v1.33';

/** Pod Security admission labels: `restricted` enforced, audited and warned, at a pinned version. */
export function podSecurityLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
  }
  return labels;
}

/** The team namespace: team labels and Pod Security `restricted`. */
export function namespaceObject(plan: Plan): NamespaceManifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(plan.namespace, { ...plan.labels, ...podSecurityLabels() }) };
}

/**
 * Every team security object, in a fixed order: namespace, NetworkPolicies (default deny,
 * notebook ingress, notebook egress), viewer Role and bindings, ResourceQuota, LimitRange.
 */
export function teamSecurityObjects(plan: Plan): KubeObject[] {
  return [namespaceObject(plan), ...networkPolicies(plan), ...rbacObjects(plan), ...quotaObjects(plan)];
}

/**
 * Team-level security objects: the namespace with Pod Security labels, NetworkPolicies, RBAC,
 * ResourceQuota and LimitRange.
 */
import type { Plan } from '../config/plan';
import { meta, type KubeObject } from './objects';

/** Pod Security Standards version the namespace labels pin. */
export const POD_SECURITY_VERSION = 'v1.33';

export function namespaceObject(plan: Plan): KubeObject {
  const podSecurity: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    podSecurity[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    podSecurity[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
  }
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(plan.namespace, { ...plan.labels, ...podSecurity }) };
}

export function teamSecurityObjects(plan: Plan): KubeObject[] {
  return [namespaceObject(plan)];
}

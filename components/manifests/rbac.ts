/**
 * The team's RBAC: a read-only `notebook-viewer` Role bound to the team's viewer groups, and the
 * built-in `edit` ClusterRole bound to the admin groups in the namespace. Nothing else is bound:
 * session ServiceAccounts get no permissions, and only admins (and the platform's deployer) may
 * create pods, which matters because a pod could mount a restricted share.
 */
import type { Plan } from '../config/plan';
import { names } from '../config/names';
import { meta, type KubeObject } from './objects';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ_VERBS = ['get', 'list', 'watch'] as const;

/** The ClusterRole admin groups are bound to in the team namespace. */
export const ADMIN_CLUSTER_ROLE = 'edit';

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/**
 * What viewers may read, by API group: sessions (StatefulSets, pods, their Services and claims),
 * logs, events in both APIs, and ConfigMaps. ConfigMaps are included because the platform only
 * puts non-secret settings there (the Jupyter config; its token comes from a Secret), and viewers
 * need them to see how a session is configured. Secrets never: they hold tokens and git keys.
 */
export const VIEWER_READ_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': ['configmaps', 'events', 'persistentvolumeclaims', 'pods', 'pods/log', 'services'],
  apps: ['statefulsets'],
  'events.k8s.io': ['events'],
};

/** Rules of the viewer Role: read-only, plus `create` on `pods/exec` when `access.allowExec`. */
export function viewerRules(plan: Plan): PolicyRule[] {
  const rules: PolicyRule[] = Object.entries(VIEWER_READ_RESOURCES).map(([group, resources]) => ({
    apiGroups: [group],
    resources: [...resources],
    verbs: [...READ_VERBS],
  }));
  if (plan.access.allowExec) rules.push({ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] });
  return rules;
}

export function viewerRole(plan: Plan): KubeObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(names.viewerRole(), plan.labels, plan.namespace), rules: viewerRules(plan) };
}

/** Group subjects, sorted and unique, so the binding does not depend on the config's order. */
function groupSubjects(groups: readonly string[]) {
  return [...new Set(groups)].sort().map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name }));
}

function roleBinding(plan: Plan, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, groups: readonly string[]): KubeObject[] {
  if (groups.length === 0) return [];
  return [
    {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: meta(name, plan.labels, plan.namespace),
      roleRef: { apiGroup: RBAC_GROUP, ...roleRef },
      subjects: groupSubjects(groups),
    },
  ];
}

/**
 * The Role and its bindings: viewers to `notebook-viewer`, admins to `edit`. A binding with no
 * groups would grant nothing and is left out.
 */
export function rbacObjects(plan: Plan): KubeObject[] {
  return [
    viewerRole(plan),
    ...roleBinding(plan, names.viewerBinding(), { kind: 'Role', name: names.viewerRole() }, plan.access.viewerGroups),
    ...roleBinding(plan, names.adminBinding(), { kind: 'ClusterRole', name: ADMIN_CLUSTER_ROLE }, plan.access.adminGroups),
  ];
}

/**
 * The team's RBAC: a read-only `notebook-viewer` Role bound to the team's viewer groups, the
 * built-in `edit` ClusterRole bound to the admin groups in the namespace, and with
 * `access.ownerSubject` a Role per owner over their own sessions only. Nothing else is bound:
 * session ServiceAccounts get no permissions, and only admins (and the platform's deployer) may
 * create pods, which matters because a pod could mount a restricted share.
 */
import type { Plan } from '../config/plan';
import { OWNER_LABEL, names } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { PolicyRuleManifest, RoleBindingManifest, RoleManifest } from './kube';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ_VERBS = ['get', 'list', 'watch'] as const;

/** The ClusterRole admin groups are bound to in the team namespace. */
export const ADMIN_CLUSTER_ROLE = 'edit';

export type PolicyRule = PolicyRuleManifest & {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
};

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

/** Rules of the viewer Role: read-only. Viewers never exec: exec is per owner (ownerRoles). */
export function viewerRules(_plan: Plan): PolicyRule[] {
  return Object.entries(VIEWER_READ_RESOURCES).map(([group, resources]) => ({
    apiGroups: [group],
    resources: [...resources],
    verbs: [...READ_VERBS],
  }));
}

/** A rule limited to named objects. Never built with no names: an empty `resourceNames` means every object. */
export type NamedRule = PolicyRule & {
  readonly resourceNames: readonly string[];
};

/** The Kubernetes user a session owner signs in as, from `access.ownerSubject` ("oidc:{owner}"). */
export function ownerUserName(template: string, owner: string): string {
  return template.replace('{owner}', owner);
}

/**
 * What one owner may do with their own sessions, each rule limited by name: read the
 * StatefulSets and change their scale (start and stop; only sessions the config runs, so a
 * session stopped by the config stays stopped), and with `access.allowExec` read, exec into and
 * port-forward to their pods. RBAC cannot limit exec to one container: an owner who may exec can
 * also exec into their own pod's autosave sidecar, which holds the session's git credentials.
 */
export function ownerRules(plan: Plan, owner: string): NamedRule[] {
  const sessions = plan.sessions.filter((session) => session.owner === owner);
  const running = sessions.filter((session) => session.running).map((session) => session.names.statefulSet).sort();
  const rules: NamedRule[] = [];
  if (running.length > 0) {
    rules.push({ apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: running, verbs: ['get'] });
    rules.push({ apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: running, verbs: ['get', 'patch', 'update'] });
  }
  const pods = sessions.map((session) => session.names.pod).sort();
  if (plan.access.allowExec && pods.length > 0) {
    rules.push({ apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['get'] });
    rules.push({ apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], resourceNames: pods, verbs: ['create', 'get'] });
  }
  return rules;
}

/** One Role and RoleBinding per owner when `access.ownerSubject` is set, sorted by owner. */
export function ownerRbacObjects(plan: Plan): (RoleManifest | RoleBindingManifest)[] {
  const template = plan.access.ownerSubject;
  if (!template) return [];
  const owners = [...new Set(plan.sessions.map((session) => session.owner))].sort();
  return owners.flatMap((owner): (RoleManifest | RoleBindingManifest)[] => {
    const rules = ownerRules(plan, owner);
    if (rules.length === 0) return [];
    const name = names.ownerRole(owner);
    const labels = { ...plan.labels, [OWNER_LABEL]: owner };
    return [
      { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(name, labels, plan.namespace), rules },
      {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'RoleBinding',
        metadata: meta(name, labels, plan.namespace),
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
        subjects: [{ apiGroup: RBAC_GROUP, kind: 'User', name: ownerUserName(template, owner) }],
      },
    ];
  });
}

export function viewerRole(plan: Plan): RoleManifest {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(names.viewerRole(), plan.labels, plan.namespace), rules: viewerRules(plan) };
}

/** Group subjects, sorted and unique, so the binding does not depend on the config's order. */
function groupSubjects(groups: readonly string[]) {
  return [...new Set(groups)].sort().map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name }));
}

function roleBinding(plan: Plan, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, groups: readonly string[]): RoleBindingManifest[] {
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
    ...ownerRbacObjects(plan),
  ];
}

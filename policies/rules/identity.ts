/**
 * What a team stack is: the namespace it declares is `nb-<team>` (never the cluster's own, never
 * another team's) and holds everything it creates; its role bindings name only the team's own
 * subjects, never Kubernetes system groups or users that stand for everyone.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { describe, TYPES, type KubeProps } from './kube';
import { resourceRule, stackRule, type ResourceRule, type StackRule } from './policy';
import { RESERVED_NAMESPACE, TEAM_LABEL, names } from '../../shared/names';

/** Kubernetes kinds without a namespace (the ones a team stack could plausibly declare). */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
  'IngressClass', 'CSIDriver', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'Node',
  'VolumeSnapshotClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

/** `kubernetes:apps/v1:StatefulSet` -> `StatefulSet`; undefined for components, providers and other clouds. */
function kubernetesKind(type: string): string | undefined {
  return /^kubernetes:[a-z0-9.-]+\/v[0-9a-z]+:([A-Za-z]+)$/.exec(type)?.[1];
}

/**
 * Every Namespace the stack declares is `nb-<team>` of its team label and not reserved; every
 * namespaced Kubernetes object names one of those namespaces.
 */
export function checkTeamNamespace(resources: readonly PolicyResource[]): { message: string; urn?: string }[] {
  const problems: { message: string; urn?: string }[] = [];
  const declared: string[] = [];
  for (const resource of resources) {
    if (resource.type !== TYPES.namespace) continue;
    const props = resource.props as KubeProps;
    const name = props.metadata?.name ?? '?';
    declared.push(name);
    const team = props.metadata?.labels?.[TEAM_LABEL];
    if (RESERVED_NAMESPACE.test(name)) {
      problems.push({ message: `${describe(props)} is reserved for the cluster (default, kube-*); a team stack declares nb-<team>${team ? ` (${names.namespace(team)})` : ''}`, urn: resource.urn });
    } else if (!team) {
      problems.push({ message: `${describe(props)} has no ${TEAM_LABEL} label; a team stack declares nb-<team> labelled with its team`, urn: resource.urn });
    } else if (name !== names.namespace(team)) {
      problems.push({ message: `${describe(props)} is not the namespace of team ${team} (its ${TEAM_LABEL} label); a team stack declares ${names.namespace(team)}`, urn: resource.urn });
    }
  }
  const listed = declared.length > 0 ? declared.join(', ') : 'none';
  for (const resource of resources) {
    const kind = kubernetesKind(resource.type);
    if (!kind || CLUSTER_SCOPED_KINDS.has(kind)) continue;
    const props = resource.props as KubeProps;
    const namespace = props.metadata?.namespace;
    if (namespace === undefined || namespace === '') {
      problems.push({ message: `${describe(props)} names no namespace: it would land in the provider's default namespace; this stack declares ${listed}`, urn: resource.urn });
    } else if (!declared.includes(namespace)) {
      problems.push({ message: `${describe(props)} is in namespace ${namespace}, which this stack does not declare (it declares ${listed})`, urn: resource.urn });
    }
  }
  return problems;
}

export function teamNamespaceRule(): StackRule {
  return stackRule(
    {
      name: 'team-namespace',
      description: 'The stack declares its team namespace nb-<team> (never default or kube-*) and puts every namespaced object in it.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Leave notebook-platform:namespace unset (or set it to nb-<team>); never default, kube-* or another team\'s namespace. Every namespaced object names the stack\'s namespace (plan.namespace in components/manifests).',
    },
    (args: StackValidationArgs) => checkTeamNamespace(args.resources),
  );
}

/** Kubernetes' own users and groups (`system:authenticated`, `system:masters`, node and controller identities). */
export const SYSTEM_SUBJECT = /^\s*system:/i;

type Subject = { readonly kind?: string; readonly name?: string; readonly namespace?: string };

/** A RoleBinding names only the team's own subjects; a ClusterRoleBinding is never a team's. */
export function checkBindingSubjects(props: KubeProps): string[] {
  if (props.kind === 'ClusterRoleBinding') return [`${describe(props)} grants in every namespace; a team stack binds roles only in its namespace (RoleBinding)`];
  const namespace = props.metadata?.namespace ?? 'default';
  const problems: string[] = [];
  for (const subject of (props.subjects ?? []) as Subject[]) {
    const name = subject.name ?? '';
    if (subject.kind === 'ServiceAccount') {
      const where = subject.namespace ?? namespace;
      if (where !== namespace) problems.push(`${describe(props)}: ServiceAccount ${where}/${name} is outside the binding's namespace ${namespace}`);
    } else if (SYSTEM_SUBJECT.test(name)) {
      problems.push(`${describe(props)}: ${subject.kind ?? 'subject'} ${JSON.stringify(name)} is a Kubernetes system subject (system:*), which names users across the cluster; bind only the team's own groups and users`);
    }
  }
  return problems;
}

export function rbacSubjectsScopedRule(): ResourceRule {
  return resourceRule(
    {
      name: 'rbac-subjects-scoped',
      description: 'Role bindings are RoleBindings naming the team\'s own groups and users: no system:* subject, no ServiceAccount of another namespace, no ClusterRoleBinding.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'List only the team\'s own groups in access.viewerGroups and access.adminGroups (never system:authenticated or any system:* group); bind roles with RoleBindings in the team namespace (components/manifests/rbac.ts does).',
    },
    [TYPES.roleBinding, TYPES.clusterRoleBinding],
    (props) => checkBindingSubjects(props as KubeProps),
  );
}

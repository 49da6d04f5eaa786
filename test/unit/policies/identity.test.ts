/** team-namespace and rbac-subjects-scoped over the example stacks and unsafe variants. */
import { rbacSubjectsScopedRule, teamNamespaceRule } from '../../../policies/rules';
import { all, messages, pick, stackResources, TYPE, describeMandatoryRules, type Loose } from './fixtures';

/** Moves every object of namespace `from` to `to`, as a config naming another namespace would. */
function moveAll(resources: readonly { inputs: Record<string, Loose> }[], from: string, to: string): void {
  for (const resource of resources) if (resource.inputs.metadata?.namespace === from) resource.inputs.metadata.namespace = to;
}

const ROLE_BINDING = 'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding';
const CLUSTER_ROLE_BINDING = 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding';

describeMandatoryRules([
  ['team-namespace', teamNamespaceRule],
  ['rbac-subjects-scoped', rbacSubjectsScopedRule],
]);

describe('team-namespace', () => {
  it('fails a Namespace named kube-system, and everything put in it', async () => {
    const resources = await stackResources('team-b');
    const namespace = pick(resources, TYPE.namespace);
    namespace.inputs.metadata.name = 'kube-system';
    moveAll(resources, 'nb-team-b', 'kube-system');
    expect(await messages(teamNamespaceRule(), resources)).toEqual([
      'Namespace kube-system is reserved for the cluster (default, kube-*); a team stack declares nb-<team> (nb-team-b)',
    ]);
  });

  it('fails a Namespace that is not nb-<team> of its team label, or has no team label', async () => {
    const resources = await stackResources('team-a');
    const namespace = pick(resources, TYPE.namespace);
    namespace.inputs.metadata.name = 'nb-team-b';
    moveAll(resources, 'nb-team-a', 'nb-team-b');
    expect(await messages(teamNamespaceRule(), resources)).toEqual(['Namespace nb-team-b is not the namespace of team team-a (its notebook-platform.io/team label); a team stack declares nb-team-a']);
    delete namespace.inputs.metadata.labels['notebook-platform.io/team'];
    expect(await messages(teamNamespaceRule(), resources)).toEqual(['Namespace nb-team-b has no notebook-platform.io/team label; a team stack declares nb-<team> labelled with its team']);
  });

  it('fails objects placed in a namespace the stack does not declare, or in none', async () => {
    const resources = await stackResources('demo');
    pick(resources, TYPE.statefulSet, 'forecasting').inputs.metadata.namespace = 'default';
    const policy = all(resources, TYPE.networkPolicy).find((r) => r.inputs.metadata.name === 'default-deny')!;
    delete policy.inputs.metadata.namespace;
    expect(await messages(teamNamespaceRule(), resources)).toEqual([
      'NetworkPolicy default-deny names no namespace: it would land in the provider\'s default namespace; this stack declares nb-demo',
      'StatefulSet default/forecasting is in namespace default, which this stack does not declare (it declares nb-demo)',
    ]);
  });
});

describe('rbac-subjects-scoped', () => {
  it.each(['system:authenticated', 'system:unauthenticated', 'system:masters', 'system:serviceaccounts', 'System:Authenticated'])('fails a RoleBinding to the group %s', async (group) => {
    const resources = await stackResources('team-a');
    const binding = all(resources, ROLE_BINDING)[0];
    binding.inputs.subjects.push({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group });
    expect(await messages(rbacSubjectsScopedRule(), resources)).toEqual([
      `RoleBinding nb-team-a/${binding.inputs.metadata.name}: Group ${JSON.stringify(group)} is a Kubernetes system subject (system:*), which names users across the cluster; bind only the team's own groups and users`,
    ]);
  });

  it('fails system users, service accounts of other namespaces, and any ClusterRoleBinding', async () => {
    const resources = await stackResources('team-a');
    const binding = all(resources, ROLE_BINDING)[0];
    const name = binding.inputs.metadata.name;
    binding.inputs.subjects = [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-controller-manager' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' },
      { kind: 'ServiceAccount', name: 'helper', namespace: 'nb-team-a' },
    ];
    resources.push({ ...binding, type: CLUSTER_ROLE_BINDING, urn: binding.urn.replace('RoleBinding', 'ClusterRoleBinding'), inputs: { ...binding.inputs, kind: 'ClusterRoleBinding', subjects: [] } } as typeof binding);
    // Violations come sorted by URN.
    expect(await messages(rbacSubjectsScopedRule(), resources)).toEqual([
      `ClusterRoleBinding nb-team-a/${name} grants in every namespace; a team stack binds roles only in its namespace (RoleBinding)`,
      `RoleBinding nb-team-a/${name}: User "system:kube-controller-manager" is a Kubernetes system subject (system:*), which names users across the cluster; bind only the team's own groups and users`,
      `RoleBinding nb-team-a/${name}: ServiceAccount kube-system/default is outside the binding's namespace nb-team-a`,
    ]);
  });
});

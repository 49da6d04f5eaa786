// The team's RBAC grants exactly what is listed: viewers read sessions, logs and events (no
// secrets, exec only when configured), admins get `edit`, nothing else is bound.
import { join } from 'node:path';
import { readStackConfigFile, validateConfig, type Plan } from '../../../components/config';
import { rbacObjects, synthesize, teamSecurityObjects, viewerRules, type KubeObject, type PolicyRule } from '../../../components/manifests';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const rawConfig = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`));
function planOf(raw: Record<string, unknown>): Plan {
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}
const withAccess = (team: string, access: Record<string, unknown>) => planOf({ ...rawConfig(team), access });

/** Rules flattened to sorted `group/resource:verb` triples: comparable whatever the grouping. */
function grants(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group || 'core'}/${resource}:${verb}`)))).sort();
}

const READ = ['get', 'list', 'watch'];
const VIEW_GRANTS = [
  ...['configmaps', 'events', 'persistentvolumeclaims', 'pods', 'pods/log', 'services'].flatMap((r) => READ.map((v) => `core/${r}:${v}`)),
  ...READ.map((v) => `apps/statefulsets:${v}`),
  ...READ.map((v) => `events.k8s.io/events:${v}`),
].sort();

const role = (objects: readonly KubeObject[]) => objects.find((o) => o.kind === 'Role')!;
const binding = (objects: readonly KubeObject[], name: string) => objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === name);

describe('viewer Role', () => {
  it.each(['demo', 'team-a', 'team-b'])('%s: grants exactly read on sessions, logs, events and configmaps', (team) => {
    const plan = planOf(rawConfig(team));
    expect(plan.access.allowExec).toBe(false);
    expect(grants(viewerRules(plan))).toEqual(VIEW_GRANTS);
    expect(grants(role(rbacObjects(plan)).rules as PolicyRule[])).toEqual(VIEW_GRANTS);
  });

  it('adds only create on pods/exec when allowExec is set', () => {
    const plan = withAccess('demo', { viewerGroups: ['team-demo'], allowExec: true });
    expect(grants(viewerRules(plan))).toEqual([...VIEW_GRANTS, 'core/pods/exec:create'].sort());
  });

  it.each([false, true])('never grants secrets, writes on anything but exec, or wildcards (allowExec %s)', (allowExec) => {
    const rules = viewerRules(withAccess('demo', { viewerGroups: ['team-demo'], allowExec }));
    const all = grants(rules);
    expect(all.filter((g) => g.includes('secrets'))).toEqual([]);
    expect(all.filter((g) => g.includes('*'))).toEqual([]);
    expect(all.filter((g) => !/:(get|list|watch)$/.test(g))).toEqual(allowExec ? ['core/pods/exec:create'] : []);
    // Nobody bound to it may create pods (a pod could mount a restricted share).
    expect(all.some((g) => /^core\/pods:(create|update|patch|delete)/.test(g))).toBe(false);
  });

  it('is a namespaced Role called notebook-viewer with the team labels', () => {
    const plan = planOf(rawConfig('team-a'));
    const viewer = role(rbacObjects(plan));
    expect(viewer.apiVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(viewer.metadata).toEqual({ name: 'notebook-viewer', namespace: plan.namespace, labels: plan.labels });
  });
});

describe('bindings', () => {
  it('bind exactly the configured groups, sorted and unique, as Group subjects', () => {
    const plan = withAccess('team-a', { viewerGroups: ['oidc:team-a', 'oidc:analysts', 'oidc:team-a'], adminGroups: ['oidc:platform-admins'] });
    const objects = rbacObjects(plan);
    const viewers = binding(objects, 'notebook-viewers')!;
    expect(viewers.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'notebook-viewer' });
    expect(viewers.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:analysts' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:team-a' },
    ]);
    const admins = binding(objects, 'notebook-admins')!;
    expect(admins.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
    expect(admins.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:platform-admins' }]);
    for (const object of [viewers, admins]) expect(object.metadata).toEqual({ name: object.metadata.name, namespace: plan.namespace, labels: plan.labels });
  });

  it.each(['demo', 'team-a', 'team-b'])('%s: match the example config', (team) => {
    const plan = planOf(rawConfig(team));
    const objects = rbacObjects(plan);
    const names = (o: KubeObject | undefined) => ((o?.subjects as { name: string }[] | undefined) ?? []).map((s) => s.name);
    expect(names(binding(objects, 'notebook-viewers'))).toEqual([...plan.access.viewerGroups].sort());
    expect(names(binding(objects, 'notebook-admins'))).toEqual([...plan.access.adminGroups].sort());
  });

  it('are left out when they would have no subjects', () => {
    const plan = withAccess('demo', { viewerGroups: [], adminGroups: [] });
    expect(rbacObjects(plan).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/notebook-viewer']);
    const onlyAdmins = withAccess('demo', { viewerGroups: [] });
    expect(rbacObjects(onlyAdmins).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/notebook-viewer', 'RoleBinding/notebook-admins']);
  });

  it.each(['demo', 'team-a', 'team-b'])('%s: nothing in the team binds a ServiceAccount, a User or any other role', (team) => {
    const plan = planOf(rawConfig(team));
    const everything = synthesize(plan).flatMap((file) => file.objects);
    const rbac = everything.filter((o) => /^rbac\.authorization\.k8s\.io\//.test(o.apiVersion));
    expect(rbac.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Role/notebook-viewer', 'RoleBinding/notebook-admins', 'RoleBinding/notebook-viewers']);
    for (const o of rbac.filter((o) => o.kind === 'RoleBinding')) {
      expect((o.subjects as { kind: string }[]).every((s) => s.kind === 'Group')).toBe(true);
    }
  });

  it('are deterministic and in the team security objects after the NetworkPolicies', () => {
    const plan = planOf(rawConfig('team-a'));
    expect(JSON.stringify(rbacObjects(plan))).toBe(JSON.stringify(rbacObjects(planOf(rawConfig('team-a')))));
    const kinds = teamSecurityObjects(plan).map((o) => o.kind);
    expect(kinds.indexOf('Role')).toBeGreaterThan(kinds.lastIndexOf('NetworkPolicy'));
  });
});

// The team's RBAC grants exactly what is listed: viewers read sessions, logs and events (no
// secrets, never exec), admins get `edit`, each owner may start, stop and (with allowExec) exec into
// their own sessions only, the culler's ServiceAccount has its own Role; nothing else is bound.
import { join } from 'node:path';
import { readStackConfigFile, validateConfig, type Plan } from '../../../components/config';
import { rbacObjects, synthesize, teamSecurityObjects, viewerRules, type KubeObject, type PolicyRule } from '../../../components/manifests';
import { ownerRules, type NamedRule } from '../../../components/manifests/rbac';

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

  it.each([false, true])('never grants exec, secrets, writes or wildcards, whatever allowExec says (%s): exec is per owner', (allowExec) => {
    const rules = viewerRules(withAccess('demo', { viewerGroups: ['team-demo'], allowExec, ownerSubject: 'oidc:{owner}' }));
    const all = grants(rules);
    expect(all).toEqual(VIEW_GRANTS);
    expect(all.filter((g) => g.includes('secrets') || g.includes('*') || g.includes('exec'))).toEqual([]);
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

  it.each(['demo', 'team-a', 'team-b'])('%s: groups are bound to the viewer and edit roles, each owner\'s user to their own Role, the culler\'s ServiceAccount to its own', (team) => {
    const plan = planOf(rawConfig(team));
    const everything = synthesize(plan).flatMap((file) => file.objects);
    const rbac = everything.filter((o) => /^rbac\.authorization\.k8s\.io\//.test(o.apiVersion));
    const culler = plan.culler ? ['Role/notebook-culler', 'RoleBinding/notebook-culler'] : [];
    // The snapshot job's Role and binding (manifests/snapshots.ts, tested there) come with a storageClass team's backup.
    const snapshots = plan.backup && plan.storage.backend === 'storageClass' ? ['Role/notebook-snapshots', 'RoleBinding/notebook-snapshots'] : [];
    const template = plan.access.ownerSubject;
    const owners = template ? [...new Set(plan.sessions.map((session) => session.owner))] : [];
    const ownerObjects = owners.flatMap((owner) => [`Role/notebook-owner-${owner}`, `RoleBinding/notebook-owner-${owner}`]);
    expect(rbac.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...culler, ...snapshots, ...ownerObjects, 'Role/notebook-viewer', 'RoleBinding/notebook-admins', 'RoleBinding/notebook-viewers'].sort());
    for (const o of rbac.filter((o) => o.kind === 'RoleBinding')) {
      const subjects = o.subjects as { kind: string; name: string; namespace?: string }[];
      const owner = /^notebook-owner-(.+)$/.exec(o.metadata.name)?.[1];
      if (o.metadata.name === 'notebook-culler' || o.metadata.name === 'notebook-snapshots') expect(subjects).toEqual([{ kind: 'ServiceAccount', name: o.metadata.name, namespace: plan.namespace }]);
      else if (owner) expect(subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: template!.replace('{owner}', owner) }]);
      else expect(subjects.every((s) => s.kind === 'Group')).toBe(true);
    }
  });

  it('are deterministic and in the team security objects after the NetworkPolicies', () => {
    const plan = planOf(rawConfig('team-a'));
    expect(JSON.stringify(rbacObjects(plan))).toBe(JSON.stringify(rbacObjects(planOf(rawConfig('team-a')))));
    const kinds = teamSecurityObjects(plan).map((o) => o.kind);
    expect(kinds.indexOf('Role')).toBeGreaterThan(kinds.lastIndexOf('NetworkPolicy'));
  });
});

describe('owner Roles (access.ownerSubject)', () => {
  const plan = withAccess('team-a', { viewerGroups: ['team-a'], ownerSubject: 'oidc:{owner}', allowExec: true });
  const owners = [...new Set(plan.sessions.map((session) => session.owner))].sort();
  const objects = rbacObjects(plan);

  it('binds one Role per owner to exactly that owner\'s user name', () => {
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name.startsWith('notebook-owner-'));
    expect(bindings.map((b) => b.metadata.name)).toEqual(owners.map((owner) => `notebook-owner-${owner}`));
    for (const owner of owners) {
      const b = binding(objects, `notebook-owner-${owner}`)!;
      expect(b.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `oidc:${owner}` }]);
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `notebook-owner-${owner}` });
    }
  });

  it('every rule names its objects: the owner\'s own StatefulSets and pods only, never an empty list', () => {
    for (const owner of owners) {
      const ownRole = objects.find((o) => o.kind === 'Role' && o.metadata.name === `notebook-owner-${owner}`)!;
      const mine = plan.sessions.filter((s) => s.owner === owner);
      const others = plan.sessions.filter((s) => s.owner !== owner);
      for (const rule of ownRole.rules as NamedRule[]) {
        expect(rule.resourceNames.length).toBeGreaterThan(0);
        for (const name of rule.resourceNames) {
          expect(mine.some((s) => s.names.statefulSet === name || s.names.pod === name)).toBe(true);
          expect(others.some((s) => s.names.statefulSet === name || s.names.pod === name)).toBe(false);
        }
        expect(rule.resources.some((r) => r === 'secrets' || r.includes('*'))).toBe(false);
      }
    }
  });

  it('scale only for sessions the config runs: a session stopped by the config stays stopped', () => {
    const stopped = plan.sessions.find((s) => !s.running);
    const owner = (stopped ?? plan.sessions[0]).owner;
    const rules = ownerRules(plan, owner);
    const scalable = rules.filter((r) => r.resources.includes('statefulsets/scale')).flatMap((r) => r.resourceNames);
    expect(scalable).toEqual(plan.sessions.filter((s) => s.owner === owner && s.running).map((s) => s.names.statefulSet).sort());
  });

  it('exec and port-forward only with allowExec', () => {
    const withoutExec = withAccess('team-a', { viewerGroups: ['team-a'], ownerSubject: 'oidc:{owner}' });
    const verbs = (p: Plan) => p.sessions.flatMap((s) => ownerRules(p, s.owner)).flatMap((r) => r.resources);
    expect(verbs(withoutExec).filter((r) => r.startsWith('pods'))).toEqual([]);
    expect(new Set(verbs(plan))).toEqual(new Set(['statefulsets', 'statefulsets/scale', 'pods', 'pods/exec', 'pods/portforward']));
  });

  it('no owner Roles without ownerSubject', () => {
    const none = withAccess('team-a', { viewerGroups: ['team-a'] });
    expect(rbacObjects(none).filter((o) => o.metadata.name.startsWith('notebook-owner-'))).toEqual([]);
  });
});

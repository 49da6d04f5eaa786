// The team's culler objects: least privilege by name, no Secret access, a NetworkPolicy that
// admits it to its own notebooks' Jupyter port only, restricted pod security, stable output.
import { validateConfig, type Plan } from '../../../components/config';
import { cullerObjects, cullerRules } from '../../../components/manifests/culler';
import { networkPolicies, synthesize, type KubeObject } from '../../../components/manifests';
import { baseConfig } from '../config/fixtures';

function planOf(mutate: (config: Record<string, any>) => void = () => undefined): Plan {
  const config = baseConfig();
  config.jupyter = { stopIdleSessionsAfterSeconds: 600 };
  config.network = { apiServer: { cidrs: ['192.0.2.2/32'], port: 6443 } };
  mutate(config);
  const result = validateConfig(config);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}
const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };

describe('culler RBAC', () => {
  const plan = planOf();
  const rules = cullerRules(plan.culler!) as Rule[];

  it('names every object: the watched StatefulSets (get, scale) and its status ConfigMap; no list, watch or Secrets', () => {
    expect(rules).toEqual([
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['churn', 'forecast'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: ['churn', 'forecast'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['notebook-culler-status'], verbs: ['get', 'patch'] },
    ]);
    for (const rule of rules) {
      expect(rule.resourceNames!.length).toBeGreaterThan(0); // empty would mean every object
      expect(rule.verbs.some((v) => ['list', 'watch', 'create', 'delete', 'update', '*'].includes(v))).toBe(false);
      expect(rule.resources.some((r) => r === 'secrets' || r === 'statefulsets' && rule.verbs.includes('patch'))).toBe(false);
    }
  });

  it('only the culler\'s ServiceAccount is bound to it', () => {
    const binding = byKind(cullerObjects(plan), 'RoleBinding')[0];
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'notebook-culler', namespace: 'nb-analytics' }]);
  });
});

describe('culler pod', () => {
  const plan = planOf();
  const deployment = byKind(cullerObjects(plan), 'Deployment')[0] as any;
  const pod = deployment.spec.template.spec;

  it('runs the team\'s own image as the notebook user, restricted, read-only root, with requests and limits', () => {
    const [container] = pod.containers;
    expect(container.image).toBe(plan.culler!.image);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(Object.keys(container.resources.requests)).toEqual(expect.arrayContaining(['cpu', 'memory']));
    expect(Object.keys(container.resources.limits)).toEqual(expect.arrayContaining(['cpu', 'memory']));
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('reads tokens from a projected volume of exactly the watched sessions\' token Secrets, never through env', () => {
    const tokens = pod.volumes.find((v: any) => v.name === 'tokens');
    expect(tokens.projected.sources).toEqual(plan.culler!.sessions.map((s) => ({ secret: { name: `${s.name}-token`, items: [{ key: 'token', path: s.name }] } })));
    expect(JSON.stringify(pod.containers[0].env)).not.toMatch(/secretKeyRef|token/i);
  });

  it('a changed config restarts it (pod template hash)', () => {
    const other = byKind(cullerObjects(planOf((c) => (c.jupyter.stopIdleSessionsAfterSeconds = 900))), 'Deployment')[0] as any;
    expect(other.spec.template.metadata.annotations).not.toEqual(deployment.spec.template.metadata.annotations);
  });

  it('the status ConfigMap has no data: the culler writes it, the stack never overwrites it', () => {
    const status = byKind(cullerObjects(plan), 'ConfigMap').find((c) => c.metadata.name === 'notebook-culler-status')!;
    expect('data' in status).toBe(false);
  });
});

describe('culler network', () => {
  const plan = planOf();
  const policy = byKind(cullerObjects(plan), 'NetworkPolicy')[0] as any;

  it('egress: DNS, its notebooks on the Jupyter port, the API server; no ingress at all', () => {
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    const [dns, notebooks, api] = policy.spec.egress;
    expect(dns.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kube-system' });
    expect(notebooks).toEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'notebook', 'notebook-platform.io/team': 'analytics' } } }], ports: [{ protocol: 'TCP', port: 8888 }] });
    expect(api).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.2/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] });
    expect(policy.spec.egress).toHaveLength(3);
  });

  it('notebooks admit the culler on the Jupyter port, and only with a culler', () => {
    const ingressOf = (p: Plan) => (networkPolicies(p).find((o) => o.metadata.name === 'notebook-ingress') as any).spec.ingress;
    expect(ingressOf(plan)).toContainEqual({ from: [{ podSelector: { matchLabels: plan.culler!.selector } }], ports: [{ protocol: 'TCP', port: 8888 }] });
    const none = planOf((c) => (c.jupyter.stopIdleSessionsAfterSeconds = 0));
    expect(JSON.stringify(ingressOf(none))).not.toContain('culler');
  });
});

describe('culler objects', () => {
  it('none without a stop rule', () => {
    const plan = planOf((c) => (c.jupyter.stopIdleSessionsAfterSeconds = 0));
    expect(cullerObjects(plan)).toEqual([]);
    expect(JSON.stringify(synthesize(plan))).not.toContain('notebook-culler');
  });

  it('are in the team chart and deterministic', () => {
    const a = JSON.stringify(synthesize(planOf()));
    expect(a).toContain('"name":"notebook-culler"');
    expect(JSON.stringify(synthesize(planOf()))).toBe(a);
  });
});

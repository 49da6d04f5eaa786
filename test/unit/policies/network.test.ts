/**
 * namespace-pod-security-restricted, namespace-default-deny and cluster-ip-services-only over
 * the example stacks and unsafe variants.
 */
import { clusterIpServicesRule, egressPeersScopedRule, namespaceDefaultDenyRule, namespacePodSecurityRule } from '../../../policies/rules';
import { all, messages, pick, stackResources, TYPE, violations, describeMandatoryRules } from './fixtures';

describeMandatoryRules([
  ['namespace-pod-security-restricted', namespacePodSecurityRule],
  ['namespace-default-deny', namespaceDefaultDenyRule],
  ['cluster-ip-services-only', clusterIpServicesRule],
]);

describe('namespace-pod-security-restricted', () => {
  it('fails a namespace that only warns, or enforces baseline', async () => {
    const resources = await stackResources('team-b');
    const labels = pick(resources, TYPE.namespace).inputs.metadata.labels;
    delete labels['pod-security.kubernetes.io/enforce'];
    expect(await messages(namespacePodSecurityRule(), resources)).toEqual(['Namespace nb-team-b does not enforce Pod Security restricted (pod-security.kubernetes.io/enforce: missing)']);
    labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    expect(await messages(namespacePodSecurityRule(), resources)).toEqual(['Namespace nb-team-b does not enforce Pod Security restricted (pod-security.kubernetes.io/enforce: baseline)']);
  });
});

describe('namespace-default-deny', () => {
  it('fails a namespace without its default-deny policy, on the Namespace', async () => {
    const resources = await stackResources('team-a');
    const withoutDeny = resources.filter((r) => !(r.type === TYPE.networkPolicy && (r.inputs.metadata as { name: string }).name === 'default-deny'));
    const found = await violations(namespaceDefaultDenyRule(), withoutDeny);
    expect(found.map((v) => v.message)).toEqual(['namespace nb-team-a has no default-deny ingress and egress NetworkPolicy (podSelector {} with policyTypes Ingress, Egress and no rules)']);
    expect(found[0].urn).toBe(pick(resources, TYPE.namespace).urn);
  });

  it('fails a default deny that selects only some pods, or lets egress through', async () => {
    const resources = await stackResources('team-a');
    const deny = all(resources, TYPE.networkPolicy).find((r) => r.inputs.metadata.name === 'default-deny')!;
    deny.inputs.spec.policyTypes = ['Ingress'];
    expect(await messages(namespaceDefaultDenyRule(), resources)).toEqual(['namespace nb-team-a has no default-deny egress NetworkPolicy (podSelector {} with policyTypes Egress and no rules)']);
    deny.inputs.spec = { podSelector: { matchLabels: { 'app.kubernetes.io/component': 'notebook' } }, policyTypes: ['Ingress', 'Egress'] };
    expect(await messages(namespaceDefaultDenyRule(), resources)).toEqual(['namespace nb-team-a has no default-deny ingress and egress NetworkPolicy (podSelector {} with policyTypes Ingress, Egress and no rules)']);
  });

  it('covers namespaces only workloads name', async () => {
    const resources = await stackResources('demo');
    const statefulSet = pick(resources, TYPE.statefulSet, 'forecasting');
    statefulSet.inputs.metadata.namespace = 'elsewhere';
    expect(await messages(namespaceDefaultDenyRule(), resources)).toEqual(['namespace elsewhere has no default-deny ingress and egress NetworkPolicy (podSelector {} with policyTypes Ingress, Egress and no rules)']);
  });
});

describe('cluster-ip-services-only', () => {
  it('fails a session Service of type LoadBalancer or NodePort, and external IPs', async () => {
    const resources = await stackResources('team-a');
    pick(resources, TYPE.service, 'imaging').inputs.spec.type = 'LoadBalancer';
    pick(resources, TYPE.service, 'trial-analysis').inputs.spec.type = 'NodePort';
    pick(resources, TYPE.service, 'imaging-retry').inputs.spec.externalIPs = ['203.0.113.10'];
    expect(await messages(clusterIpServicesRule(), resources)).toEqual([
      'Service nb-team-a/imaging is of type LoadBalancer: it bypasses the ingress and its authentication',
      'Service nb-team-a/imaging-retry has externalIPs 203.0.113.10: it bypasses the ingress and its authentication',
      'Service nb-team-a/trial-analysis is of type NodePort: it bypasses the ingress and its authentication',
    ]);
  });
});

describeMandatoryRules([['egress-peers-scoped', egressPeersScopedRule]]);

describe('egress-peers-scoped', () => {
  const egressPolicy = async (team: 'demo' | 'team-a' | 'team-b') => {
    const resources = await stackResources(team);
    const policy = all(resources, TYPE.networkPolicy).find((r) => r.inputs.metadata.name === 'notebook-egress')!;
    return { resources, policy, egress: policy.inputs.spec.egress as Record<string, unknown>[] };
  };

  it('passes a peer naming another namespace (the DNS rule, an in-cluster git server)', async () => {
    const { resources, egress } = await egressPolicy('demo');
    egress.push({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'git' } }, podSelector: { matchLabels: { app: 'git' } } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(await messages(egressPeersScopedRule(), resources)).toEqual([]);
  });

  it.each([
    [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'notebook' } } }, 'selects pods of its own namespace (no namespaceSelector), where the notebooks run'],
    [{ namespaceSelector: {}, podSelector: {} }, 'has an empty namespaceSelector, which selects every namespace'],
    [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nb-demo' } } }, 'selects its own namespace nb-demo, where the notebooks run'],
    [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'notebook-platform' } } }, 'selects namespaces only by labels every notebook namespace carries (app.kubernetes.io/managed-by)'],
  ])('fails the egress peer %j', async (peer, reason) => {
    const { resources, egress } = await egressPolicy('demo');
    egress.push({ to: [peer], ports: [{ protocol: 'TCP', port: 8888 }] });
    expect(await messages(egressPeersScopedRule(), resources)).toEqual([`NetworkPolicy nb-demo/notebook-egress: egress[${egress.length - 1}].to[0] ${reason}`]);
  });
});

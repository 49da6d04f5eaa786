// The NetworkPolicy evaluator itself, on hand-written policies: if it were wrong, the chart
// tests that rely on it would prove nothing.
import { ClusterModel, ipInCidr, selectorMatches, type NetworkPolicyObject, type PodModel } from '../../support/network-policy-evaluator';

const policy = (namespace: string, name: string, spec: Record<string, unknown>): NetworkPolicyObject => ({
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const pod = (namespace: string, labels: Record<string, string>, ip: string, namedPorts?: Record<string, number>): PodModel => ({ kind: 'pod', namespace, labels, ip, namedPorts });
const NAMESPACES = [{ name: 'app' }, { name: 'web', labels: { tier: 'frontend' } }, { name: 'other' }];

const api = pod('app', { role: 'api' }, '10.0.0.1', { http: 8080 });
const db = pod('app', { role: 'db' }, '10.0.0.2');
const webProxy = pod('web', { role: 'proxy' }, '10.0.1.1');
const webOther = pod('web', { role: 'batch' }, '10.0.1.2');
const otherProxy = pod('other', { role: 'proxy' }, '10.0.2.1');
const internet = { kind: 'ip', ip: '8.8.8.8' } as const;

describe('selectors and CIDRs', () => {
  it('matches labels and expressions; {} selects everything', () => {
    expect(selectorMatches({}, { a: '1' })).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, { a: '2' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, {})).toBe(true);
  });

  it('tests CIDR membership at the edges', () => {
    expect(ipInCidr('10.255.255.255', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('11.0.0.0', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('169.254.169.254', '169.254.169.254/32')).toBe(true);
    expect(ipInCidr('169.254.169.255', '169.254.169.254/32')).toBe(false);
    expect(ipInCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(() => ipInCidr('1.2.3', '0.0.0.0/0')).toThrow('not an IPv4 address: 1.2.3');
  });
});

describe('ClusterModel', () => {
  it('allows everything when no policy selects a pod', () => {
    const cluster = new ClusterModel(NAMESPACES, [policy('app', 'db-only', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'] })]);
    expect(cluster.allows({ from: otherProxy, to: api, port: 1234 })).toBe(true);
    expect(cluster.allows({ from: api, to: internet, port: 443 })).toBe(true);
    expect(cluster.allows({ from: api, to: db, port: 5432 })).toBe(false);
  });

  it('denies a direction a selecting policy has no rule for, and only that direction', () => {
    const cluster = new ClusterModel(NAMESPACES, [policy('app', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(cluster.allows({ from: api, to: internet, port: 443 })).toBe(false);
    expect(cluster.allows({ from: api, to: db, port: 5432 })).toBe(false);
    expect(cluster.allows({ from: webProxy, to: api, port: 8080 })).toBe(true);
  });

  it('infers policyTypes: Ingress always, Egress only with egress rules', () => {
    const cluster = new ClusterModel(NAMESPACES, [policy('app', 'implicit', { podSelector: {} })]);
    expect(cluster.allows({ from: webProxy, to: api, port: 8080 })).toBe(false);
    expect(cluster.allows({ from: api, to: internet, port: 443 })).toBe(true);
    expect(cluster.selecting(api, 'Egress')).toEqual([]);
    expect(cluster.selecting(api, 'Ingress')).toEqual(['app/implicit']);
  });

  it('ANDs namespaceSelector and podSelector within a peer, ORs separate peers', () => {
    const and = new ClusterModel(NAMESPACES, [
      policy('app', 'and', {
        podSelector: { matchLabels: { role: 'api' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'frontend' } }, podSelector: { matchLabels: { role: 'proxy' } } }] }],
      }),
    ]);
    expect(and.allows({ from: webProxy, to: api, port: 8080 })).toBe(true);
    expect(and.allows({ from: webOther, to: api, port: 8080 })).toBe(false);
    expect(and.allows({ from: otherProxy, to: api, port: 8080 })).toBe(false);

    const or = new ClusterModel(NAMESPACES, [
      policy('app', 'or', {
        podSelector: { matchLabels: { role: 'api' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'frontend' } } }, { podSelector: { matchLabels: { role: 'proxy' } } }] }],
      }),
    ]);
    expect(or.allows({ from: webOther, to: api, port: 8080 })).toBe(true);
    // podSelector alone means the policy's own namespace.
    expect(or.allows({ from: otherProxy, to: api, port: 8080 })).toBe(false);
    expect(or.allows({ from: pod('app', { role: 'proxy' }, '10.0.0.9'), to: api, port: 8080 })).toBe(true);
  });

  it('matches ports by protocol, number, range and name', () => {
    const cluster = new ClusterModel(NAMESPACES, [
      policy('app', 'ports', {
        podSelector: { matchLabels: { role: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }, { port: 9000, endPort: 9010 }] }],
      }),
    ]);
    expect(cluster.allows({ from: webOther, to: api, port: 8080 })).toBe(true);
    expect(cluster.allows({ from: webOther, to: api, port: 8081 })).toBe(false);
    expect(cluster.allows({ from: webOther, to: api, port: 53, protocol: 'UDP' })).toBe(true);
    expect(cluster.allows({ from: webOther, to: api, port: 53, protocol: 'TCP' })).toBe(false);
    expect(cluster.allows({ from: webOther, to: api, port: 9010 })).toBe(true);
    expect(cluster.allows({ from: webOther, to: api, port: 9011 })).toBe(false);
  });

  it('applies ipBlock with except, to external addresses and to pod IPs', () => {
    const cluster = new ClusterModel(NAMESPACES, [
      policy('app', 'internet', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }] }],
      }),
    ]);
    expect(cluster.allows({ from: api, to: internet, port: 443 })).toBe(true);
    expect(cluster.allows({ from: api, to: { kind: 'ip', ip: '169.254.169.254' }, port: 80 })).toBe(false);
    expect(cluster.allows({ from: api, to: { kind: 'ip', ip: '169.254.169.253' }, port: 80 })).toBe(true);
    expect(cluster.allows({ from: api, to: webProxy, port: 80 })).toBe(false);
    expect(cluster.allows({ from: api, to: pod('other', {}, '192.168.0.1'), port: 80 })).toBe(true);
  });

  it('needs both egress of the source and ingress of the destination', () => {
    const cluster = new ClusterModel(NAMESPACES, [
      policy('app', 'api-out', { podSelector: { matchLabels: { role: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }] }),
      policy('app', 'db-in', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'batch' } } }] }] }),
    ]);
    expect(cluster.allows({ from: api, to: db, port: 5432 })).toBe(false);
    const cluster2 = new ClusterModel(NAMESPACES, [
      policy('app', 'api-out', { podSelector: { matchLabels: { role: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }] }),
      policy('app', 'db-in', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'api' } } }] }] }),
    ]);
    expect(cluster2.allows({ from: api, to: db, port: 5432 })).toBe(true);
  });

  it('rejects policies and pods in namespaces it does not know', () => {
    expect(() => new ClusterModel(NAMESPACES, [policy('nowhere', 'p', { podSelector: {} })])).toThrow('NetworkPolicy p: namespace nowhere is not in the model');
    const cluster = new ClusterModel(NAMESPACES, []);
    expect(() => cluster.allows({ from: pod('nowhere', {}, '10.9.9.9'), to: api, port: 1 })).toThrow('namespace nowhere is not in the model');
  });
});

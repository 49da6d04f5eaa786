// The team NetworkPolicies, judged by what they allow: the synthesized manifests of the example
// teams (several owners each) are loaded into a cluster model with an ingress controller, cluster
// DNS, a git host and strangers, and connections are checked with the evaluator in test/support.
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { METADATA_CIDR, PRIVATE_RANGES, cidrContains, readStackConfigFile, validateConfig, type Plan } from '../../../components/config';
import { synthesize, toYaml, networkPolicies, type KubeObject } from '../../../components/manifests';
import { ClusterModel, ipInCidr, type NetworkPolicyObject, type PodModel } from '../../support/network-policy-evaluator';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const rawConfig = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`));

function planOf(raw: Record<string, unknown>): Plan {
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}

/** A config with its `network` section replaced by (defaults plus) `network`. */
/** The team's config with `network` replaced (its API server kept: team-b's culler needs it). */
const withNetwork = (team: string, network: Record<string, unknown>) => {
  const raw = rawConfig(team);
  const apiServer = (raw.network as { apiServer?: unknown } | undefined)?.apiServer;
  return planOf({ ...raw, network: { ...(apiServer ? { apiServer } : {}), ...network } });
};

/** What `synth` writes for the team, read back from YAML: the objects a cluster would get. */
function synthesizedObjects(plan: Plan): KubeObject[] {
  return synthesize(plan).flatMap((file) => parseAllDocuments(toYaml(file.objects)).map((doc) => doc.toJS() as KubeObject));
}

const networkPoliciesOf = (plan: Plan) => synthesizedObjects(plan).filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicyObject[];
const namespaceOf = (plan: Plan) => {
  const ns = synthesizedObjects(plan).find((o) => o.kind === 'Namespace')!;
  return { name: ns.metadata.name, labels: ns.metadata.labels };
};

const JUPYTER = 8888;

interface IpBlock { readonly cidr: string; readonly except?: readonly string[] }
interface EgressRuleJson { readonly to: readonly { readonly ipBlock?: IpBlock }[]; readonly ports?: readonly unknown[] }
/** The egress rules of a NetworkPolicy object. */
const egressOf = (policy: KubeObject): EgressRuleJson[] => [...((policy.spec as { egress?: EgressRuleJson[] }).egress ?? [])];
interface ContainerJson { readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[] }
interface PodTemplateJson { readonly metadata: { readonly labels: Record<string, string> }; readonly spec: { readonly containers: readonly ContainerJson[] } }
const ip = (address: string) => ({ kind: 'ip', ip: address }) as const;
const pod = (namespace: string, labels: Record<string, string>, address: string): PodModel => ({ kind: 'pod', namespace, labels, ip: address });

/** Session pods of a team, labelled as the synthesized StatefulSets' pod templates say. */
function sessionPods(plan: Plan, subnet: number): { name: string; owner: string; pod: PodModel }[] {
  const statefulSets = synthesizedObjects(plan).filter((o) => o.kind === 'StatefulSet');
  return plan.sessions.map((session, index) => {
    const statefulSet = statefulSets.find((o) => o.metadata.name === session.names.statefulSet);
    if (!statefulSet) throw new Error(`no StatefulSet for session ${session.name}`);
    const template = (statefulSet.spec as { template: PodTemplateJson }).template;
    const ports = template.spec.containers.flatMap((container) => container.ports ?? []);
    const namedPorts = Object.fromEntries(ports.filter((port) => port.name).map((port) => [port.name!, port.containerPort]));
    return {
      name: `${plan.team}/${session.name}`,
      owner: session.owner,
      pod: { kind: 'pod', namespace: plan.namespace, labels: template.metadata.labels, ip: `10.244.${subnet}.${index + 10}`, namedPorts },
    };
  });
}

// The world the teams live in.
const ingressController = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, '10.244.100.5');
const ingressNamespaceOther = pod('ingress-nginx', { 'app.kubernetes.io/name': 'admission-webhook' }, '10.244.100.6');
const impostor = pod('default', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.244.101.7');
const stranger = pod('default', { app: 'random' }, '10.244.101.8');
const kubeDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, '10.244.102.2');
const metricsServer = pod('kube-system', { 'k8s-app': 'metrics-server' }, '10.244.102.3');
const fakeDns = pod('default', { 'k8s-app': 'kube-dns' }, '10.244.101.9');
const WORLD_NAMESPACES = [{ name: 'ingress-nginx' }, { name: 'default' }, { name: 'kube-system' }];

const demo = planOf(rawConfig('demo'));
const teamA = planOf(rawConfig('team-a'));
const teamB = planOf(rawConfig('team-b'));

/** A cluster holding the given teams (each team's namespace and synthesized policies). */
function clusterOf(...plans: Plan[]): ClusterModel {
  return new ClusterModel([...WORLD_NAMESPACES, ...plans.map(namespaceOf)], plans.flatMap(networkPoliciesOf));
}

const cluster = clusterOf(demo, teamA, teamB);
const sessions = [...sessionPods(demo, 1), ...sessionPods(teamA, 2), ...sessionPods(teamB, 3)];
const demoSessions = sessionPods(demo, 1);
const teamBSessions = sessionPods(teamB, 3);
const teamASessions = sessionPods(teamA, 2);

describe('the example teams', () => {
  it('run Jupyter on port 8888 in every session pod', () => {
    for (const { pod: session } of sessions) expect(Object.values(session.namedPorts ?? {})).toContain(JUPYTER);
  });

  it('have several sessions and owners each', () => {
    for (const plan of [demo, teamA, teamB]) {
      expect(plan.sessions.length).toBeGreaterThanOrEqual(2);
      expect(new Set(plan.sessions.map((s) => s.owner)).size).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('ingress to sessions', () => {
  it.each(sessions.map((s) => [s.name, s.pod] as const))('the ingress controller reaches %s on the Jupyter port and nothing else', (_name, session) => {
    expect(cluster.allows({ from: ingressController, to: session, port: JUPYTER })).toBe(true);
    expect(cluster.allows({ from: ingressController, to: session, port: JUPYTER, protocol: 'UDP' })).toBe(false);
    for (const port of [22, 80, 443, 8080, 8889]) expect(cluster.allows({ from: ingressController, to: session, port })).toBe(false);
  });

  it.each(sessions.map((s) => [s.name, s.pod] as const))('strangers do not reach %s', (_name, session) => {
    for (const from of [stranger, impostor, ingressNamespaceOther, kubeDns, metricsServer]) {
      expect(cluster.allows({ from, to: session, port: JUPYTER })).toBe(false);
    }
    expect(cluster.allows({ from: ip('203.0.113.7'), to: session, port: JUPYTER })).toBe(false);
  });

  it('admits each configured peer, with its namespace and pod labels both required', () => {
    const plan = withNetwork('demo', {
      ingressFrom: [
        { namespaceLabels: { team: 'proxy' }, podLabels: { app: 'oauth2-proxy' } },
        { namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      ],
    });
    const world = new ClusterModel([...WORLD_NAMESPACES, { name: 'auth', labels: { team: 'proxy' } }, namespaceOf(plan)], networkPoliciesOf(plan));
    const [session] = sessionPods(plan, 1);
    expect(world.allows({ from: pod('auth', { app: 'oauth2-proxy' }, '10.244.50.1'), to: session.pod, port: JUPYTER })).toBe(true);
    expect(world.allows({ from: ingressController, to: session.pod, port: JUPYTER })).toBe(true);
    expect(world.allows({ from: pod('auth', { app: 'other' }, '10.244.50.2'), to: session.pod, port: JUPYTER })).toBe(false);
    expect(world.allows({ from: pod('default', { app: 'oauth2-proxy' }, '10.244.50.3'), to: session.pod, port: JUPYTER })).toBe(false);
  });

  it('admits nobody when no peer is configured', () => {
    const plan = withNetwork('demo', { ingressFrom: [] });
    const world = new ClusterModel([...WORLD_NAMESPACES, namespaceOf(plan)], networkPoliciesOf(plan));
    for (const session of sessionPods(plan, 1)) expect(world.allows({ from: ingressController, to: session.pod, port: JUPYTER })).toBe(false);
  });
});

describe('sessions do not reach each other', () => {
  const pairs = sessions.flatMap((a) => sessions.filter((b) => b !== a).map((b) => [a.name, b.name, a.pod, b.pod] as const));

  it('covers pairs in the same team (different owners included) and across teams', () => {
    const sameTeamOtherOwner = sessions.some((a) => sessions.some((b) => a.pod.namespace === b.pod.namespace && a.owner !== b.owner));
    expect(sameTeamOtherOwner).toBe(true);
    expect(pairs.length).toBe(sessions.length * (sessions.length - 1));
  });

  it.each(pairs)('%s -> %s is denied', (_a, _b, from, to) => {
    for (const port of [JUPYTER, 22, 80, 443, 5432]) expect(cluster.allows({ from, to, port })).toBe(false);
    expect(cluster.allows({ from, to, port: 53, protocol: 'UDP' })).toBe(false);
  });

  it('stays denied when sessions are in the internet-enabled team and pod IPs are in any private range', () => {
    const plan = teamB;
    expect(plan.network.allowInternet).toBe(true);
    const world = clusterOf(plan);
    for (const [index, address] of ['10.1.0.5', '172.16.4.5', '192.168.7.5', '100.64.3.5'].entries()) {
      const a = pod(plan.namespace, plan.sessions[0].labels, address);
      const b = pod(plan.namespace, plan.sessions[1 + (index % (plan.sessions.length - 1))].labels, address.replace(/5$/, '6'));
      expect(world.allows({ from: a, to: b, port: JUPYTER })).toBe(false);
    }
  });
});

describe('egress from sessions', () => {
  const metadata = ip('169.254.169.254');

  it.each(sessions.map((s) => [s.name, s.pod] as const))('%s resolves names with cluster DNS over UDP and TCP 53, and nothing else in kube-system', (_name, session) => {
    expect(cluster.allows({ from: session, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(true);
    expect(cluster.allows({ from: session, to: kubeDns, port: 53, protocol: 'TCP' })).toBe(true);
    expect(cluster.allows({ from: session, to: kubeDns, port: 443 })).toBe(false);
    expect(cluster.allows({ from: session, to: kubeDns, port: 9153 })).toBe(false);
    expect(cluster.allows({ from: session, to: metricsServer, port: 53, protocol: 'UDP' })).toBe(false);
    expect(cluster.allows({ from: session, to: metricsServer, port: 443 })).toBe(false);
    expect(cluster.allows({ from: session, to: fakeDns, port: 53, protocol: 'UDP' })).toBe(false);
  });

  it.each(sessions.map((s) => [s.name, s.pod] as const))('%s never reaches the cloud metadata address', (_name, session) => {
    for (const port of [80, 443, 53]) {
      expect(cluster.allows({ from: session, to: metadata, port })).toBe(false);
      expect(cluster.allows({ from: session, to: metadata, port, protocol: 'UDP' })).toBe(false);
    }
  });

  it('never reaches the metadata address, even when configured CIDRs and the internet contain it', () => {
    const plan = withNetwork('team-b', {
      allowInternet: true,
      egress: [
        { cidr: '0.0.0.0/0', ports: [80, 443] },
        { cidr: '169.254.0.0/16', ports: [80] },
      ],
    });
    const world = clusterOf(plan);
    for (const session of sessionPods(plan, 3)) {
      expect(world.allows({ from: session.pod, to: metadata, port: 80 })).toBe(false);
      expect(world.allows({ from: session.pod, to: metadata, port: 443 })).toBe(false);
      // The configured link-local range itself is still reachable on its port.
      expect(world.allows({ from: session.pod, to: ip('169.254.170.2'), port: 80 })).toBe(true);
    }
  });

  it('reaches the configured git hosts on their ports only (demo: 140.82.112.0/20 on 22 and 443)', () => {
    for (const { pod: session } of demoSessions) {
      for (const port of [22, 443]) expect(cluster.allows({ from: session, to: ip('140.82.114.4'), port })).toBe(true);
      expect(cluster.allows({ from: session, to: ip('140.82.114.4'), port: 80 })).toBe(false);
      expect(cluster.allows({ from: session, to: ip('140.82.114.4'), port: 443, protocol: 'UDP' })).toBe(false);
      expect(cluster.allows({ from: session, to: ip('140.82.128.1'), port: 443 })).toBe(false);
    }
  });

  it('reaches private git hosts and extra CIDRs on their ports only (team-a)', () => {
    for (const { pod: session } of teamASessions) {
      for (const port of [22, 443]) expect(cluster.allows({ from: session, to: ip('10.20.0.10'), port })).toBe(true);
      expect(cluster.allows({ from: session, to: ip('10.20.0.10'), port: 5432 })).toBe(false);
      expect(cluster.allows({ from: session, to: ip('10.20.0.11'), port: 443 })).toBe(false);
      expect(cluster.allows({ from: session, to: ip('10.30.7.8'), port: 5432 })).toBe(true);
      expect(cluster.allows({ from: session, to: ip('10.30.7.8'), port: 22 })).toBe(false);
      expect(cluster.allows({ from: session, to: ip('10.31.0.1'), port: 5432 })).toBe(false);
    }
  });

  it('reaches the internet on any port with allowInternet (team-b), but no private or special range', () => {
    for (const { pod: session } of teamBSessions) {
      for (const port of [80, 443, 8443]) expect(cluster.allows({ from: session, to: ip('93.184.216.34'), port })).toBe(true);
      expect(cluster.allows({ from: session, to: ip('8.8.8.8'), port: 53, protocol: 'UDP' })).toBe(true);
      for (const address of ['10.0.0.1', '10.255.1.1', '172.16.0.1', '172.31.255.254', '192.168.1.1', '100.64.0.1', '100.127.255.1', '169.254.0.1', '169.254.169.254']) {
        expect(cluster.allows({ from: session, to: ip(address), port: 443 })).toBe(false);
      }
      // Addresses next to the private ranges are public.
      for (const address of ['172.32.0.1', '11.0.0.1', '192.169.0.1', '100.128.0.1']) expect(cluster.allows({ from: session, to: ip(address), port: 443 })).toBe(true);
    }
  });

  it('does not reach the internet or the Kubernetes API without allowInternet (demo, team-a)', () => {
    for (const { pod: session } of [...demoSessions, ...teamASessions]) {
      for (const address of ['93.184.216.34', '8.8.8.8']) expect(cluster.allows({ from: session, to: ip(address), port: 443 })).toBe(false);
      for (const address of ['10.96.0.1', '172.20.0.1']) expect(cluster.allows({ from: session, to: ip(address), port: 443 })).toBe(false);
    }
  });
});

describe('other pods of a team namespace', () => {
  it.each([demo, teamA, teamB].map((plan) => [plan.team, plan] as const))('%s: a pod that is not a notebook is isolated both ways', (_team, plan) => {
    const job = pod(plan.namespace, { ...plan.labels, 'app.kubernetes.io/component': 'purge' }, '10.244.60.1');
    expect(cluster.allows({ from: ingressController, to: job, port: JUPYTER })).toBe(false);
    expect(cluster.allows({ from: job, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(false);
    expect(cluster.allows({ from: job, to: ip('93.184.216.34'), port: 443 })).toBe(false);
    expect(cluster.selecting(job, 'Ingress')).toEqual([`${plan.namespace}/default-deny`]);
    expect(cluster.selecting(job, 'Egress')).toEqual([`${plan.namespace}/default-deny`]);
  });
});

describe('the NetworkPolicy objects', () => {
  it.each([demo, teamA, teamB].map((plan) => [plan.team, plan] as const))('%s: default deny, notebook ingress, notebook egress, in the team namespace with the team labels', (_team, plan) => {
    const policies = networkPolicies(plan);
    expect(policies.map((p) => p.metadata.name)).toEqual(['default-deny', 'notebook-ingress', 'notebook-egress']);
    for (const policy of policies) {
      expect(policy.apiVersion).toBe('networking.k8s.io/v1');
      expect(policy.metadata.namespace).toBe(plan.namespace);
      expect(policy.metadata.labels).toEqual(plan.labels);
    }
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('the notebook policies select every session pod of the team and no pod of another team', () => {
    for (const { pod: session } of sessions) {
      const ns = session.namespace;
      expect(cluster.selecting(session, 'Ingress')).toEqual([`${ns}/default-deny`, `${ns}/notebook-ingress`]);
      expect(cluster.selecting(session, 'Egress')).toEqual([`${ns}/default-deny`, `${ns}/notebook-egress`]);
    }
  });

  it('are in the team chart, exactly as the builder makes them', () => {
    // The culler's and the snapshot job's own policies are in the team chart too (manifests/culler.ts and snapshots.ts, tested there).
    const notCuller = (objects: readonly { metadata: { name: string } }[]) => objects.filter((o) => o.metadata.name !== 'notebook-culler' && o.metadata.name !== 'notebook-snapshots');
    for (const plan of [demo, teamA, teamB]) expect(notCuller(networkPoliciesOf(plan))).toEqual(networkPolicies(plan));
  });

  it('except the metadata address from every ipBlock that contains it, and only those', () => {
    const plan = withNetwork('team-b', {
      allowInternet: true,
      gitHosts: [{ cidr: '140.82.112.0/20', ports: [443] }],
      egress: [{ cidr: '169.254.0.0/16', ports: [80] }],
    });
    const blocks = networkPolicies(plan).flatMap((policy) => egressOf(policy).flatMap((rule) => rule.to.flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))));
    expect(blocks).toEqual([
      { cidr: '140.82.112.0/20' },
      { cidr: '169.254.0.0/16', except: [METADATA_CIDR] },
      { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES, METADATA_CIDR] },
    ]);
    // Every except lies strictly inside its cidr, as the API server requires.
    for (const block of blocks) for (const except of block.except ?? []) expect(cidrContains(block.cidr, except) && except !== block.cidr).toBe(true);
    expect(ipInCidr('169.254.169.254', '169.254.0.0/16')).toBe(true);
  });

  it('validation rejects a rule for the metadata address itself', () => {
    const result = validateConfig({ ...rawConfig('demo'), network: { egress: [{ cidr: '169.254.169.254/32', ports: [80] }] } });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual(['notebook-platform:network.egress[0].cidr']);
    expect(result.problems[0].message).toContain('cloud metadata address');
  });

  it('leave out a rule for the metadata address itself, should a plan hold one (an ipBlock cannot except all of itself)', () => {
    const plan: Plan = { ...demo, network: { ...demo.network, egress: [{ cidr: METADATA_CIDR, except: [METADATA_CIDR], ports: [80] }, ...demo.network.egress] } };
    expect(egressOf(networkPolicies(plan)[2])).toEqual(egressOf(networkPolicies(demo)[2]));
  });

  it('do not depend on the order of the config: egress sorted and merged by CIDR, peers sorted', () => {
    const network = {
      ingressFrom: [
        { namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        { namespaceLabels: { team: 'proxy' }, podLabels: { b: '2', a: '1' } },
      ],
      gitHosts: [{ cidr: '140.82.112.0/20', ports: [443, 22] }],
      egress: [{ cidr: '10.30.0.0/16', ports: [5432] }, { cidr: '140.82.112.0/20', ports: [9418] }],
    };
    const reversed = {
      ingressFrom: [...network.ingressFrom].reverse(),
      gitHosts: [{ cidr: '140.82.112.0/20', ports: [9418] }],
      egress: [{ cidr: '140.82.112.0/20', ports: [22, 443] }, { cidr: '10.30.0.0/16', ports: [5432] }],
    };
    const a = toYaml(networkPolicies(withNetwork('demo', network)));
    const b = toYaml(networkPolicies(withNetwork('demo', reversed)));
    expect(a).toBe(b);
    const egress = egressOf(networkPolicies(withNetwork('demo', network))[2]);
    expect(egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.30.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '140.82.112.0/20' } }], ports: [22, 443, 9418].map((port) => ({ protocol: 'TCP', port })) },
    ]);
  });

  it('with nodeLocalDns, sessions also reach the node-local DNS cache on 53, and only there and only on 53', () => {
    const plan = withNetwork('demo', { nodeLocalDns: '169.254.20.10' });
    const egress = egressOf(networkPolicies(plan)[2]);
    expect(egress[1]).toEqual({ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
    const world = clusterOf(plan);
    for (const session of sessionPods(plan, 2)) {
      expect(world.allows({ from: session.pod, to: ip('169.254.20.10'), port: 53, protocol: 'UDP' })).toBe(true);
      expect(world.allows({ from: session.pod, to: ip('169.254.20.10'), port: 53, protocol: 'TCP' })).toBe(true);
      expect(world.allows({ from: session.pod, to: ip('169.254.20.10'), port: 8080 })).toBe(false);
      expect(world.allows({ from: session.pod, to: ip('169.254.20.11'), port: 53, protocol: 'UDP' })).toBe(false);
      expect(world.allows({ from: session.pod, to: ip('169.254.169.254'), port: 53, protocol: 'UDP' })).toBe(false);
    }
    // Without it (the default) the cache is unreachable: DNS goes to kube-dns only.
    const plain = clusterOf(demo);
    for (const session of sessionPods(demo, 1)) expect(plain.allows({ from: session.pod, to: ip('169.254.20.10'), port: 53, protocol: 'UDP' })).toBe(false);
  });

  it.each([
    ['169.254.169.254', 'is the cloud metadata address, not a DNS cache'],
    ['169.254.20', 'must be an IPv4 address such as "169.254.20.10"'],
    ['169.254.20.10/32', 'must be an IPv4 address such as "169.254.20.10"'],
    ['300.1.1.1', 'must be an IPv4 address such as "169.254.20.10"'],
  ])('validation rejects nodeLocalDns %j', (value, message) => {
    const result = validateConfig({ ...rawConfig('demo'), network: { nodeLocalDns: value } });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual(['notebook-platform:network.nodeLocalDns']);
    expect(result.problems[0].message).toContain(message);
  });

  it('egress begins with DNS to the kube-dns pods of kube-system, on UDP and TCP 53', () => {
    const egress = egressOf(networkPolicies(demo)[2]);
    expect(egress[0]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    });
  });
});

describe('egress to in-cluster pods by namespace and pod labels', () => {
  const gitNamespace = { name: 'git', labels: { 'kubernetes.io/metadata.name': 'git' } };
  const gitServer = pod('git', { app: 'git-server' }, '10.244.9.2');
  const gitSidecar = pod('git', { app: 'metrics' }, '10.244.9.3');
  const lookalike = pod('other', { app: 'git-server' }, '10.244.9.4');
  const peerRule = { namespaceLabels: { 'kubernetes.io/metadata.name': 'git' }, podLabels: { app: 'git-server' }, ports: [8443, 2222] };
  const plan = withNetwork('demo', { gitHosts: [peerRule] });
  const world = new ClusterModel([...WORLD_NAMESPACES, gitNamespace, { name: 'other', labels: { 'kubernetes.io/metadata.name': 'other' } }, namespaceOf(plan)], networkPoliciesOf(plan));

  it('reaches the named pods on their ports only, never pods with the same labels elsewhere or other pods there', () => {
    for (const session of sessionPods(plan, 1)) {
      expect(world.allows({ from: session.pod, to: gitServer, port: 8443 })).toBe(true);
      expect(world.allows({ from: session.pod, to: gitServer, port: 2222 })).toBe(true);
      expect(world.allows({ from: session.pod, to: gitServer, port: 22 })).toBe(false);
      expect(world.allows({ from: session.pod, to: gitServer, port: 8443, protocol: 'UDP' })).toBe(false);
      expect(world.allows({ from: session.pod, to: gitSidecar, port: 8443 })).toBe(false);
      expect(world.allows({ from: session.pod, to: lookalike, port: 8443 })).toBe(false);
    }
  });

  it('keeps sessions apart: no session reaches another through the rule', () => {
    const pods = sessionPods(plan, 1);
    for (const a of pods) for (const b of pods) if (a !== b) expect(world.allows({ from: a.pod, to: b.pod, port: JUPYTER })).toBe(false);
  });

  it('renders one rule per destination after DNS, both selectors required, ports merged and sorted', () => {
    const merged = withNetwork('demo', { gitHosts: [peerRule, { ...peerRule, ports: [2222, 22] }], egress: [{ cidr: '10.1.0.0/16', ports: [5432] }] });
    const egress = egressOf(networkPolicies(merged)[2]) as unknown[];
    expect(egress[1]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'git' } }, podSelector: { matchLabels: { app: 'git-server' } } }],
      ports: [22, 2222, 8443].map((port) => ({ protocol: 'TCP', port })),
    });
    expect(egress[2]).toEqual({ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    expect(egress).toHaveLength(3);
  });

  it('leaves stacks without such rules byte for byte as they were (no peer rule rendered)', () => {
    const egress = egressOf(networkPolicies(demo)[2]);
    expect(egress.some((rule) => rule.to.some((peer) => !('ipBlock' in peer) && rule !== egress[0]))).toBe(false);
  });

  it.each([
    [{ namespaceLabels: {}, ports: [443] }, 'network.gitHosts[0].namespaceLabels', 'is empty'],
    [{ podLabels: { app: 'git-server' }, ports: [443] }, 'network.gitHosts[0].namespaceLabels', 'is required with podLabels'],
    [{ cidr: '10.0.0.0/8', namespaceLabels: { 'kubernetes.io/metadata.name': 'git' }, ports: [443] }, 'network.gitHosts[0]', 'has both cidr and namespaceLabels'],
    [{ ports: [443] }, 'network.gitHosts[0]', 'names no destination'],
    [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'nb-demo' }, ports: [8888] }, 'network.gitHosts[0].namespaceLabels', "selects the team's own namespace"],
    [{ namespaceLabels: { 'notebook-platform.io/team': 'demo' }, podLabels: {}, ports: [8888] }, 'network.gitHosts[0].namespaceLabels', "selects the team's own namespace"],
    [{ namespaceLabels: { 'app.kubernetes.io/managed-by': 'notebook-platform' }, ports: [8888] }, 'network.gitHosts[0].namespaceLabels', "selects the team's own namespace"],
    [{ namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' }, ports: [8888] }, 'network.gitHosts[0].namespaceLabels', "selects the team's own namespace"],
    [{ namespaceLabels: { 'notebook-platform.io/team': 'team-a' }, ports: [8888] }, 'network.gitHosts[0].namespaceLabels', 'could select other teams'],
  ])('validation rejects the egress rule %j', (rule, path, message) => {
    const result = validateConfig({ ...rawConfig('demo'), network: { gitHosts: [rule] } });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual([`notebook-platform:${path}`]);
    expect(result.problems[0].message).toContain(message);
  });
});

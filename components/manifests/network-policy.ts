/**
 * The team's NetworkPolicies: default deny in and out for every pod of the namespace, then the
 * few paths a notebook needs. Sessions never allow each other: nothing selects a notebook pod
 * as a source of ingress, and the internet rule (if any) excludes the private ranges pods live in.
 * The cloud metadata address is excepted from every ipBlock that contains it.
 */
import type { EgressPeerPlan, EgressPlan, Plan } from '../config/plan';
import { METADATA_CIDR, PRIVATE_RANGES, cidrContains } from '../config/plan';
import { COMPONENT_LABEL, NOTEBOOK_COMPONENT, TEAM_LABEL, names } from '../config/names';
import { meta, type KubeObject, type Labels } from './objects';
import type { NetworkPolicyEgressRuleManifest, NetworkPolicyIngressRuleManifest, NetworkPolicyManifest, NetworkPolicyPeerManifest, NetworkPolicyPortManifest, NetworkPolicySpecManifest } from './kube';

/** Where cluster DNS runs: the `kube-dns` pods (CoreDNS keeps that label) of `kube-system`. */
export const CLUSTER_DNS = {
  namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  podLabels: { 'k8s-app': 'kube-dns' },
  port: 53,
} as const;

/** Every address outside the private ranges: the internet when `network.allowInternet` is on. */
export const INTERNET_CIDR = '0.0.0.0/0';

type PolicyPort = NetworkPolicyPortManifest & { readonly protocol: 'TCP' | 'UDP'; readonly port: number };
type PolicyPeer = NetworkPolicyPeerManifest;
export type EgressRule = NetworkPolicyEgressRuleManifest;

const tcp = (port: number): PolicyPort => ({ protocol: 'TCP', port });
const udp = (port: number): PolicyPort => ({ protocol: 'UDP', port });

/** Egress to the cluster DNS pods on port 53, UDP and TCP: every pod of the team that resolves names needs it. */
export function clusterDnsEgressRule(): EgressRule {
  return {
    to: [{ namespaceSelector: { matchLabels: CLUSTER_DNS.namespaceLabels }, podSelector: { matchLabels: CLUSTER_DNS.podLabels } }],
    ports: [udp(CLUSTER_DNS.port), tcp(CLUSTER_DNS.port)],
  };
}

/** Selects the team's notebook (session) pods: every session pod carries these labels. */
export function notebookPodSelector(plan: Plan): Labels {
  return { [COMPONENT_LABEL]: NOTEBOOK_COMPONENT, [TEAM_LABEL]: plan.team };
}

function networkPolicy(plan: Plan, name: string, spec: NetworkPolicySpecManifest): NetworkPolicyManifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name, plan.labels, plan.namespace), spec };
}

/** Selects every pod of the namespace for both directions and allows nothing. */
export function defaultDenyPolicy(plan: Plan): NetworkPolicyManifest {
  return networkPolicy(plan, names.defaultDenyPolicy(), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
}

/**
 * Ingress to notebook pods: TCP on the Jupyter port, only from the configured peers (sorted,
 * duplicates dropped) and the team's culler when it has one. Each peer carries its namespace and pod selector together, so both must
 * match (a pod with the ingress controller's labels in another namespace is not admitted).
 */
export function notebookIngressPolicy(plan: Plan): NetworkPolicyManifest {
  const from: PolicyPeer[] = plan.network.ingressFrom.map((peer) => ({
    namespaceSelector: { matchLabels: sortedLabels(peer.namespaceLabels) },
    podSelector: { matchLabels: sortedLabels(peer.podLabels) },
  }));
  const ingress: NetworkPolicyIngressRuleManifest[] = from.length > 0 ? [{ from: sortedUnique(from), ports: [tcp(plan.network.jupyterPort)] }] : [];
  // The team's culler reads each session's activity on the Jupyter port (its own namespace only).
  if (plan.culler) ingress.push({ from: [{ podSelector: { matchLabels: { ...plan.culler.selector } } }], ports: [tcp(plan.network.jupyterPort)] });
  return networkPolicy(plan, names.notebookIngressPolicy(), {
    podSelector: { matchLabels: notebookPodSelector(plan) },
    policyTypes: ['Ingress'],
    ingress,
  });
}

/**
 * Egress of notebook pods, in this order: DNS (UDP and TCP 53) to the cluster DNS pods (and to
 * the node-local DNS cache when `network.nodeLocalDns` names one), in-cluster destination pods
 * by namespace and pod labels, the git hosts and extra CIDRs on their TCP ports (sorted,
 * duplicates merged), and with
 * `allowInternet` every address outside the private ranges, on any port.
 */
export function notebookEgressPolicy(plan: Plan): NetworkPolicyManifest {
  const egress: EgressRule[] = [clusterDnsEgressRule()];
  if (plan.network.nodeLocalDns) {
    // NodeLocal DNSCache answers on a link-local address on every node, outside any pod.
    egress.push({ to: [{ ipBlock: { cidr: `${plan.network.nodeLocalDns}/32` } }], ports: [udp(CLUSTER_DNS.port), tcp(CLUSTER_DNS.port)] });
  }
  egress.push(...peerRules(plan.network.egressPeers));
  egress.push(...cidrRules(plan.network.egress));
  if (plan.network.allowInternet) egress.push({ to: [{ ipBlock: { cidr: INTERNET_CIDR, except: internetExceptions() } }] });
  return networkPolicy(plan, names.notebookEgressPolicy(), {
    podSelector: { matchLabels: notebookPodSelector(plan) },
    policyTypes: ['Egress'],
    egress,
  });
}

/** What the internet rule leaves out: the private and special ranges, and the metadata address. */
export function internetExceptions(): string[] {
  return [...PRIVATE_RANGES, METADATA_CIDR];
}

/**
 * One rule per in-cluster destination (namespace and pod selectors together, so both must match),
 * in a stable order, duplicates merged with the union of their TCP ports.
 */
function peerRules(peers: readonly EgressPeerPlan[]): EgressRule[] {
  const portsByPeer = new Map<string, { peer: PolicyPeer; ports: Set<number> }>();
  for (const { namespaceLabels, podLabels, ports } of peers) {
    const peer: PolicyPeer = {
      namespaceSelector: { matchLabels: sortedLabels(namespaceLabels) },
      podSelector: { matchLabels: sortedLabels(podLabels) },
    };
    const key = JSON.stringify(peer);
    const entry = portsByPeer.get(key) ?? { peer, ports: new Set<number>() };
    for (const port of ports) entry.ports.add(port);
    portsByPeer.set(key, entry);
  }
  return [...portsByPeer.keys()].sort().map((key) => {
    const { peer, ports } = portsByPeer.get(key)!;
    return { to: [peer], ports: [...ports].sort((a, b) => a - b).map(tcp) };
  });
}

/**
 * One rule per destination CIDR with the union of its ports. A CIDR that lies inside the
 * metadata address can never be allowed and is left out (an ipBlock cannot except all of itself).
 */
function cidrRules(rules: readonly EgressPlan[]): EgressRule[] {
  const portsByCidr = new Map<string, { except: readonly string[]; ports: Set<number> }>();
  for (const rule of rules) {
    if (cidrContains(METADATA_CIDR, rule.cidr)) continue;
    const entry = portsByCidr.get(rule.cidr) ?? { except: rule.except, ports: new Set<number>() };
    for (const port of rule.ports) entry.ports.add(port);
    portsByCidr.set(rule.cidr, entry);
  }
  return [...portsByCidr.entries()]
    .sort(([a], [b]) => compareCidrs(a, b))
    .map(([cidr, { except, ports }]) => ({
      to: [{ ipBlock: except.length > 0 ? { cidr, except: [...except] } : { cidr } }],
      ports: [...ports].sort((a, b) => a - b).map(tcp),
    }));
}

function compareCidrs(a: string, b: string): number {
  const key = (cidr: string) => {
    const [ip, bits] = cidr.split('/');
    return [...ip.split('.').map(Number), Number(bits)];
  };
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return 0;
}

function sortedLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Items in a stable order (by their JSON), duplicates dropped: the config's order does not matter. */
function sortedUnique<T>(items: readonly T[]): T[] {
  const byKey = new Map(items.map((item) => [JSON.stringify(item), item]));
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

/** The team's NetworkPolicies: default deny, notebook ingress, notebook egress. */
export function networkPolicies(plan: Plan): KubeObject[] {
  return [defaultDenyPolicy(plan), notebookIngressPolicy(plan), notebookEgressPolicy(plan)];
}

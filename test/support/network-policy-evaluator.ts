/**
 * A small NetworkPolicy evaluator for tests: given NetworkPolicies and a model of the cluster
 * (namespaces with labels, pods with labels and IPs), says whether a connection is allowed.
 *
 * Kubernetes semantics (networking.k8s.io/v1):
 * - A policy applies to the pods of its namespace that its podSelector selects, for the
 *   directions in policyTypes (default: Ingress, plus Egress when it has egress rules).
 * - A pod that no policy selects for a direction is unrestricted in that direction.
 * - Otherwise a connection is allowed if any rule of any selecting policy admits it (union).
 * - A connection needs both the source's egress and the destination's ingress.
 * - A peer with namespaceSelector and podSelector needs both to match; podSelector alone means
 *   the policy's namespace; namespaceSelector alone means every pod of those namespaces.
 * - ipBlock matches an address in cidr and in none of except. Whether ipBlock matches pod IPs is
 *   implementation-defined; this evaluator matches them (the more permissive choice), so a
 *   "denied" verdict holds on every implementation.
 * - Rules with no ports admit every port; a rule with no from/to admits every source/destination.
 * - Traffic from or to the node (kubelet probes, host-network pods) is not modelled.
 */
export type Labels = Readonly<Record<string, string>>;
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface NamespaceModel {
  readonly name: string;
  readonly labels?: Labels;
}

export interface PodModel {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly labels: Labels;
  readonly ip: string;
  /** Named container ports (`http` -> 8888), for policies that name a port. */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

export interface ExternalModel {
  readonly kind: 'ip';
  readonly ip: string;
}

export type Endpoint = PodModel | ExternalModel;

export interface Connection {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: Protocol;
}

interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}
interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}
interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
interface Port {
  readonly protocol?: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}
interface Rule {
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly Port[];
}
interface PolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

/** A NetworkPolicy as synthesized: only the fields the evaluator reads. */
export interface NetworkPolicyObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: unknown;
}

type Direction = 'Ingress' | 'Egress';

/** Whether a label selector selects a set of labels; `{}` selects everything. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!has || !values.includes(labels[requirement.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[requirement.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String(requirement.operator)}`);
    }
  }
  return true;
}

function ipToNumber(ip: string): number {
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return octets.reduce((sum, octet) => sum * 256 + octet, 0);
}

/** Whether an IPv4 address lies in a CIDR. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipToNumber(base) / size) * size;
  const address = ipToNumber(ip);
  return address >= start && address < start + size;
}

export class ClusterModel {
  private readonly namespaces: Map<string, Labels>;
  private readonly policies: readonly { namespace: string; name: string; spec: PolicySpec }[];

  /**
   * @param namespaces every namespace pods may live in; `kubernetes.io/metadata.name` is added
   *   as the API server does.
   * @param policies NetworkPolicies (other objects are ignored); each must name its namespace.
   */
  constructor(namespaces: readonly NamespaceModel[], policies: readonly NetworkPolicyObject[]) {
    this.namespaces = new Map(namespaces.map((ns) => [ns.name, { ...ns.labels, 'kubernetes.io/metadata.name': ns.name }]));
    this.policies = policies
      .filter((object) => object.kind === 'NetworkPolicy')
      .map((object) => {
        const namespace = object.metadata.namespace;
        if (!namespace) throw new Error(`NetworkPolicy ${object.metadata.name} has no namespace`);
        if (!this.namespaces.has(namespace)) throw new Error(`NetworkPolicy ${object.metadata.name}: namespace ${namespace} is not in the model`);
        return { namespace, name: object.metadata.name, spec: object.spec as PolicySpec };
      });
  }

  /** Whether the connection is allowed: the source's egress and the destination's ingress. */
  allows(connection: Connection): boolean {
    const protocol = connection.protocol ?? 'TCP';
    const egressOk = connection.from.kind !== 'pod' || this.directionAllows('Egress', connection.from, connection.to, connection.port, protocol);
    const ingressOk = connection.to.kind !== 'pod' || this.directionAllows('Ingress', connection.to, connection.from, connection.port, protocol);
    return egressOk && ingressOk;
  }

  /** Names of the policies that select a pod for a direction (`namespace/name`). */
  selecting(pod: PodModel, direction: Direction): string[] {
    return this.selectingPolicies(pod, direction).map((policy) => `${policy.namespace}/${policy.name}`);
  }

  private selectingPolicies(pod: PodModel, direction: Direction) {
    this.namespaceLabels(pod.namespace);
    return this.policies.filter(
      (policy) => policy.namespace === pod.namespace && policyTypes(policy.spec).includes(direction) && selectorMatches(policy.spec.podSelector, pod.labels),
    );
  }

  /**
   * `subject` is the pod the policies protect; `peer` is the other end; `port` is always the
   * destination port (for Ingress, on `subject`; for Egress, on `peer`).
   */
  private directionAllows(direction: Direction, subject: PodModel, peer: Endpoint, port: number, protocol: Protocol): boolean {
    const policies = this.selectingPolicies(subject, direction);
    if (policies.length === 0) return true;
    const destination = direction === 'Ingress' ? subject : peer;
    return policies.some((policy) =>
      (direction === 'Ingress' ? policy.spec.ingress ?? [] : policy.spec.egress ?? []).some(
        (rule) =>
          portsMatch(rule.ports, destination, port, protocol) &&
          peersMatch(direction === 'Ingress' ? rule.from : rule.to, peer, policy.namespace, (name) => this.namespaceLabels(name)),
      ),
    );
  }

  private namespaceLabels(name: string): Labels {
    const labels = this.namespaces.get(name);
    if (!labels) throw new Error(`namespace ${name} is not in the model`);
    return labels;
  }
}

function policyTypes(spec: PolicySpec): readonly Direction[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function portsMatch(ports: readonly Port[] | undefined, destination: Endpoint, port: number, protocol: Protocol): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== protocol) return false;
    if (entry.port === undefined) return true;
    if (typeof entry.port === 'string') {
      const named = destination.kind === 'pod' ? destination.namedPorts?.[entry.port] : undefined;
      return named === port;
    }
    return entry.endPort !== undefined ? port >= entry.port && port <= entry.endPort : port === entry.port;
  });
}

function peersMatch(peers: readonly Peer[] | undefined, endpoint: Endpoint, policyNamespace: string, namespaceLabels: (name: string) => Labels): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock) {
      const { cidr, except = [] } = peer.ipBlock;
      return ipInCidr(endpoint.ip, cidr) && !except.some((excluded) => ipInCidr(endpoint.ip, excluded));
    }
    if (endpoint.kind !== 'pod') return false;
    if (!peer.podSelector && !peer.namespaceSelector) throw new Error('a peer needs podSelector, namespaceSelector or ipBlock');
    const namespaceOk = peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, namespaceLabels(endpoint.namespace))
      : endpoint.namespace === policyNamespace;
    const podOk = peer.podSelector ? selectorMatches(peer.podSelector, endpoint.labels) : true;
    return namespaceOk && podOk;
  });
}

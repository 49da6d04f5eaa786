/**
 * Isolation of a team: its namespace enforces Pod Security `restricted`, denies all ingress and
 * egress by default (NetworkPolicies then open only what sessions need), and exposes sessions
 * only through ClusterIP Services behind the ingress.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { describe, podTemplateOf, TYPES, type KubeProps, type NetworkPolicySpec, type ServiceSpec } from './kube';
import { resourceRule, stackRule, type ResourceRule, type StackRule } from './policy';
import { COMPONENT_LABEL, JUPYTER_PORT, MANAGED_BY_LABEL, NOTEBOOK_COMPONENT, TEAM_LABEL } from '../../shared/names';
import { CULLER_COMPONENT } from '../../shared/culling';

export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export function checkNamespacePodSecurity(props: KubeProps): string[] {
  const level = props.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL];
  return level === 'restricted' ? [] : [`${describe(props)} does not enforce Pod Security restricted (${POD_SECURITY_ENFORCE_LABEL}: ${level ?? 'missing'})`];
}

export function namespacePodSecurityRule(): ResourceRule {
  return resourceRule(
    {
      name: 'namespace-pod-security-restricted',
      description: 'Every namespace the stack declares enforces the restricted Pod Security Standard.',
      enforcementLevel: 'mandatory',
      remediationSteps: `Label the namespace ${POD_SECURITY_ENFORCE_LABEL}: restricted (namespaceObject in components/manifests/security.ts does, with audit and warn).`,
    },
    [TYPES.namespace],
    (props) => checkNamespacePodSecurity(props as KubeProps),
  );
}

/** The policy types a NetworkPolicy governs: as written, or as Kubernetes defaults them. */
function policyTypes(spec: NetworkPolicySpec): string[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selectsEveryPod(spec: NetworkPolicySpec): boolean {
  const selector = spec.podSelector ?? {};
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * The namespaces the stack puts things in (declared, or used by a workload), each with a
 * NetworkPolicy selecting every pod that allows no ingress, and one that allows no egress (one
 * policy may do both).
 */
export function checkDefaultDeny(resources: readonly PolicyResource[]): { message: string; urn?: string }[] {
  const namespaces = new Map<string, string | undefined>();
  for (const resource of resources) {
    if (resource.type === TYPES.namespace) {
      const name = (resource.props as KubeProps).metadata?.name;
      if (name) namespaces.set(name, resource.urn);
    } else if (podTemplateOf(resource.type, resource.props)) {
      const name = (resource.props as KubeProps).metadata?.namespace ?? 'default';
      if (!namespaces.has(name)) namespaces.set(name, undefined);
    }
  }
  const denies = new Map<string, { ingress: boolean; egress: boolean }>();
  for (const resource of resources) {
    if (resource.type !== TYPES.networkPolicy) continue;
    const props = resource.props as KubeProps;
    const spec = (props.spec ?? {}) as NetworkPolicySpec;
    if (!selectsEveryPod(spec)) continue;
    const namespace = props.metadata?.namespace ?? 'default';
    const types = policyTypes(spec);
    const found = denies.get(namespace) ?? { ingress: false, egress: false };
    if (types.includes('Ingress') && (spec.ingress ?? []).length === 0) found.ingress = true;
    if (types.includes('Egress') && (spec.egress ?? []).length === 0) found.egress = true;
    denies.set(namespace, found);
  }
  const problems: { message: string; urn?: string }[] = [];
  for (const [namespace, urn] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const found = denies.get(namespace) ?? { ingress: false, egress: false };
    const missing = [!found.ingress && 'ingress', !found.egress && 'egress'].filter(Boolean);
    if (missing.length > 0) {
      problems.push({ message: `namespace ${namespace} has no default-deny ${missing.join(' and ')} NetworkPolicy (podSelector {} with policyTypes ${missing.map((m) => (m === 'ingress' ? 'Ingress' : 'Egress')).join(', ')} and no rules)`, urn });
    }
  }
  return problems;
}

export function namespaceDefaultDenyRule(): StackRule {
  return stackRule(
    {
      name: 'namespace-default-deny',
      description: 'Every namespace with workloads has NetworkPolicies denying all ingress and all egress by default.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules to the namespace (names.defaultDenyPolicy in components/manifests/network-policy.ts), then open only what sessions need.',
    },
    (args: StackValidationArgs) => checkDefaultDeny(args.resources),
  );
}

/** Service types that open a port outside the cluster. */
export const EXTERNAL_SERVICE_TYPES: readonly string[] = ['LoadBalancer', 'NodePort'];

export function checkServiceExposure(props: KubeProps): string[] {
  const spec = (props.spec ?? {}) as ServiceSpec;
  const problems: string[] = [];
  if (spec.type && EXTERNAL_SERVICE_TYPES.includes(spec.type)) problems.push(`${describe(props)} is of type ${spec.type}: it bypasses the ingress and its authentication`);
  if ((spec.externalIPs ?? []).length > 0) problems.push(`${describe(props)} has externalIPs ${spec.externalIPs!.join(', ')}: it bypasses the ingress and its authentication`);
  return problems;
}

export function clusterIpServicesRule(): ResourceRule {
  return resourceRule(
    {
      name: 'cluster-ip-services-only',
      description: 'Services are ClusterIP without external IPs: sessions are reached only through the ingress.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Use type: ClusterIP (sessionService in components/manifests/session.ts does) and reach sessions through the team ingress at /notebooks/<team>/<session>/.',
    },
    [TYPES.service],
    (props) => checkServiceExposure(props as KubeProps),
  );
}

type PeerSelector = { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: readonly unknown[] };
type EgressPeer = { readonly ipBlock?: unknown; readonly namespaceSelector?: PeerSelector; readonly podSelector?: PeerSelector };

/** Labels every notebook namespace carries: a selector naming only these matches every team's namespace. */
const NOTEBOOK_NAMESPACE_LABEL_KEYS: readonly string[] = [MANAGED_BY_LABEL, TEAM_LABEL];

/** Why an egress peer that names pods could reach notebook pods, or nothing when it is scoped to another namespace. */
function unscopedPeerReason(peer: EgressPeer, namespace: string): string | undefined {
  if (peer.ipBlock) return undefined;
  const selector = peer.namespaceSelector;
  if (!selector) return 'selects pods of its own namespace (no namespaceSelector), where the notebooks run';
  const labels = selector.matchLabels ?? {};
  const keys = Object.keys(labels);
  if (keys.length === 0 && (selector.matchExpressions ?? []).length === 0) return 'has an empty namespaceSelector, which selects every namespace';
  if (labels['kubernetes.io/metadata.name'] === namespace) return `selects its own namespace ${namespace}, where the notebooks run`;
  if (keys.length > 0 && keys.every((key) => NOTEBOOK_NAMESPACE_LABEL_KEYS.includes(key) || key.startsWith('pod-security.kubernetes.io/'))) {
    return `selects namespaces only by labels every notebook namespace carries (${keys.join(', ')})`;
  }
  return undefined;
}

/** A culler's peer: notebook pods of its own namespace, on the Jupyter port (TCP) and nothing else. */
function isCullerToNotebooks(peer: EgressPeer, ports: readonly { protocol?: string; port?: unknown }[] | undefined): boolean {
  if (peer.ipBlock || peer.namespaceSelector || (peer.podSelector?.matchExpressions ?? []).length > 0) return false;
  if (peer.podSelector?.matchLabels?.[COMPONENT_LABEL] !== NOTEBOOK_COMPONENT) return false;
  return (ports ?? []).length === 1 && ports![0].port === JUPYTER_PORT && (ports![0].protocol ?? 'TCP') === 'TCP';
}

/** Egress peers naming pods are confined to another, named namespace: sessions never reach notebook pods. */
export function checkEgressPeersScoped(props: KubeProps): string[] {
  if (props.kind !== undefined && props.kind !== 'NetworkPolicy') return [];
  const spec = (props.spec ?? {}) as { podSelector?: PeerSelector; egress?: { to?: EgressPeer[]; ports?: { protocol?: string; port?: unknown }[] }[] };
  const namespace = props.metadata?.namespace ?? 'default';
  const problems: string[] = [];
  const isCullerPolicy = spec.podSelector?.matchLabels?.[COMPONENT_LABEL] === CULLER_COMPONENT;
  (spec.egress ?? []).forEach((rule, ruleIndex) => {
    (rule.to ?? []).forEach((peer, peerIndex) => {
      // The team's culler alone reads its own notebooks' activity, on the Jupyter port only.
      if (isCullerPolicy && isCullerToNotebooks(peer, rule.ports)) return;
      const reason = unscopedPeerReason(peer, namespace);
      if (reason) problems.push(`${describe(props)}: egress[${ruleIndex}].to[${peerIndex}] ${reason}`);
    });
  });
  return problems;
}

export function egressPeersScopedRule(): ResourceRule {
  return resourceRule(
    {
      name: 'egress-peers-scoped',
      description: 'NetworkPolicy egress to pods names another namespace by its labels: sessions never reach notebook pods through an egress rule.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Give every egress peer that selects pods a namespaceSelector naming the destination namespace (kubernetes.io/metadata.name: <namespace>), not the team namespace (network.gitHosts / network.egress with namespaceLabels in the stack config).',
    },
    [TYPES.networkPolicy],
    (props) => checkEgressPeersScoped(props as KubeProps),
  );
}

/**
 * The team's culler (assets/culler.py): a one-replica Deployment in the team namespace that stops
 * idle, long-running or scheduled sessions by scaling their StatefulSets to zero. Least
 * privilege throughout: its Role names every object it may touch (the watched StatefulSets and
 * their scale, its status ConfigMap), it reads session tokens from a projected volume instead of
 * holding Secret permissions, its NetworkPolicy lets it reach only DNS, the Jupyter port of its
 * team's notebooks and the API server, and nothing may reach it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../config/plan';
import { HELPER_RESOURCES } from '../config/plan';
import { CULLER_CONFIG_DIR, CULLER_CONFIG_FILE, CULLER_TOKENS_DIR, type CullerPlan } from '../config/culling';
import { meta, type KubeObject } from './objects';
import type { ConfigMapManifest, DeploymentManifest, NetworkPolicyManifest, PodSpecManifest, PolicyRuleManifest, RoleBindingManifest, RoleManifest, ServiceAccountManifest } from './kube';
import { placementFields } from './scheduling';
import { containerSecurity } from './containers';
import { assetsDirectory } from './scripts';
import { clusterDnsEgressRule, notebookPodSelector } from './network-policy';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const CULLER_SCRIPT = 'culler.py';
export { CULLER_CONFIG_FILE };
/** Pod annotation: hash of the culler's script and config, so a change restarts it. */
export const CULLER_CONFIG_HASH_ANNOTATION = 'notebook-platform.io/culler-config-hash';

const CULLER_SOURCE = readFileSync(join(assetsDirectory(), CULLER_SCRIPT), 'utf8');

/** The culler's config file: what it watches and where it records; sorted keys, stable text. */
export function cullerConfigJson(plan: Plan, culler: CullerPlan): string {
  const config = {
    intervalSeconds: culler.intervalSeconds,
    namespace: plan.namespace,
    sessions: culler.sessions.map((session) => ({
      name: session.name,
      rules: session.rules,
      statefulSet: session.statefulSet,
      tokenFile: `${CULLER_TOKENS_DIR}/${session.name}`,
      url: session.url,
    })),
    statusConfigMap: culler.statusConfigMap,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * What the culler may do, each rule limited by name: read the watched StatefulSets, read and
 * change their scale (not their spec: it cannot change what a session runs), and read and patch
 * its status ConfigMap. No list, no watch, no Secrets.
 */
export function cullerRules(culler: CullerPlan): PolicyRuleManifest[] {
  const statefulSets = culler.sessions.map((session) => session.statefulSet).sort();
  return [
    { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: statefulSets, verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: statefulSets, verbs: ['get', 'patch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [culler.statusConfigMap], verbs: ['get', 'patch'] },
  ];
}

function cullerPodSpec(plan: Plan, culler: CullerPlan): PodSpecManifest {
  return {
    serviceAccountName: culler.name,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: plan.security.uid,
      runAsGroup: plan.security.gid,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'culler',
        image: culler.image,
        command: ['python3', `${CULLER_CONFIG_DIR}/${CULLER_SCRIPT}`],
        env: [
          { name: 'CULLER_CONFIG', value: `${CULLER_CONFIG_DIR}/${CULLER_CONFIG_FILE}` },
          { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
        ],
        resources: { requests: { ...HELPER_RESOURCES.requests }, limits: { ...HELPER_RESOURCES.limits } },
        securityContext: containerSecurity(true),
        volumeMounts: [
          { name: 'config', mountPath: CULLER_CONFIG_DIR, readOnly: true },
          { name: 'tokens', mountPath: CULLER_TOKENS_DIR, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: culler.name } },
      {
        name: 'tokens',
        projected: {
          sources: culler.sessions.map((session) => ({ secret: { name: session.tokenSecret, items: [{ key: 'token', path: session.name }] } })),
        },
      },
    ],
    ...placementFields(plan.helperScheduling),
  };
}

/** Egress: DNS, the team's notebooks on the Jupyter port, the API server. Ingress: none. */
export function cullerNetworkPolicy(plan: Plan, culler: CullerPlan): NetworkPolicyManifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(culler.name, plan.labels, plan.namespace),
    spec: {
      podSelector: { matchLabels: { ...culler.selector } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        clusterDnsEgressRule(),
        { to: [{ podSelector: { matchLabels: notebookPodSelector(plan) } }], ports: [{ protocol: 'TCP', port: plan.network.jupyterPort }] },
        { to: culler.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: culler.apiServer.port }] },
      ],
    },
  };
}

/**
 * The culler's objects, in a fixed order: ServiceAccount, Role, RoleBinding, config ConfigMap,
 * status ConfigMap (labels only: the culler writes its `data`, the stack never does, so
 * `pulumi up` leaves the records alone), NetworkPolicy and Deployment. None when no running
 * session has a stop rule.
 */
export function cullerObjects(plan: Plan): KubeObject[] {
  type CullerObject = ServiceAccountManifest | RoleManifest | RoleBindingManifest | ConfigMapManifest | NetworkPolicyManifest | DeploymentManifest;
  const culler = plan.culler;
  if (!culler) return [];
  const data = { [CULLER_CONFIG_FILE]: cullerConfigJson(plan, culler), [CULLER_SCRIPT]: CULLER_SOURCE };
  const hash = createHash('sha256').update(data[CULLER_CONFIG_FILE]).update(data[CULLER_SCRIPT]).digest('hex').slice(0, 16);
  const objects: CullerObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(culler.name, culler.labels, plan.namespace), automountServiceAccountToken: false },
    { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(culler.name, culler.labels, plan.namespace), rules: cullerRules(culler) },
    {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: meta(culler.name, culler.labels, plan.namespace),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: culler.name },
      subjects: [{ kind: 'ServiceAccount', name: culler.name, namespace: plan.namespace }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(culler.name, culler.labels, plan.namespace), data },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(culler.statusConfigMap, culler.labels, plan.namespace) },
    cullerNetworkPolicy(plan, culler),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(culler.name, culler.labels, plan.namespace),
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...culler.selector } },
        // Never two cullers at once: both would scale the same sessions.
        strategy: { type: 'Recreate' },
        revisionHistoryLimit: 3,
        template: {
          metadata: { labels: { ...culler.labels }, annotations: { [CULLER_CONFIG_HASH_ANNOTATION]: hash } },
          spec: cullerPodSpec(plan, culler),
        },
      },
    },
  ];
  return objects;
}

/**
 * Scheduled CSI snapshots of a storageClass team (the config's `backup`): a CronJob in the team
 * namespace running assets/snapshots.py, which snapshots every home and share claim and deletes
 * its own snapshots past the retention. Least privilege: its Role may create, list and delete
 * VolumeSnapshots in the namespace and nothing else (no claims, no pods, no Secrets); its pod is
 * restricted (non-root, read-only root, no capabilities), mounts no data, and its NetworkPolicy
 * lets it reach DNS and the API server only; nothing may reach it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../config/plan';
import { HELPER_RESOURCES } from '../config/plan';
import { COMPONENT_LABEL, SNAPSHOTS_NAME } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { ConfigMapManifest, CronJobManifest, NetworkPolicyManifest, PodSpecManifest, RoleBindingManifest, RoleManifest, ServiceAccountManifest } from './kube';
import { placementFields } from './scheduling';
import { containerSecurity } from './containers';
import { assetsDirectory } from './scripts';
import { clusterDnsEgressRule } from './network-policy';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
export { SNAPSHOTS_NAME };
export const SNAPSHOTS_SCRIPT = 'snapshots.py';
export const SNAPSHOTS_CONFIG_FILE = 'config.json';
const CONFIG_DIR = '/etc/notebook-snapshots';
const SNAPSHOTS_SOURCE = readFileSync(join(assetsDirectory(), SNAPSHOTS_SCRIPT), 'utf8');

/** Every claim of the team holding data: per-session and per-user homes, shares. */
export function backedUpClaims(plan: Plan): string[] {
  const claims = new Set<string>([
    ...plan.sessions.filter((session) => session.ownsHomeClaim).map((session) => session.home.claimName),
    ...plan.userHomes.map((home) => home.home.claimName),
    ...plan.shares.map((share) => share.claimName),
  ]);
  return [...claims].sort();
}

/** The job's Role: VolumeSnapshots only (create cannot be limited by name; list and delete serve the retention). */
export const SNAPSHOT_RULES = [{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'delete', 'list'] }] as const;

/** The snapshot job's objects; none unless the team backs up with CSI snapshots (storageClass). */
export function snapshotObjects(plan: Plan): KubeObject[] {
  const backup = plan.backup;
  if (!backup || plan.storage.backend !== 'storageClass' || !backup.volumeSnapshotClassName || !backup.image || !backup.apiServer) return [];
  const selector = { ...plan.labels, [COMPONENT_LABEL]: 'snapshots' };
  const labels = { ...selector, 'app.kubernetes.io/name': SNAPSHOTS_NAME };
  // Snapshots a session restores from stay, whatever their age.
  const keep = [...new Set(plan.sessions.map((session) => session.home.restoreFrom).filter((name): name is string => name !== undefined))].sort();
  const config = {
    claims: backedUpClaims(plan),
    ...(keep.length > 0 ? { keep } : {}),
    labels: { ...plan.labels },
    namespace: plan.namespace,
    retentionDays: backup.retentionDays,
    volumeSnapshotClassName: backup.volumeSnapshotClassName,
  };
  const data = { [SNAPSHOTS_CONFIG_FILE]: `${JSON.stringify(config, null, 2)}\n`, [SNAPSHOTS_SCRIPT]: SNAPSHOTS_SOURCE };
  const podSpec: PodSpecManifest = {
    serviceAccountName: SNAPSHOTS_NAME,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    restartPolicy: 'Never',
    securityContext: { runAsNonRoot: true, runAsUser: plan.security.uid, runAsGroup: plan.security.gid, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'snapshots',
        image: backup.image,
        command: ['python3', `${CONFIG_DIR}/${SNAPSHOTS_SCRIPT}`],
        env: [
          { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
          { name: 'SNAPSHOTS_CONFIG', value: `${CONFIG_DIR}/${SNAPSHOTS_CONFIG_FILE}` },
        ],
        resources: { requests: { ...HELPER_RESOURCES.requests }, limits: { ...HELPER_RESOURCES.limits } },
        securityContext: containerSecurity(true),
        volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
      },
    ],
    volumes: [{ name: 'config', configMap: { name: SNAPSHOTS_NAME } }],
    ...placementFields(plan.helperScheduling),
  };
  const objects: (ServiceAccountManifest | RoleManifest | RoleBindingManifest | ConfigMapManifest | NetworkPolicyManifest | CronJobManifest)[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(SNAPSHOTS_NAME, labels, plan.namespace), automountServiceAccountToken: false },
    { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(SNAPSHOTS_NAME, labels, plan.namespace), rules: SNAPSHOT_RULES.map((rule) => ({ ...rule, apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })) },
    {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: meta(SNAPSHOTS_NAME, labels, plan.namespace),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: SNAPSHOTS_NAME },
      subjects: [{ kind: 'ServiceAccount', name: SNAPSHOTS_NAME, namespace: plan.namespace }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(SNAPSHOTS_NAME, labels, plan.namespace), data },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(SNAPSHOTS_NAME, plan.labels, plan.namespace),
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [
          clusterDnsEgressRule(),
          { to: backup.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: backup.apiServer.port }] },
        ],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(SNAPSHOTS_NAME, labels, plan.namespace),
      spec: {
        schedule: backup.schedule,
        timeZone: 'Etc/UTC',
        // One run at a time; a run missed by more than an hour waits for the next.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: { ...labels } },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            ttlSecondsAfterFinished: 7 * 24 * 3600,
            template: { metadata: { labels: { ...labels } }, spec: podSpec },
          },
        },
      },
    },
  ];
  return objects;
}

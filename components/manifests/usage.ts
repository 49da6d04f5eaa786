/**
 * Used bytes of every home and share (the config's `usage`): a CronJob in the team namespace
 * running assets/usage.py, which walks each claim read-only and prints the totals to its log,
 * where `notebook-platform usage` reads them. Least privilege: no new permission for anyone. The
 * pod has no service account token, no network (the namespace's default-deny), mounts every
 * claim read-only, runs restricted as the notebook user; the CLI needs only to read the team's
 * pods and their logs. Restricted shares are not mounted (only their readers and writers may),
 * so their use is not measured. The alternative, the kubelet's volume statistics, is reached
 * through the nodes/proxy permission, which reaches every pod on a node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../config/plan';
import { HELPER_RESOURCES } from '../config/plan';
import { COMPONENT_LABEL } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { ConfigMapManifest, CronJobManifest, PodSpecManifest } from './kube';
import { placementFields } from './scheduling';
import { containerSecurity } from './containers';
import { assetsDirectory } from './scripts';

export const USAGE_NAME = 'notebook-usage';
/** COMPONENT_LABEL of the usage pods: how the CLI finds them. */
export const USAGE_COMPONENT = 'usage';
export const USAGE_SCRIPT = 'usage.py';
const CONFIG_DIR = '/etc/notebook-usage';
const DATA_DIR = '/data';
const USAGE_SOURCE = readFileSync(join(assetsDirectory(), USAGE_SCRIPT), 'utf8');

export interface UsageEntry {
  readonly claim: string;
  /** A home inside the nfs team volume. */
  readonly subPath?: string;
  readonly path: string;
}

/** What one run measures: each session's or owner's home, each share that is not restricted. */
export function usageEntries(plan: Plan): { entries: UsageEntry[]; claims: string[]; skipped: string[] } {
  const entries = new Map<string, UsageEntry>();
  const add = (claim: string, subPath?: string) => entries.set(`${claim}/${subPath ?? ''}`, { claim, ...(subPath ? { subPath } : {}), path: `${DATA_DIR}/${claim}${subPath ? `/${subPath}` : ''}` });
  for (const session of plan.sessions) add(session.home.claimName, session.home.subPath);
  for (const { home } of plan.userHomes) add(home.claimName, home.subPath);
  const skipped: string[] = [];
  for (const share of plan.shares) {
    if (share.access === 'restricted') skipped.push(share.claimName);
    else add(share.claimName);
  }
  const sorted = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries: sorted, claims: [...new Set(sorted.map((entry) => entry.claim))], skipped: skipped.sort() };
}

/** The usage CronJob and its ConfigMap; none without the config's `usage`. */
export function usageObjects(plan: Plan): KubeObject[] {
  const usage = plan.usage;
  if (!usage) return [];
  const { entries, claims } = usageEntries(plan);
  const labels = { ...plan.labels, [COMPONENT_LABEL]: USAGE_COMPONENT, 'app.kubernetes.io/name': USAGE_NAME };
  const data = { 'config.json': `${JSON.stringify({ entries }, null, 2)}\n`, [USAGE_SCRIPT]: USAGE_SOURCE };
  const volumeName = (index: number) => `claim-${index}`;
  const podSpec: PodSpecManifest = {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: 'Never',
    securityContext: { runAsNonRoot: true, runAsUser: plan.security.uid, runAsGroup: plan.security.gid, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'usage',
        image: usage.image,
        command: ['python3', `${CONFIG_DIR}/${USAGE_SCRIPT}`],
        env: [
          { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
          { name: 'USAGE_CONFIG', value: `${CONFIG_DIR}/config.json` },
        ],
        resources: { requests: { ...HELPER_RESOURCES.requests }, limits: { ...HELPER_RESOURCES.limits } },
        securityContext: containerSecurity(true),
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...claims.map((claim, index) => ({ name: volumeName(index), mountPath: `${DATA_DIR}/${claim}`, readOnly: true })),
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: USAGE_NAME } },
      ...claims.map((claim, index) => ({ name: volumeName(index), persistentVolumeClaim: { claimName: claim, readOnly: true } })),
    ],
    ...placementFields(plan.helperScheduling),
  };
  const objects: (ConfigMapManifest | CronJobManifest)[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(USAGE_NAME, labels, plan.namespace), data },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(USAGE_NAME, labels, plan.namespace),
      spec: {
        schedule: usage.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 2,
        failedJobsHistoryLimit: 2,
        jobTemplate: {
          metadata: { labels: { ...labels } },
          spec: { backoffLimit: 1, activeDeadlineSeconds: 3600, template: { metadata: { labels: { ...labels } }, spec: podSpec } },
        },
      },
    },
  ];
  return objects;
}

/**
 * One session's objects: ServiceAccount, Jupyter ConfigMap, Service, StatefulSet, home claim
 * (when the session owns it) and optional Ingress. The token Secret holds a generated value, so
 * the Pulumi component creates it (`session.names.tokenSecret`, key `token`); `synth` users
 * supply it (see README).
 *
 * `running: false` sets `replicas: 0` and changes nothing else, so stopping and starting a
 * session is a one-field change in every tool. A running session's StatefulSet leaves
 * `replicas` out: the cluster's default (1) starts it, and the culler or the owner may scale it
 * to zero without the next `pulumi up` (or GitOps sync) starting it again.
 */
import { createHash } from 'node:crypto';
import type { Plan, SessionPlan } from '../config/plan';
import { FORKABLE_BY_ANNOTATION, JUPYTER_PORT } from '../config/names';
import { KEEP_IDLE_GPU_ANNOTATION } from '../config/culling';
import { meta, SKIP_AWAIT, type KubeObject } from './objects';
import type { PodSpecManifest, ServiceAccountManifest, ServiceManifest, StatefulSetManifest } from './kube';
import { homeClaim } from './storage';
import { placementFields } from './scheduling';
import { jupyterConfigMap, jupyterServerConfig } from './jupyter';
import { autosaveContainer, gitSyncContainer, HTTP_PORT_NAME, notebookContainer, prepareHomeContainer, type Container } from './containers';
import { sessionVolumes } from './volumes';
import { sessionIngress } from './ingress';

/** Seconds a stopping pod gets: Jupyter's shutdown, plus the autosave sidecar's last commit and push. */
export const TERMINATION_GRACE_SECONDS = { plain: 60, autosave: 120 } as const;
/** Pod annotation: hash of the Jupyter config, so a changed config restarts the session's pod. */
export const CONFIG_HASH_ANNOTATION = 'notebook-platform.io/jupyter-config-hash';

export function serviceAccount(plan: Plan, session: SessionPlan): ServiceAccountManifest {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(session.names.serviceAccount, session.labels, plan.namespace),
    automountServiceAccountToken: false,
  };
}

/**
 * The session's ClusterIP Service on the Jupyter port. `pulumi.com/skipAwait`: a stopped session
 * has no endpoints, and waiting for them would fail the update.
 */
export function sessionService(plan: Plan, session: SessionPlan): ServiceManifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(session.names.service, session.labels, plan.namespace, SKIP_AWAIT),
    spec: {
      type: 'ClusterIP',
      selector: { ...session.selector },
      ports: [{ name: HTTP_PORT_NAME, port: JUPYTER_PORT, targetPort: HTTP_PORT_NAME, protocol: 'TCP' }],
    },
  };
}

/** Init containers in order: the home first (fork, welcome, persistent clone), then git-sync. */
export function initContainers(plan: Plan, session: SessionPlan): Container[] {
  const containers = [prepareHomeContainer(session)];
  if (session.code?.mode === 'ephemeral') containers.push(gitSyncContainer(plan, session));
  return containers;
}

/**
 * The pod spec: restricted security (uid 1000, gid 100, fsGroup 100 changed only on a root
 * mismatch, seccomp RuntimeDefault), no service account token, no service links, the size's
 * scheduling (GPU tolerations and node selector) and a grace period long enough to save.
 */
export function podSpec(plan: Plan, session: SessionPlan): PodSpecManifest {
  const containers = [notebookContainer(session)];
  if (session.autosave) containers.push(autosaveContainer(plan, session));
  return {
    serviceAccountName: session.names.serviceAccount,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: plan.security.uid,
      runAsGroup: plan.security.gid,
      fsGroup: plan.security.gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationGracePeriodSeconds: session.autosave ? TERMINATION_GRACE_SECONDS.autosave : TERMINATION_GRACE_SECONDS.plain,
    initContainers: initContainers(plan, session),
    containers,
    volumes: sessionVolumes(session),
    ...placementFields(session.scheduling),
  };
}

/** The team's opt-out of stopping idle GPU sessions, on each GPU session (the policy pack reads it there). */
function keepIdleGpuAnnotation(plan: Plan, session: SessionPlan): Record<string, string> {
  return session.gpu > 0 && plan.jupyter.keepIdleGpuSessions ? { [KEEP_IDLE_GPU_ANNOTATION]: 'true' } : {};
}

/** Who may fork the session, on its StatefulSet (not the pod template: changing it restarts nothing). */
function forkableByAnnotation(session: SessionPlan): Record<string, string> {
  return session.forkableBy.length > 0 ? { [FORKABLE_BY_ANNOTATION]: session.forkableBy.join(',') } : {};
}

/**
 * The session's StatefulSet: `replicas` 0 when the config stops the session, else left to the
 * cluster (see above); claims retained
 * whatever happens to the StatefulSet (the home claim is a separate object anyway).
 */
export function sessionStatefulSet(plan: Plan, session: SessionPlan): StatefulSetManifest {
  const configHash = createHash('sha256').update(jupyterServerConfig(plan, session)).digest('hex').slice(0, 16);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(session.names.statefulSet, session.labels, plan.namespace, { ...forkableByAnnotation(session), ...keepIdleGpuAnnotation(plan, session) }),
    spec: {
      ...(session.replicas === 0 ? { replicas: 0 } : {}),
      serviceName: session.names.service,
      selector: { matchLabels: { ...session.selector } },
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      revisionHistoryLimit: 5,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: {
          labels: { ...session.labels },
          annotations: { 'kubectl.kubernetes.io/default-container': 'notebook', [CONFIG_HASH_ANNOTATION]: configHash },
        },
        spec: podSpec(plan, session),
      },
    },
  };
}

/** Every object of a session's chart, in a fixed order. */
export function sessionObjects(plan: Plan, session: SessionPlan): KubeObject[] {
  const objects: KubeObject[] = [serviceAccount(plan, session), jupyterConfigMap(plan, session), sessionService(plan, session), sessionStatefulSet(plan, session)];
  if (session.ownsHomeClaim) objects.push(homeClaim(plan, session.home));
  const ingress = sessionIngress(plan, session);
  if (ingress) objects.push(ingress);
  return objects;
}

/**
 * What a user adds to a session beyond the config: labels, sidecar containers, extra volumes.
 * A pure function over the session's objects, so the cdk8s construct (constructs.ts) and any
 * other consumer render the same objects from the same additions. Additions never replace what
 * the platform set: a label the platform sets, a container or volume name it uses, or a mount
 * path of the notebook is refused with a message naming the session, the value and what is
 * allowed.
 */
import type { SessionPlan } from '../config/plan';
import { HELPER_RESOURCES } from '../config/plan';
import { LABEL_PREFIX } from '../config/names';
import type { KubeObject } from './objects';
import type { ContainerManifest, PodSpecManifest, StatefulSetManifest, VolumeManifest, VolumeMountManifest } from './kube';
import { containerSecurity } from './containers';

/** An extra volume of the session's pod, optionally mounted in the notebook container. */
export interface SessionVolume {
  /** The volume, as in a pod spec (`{ name: 'datasets', persistentVolumeClaim: { claimName: 'datasets' } }`). */
  readonly volume: VolumeManifest;
  /**
   * Where the notebook container mounts it: an absolute path no other mount of the notebook uses.
   * @default not mounted in the notebook (a sidecar may mount it through its own `volumeMounts`)
   */
  readonly mountPath?: string;
  /** Mount it read-only. @default false */
  readonly readOnly?: boolean;
  /** A sub-directory of the volume to mount. @default the volume's root */
  readonly subPath?: string;
}

/** Additions to one session. Each list is applied in order, after everything the platform builds. */
export interface SessionCustomization {
  /**
   * Labels added to every object of the session and to its pod template (not to selectors).
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Containers added to the session's pod after the notebook (and the autosave sidecar), each
   * with the platform's container defaults for what it leaves out: `securityContext` fields
   * default to non-root, no privilege escalation, every capability dropped and a read-only root
   * file system; `resources` defaults to the helpers' requests and limits.
   * @default none
   */
  readonly sidecars?: readonly ContainerManifest[];
  /** Volumes added to the session's pod after the platform's. @default none */
  readonly volumes?: readonly SessionVolume[];
}

/** Kubernetes label syntax: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX_SYNTAX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function fail(session: SessionPlan, message: string): never {
  throw new Error(`session ${session.name}: ${message}`);
}

function checkLabel(session: SessionPlan, key: string, value: string, platformKeys: ReadonlySet<string>): void {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ['', key];
  if (!LABEL_NAME.test(name) || (slash >= 0 && (prefix.length > 253 || !LABEL_PREFIX_SYNTAX.test(prefix)))) {
    fail(session, `label key ${JSON.stringify(key)} is not a Kubernetes label key (an optional DNS-subdomain prefix and '/', then up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
  }
  if (value !== '' && !LABEL_NAME.test(value)) {
    fail(session, `label ${key}: value ${JSON.stringify(value)} is not a Kubernetes label value (empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
  }
  if (prefix === LABEL_PREFIX || platformKeys.has(key)) {
    fail(session, `label ${key} is set by the platform (selectors, policies and tools read it); add a label under your own key (allowed: any key outside ${LABEL_PREFIX}/ that the session's objects do not carry yet)`);
  }
}

/** The session's StatefulSet and its pod spec; the session objects always hold exactly one. */
function podSpecOf(session: SessionPlan, objects: readonly KubeObject[]): { index: number; statefulSet: StatefulSetManifest; pod: PodSpecManifest } {
  const index = objects.findIndex((object) => object.kind === 'StatefulSet');
  const statefulSet = objects[index] as unknown as StatefulSetManifest | undefined;
  const pod = statefulSet?.spec?.template.spec;
  if (!statefulSet || !pod) fail(session, 'its objects hold no StatefulSet with a pod template');
  return { index, statefulSet, pod };
}

/** A sidecar with the platform's defaults for what it leaves out (see SessionCustomization.sidecars). */
export function sidecarWithDefaults(container: ContainerManifest): ContainerManifest {
  return {
    ...container,
    resources: container.resources ?? { requests: { ...HELPER_RESOURCES.requests }, limits: { ...HELPER_RESOURCES.limits } },
    securityContext: { ...containerSecurity(true), ...container.securityContext },
  };
}

const byMountPath = (a: VolumeMountManifest, b: VolumeMountManifest) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0);

/** The pod spec with the sidecars and volumes added; throws on a name or path the pod already uses. */
function customizedPod(session: SessionPlan, pod: PodSpecManifest, sidecars: readonly ContainerManifest[], volumes: readonly SessionVolume[]): PodSpecManifest {
  const containerNames = new Set([...(pod.initContainers ?? []), ...pod.containers].map((container) => container.name));
  const containers = [...pod.containers];
  for (const sidecar of sidecars) {
    if (!DNS_LABEL.test(sidecar.name)) fail(session, `sidecar name ${JSON.stringify(sidecar.name)} is not a DNS label (lower-case letters, digits and '-', at most 63)`);
    if (containerNames.has(sidecar.name)) fail(session, `sidecar name ${sidecar.name} is taken (the pod's containers: ${[...containerNames].join(', ')}); choose another name`);
    containerNames.add(sidecar.name);
    containers.push(sidecarWithDefaults(sidecar));
  }
  const volumeNames = new Set((pod.volumes ?? []).map((volume) => volume.name));
  const podVolumes = [...(pod.volumes ?? [])];
  const notebookIndex = containers.findIndex((container) => container.name === 'notebook');
  const mounts = [...(containers[notebookIndex]?.volumeMounts ?? [])];
  for (const { volume, mountPath, readOnly, subPath } of volumes) {
    if (!DNS_LABEL.test(volume.name)) fail(session, `volume name ${JSON.stringify(volume.name)} is not a DNS label (lower-case letters, digits and '-', at most 63)`);
    if (volumeNames.has(volume.name)) fail(session, `volume name ${volume.name} is taken (the pod's volumes: ${[...volumeNames].join(', ')}); choose another name`);
    volumeNames.add(volume.name);
    podVolumes.push(volume);
    if (mountPath === undefined) continue;
    if (!mountPath.startsWith('/') || mountPath.split('/').includes('..')) fail(session, `volume ${volume.name}: mountPath ${JSON.stringify(mountPath)} must be an absolute path without '..'`);
    const taken = mounts.find((mount) => mount.mountPath.replace(/\/+$/, '') === mountPath.replace(/\/+$/, ''));
    if (taken) fail(session, `volume ${volume.name}: mountPath ${mountPath} is where the notebook mounts ${taken.name}; choose a path no other mount uses`);
    const mount: VolumeMountManifest = { name: volume.name, mountPath };
    if (readOnly) mount.readOnly = true;
    if (subPath) mount.subPath = subPath;
    mounts.push(mount);
  }
  if (mounts.length !== (containers[notebookIndex]?.volumeMounts ?? []).length) {
    // Sorted like the platform's mounts, so a parent directory is mounted before what it holds.
    containers[notebookIndex] = { ...containers[notebookIndex], volumeMounts: mounts.sort(byMountPath) };
  }
  return { ...pod, containers, volumes: podVolumes };
}

/**
 * The session's objects with the additions applied. The objects given are not changed; with no
 * additions they are returned as they are.
 */
export function customizeSessionObjects(session: SessionPlan, objects: readonly KubeObject[], customization: SessionCustomization): KubeObject[] {
  const labels = customization.labels ?? {};
  const sidecars = customization.sidecars ?? [];
  const volumes = customization.volumes ?? [];
  if (Object.keys(labels).length === 0 && sidecars.length === 0 && volumes.length === 0) return [...objects];

  const { index, statefulSet, pod } = podSpecOf(session, objects);
  const template = statefulSet.spec!.template;
  const platformKeys = new Set([...objects.flatMap((object) => Object.keys(object.metadata.labels ?? {})), ...Object.keys(template.metadata?.labels ?? {})]);
  for (const key of Object.keys(labels)) checkLabel(session, key, labels[key], platformKeys);
  const withLabels = <T extends { labels?: Readonly<Record<string, string>> }>(metadata: T): T => (Object.keys(labels).length === 0 ? metadata : { ...metadata, labels: { ...metadata.labels, ...labels } });

  const result = objects.map((object) => ({ ...object, metadata: withLabels(object.metadata) }) as KubeObject);
  const customizedSet: StatefulSetManifest = {
    ...statefulSet,
    metadata: withLabels(statefulSet.metadata),
    spec: { ...statefulSet.spec!, template: { ...template, metadata: withLabels(template.metadata ?? {}), spec: customizedPod(session, pod, sidecars, volumes) } },
  };
  result[index] = customizedSet;
  return result;
}

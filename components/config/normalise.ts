/**
 * normalise: a valid stack config into its plan, one function per area of the plan (shares, homes,
 * sessions, per-owner homes, container limits, network, storage). Sessions and shares are sorted
 * by name, so the plan does not depend on the order of the config.
 */
import type { EgressRule, SessionConfig, SizeConfig, StackConfig } from './schema';
import type {
  CodePlan, EgressPeerPlan, EgressPlan, HomeVolume, Labels, NetworkPlan, Plan, Resources, SchedulingPlan, SessionPlan, ShareMount, SharePlan, StoragePlan, Toleration,
  UserHomePlan,
} from './plan';
import { parseQuantity } from './quantity';
import { backupPlan, usagePlan } from './lifecycle-schema';
import { cullerPlan, cullingRules } from './culling';
import { cidrContains } from './cidr';
import { GPU_NODE_SELECTOR, GPU_TOLERATIONS, HELPER_RESOURCES, METADATA_CIDR } from './plan-constants';
import { sessionShareNames, shareAccess } from './share-entitlements';
import {
  COMPONENT_LABEL, DATA_LABEL, JUPYTER_PORT, MANAGED_BY, MANAGED_BY_LABEL, NOTEBOOK_COMPONENT, NOTEBOOK_GID, NOTEBOOK_UID,
  OWNER_LABEL, SESSION_LABEL, SHARE_LABEL, TEAM_LABEL, efsVolumeHandle, names, paths, teamNamespace,
} from './names';

/** What every area of the plan reads besides the config. */
interface Team {
  readonly config: StackConfig;
  readonly namespace: string;
  readonly labels: Labels;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A CPU quantity in the API server's canonical form ("4", "1500m"), so re-applying is a no-op. */
function millicores(quantity: string): string {
  const milli = Math.round(parseQuantity(quantity) * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A size's CPU limit: its cpuLimit, else twice its request (notebooks are bursty). */
function cpuLimitOf(size: SizeConfig): string {
  return size.cpuLimit ?? millicores(String(parseQuantity(size.cpu) * 2));
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The tags of the team's AWS resources. */
function efsTags(config: StackConfig, namespace: string): Record<string, string> {
  const tags = config.storage.backend === 'efs' ? config.storage.tags : undefined;
  return { ...tags, 'notebook-platform/team': config.team, 'notebook-platform/namespace': namespace };
}

function planStorage({ config, namespace, labels }: Team): StoragePlan {
  const storage = config.storage;
  switch (storage.backend) {
    case 'efs':
      return {
        backend: 'efs',
        config: storage,
        storageClassName: names.workdirStorageClass(namespace),
        basePath: `/notebooks/${namespace}`,
        storageClassLabels: { ...labels, [DATA_LABEL]: 'workdir' },
        tags: efsTags(config, namespace),
      };
    case 'storageClass':
      return { backend: 'storageClass', config: storage, storageClassName: storage.storageClassName };
    case 'nfs':
      return {
        backend: 'nfs',
        config: storage,
        teamWorkdir: {
          claimName: names.teamWorkdirClaim(),
          volumeName: names.teamWorkdirVolume(namespace),
          path: `${storage.path.replace(/\/$/, '')}/${namespace}/homes`,
          size: storage.homesSize,
          labels: { ...labels, [DATA_LABEL]: 'workdirs' },
        },
      };
  }
}

function planShares({ config, namespace, labels }: Team): SharePlan[] {
  const storage = config.storage;
  const backend = storage.backend;
  const efs = storage.backend === 'efs' ? storage : undefined;
  return [...config.shares].sort(byName).map((share) => ({
    name: share.name,
    access: share.access,
    readers: [...share.readers].sort(),
    writers: [...share.writers].sort(),
    size: share.size,
    claimName: names.shareClaim(share.name),
    volumeName: backend === 'storageClass' ? undefined : names.shareVolume(namespace, share.name),
    mountPath: paths.share(share.name),
    accessPointId: share.accessPointId,
    posixUid: share.posixUid,
    posixGid: share.posixGid,
    nfsPath: config.storage.backend === 'nfs' ? `${config.storage.path.replace(/\/$/, '')}/shares/${share.name}` : undefined,
    ...(efs && !share.accessPointId
      ? {
          accessPoint: {
            path: `/shares/${share.name}`,
            permissions: share.access === 'restricted' ? '0770' : '0775',
            tags: { ...efsTags(config, namespace), 'notebook-platform/share': share.name, Name: `${namespace}-${share.name}` },
          },
        }
      : {}),
    ...(efs?.fileSystemId && share.accessPointId ? { volumeHandle: efsVolumeHandle(efs.fileSystemId, share.accessPointId) } : {}),
    labels: { ...labels, [DATA_LABEL]: 'share', [SHARE_LABEL]: share.name },
  }));
}

/** Where each session's home lives (state model, backend, a rename's first name). */
function homes({ config, labels: teamLabels }: Team, sessions: readonly SessionConfig[]): (session: SessionConfig) => HomeVolume {
  const backend = config.storage.backend;
  const workdirSize = (session: SessionConfig) => config.sizes[session.size].workdirSize;
  // A claim's name cannot change: a renamed session keeps the home of its first name.
  const homeName = (session: SessionConfig) => session.renamedFrom ?? session.name;
  const largestWorkdirOf = (owner: string) =>
    sessions
      .filter((session) => session.owner === owner)
      .map(workdirSize)
      .reduce((largest, size) => (parseQuantity(size) > parseQuantity(largest) ? size : largest));
  return (session) => {
    if (config.stateModel === 'user') {
      const labels = { ...teamLabels, [DATA_LABEL]: 'home', [OWNER_LABEL]: session.owner };
      return backend === 'nfs'
        ? { claimName: names.teamWorkdirClaim(), subPath: names.userSubPath(session.owner), size: workdirSize(session), labels }
        : { claimName: names.userHomeClaim(session.owner), size: largestWorkdirOf(session.owner), labels };
    }
    const labels = { ...teamLabels, [DATA_LABEL]: 'workdir', [SESSION_LABEL]: session.name, [OWNER_LABEL]: session.owner };
    return backend === 'nfs'
      ? { claimName: names.teamWorkdirClaim(), subPath: names.sessionSubPath(homeName(session)), size: workdirSize(session), labels }
      : { claimName: names.sessionWorkdirClaim(homeName(session)), size: workdirSize(session), labels, ...(session.restoreFrom ? { restoreFrom: session.restoreFrom } : {}) };
  };
}

function codePlan(code: NonNullable<SessionConfig['code']>): CodePlan {
  const credentials = code.credentials && {
    secretName: code.credentials.secretName,
    type: code.credentials.type,
    ...(code.credentials.type === 'token' ? { username: code.credentials.username ?? 'git' } : {}),
    caCertificate: code.credentials.caCertificate,
  };
  if (code.mode === 'persistent') {
    return { repo: code.repo, ref: code.ref, mode: code.mode, depth: code.depth, directory: paths.persistentCode, workTree: paths.persistentCode, credentials };
  }
  const link = names.repoDirectory(code.repo);
  return { repo: code.repo, ref: code.ref, mode: code.mode, depth: code.depth, directory: paths.code, workTree: `${paths.code}/${link}`, link, credentials };
}

function schedulingPlan(size: SizeConfig): SchedulingPlan {
  const gpu = size.gpu > 0;
  return placement(size.nodeSelector ?? (gpu ? GPU_NODE_SELECTOR : {}), size.tolerations ?? (gpu ? GPU_TOLERATIONS : []));
}

/** Node selector sorted by key, tolerations with only the fields given, in the config's order. */
function placement(nodeSelector: Record<string, string>, tolerations: readonly Toleration[]): SchedulingPlan {
  return {
    nodeSelector: sortedRecord({ ...nodeSelector }),
    tolerations: tolerations.map((t) => ({ key: t.key, operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect ? { effect: t.effect } : {}) })),
  };
}

/** A session's requests and limits. Memory and disk are never overcommitted: request = limit. */
function sessionResources(size: SizeConfig): Resources {
  const requests: Record<string, string> = { cpu: size.cpu, 'ephemeral-storage': size.ephemeralStorage, memory: size.memory };
  const limits: Record<string, string> = { cpu: cpuLimitOf(size), 'ephemeral-storage': size.ephemeralStorage, memory: size.memory };
  if (size.gpu > 0) {
    requests['nvidia.com/gpu'] = String(size.gpu);
    limits['nvidia.com/gpu'] = String(size.gpu);
  }
  return { requests: sortedRecord(requests), limits: sortedRecord(limits) };
}

/** The notebook container's environment: where things are, and the Jupyter and cache settings. */
function sessionEnv(config: StackConfig, session: SessionConfig, baseUrl: string, code: CodePlan | undefined): Record<string, string> {
  const env: Record<string, string> = {
    NOTEBOOK_PLATFORM_TEAM: config.team,
    NOTEBOOK_PLATFORM_SESSION: session.name,
    NOTEBOOK_PLATFORM_OWNER: session.owner,
    NOTEBOOK_PLATFORM_SHARED_DATA: paths.sharedData,
    NOTEBOOK_PLATFORM_BASE_URL: baseUrl,
    XDG_CACHE_HOME: paths.cache,
    // The platform's Jupyter config is the only config dir, so ~/.jupyter cannot switch token
    // auth off; JupyterLab keeps its user settings and workspaces in the home.
    JUPYTER_CONFIG_DIR: paths.jupyterConfig,
    JUPYTERLAB_SETTINGS_DIR: `${paths.home}/.jupyter/lab/user-settings`,
    JUPYTERLAB_WORKSPACES_DIR: `${paths.home}/.jupyter/lab/workspaces`,
    PIP_CACHE_DIR: `${paths.cache}/pip`,
  };
  if (config.platformEndpoint) env.NOTEBOOK_PLATFORM_ENDPOINT = config.platformEndpoint;
  if (code) env.NOTEBOOK_PLATFORM_CODE = code.workTree;
  return sortedRecord(env);
}

function planSession(
  { config, labels: teamLabels }: Team,
  session: SessionConfig,
  shares: ReadonlyMap<string, SharePlan>,
  sessions: ReadonlyMap<string, SessionConfig>,
  homeOf: (session: SessionConfig) => HomeVolume,
): SessionPlan {
  const team = config.team;
  const size = config.sizes[session.size];
  const labels: Labels = {
    ...teamLabels,
    'app.kubernetes.io/name': 'jupyter-notebook',
    'app.kubernetes.io/instance': session.name,
    [COMPONENT_LABEL]: NOTEBOOK_COMPONENT,
    [SESSION_LABEL]: session.name,
    [OWNER_LABEL]: session.owner,
  };
  const mounts: ShareMount[] = sessionShareNames(session, config.shares).map((shareName) => {
    const share = shares.get(shareName)!;
    return { share: shareName, claimName: share.claimName, mountPath: share.mountPath, readOnly: shareAccess(share, session.owner) !== 'write' };
  });
  const code: CodePlan | undefined = session.code && codePlan(session.code);
  const source = session.forkFrom ? sessions.get(session.forkFrom) : undefined;
  const sourceHome = source && homeOf(source);
  const baseUrl = paths.baseUrl(team, session.name);
  const url = config.ingress ? `https://${config.ingress.host}${baseUrl}` : undefined;
  return {
    name: session.name,
    owner: session.owner,
    size: session.size,
    environment: session.environment,
    image: config.environments[session.environment].image,
    running: session.running,
    replicas: session.running ? undefined : 0,
    culling: cullingRules(config, session),
    purge: session.purge,
    ...(session.renamedFrom ? { renamedFrom: session.renamedFrom } : {}),
    labels,
    selector: { [SESSION_LABEL]: session.name, [COMPONENT_LABEL]: NOTEBOOK_COMPONENT },
    names: {
      statefulSet: names.statefulSet(session.name),
      service: names.service(session.name),
      serviceAccount: names.serviceAccount(session.name),
      configMap: names.jupyterConfigMap(session.name),
      tokenSecret: names.tokenSecret(session.name),
      ingress: names.ingress(session.name),
      pod: names.pod(session.name),
    },
    resources: sessionResources(size),
    ephemeralStorage: size.ephemeralStorage,
    gpu: size.gpu,
    scheduling: schedulingPlan(size),
    home: homeOf(session),
    ownsHomeClaim: config.stateModel === 'session' && config.storage.backend !== 'nfs',
    mounts,
    code,
    autosave: session.autosave && code && {
      branch: session.autosave.branch ?? `autosave/${session.name}`,
      authorEmail: `${session.owner}@${config.ingress?.sso?.emailDomain ?? 'notebook-platform.invalid'}`,
      debounceSeconds: session.autosave.debounceSeconds,
      maxFileSizeMb: session.autosave.maxFileSizeMb,
      workTree: code.workTree,
    },
    fork: sourceHome && { fromSession: source!.name, claimName: sourceHome.claimName, subPath: sourceHome.subPath },
    forkableBy: [...new Set(session.forkableBy)].sort(),
    baseUrl,
    url,
    env: sessionEnv(config, session, baseUrl, code),
  };
}

/** Per-owner home claims (state model "user" on efs/storageClass; on nfs homes are sub-directories). */
function planUserHomes(config: StackConfig, sessions: readonly SessionConfig[], homeOf: (session: SessionConfig) => HomeVolume): UserHomePlan[] {
  if (config.stateModel !== 'user' || config.storage.backend === 'nfs') return [];
  const owners = [...new Set(sessions.map((session) => session.owner))].sort();
  return owners.map((owner) => ({ owner, home: homeOf(sessions.find((session) => session.owner === owner)!) }));
}

/**
 * The LimitRange's figures. The container ceiling is the largest size, never below the helper
 * containers' limits: the defaults must not exceed the max, and the init containers and sidecar must fit.
 */
function planLimits(config: StackConfig): Plan['limits'] {
  const sizes = Object.values(config.sizes);
  const largest = (pick: (size: SizeConfig) => string, floor: string) => sizes.map(pick).reduce((max, value) => (parseQuantity(value) > parseQuantity(max) ? value : max), floor);
  return {
    maxContainer: {
      requests: {},
      limits: {
        cpu: largest(cpuLimitOf, HELPER_RESOURCES.limits.cpu),
        'ephemeral-storage': largest((size) => size.ephemeralStorage, HELPER_RESOURCES.limits['ephemeral-storage']),
        memory: largest((size) => size.memory, HELPER_RESOURCES.limits.memory),
      },
    },
    defaultContainer: HELPER_RESOURCES,
  };
}

const sortedPorts = (ports: readonly number[]) => [...new Set(ports)].sort((a, b) => a - b);

function egressPlan(rule: EgressRule & { cidr: string }): EgressPlan {
  return { cidr: rule.cidr, except: cidrContains(rule.cidr, METADATA_CIDR) ? [METADATA_CIDR] : [], ports: sortedPorts(rule.ports) };
}

function egressPeerPlan(rule: EgressRule): EgressPeerPlan {
  return { namespaceLabels: sortedRecord(rule.namespaceLabels ?? {}), podLabels: sortedRecord(rule.podLabels ?? {}), ports: sortedPorts(rule.ports) };
}

function planNetwork(config: StackConfig): NetworkPlan {
  const rules = [...config.network.gitHosts, ...config.network.egress];
  return {
    jupyterPort: JUPYTER_PORT,
    ingressFrom: config.network.ingressFrom,
    egress: rules.filter((rule): rule is EgressRule & { cidr: string } => rule.cidr !== undefined).map(egressPlan),
    egressPeers: rules.filter((rule) => rule.cidr === undefined).map(egressPeerPlan),
    allowInternet: config.network.allowInternet,
    ...(config.network.nodeLocalDns ? { nodeLocalDns: config.network.nodeLocalDns } : {}),
  };
}

/** The plan of a config that passed validation (see validate.ts). */
export function normalise(config: StackConfig): Plan {
  const namespace = teamNamespace(config);
  const team: Team = { config, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [TEAM_LABEL]: config.team } };
  const shares = planShares(team);
  const sessionsConfig = [...config.sessions].sort(byName);
  const homeOf = homes(team, sessionsConfig);
  const shareByName = new Map(shares.map((share) => [share.name, share]));
  const sessionByName = new Map(sessionsConfig.map((session) => [session.name, session]));
  const sessions = sessionsConfig.map((session) => planSession(team, session, shareByName, sessionByName, homeOf));
  const culler = cullerPlan(config, namespace, team.labels, sessions);
  return {
    team: config.team,
    namespace,
    labels: team.labels,
    storage: planStorage(team),
    stateModel: config.stateModel,
    shares,
    userHomes: planUserHomes(config, sessionsConfig, homeOf),
    sessions,
    quota: config.quota,
    limits: planLimits(config),
    network: planNetwork(config),
    access: config.access,
    ingress: config.ingress,
    jupyter: config.jupyter,
    security: { uid: NOTEBOOK_UID, gid: NOTEBOOK_GID },
    images: config.images,
    ...(culler ? { culler } : {}),
    ...(config.backup ? { backup: backupPlan(config) } : {}),
    ...(config.usage ? { usage: usagePlan(config) } : {}),
    helperScheduling: placement(config.helpers?.nodeSelector ?? {}, config.helpers?.tolerations ?? []),
  };
}

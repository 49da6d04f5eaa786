/**
 * The plan: a valid stack config normalised so that every Kubernetes name, label, mount path,
 * resource figure and default is computed once. `manifests/`, the components and the policy pack
 * only read it. Sessions and shares are sorted by name, so the plan (and everything built from
 * it) does not depend on the order of the config.
 */
import type { EgressRule, Peer, SessionConfig, ShareConfig, SizeConfig, StackConfig, StorageConfig } from './schema';
import { parseQuantity } from './quantity';
import { shareAccess } from '../../shared/access';
import { backupPlan, usagePlan, type BackupPlan, type UsagePlan } from './lifecycle-schema';
import { cullerPlan, cullingRules, type CullerPlan, type CullingRules } from './culling';
import {
  COMPONENT_LABEL, DATA_LABEL, JUPYTER_PORT, MANAGED_BY, MANAGED_BY_LABEL, NOTEBOOK_COMPONENT, NOTEBOOK_GID, NOTEBOOK_UID,
  OWNER_LABEL, SESSION_LABEL, SHARE_LABEL, TEAM_LABEL, names, paths,
} from './names';

/**
 * Container requests and limits of the autosave sidecar and the init containers. Their root file
 * systems are read-only: their disk is their logs (and git-sync's /etc/passwd entry).
 */
export const HELPER_RESOURCES = {
  requests: { cpu: '50m', 'ephemeral-storage': '64Mi', memory: '128Mi' },
  limits: { cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' },
} as const;
/** Private and special ranges excluded from `allowInternet`, and the metadata address, always excluded. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'] as const;
export const METADATA_CIDR = '169.254.169.254/32';
/** Where GPU sessions run unless their size says otherwise: nodes labelled by NVIDIA GPU feature discovery. */
export const GPU_NODE_SELECTOR = { 'nvidia.com/gpu.present': 'true' } as const;
/** What GPU sessions tolerate unless their size says otherwise: the taint GPU node groups carry. */
export const GPU_TOLERATIONS: readonly Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];

export type Labels = Readonly<Record<string, string>>;
export type AccessLevel = ShareConfig['access'];

export interface Resources {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface SharePlan {
  readonly name: string;
  readonly access: AccessLevel;
  readonly readers: readonly string[];
  readonly writers: readonly string[];
  readonly size: string;
  readonly claimName: string;
  /** Static PV (efs, nfs); undefined when the claim is provisioned dynamically (storageClass). */
  readonly volumeName?: string;
  readonly mountPath: string;
  /** Adopted EFS access point, if any. */
  readonly accessPointId?: string;
  readonly posixUid: number;
  readonly posixGid: number;
  /** nfs: the share's directory on the server. */
  readonly nfsPath?: string;
  readonly labels: Labels;
}

export interface ShareMount {
  readonly share: string;
  readonly claimName: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** Where a home lives: its claim, the sub-directory (nfs), whether this session's config owns the claim. */
export interface HomeVolume {
  readonly claimName: string;
  readonly subPath?: string;
  readonly size: string;
  readonly labels: Labels;
}

export interface CodePlan {
  readonly repo: string;
  readonly ref: string;
  readonly mode: 'ephemeral' | 'persistent';
  readonly depth: number;
  /** ephemeral: git-sync's root (an emptyDir); persistent: the clone in the home. */
  readonly directory: string;
  /** The checked-out work tree: ephemeral `<directory>/<link>` (git-sync's symlink), persistent `directory`. */
  readonly workTree: string;
  /** ephemeral: git-sync's `--link` name under `directory`. */
  readonly link?: string;
  /** `username` is set for token credentials only. */
  readonly credentials?: { readonly secretName: string; readonly type: 'ssh' | 'token'; readonly username?: string; readonly caCertificate: boolean };
}

export interface Toleration {
  readonly key: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Where a session's pod may run. */
export interface SchedulingPlan {
  readonly nodeSelector: Labels;
  readonly tolerations: readonly Toleration[];
}

export interface AutosavePlan {
  readonly branch: string;
  readonly debounceSeconds: number;
  readonly maxFileSizeMb: number;
  readonly workTree: string;
}

export interface ForkPlan {
  readonly fromSession: string;
  readonly claimName: string;
  readonly subPath?: string;
}

export interface SessionPlan {
  readonly name: string;
  readonly owner: string;
  readonly size: string;
  readonly environment: string;
  readonly image: string;
  readonly running: boolean;
  /**
   * 0 when the config stops the session; undefined when it runs: the StatefulSet then leaves
   * `replicas` to the cluster, so the culler and the owner may stop it without the stack
   * starting it again (see docs/culling.md).
   */
  readonly replicas: 0 | undefined;
  /** When the team's culler stops the session. */
  readonly culling: CullingRules;
  readonly purge: boolean;
  /** The name whose home a renamed session keeps (its Pulumi alias); undefined if never renamed. */
  readonly renamedFrom?: string;
  readonly labels: Labels;
  readonly selector: Labels;
  readonly names: {
    readonly statefulSet: string;
    readonly service: string;
    readonly serviceAccount: string;
    readonly configMap: string;
    readonly tokenSecret: string;
    readonly ingress: string;
    readonly pod: string;
  };
  readonly resources: Resources;
  /** Node disk outside the home (the size's ephemeralStorage): the notebook's request and limit, each scratch emptyDir's sizeLimit. */
  readonly ephemeralStorage: string;
  readonly gpu: number;
  readonly scheduling: SchedulingPlan;
  readonly home: HomeVolume;
  /** true when the home claim is this session's alone (state model "session" on efs/storageClass). */
  readonly ownsHomeClaim: boolean;
  readonly mounts: readonly ShareMount[];
  readonly code?: CodePlan;
  readonly autosave?: AutosavePlan;
  readonly fork?: ForkPlan;
  /** Other owners whose sessions may fork this one, sorted (the config's forkableBy). */
  readonly forkableBy: readonly string[];
  readonly baseUrl: string;
  readonly url?: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface StoragePlan {
  readonly backend: StorageConfig['backend'];
  readonly config: StorageConfig;
  /** StorageClass of dynamic claims (efs: created by the platform; storageClass: existing). */
  readonly storageClassName?: string;
  /** efs: the StorageClass's basePath for this team. */
  readonly basePath?: string;
  /** nfs: the claim holding every home as a sub-directory, and its static volume. */
  readonly teamWorkdir?: { readonly claimName: string; readonly volumeName: string; readonly path: string; readonly size: string };
}

/** Per-owner homes (state model "user"), one claim each. */
export interface UserHomePlan {
  readonly owner: string;
  readonly home: HomeVolume;
}

export interface EgressPlan {
  readonly cidr: string;
  readonly except: readonly string[];
  readonly ports: readonly number[];
}

/** In-cluster destination pods of an egress rule: both selectors must match, TCP ports sorted. */
export interface EgressPeerPlan {
  readonly namespaceLabels: Labels;
  readonly podLabels: Labels;
  readonly ports: readonly number[];
}

export interface NetworkPlan {
  readonly jupyterPort: number;
  readonly ingressFrom: readonly Peer[];
  /** Address ranges (rules with `cidr`). */
  readonly egress: readonly EgressPlan[];
  /** In-cluster pods (rules with `namespaceLabels`). */
  readonly egressPeers: readonly EgressPeerPlan[];
  readonly allowInternet: boolean;
  /** A node-local DNS cache's address, reachable on port 53 besides cluster DNS. */
  readonly nodeLocalDns?: string;
}

export interface Plan {
  readonly team: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly storage: StoragePlan;
  readonly stateModel: 'session' | 'user';
  readonly shares: readonly SharePlan[];
  readonly userHomes: readonly UserHomePlan[];
  readonly sessions: readonly SessionPlan[];
  readonly quota: StackConfig['quota'];
  readonly limits: { readonly maxContainer: Resources; readonly defaultContainer: Resources };
  readonly network: NetworkPlan;
  readonly access: StackConfig['access'];
  readonly ingress?: StackConfig['ingress'];
  readonly jupyter: StackConfig['jupyter'];
  readonly security: { readonly uid: number; readonly gid: number };
  /** Helper images (git-sync). */
  readonly images: StackConfig['images'];
  /** The team's culler; undefined when no running session has a stop rule. */
  readonly culler?: CullerPlan;
  /** Scheduled backups (the config's `backup`); undefined when the team has none. */
  readonly backup?: BackupPlan;
  /** When used bytes are measured (the config's `usage`); undefined when never. */
  readonly usage?: UsagePlan;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export { shareAccess };

/** The shares a session mounts: those it names, or every share its owner is entitled to. */
export function sessionShareNames(session: SessionConfig, shares: readonly ShareConfig[]): string[] {
  if (session.shares) return [...new Set(session.shares)].sort();
  return shares.filter((share) => shareAccess(share, session.owner) !== 'none').map((share) => share.name).sort();
}

/** A CPU quantity in the API server's canonical form ("4", "1500m"), so re-applying is a no-op. */
function millicores(quantity: string): string {
  const milli = Math.round(parseQuantity(quantity) * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function planStorage(config: StackConfig, namespace: string): StoragePlan {
  const storage = config.storage;
  switch (storage.backend) {
    case 'efs':
      return { backend: 'efs', config: storage, storageClassName: names.workdirStorageClass(namespace), basePath: `/notebooks/${namespace}` };
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
        },
      };
  }
}

const sortedPorts = (ports: readonly number[]) => [...new Set(ports)].sort((a, b) => a - b);

function egressPlan(rule: EgressRule & { cidr: string }): EgressPlan {
  return { cidr: rule.cidr, except: cidrContains(rule.cidr, METADATA_CIDR) ? [METADATA_CIDR] : [], ports: sortedPorts(rule.ports) };
}

function egressPeerPlan(rule: EgressRule): EgressPeerPlan {
  return { namespaceLabels: sortedRecord(rule.namespaceLabels ?? {}), podLabels: sortedRecord(rule.podLabels ?? {}), ports: sortedPorts(rule.ports) };
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** Whether `outer` contains every address of `inner` (both IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const [outerIp, outerBits] = outer.split('/');
  const [innerIp, innerBits] = inner.split('/');
  if (Number(innerBits) < Number(outerBits)) return false;
  const size = 2 ** (32 - Number(outerBits));
  const start = Math.floor(ipToNumber(outerIp) / size) * size;
  const address = ipToNumber(innerIp);
  return address >= start && address < start + size;
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
  const tolerations = size.tolerations ?? (gpu ? GPU_TOLERATIONS : []);
  return {
    nodeSelector: sortedRecord({ ...(size.nodeSelector ?? (gpu ? GPU_NODE_SELECTOR : {})) }),
    tolerations: tolerations.map((t) => ({ key: t.key, operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect ? { effect: t.effect } : {}) })),
  };
}

/** The plan of a config that passed validation (see validate.ts). */
export function normalise(config: StackConfig): Plan {
  const team = config.team;
  const namespace = config.namespace ?? names.namespace(team);
  const teamLabels: Labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [TEAM_LABEL]: team };
  const sortedShares = [...config.shares].sort(byName);
  const backend = config.storage.backend;

  const shares: SharePlan[] = sortedShares.map((share) => ({
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
    labels: { ...teamLabels, [DATA_LABEL]: 'share', [SHARE_LABEL]: share.name },
  }));
  const shareByName = new Map(shares.map((share) => [share.name, share]));

  const sessionsConfig = [...config.sessions].sort(byName);
  const sessionByName = new Map(sessionsConfig.map((session) => [session.name, session]));
  const workdirSize = (session: SessionConfig) => config.sizes[session.size].workdirSize;

  // A claim's name cannot change: a renamed session keeps the home of its first name.
  const homeName = (session: SessionConfig) => session.renamedFrom ?? session.name;
  const homeOf = (session: SessionConfig): HomeVolume => {
    if (config.stateModel === 'user') {
      const labels = { ...teamLabels, [DATA_LABEL]: 'home', [OWNER_LABEL]: session.owner };
      return backend === 'nfs'
        ? { claimName: names.teamWorkdirClaim(), subPath: names.userSubPath(session.owner), size: workdirSize(session), labels }
        : { claimName: names.userHomeClaim(session.owner), size: largestWorkdirOf(session.owner), labels };
    }
    const labels = { ...teamLabels, [DATA_LABEL]: 'workdir', [SESSION_LABEL]: session.name, [OWNER_LABEL]: session.owner };
    return backend === 'nfs'
      ? { claimName: names.teamWorkdirClaim(), subPath: names.sessionSubPath(homeName(session)), size: workdirSize(session), labels }
      : { claimName: names.sessionWorkdirClaim(homeName(session)), size: workdirSize(session), labels };
  };
  const largestWorkdirOf = (owner: string) =>
    sessionsConfig
      .filter((session) => session.owner === owner)
      .map(workdirSize)
      .reduce((largest, size) => (parseQuantity(size) > parseQuantity(largest) ? size : largest));

  const sessions: SessionPlan[] = sessionsConfig.map((session) => {
    const size = config.sizes[session.size];
    const labels: Labels = {
      ...teamLabels,
      'app.kubernetes.io/name': 'jupyter-notebook',
      'app.kubernetes.io/instance': session.name,
      [COMPONENT_LABEL]: NOTEBOOK_COMPONENT,
      [SESSION_LABEL]: session.name,
      [OWNER_LABEL]: session.owner,
    };
    const gpu = size.gpu;
    // Memory and disk are never overcommitted: request = limit.
    const requests: Record<string, string> = { cpu: size.cpu, 'ephemeral-storage': size.ephemeralStorage, memory: size.memory };
    const limits: Record<string, string> = { cpu: size.cpuLimit ?? millicores(String(parseQuantity(size.cpu) * 2)), 'ephemeral-storage': size.ephemeralStorage, memory: size.memory };
    if (gpu > 0) {
      requests['nvidia.com/gpu'] = String(gpu);
      limits['nvidia.com/gpu'] = String(gpu);
    }
    const mounts: ShareMount[] = sessionShareNames(session, config.shares).map((shareName) => {
      const share = shareByName.get(shareName)!;
      return { share: shareName, claimName: share.claimName, mountPath: share.mountPath, readOnly: shareAccess(share, session.owner) !== 'write' };
    });
    const code: CodePlan | undefined = session.code && codePlan(session.code);
    const source = session.forkFrom ? sessionByName.get(session.forkFrom) : undefined;
    const sourceHome = source && homeOf(source);
    const baseUrl = paths.baseUrl(team, session.name);
    const url = config.ingress ? `https://${config.ingress.host}${baseUrl}` : undefined;
    const env: Record<string, string> = {
      NOTEBOOK_PLATFORM_TEAM: team,
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
      resources: { requests: sortedRecord(requests), limits: sortedRecord(limits) },
      ephemeralStorage: size.ephemeralStorage,
      gpu,
      scheduling: schedulingPlan(size),
      home: homeOf(session),
      ownsHomeClaim: config.stateModel === 'session' && backend !== 'nfs',
      mounts,
      code,
      autosave: session.autosave && code && {
        branch: session.autosave.branch ?? `autosave/${session.name}`,
        debounceSeconds: session.autosave.debounceSeconds,
        maxFileSizeMb: session.autosave.maxFileSizeMb,
        workTree: code.workTree,
      },
      fork: sourceHome && { fromSession: source!.name, claimName: sourceHome.claimName, subPath: sourceHome.subPath },
      forkableBy: [...new Set(session.forkableBy)].sort(),
      baseUrl,
      url,
      env: sortedRecord(env),
    };
  });

  const owners = [...new Set(sessionsConfig.map((session) => session.owner))].sort();
  const userHomes: UserHomePlan[] =
    config.stateModel === 'user' && backend !== 'nfs'
      ? owners.map((owner) => ({ owner, home: homeOf(sessionsConfig.find((session) => session.owner === owner)!) }))
      : [];

  const sizes = Object.values(config.sizes);
  // The container ceiling is the largest size, never below the helper containers' limits: the
  // LimitRange's defaults must not exceed its max, and the init containers and sidecar must fit.
  const largest = (pick: (size: (typeof sizes)[number]) => string, floor: string) =>
    sizes.map(pick).reduce((max, value) => (parseQuantity(value) > parseQuantity(max) ? value : max), floor);

  const culler = cullerPlan(config, namespace, teamLabels, sessions);

  const egressRules = [...config.network.gitHosts, ...config.network.egress];
  const egress = egressRules.filter((rule): rule is EgressRule & { cidr: string } => rule.cidr !== undefined).map(egressPlan);
  const egressPeers = egressRules.filter((rule) => rule.cidr === undefined).map(egressPeerPlan);
  return {
    team,
    namespace,
    labels: teamLabels,
    storage: planStorage(config, namespace),
    stateModel: config.stateModel,
    shares,
    userHomes,
    sessions,
    quota: config.quota,
    limits: {
      maxContainer: {
        requests: {},
        limits: {
          cpu: largest((size) => size.cpuLimit ?? millicores(String(parseQuantity(size.cpu) * 2)), HELPER_RESOURCES.limits.cpu),
          'ephemeral-storage': largest((size) => size.ephemeralStorage, HELPER_RESOURCES.limits['ephemeral-storage']),
          memory: largest((size) => size.memory, HELPER_RESOURCES.limits.memory),
        },
      },
      defaultContainer: HELPER_RESOURCES,
    },
    network: {
      jupyterPort: JUPYTER_PORT,
      ingressFrom: config.network.ingressFrom,
      egress,
      egressPeers,
      allowInternet: config.network.allowInternet,
      ...(config.network.nodeLocalDns ? { nodeLocalDns: config.network.nodeLocalDns } : {}),
    },
    access: config.access,
    ingress: config.ingress,
    jupyter: config.jupyter,
    security: { uid: NOTEBOOK_UID, gid: NOTEBOOK_GID },
    images: config.images,
    ...(culler ? { culler } : {}),
    ...(config.backup ? { backup: backupPlan(config) } : {}),
    ...(config.usage ? { usage: usagePlan(config) } : {}),
  };
}

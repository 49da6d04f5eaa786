/**
 * The plan: a valid stack config normalised so that every Kubernetes name, label, mount path,
 * resource figure and default is computed once (normalise.ts). `manifests/` and the components
 * only read it. Sessions and shares are sorted by name, so the plan (and everything built from
 * it) does not depend on the order of the config. This module holds its types.
 */
import type { Peer, ShareConfig, StackConfig, StorageConfig } from './schema';
import type { BackupPlan, UsagePlan } from './lifecycle-schema';
import type { CullerPlan, CullingRules } from './culling';

// The modules the plan is built from, re-exported where code has always found them.
export { GPU_NODE_SELECTOR, GPU_TOLERATIONS, HELPER_RESOURCES, METADATA_CIDR, PRIVATE_RANGES } from './plan-constants';
export { cidrContains } from './cidr';
export { sessionShareNames, shareAccess } from './share-entitlements';

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
  /** efs: the access point the stack creates for the share (when not adopted): its root directory and tags. */
  readonly accessPoint?: {
    readonly path: string;
    /** Mode of the root directory: 0770 for restricted shares (owner and group only), else 0775. */
    readonly permissions: string;
    readonly tags: Readonly<Record<string, string>>;
  };
  /** efs: the static volume's CSI handle, when the file system and the access point are adopted (ids known before deployment). */
  readonly volumeHandle?: string;
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
  /** The VolumeSnapshot a new claim starts from (the session's `restoreFrom`); undefined for an empty home. */
  readonly restoreFrom?: string;
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

/** Where a pod may run (a session's, from its size; the helpers', from the config's `helpers`). */
export interface SchedulingPlan {
  readonly nodeSelector: Labels;
  readonly tolerations: readonly Toleration[];
}

export interface AutosavePlan {
  readonly branch: string;
  /** The commits' author e-mail: the owner at the SSO e-mail domain, else at notebook-platform.invalid. */
  readonly authorEmail: string;
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
  readonly teamWorkdir?: { readonly claimName: string; readonly volumeName: string; readonly path: string; readonly size: string; readonly labels: Labels };
  /** Labels of the workdir StorageClass (efs). */
  readonly storageClassLabels?: Labels;
  /** efs: the tags of every AWS resource the stack creates (the config's tags, the team and the namespace). */
  readonly tags?: Readonly<Record<string, string>>;
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
  /** Where the culler and the snapshot and usage Jobs run (the config's `helpers`); empty by default. */
  readonly helperScheduling: SchedulingPlan;
}

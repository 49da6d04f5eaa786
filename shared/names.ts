/**
 * Every Kubernetes name and label the platform derives (shared by the config, the manifests and the
 * policy pack). Names key data (a changed claim name is a
 * new, empty directory), so they come only from stable ids (team, session, share, owner), never
 * from positions or display names. Changing anything here is a data migration: add aliases.
 */

export const LABEL_PREFIX = 'notebook-platform.io';
export const TEAM_LABEL = `${LABEL_PREFIX}/team`;
export const SESSION_LABEL = `${LABEL_PREFIX}/session`;
export const OWNER_LABEL = `${LABEL_PREFIX}/owner`;
export const SHARE_LABEL = `${LABEL_PREFIX}/share`;
export const DATA_LABEL = `${LABEL_PREFIX}/data`;
/**
 * Mirrors a claim's or volume's `retainOnDelete` option ("true"/"false") on the object: the
 * analyzer's resource options do not include it, and the policy pack must see it.
 */
export const RETAIN_ANNOTATION = `${LABEL_PREFIX}/retain-on-delete`;
/**
 * On a session's StatefulSet: the owners (comma-separated, sorted) whose sessions may fork it,
 * besides its own owner; absent when none may. The policy pack judges forks by it.
 */
export const FORKABLE_BY_ANNOTATION = `${LABEL_PREFIX}/forkable-by`;
/** "true" on a purged session's claim: the one case where RETAIN_ANNOTATION may be "false". */
export const PURGE_ANNOTATION = `${LABEL_PREFIX}/purge`;
/**
 * On a share's claims: its access level, readers and writers (comma-separated, sorted). The policy
 * pack checks every session's share mounts against them with `shareAccess`; a pod cannot reach a
 * claim in another namespace, so the claim is where a share's entitlements apply.
 */
export const SHARE_ACCESS_ANNOTATION = `${LABEL_PREFIX}/share-access`;
export const SHARE_READERS_ANNOTATION = `${LABEL_PREFIX}/share-readers`;
export const SHARE_WRITERS_ANNOTATION = `${LABEL_PREFIX}/share-writers`;
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'notebook-platform';
/** Value of COMPONENT_LABEL on session pods; NetworkPolicies select notebooks by it. */
export const NOTEBOOK_COMPONENT = 'notebook';

export const names = {
  namespace: (team: string) => `nb-${team}`,
  statefulSet: (session: string) => session,
  service: (session: string) => session,
  serviceAccount: (session: string) => session,
  jupyterConfigMap: (session: string) => `${session}-jupyter`,
  tokenSecret: (session: string) => `${session}-token`,
  ingress: (session: string) => session,
  sessionWorkdirClaim: (session: string) => `workdir-${session}`,
  userHomeClaim: (owner: string) => `home-${owner}`,
  /** nfs backend: one claim for the team's homes, one sub-directory each. */
  teamWorkdirClaim: () => 'workdirs',
  teamWorkdirVolume: (namespace: string) => `${namespace}-workdirs`,
  sessionSubPath: (session: string) => `sessions/${session}`,
  userSubPath: (owner: string) => `users/${owner}`,
  shareClaim: (share: string) => `share-${share}`,
  /** PersistentVolumes are cluster-scoped: one per namespace that mounts the share. */
  shareVolume: (namespace: string, share: string) => `${namespace}-share-${share}`,
  workdirStorageClass: (namespace: string) => `${namespace}-workdir`,
  scriptsConfigMap: () => 'notebook-platform-scripts',
  viewerRole: () => 'notebook-viewer',
  viewerBinding: () => 'notebook-viewers',
  adminBinding: () => 'notebook-admins',
  /** Role and RoleBinding of one session owner (access.ownerSubject). */
  ownerRole: (owner: string) => `notebook-owner-${owner}`,
  quota: () => 'notebook-quota',
  limitRange: () => 'notebook-limits',
  /** NetworkPolicies of the team namespace (network-policy.ts). */
  defaultDenyPolicy: () => 'default-deny',
  notebookIngressPolicy: () => 'notebook-ingress',
  notebookEgressPolicy: () => 'notebook-egress',
  /** The Pod name of a one-replica StatefulSet. */
  pod: (session: string) => `${session}-0`,
  /**
   * The directory a repository is checked out as (git-sync's `--link` under /code): the last
   * segment of its URL without `.git`, e.g. `git@host:team/churn-model.git` -> `churn-model`.
   * @default "repo" when the URL has no usable name
   */
  repoDirectory: (repo: string) => {
    const last = repo.replace(/[/:]+$/, '').split(/[/:]/).pop() ?? '';
    const name = last.replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
    return name.length > 0 ? name.slice(0, 100) : 'repo';
  },
} as const;

/**
 * The Secrets the platform itself creates in a team namespace, each with the namer that names it
 * (one entry per kind; the id is a session's name). Every name a namer can produce is reserved:
 * a Secret the config names for its own use (git credentials, a TLS certificate) must never be
 * one of these, now or after a session is added (see platform-secrets.ts).
 */
export const PLATFORM_SECRETS: readonly { readonly kind: string; readonly name: (id: string) => string; readonly form: string }[] = [
  { kind: 'a session token Secret', name: names.tokenSecret, form: names.tokenSecret('<session>') },
];

export const paths = {
  home: '/home/jovyan',
  code: '/code',
  persistentCode: '/home/jovyan/code',
  sharedData: '/shared-data',
  share: (share: string) => `/shared-data/${share}`,
  jupyterConfig: '/etc/jupyter',
  /** The session's token Secret, mounted in the notebook container only (file `token`). */
  jupyterToken: '/etc/jupyter-token',
  scripts: '/opt/notebook-platform',
  gitSecret: '/etc/git-secret',
  forkSource: '/fork-source',
  cache: '/home/jovyan/.cache',
  tmp: '/tmp',
  baseUrl: (team: string, session: string) => `/notebooks/${team}/${session}/`,
} as const;

/** Jupyter Docker Stacks user: jovyan, uid 1000, gid 100 (users). */
export const NOTEBOOK_UID = 1000;
export const NOTEBOOK_GID = 100;
export const JUPYTER_PORT = 8888;

/** Namespaces Kubernetes itself uses: `default` and every `kube-*`. */
export const RESERVED_NAMESPACE = /^(default|kube-.*)$/;

/** The file of the session's token Secret (key `token`) under paths.jupyterToken. */
export const TOKEN_FILE_NAME = 'token';
/** Where the notebook reads its token: the session's token Secret, mounted read-only. */
export const TOKEN_FILE = `${paths.jupyterToken}/${TOKEN_FILE_NAME}`;
/**
 * The env var Jupyter would take a token from. The platform never sets it: every process the
 * notebook starts (kernels, terminals, pip) would inherit the token. Policies refuse it.
 */
export const TOKEN_ENV = 'JUPYTER_TOKEN';

/** The snapshot job's CronJob, ServiceAccount, Role and ConfigMap (the team's backups). */
export const SNAPSHOTS_NAME = 'notebook-snapshots';

/** A team's namespace: the config's `namespace`, else nb-<team>. Validation and the plan both name it so. */
export function teamNamespace(config: { readonly team: string; readonly namespace?: string }): string {
  return config.namespace ?? names.namespace(config.team);
}

/** The EFS CSI volume handle of a share's access point: `<file system id>::<access point id>`. */
export const efsVolumeHandle = (fileSystemId: string, accessPointId: string): string => `${fileSystemId}::${accessPointId}`;

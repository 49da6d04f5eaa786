/**
 * The containers of a session pod: the notebook, the `prepare-home` and `git-sync` init
 * containers and the autosave sidecar. Every container runs as the notebook user without
 * privileges and with requests and limits. Credentials reach only the helper containers that
 * use them, and only as Secret files: never as values in the spec.
 */
import type { CodePlan, Plan, SessionPlan } from '../config/plan';
import { HELPER_RESOURCES } from '../config/plan';
import { JUPYTER_PORT, paths } from '../config/names';
import { scriptPathInPod } from './scripts';
import { HELPER_GIT_PATH, VOLUMES, homeMount, volumeMount, type VolumeMount } from './volumes';
import type { ContainerManifest, EnvVarManifest, ProbeManifest, SecurityContextManifest } from './kube';

export type Env = EnvVarManifest;
export type Container = ContainerManifest;

/** Where the notebook container listens and what its probes call. */
export const HTTP_PORT_NAME = 'http';

/**
 * Container security for Pod Security `restricted`: no privilege escalation, every capability
 * dropped, non-root. `readOnlyRootFilesystem` @default true; the notebook turns it off so
 * `pip install` into the image's environment keeps working, git-sync with ssh so `--add-user`
 * can write /etc/passwd (ssh needs the uid there).
 */
export function containerSecurity(readOnlyRootFilesystem = true): SecurityContextManifest {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
  };
}

const envList = (values: Readonly<Record<string, string>>): Env[] =>
  Object.keys(values)
    .sort()
    .map((name) => ({ name, value: values[name] }));

const helperResources = () => ({ requests: { ...HELPER_RESOURCES.requests }, limits: { ...HELPER_RESOURCES.limits } });

/** The env the helper scripts read for git credentials (see assets/git-auth.sh); no values, only where the Secret is. */
function gitCredentialEnv(code: CodePlan): Record<string, string> {
  const credentials = code.credentials;
  if (!credentials) return { GIT_CREDENTIALS: 'none' };
  const env: Record<string, string> = { GIT_CREDENTIALS: credentials.type, GIT_SECRET_DIR: paths.gitSecret };
  if (credentials.username) env.GIT_USERNAME = credentials.username;
  Object.assign(env, gitCaEnv(code));
  return env;
}

/** git trusts the private CA from the credentials Secret (git reads GIT_SSL_CAINFO, git-sync passes it on). */
function gitCaEnv(code: CodePlan | undefined): Record<string, string> {
  return code?.credentials?.caCertificate ? { GIT_SSL_CAINFO: `${paths.gitSecret}/ca.crt` } : {};
}

const gitSecretMounts = (code: CodePlan | undefined): VolumeMount[] =>
  code?.credentials ? [volumeMount(VOLUMES.gitSecret, paths.gitSecret, { readOnly: true })] : [];

const byMountPath = (mounts: VolumeMount[]) => [...mounts].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));

function httpProbe(session: SessionPlan, timing: Pick<ProbeManifest, 'periodSeconds' | 'timeoutSeconds' | 'failureThreshold'>): ProbeManifest {
  return { httpGet: { path: `${session.baseUrl}api`, port: HTTP_PORT_NAME, scheme: 'HTTP' }, ...timing };
}

/**
 * The notebook: the environment's image, the session's env, the token Secret as a file (never in
 * the environment, which every process it starts would inherit), the
 * Jupyter port, probes on the Jupyter API (unauthenticated `GET <base_url>api`), the session's
 * resources and its mounts (mount paths sorted, so a parent is mounted before what it holds).
 */
export function notebookContainer(session: SessionPlan): Container {
  const mounts: VolumeMount[] = [
    homeMount(session.home),
    volumeMount(VOLUMES.cache, paths.cache),
    volumeMount(VOLUMES.tmp, paths.tmp),
    volumeMount(VOLUMES.jupyterConfig, paths.jupyterConfig, { readOnly: true }),
    volumeMount(VOLUMES.jupyterToken, paths.jupyterToken, { readOnly: true }),
    ...session.mounts.map((share) => volumeMount(VOLUMES.share(share.share), share.mountPath, { readOnly: share.readOnly })),
  ];
  if (session.code?.mode === 'ephemeral') mounts.push(volumeMount(VOLUMES.code, session.code.directory));
  return {
    name: 'notebook',
    image: session.image,
    imagePullPolicy: 'IfNotPresent',
    env: envList(session.env),
    ports: [{ name: HTTP_PORT_NAME, containerPort: JUPYTER_PORT, protocol: 'TCP' }],
    resources: { requests: { ...session.resources.requests }, limits: { ...session.resources.limits } },
    startupProbe: httpProbe(session, { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 }),
    readinessProbe: httpProbe(session, { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
    livenessProbe: httpProbe(session, { periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 }),
    securityContext: containerSecurity(false),
    volumeMounts: byMountPath(mounts),
    workingDir: paths.home,
  };
}

/**
 * `prepare-home` (init, session image): fork copy, welcome notebook, persistent clone; see
 * assets/prepare-home.sh. Runs in every session (the welcome notebook needs it). The clone is
 * made in its own `clone-work` volume and copied into the home when complete: git never runs in
 * the home (docs/git-helpers.md).
 */
export function prepareHomeContainer(session: SessionPlan): Container {
  const env: Record<string, string> = {
    // Not the user's home: git must not read configuration the user controls while it holds credentials.
    HOME: paths.tmp,
    NOTEBOOK_HOME: paths.home,
    TMPDIR: paths.tmp,
    WELCOME_NOTEBOOK: scriptPathInPod('welcome.ipynb'),
  };
  const mounts: VolumeMount[] = [
    homeMount(session.home),
    volumeMount(VOLUMES.scripts, paths.scripts, { readOnly: true }),
    volumeMount(VOLUMES.helperTmp, paths.tmp),
  ];
  if (session.fork) {
    Object.assign(env, { FORK_SOURCE: paths.forkSource, FORK_SESSION: session.fork.fromSession });
    mounts.push(volumeMount(forkVolumeName(session), paths.forkSource, { readOnly: true, subPath: session.fork.subPath }));
  }
  const code = session.code;
  if (code?.mode === 'persistent') {
    Object.assign(
      env,
      { CLONE_WORK_DIR: `${HELPER_GIT_PATH}/clone`, CODE_REPO: code.repo, CODE_REF: code.ref, CODE_DEPTH: String(code.depth), CODE_DIRECTORY: code.directory },
      gitCredentialEnv(code),
    );
    mounts.push(volumeMount(VOLUMES.cloneWork, HELPER_GIT_PATH), ...gitSecretMounts(code));
  }
  return scriptContainer('prepare-home', session, 'prepare-home.sh', env, mounts);
}

/** A helper container running one of the team's scripts in the session's image. */
function scriptContainer(name: string, session: SessionPlan, script: Parameters<typeof scriptPathInPod>[0], env: Record<string, string>, mounts: VolumeMount[]): Container {
  return {
    name,
    image: session.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['bash', scriptPathInPod(script)],
    env: envList(env),
    resources: helperResources(),
    securityContext: containerSecurity(),
    volumeMounts: byMountPath(mounts),
  };
}

/** The fork source's volume: the home's own volume when both live on one claim (nfs), else its own. */
export function forkVolumeName(session: SessionPlan): string {
  return session.fork && session.fork.claimName === session.home.claimName ? VOLUMES.home : VOLUMES.forkSource;
}

/**
 * `git-sync` (init, ephemeral code): git-sync v4 `--one-time` into the `code` emptyDir at /code,
 * checked out as /code/<link>. Never pointed at a persistent directory: git-sync removes what
 * is not a clean worktree. ssh: the key and pinned known_hosts from the Secret (mode 0400);
 * token: `--username` and `--password-file`.
 */
export function gitSyncContainer(plan: Plan, session: SessionPlan): Container {
  const code = session.code;
  if (!code || code.mode !== 'ephemeral') throw new Error(`session ${session.name}: git-sync is only for ephemeral code`);
  const args = [
    '--one-time',
    `--repo=${code.repo}`,
    `--ref=${code.ref}`,
    `--depth=${code.depth}`,
    `--root=${code.directory}`,
    `--link=${code.link}`,
  ];
  const ssh = code.credentials?.type === 'ssh';
  if (ssh) {
    args.push(
      `--ssh-key-file=${paths.gitSecret}/ssh-privatekey`,
      '--ssh-known-hosts=true',
      `--ssh-known-hosts-file=${paths.gitSecret}/known_hosts`,
      '--add-user',
    );
  } else if (code.credentials?.type === 'token') {
    args.push(`--username=${code.credentials.username}`, `--password-file=${paths.gitSecret}/token`);
  }
  return {
    name: 'git-sync',
    image: plan.images.gitSync,
    imagePullPolicy: 'IfNotPresent',
    args,
    env: envList({ HOME: paths.tmp, ...gitCaEnv(code) }),
    resources: helperResources(),
    securityContext: containerSecurity(!ssh),
    volumeMounts: byMountPath([volumeMount(VOLUMES.code, code.directory), volumeMount(VOLUMES.helperTmp, paths.tmp), ...gitSecretMounts(code)]),
  };
}

/**
 * The autosave sidecar (session image, which ships git): assets/autosave.sh on the persistent
 * clone in the home (validation requires persistent code: an ephemeral /code is replaced on every
 * start), pushing to the session's autosave branch of the code's repository. Snapshots are built
 * in its own git directory on the `autosave-git` volume, which only this container mounts; the
 * user's repository is never opened by git, the work tree is read as plain data
 * (docs/git-helpers.md).
 */
export function autosaveContainer(plan: Plan, session: SessionPlan): Container {
  const code = session.code;
  const autosave = session.autosave;
  if (!code || !autosave || code.mode !== 'persistent') throw new Error(`session ${session.name}: autosave needs persistent code`);
  const env: Record<string, string> = {
    AUTOSAVE_AUTHOR_EMAIL: autosave.authorEmail,
    AUTOSAVE_AUTHOR_NAME: `${session.owner} (autosave of ${plan.team}/${session.name})`,
    AUTOSAVE_BRANCH: autosave.branch,
    AUTOSAVE_DEBOUNCE_SECONDS: String(autosave.debounceSeconds),
    AUTOSAVE_GIT_DIR: `${HELPER_GIT_PATH}/autosave`,
    AUTOSAVE_MAX_FILE_SIZE_MB: String(autosave.maxFileSizeMb),
    AUTOSAVE_REMOTE: code.repo,
    AUTOSAVE_STATE_DIR: `${paths.tmp}/autosave`,
    AUTOSAVE_WORK_TREE: autosave.workTree,
    HOME: paths.tmp,
    NOTEBOOK_HOME: paths.home,
    TMPDIR: paths.tmp,
    ...gitCredentialEnv(code),
  };
  return scriptContainer('autosave', session, 'autosave.sh', env, [
    homeMount(session.home),
    volumeMount(VOLUMES.scripts, paths.scripts, { readOnly: true }),
    volumeMount(VOLUMES.helperTmp, paths.tmp),
    volumeMount(VOLUMES.autosaveGit, HELPER_GIT_PATH),
    ...gitSecretMounts(code),
  ]);
}

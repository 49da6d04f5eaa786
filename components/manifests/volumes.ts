/**
 * The volumes of a session pod and how containers mount them. Names are fixed per role (a share
 * volume is `share-<share>`), so a pod spec only changes when what it mounts changes.
 */
import type { HomeVolume, SessionPlan } from '../config/plan';
import { names, paths, TOKEN_FILE_NAME } from '../config/names';
import type { VolumeManifest, VolumeMountManifest } from './kube';

export { TOKEN_FILE_NAME };

export const VOLUMES = {
  home: 'home',
  forkSource: 'fork-source',
  share: (share: string) => `share-${share}`,
  /** ~/.cache: small-file-heavy caches stay off the network file system. */
  cache: 'cache',
  tmp: 'tmp',
  /** The helpers' /tmp (credential copies, autosave state): never mounted in the notebook container. */
  helperTmp: 'helper-tmp',
  jupyterConfig: 'jupyter-config',
  /** The session's token Secret: the notebook reads it from a file, so no process inherits it in its environment. */
  jupyterToken: 'jupyter-token',
  scripts: 'scripts',
  code: 'code',
  gitSecret: 'git-secret',
  /**
   * The helpers' git data on disk, never mounted in the notebook container (the user must not
   * reach what git reads there): prepare-home's private clone, the autosave sidecar's own git
   * directory. One volume each, so neither helper can plant anything for the other.
   */
  cloneWork: 'clone-work',
  autosaveGit: 'autosave-git',
} as const;

/** Where a helper mounts its git-data volume (VOLUMES.cloneWork or VOLUMES.autosaveGit). */
export const HELPER_GIT_PATH = '/var/lib/notebook-platform';

/**
 * Size limit of the helpers' in-memory /tmp (counted as their memory). The disk-backed emptyDirs
 * (~/.cache, /tmp, /code and the helpers' git data) are each limited to the session's ephemeralStorage: the node's disk is
 * shared, and a runaway cache gets the pod evicted instead of filling it.
 */
export const HELPER_TMP_SIZE_LIMIT = '64Mi';

export type VolumeMount = VolumeMountManifest;
export type Volume = VolumeManifest;

/** A mount; `readOnly` and `subPath` appear only when set. */
export function volumeMount(name: string, mountPath: string, options: { readOnly?: boolean; subPath?: string } = {}): VolumeMount {
  const mount: VolumeMount = { name, mountPath };
  if (options.readOnly) mount.readOnly = true;
  if (options.subPath) mount.subPath = options.subPath;
  return mount;
}

/** The home at /home/jovyan: its claim, with the sub-directory on a shared claim (nfs, per-user). */
export function homeMount(home: HomeVolume): VolumeMount {
  return volumeMount(VOLUMES.home, paths.home, { subPath: home.subPath });
}

const claim = (name: string, claimName: string, readOnly = false): Volume => ({
  name,
  persistentVolumeClaim: readOnly ? { claimName, readOnly: true } : { claimName },
});
const emptyDir = (name: string, sizeLimit: string, medium?: 'Memory'): Volume => ({ name, emptyDir: medium ? { medium, sizeLimit } : { sizeLimit } });

/**
 * Every volume of a session's pod, sorted by name: the home claim, share claims (read-only
 * where the owner may only read), the fork source (read-only), emptyDirs (the helpers' git data
 * among them), the Jupyter config
 * and scripts ConfigMaps (read-only files) and the git Secret (mode 0400).
 */
export function sessionVolumes(session: SessionPlan): Volume[] {
  const volumes: Volume[] = [
    claim(VOLUMES.home, session.home.claimName),
    ...session.mounts.map((share) => claim(VOLUMES.share(share.share), share.claimName, share.readOnly)),
    emptyDir(VOLUMES.cache, session.ephemeralStorage),
    emptyDir(VOLUMES.tmp, session.ephemeralStorage),
    emptyDir(VOLUMES.helperTmp, HELPER_TMP_SIZE_LIMIT, 'Memory'),
    { name: VOLUMES.jupyterConfig, configMap: { name: session.names.configMap, defaultMode: 0o444 } },
    // 0440 with fsGroup: readable by the notebook user's group, not by other users.
    { name: VOLUMES.jupyterToken, secret: { secretName: session.names.tokenSecret, defaultMode: 0o440, items: [{ key: 'token', path: TOKEN_FILE_NAME }] } },
    { name: VOLUMES.scripts, configMap: { name: names.scriptsConfigMap(), defaultMode: 0o444 } },
  ];
  if (session.fork && session.fork.claimName !== session.home.claimName) volumes.push(claim(VOLUMES.forkSource, session.fork.claimName, true));
  if (session.code?.mode === 'ephemeral') volumes.push(emptyDir(VOLUMES.code, session.ephemeralStorage));
  if (session.code?.mode === 'persistent') volumes.push(emptyDir(VOLUMES.cloneWork, session.ephemeralStorage));
  if (session.autosave) volumes.push(emptyDir(VOLUMES.autosaveGit, session.ephemeralStorage));
  if (session.code?.credentials) volumes.push({ name: VOLUMES.gitSecret, secret: { secretName: session.code.credentials.secretName, defaultMode: 0o400 } });
  return volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The per-session Jupyter Server configuration (`jupyter_server_config.py`), mounted from the
 * session's ConfigMap at /etc/jupyter. It is deterministic text: the same plan renders the same
 * bytes, so a changed file means a changed setting.
 */
import type { Plan, SessionPlan } from '../config/plan';
import { JUPYTER_PORT, TOKEN_ENV, TOKEN_FILE, paths } from '../config/names';
import { meta } from './objects';
import type { ConfigMapManifest } from './kube';

/** The file name Jupyter Server reads from each config directory. */
export const JUPYTER_CONFIG_FILE = 'jupyter_server_config.py';
export { TOKEN_ENV, TOKEN_FILE };

/** A Python string literal (JSON strings are valid Python literals). */
const py = (value: string) => JSON.stringify(value);

/**
 * How often idle kernels are checked: a quarter of the idle timeout, between 60 s and 300 s.
 * @default 300 when culling is off (the value is then unused)
 */
export function cullInterval(idleSeconds: number): number {
  if (idleSeconds <= 0) return 300;
  return Math.min(300, Math.max(60, Math.floor(idleSeconds / 4)));
}

/**
 * `jupyter_server_config.py` of a session: base_url, listen address, the token from the mounted
 * token Secret (a missing or empty token stops the server: token auth is never disabled), idle kernel
 * culling (`cull_idle_timeout` from `jupyter.cullIdleKernelsAfterSeconds`, 0 disables), no
 * browser (idle sessions are stopped by the team's culler, not by the server exiting), and
 * X-Forwarded headers trusted (the ingress terminates TLS).
 */
export function jupyterServerConfig(plan: Plan, session: SessionPlan): string {
  const idle = plan.jupyter.cullIdleKernelsAfterSeconds;
  return [
    `# jupyter_server_config.py of session ${plan.team}/${session.name}, written by notebook-platform.`,
    '# Changes here are overwritten: edit the team stack config instead.',
    'import os',
    '',
    'c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)',
    '',
    '# The token is read from the mounted Secret, never from the environment (kernels inherit it).',
    `_token_file = ${py(TOKEN_FILE)}`,
    'try:',
    '    with open(_token_file, encoding="utf-8") as _f:',
    '        _token = _f.read().strip()',
    'except OSError as _error:',
    '    raise SystemExit(f"notebook-platform: cannot read the token from {_token_file} ({_error.strerror}); refusing to start without token authentication")',
    'if not _token:',
    '    raise SystemExit(f"notebook-platform: {_token_file} is empty; refusing to start without token authentication")',
    '# An image that sets it must not hand it to every kernel either.',
    `os.environ.pop(${py(TOKEN_ENV)}, None)`,
    '',
    `c.ServerApp.ip = ${py('0.0.0.0')}`,
    `c.ServerApp.port = ${JUPYTER_PORT}`,
    'c.ServerApp.port_retries = 0',
    `c.ServerApp.base_url = ${py(session.baseUrl)}`,
    `c.ServerApp.root_dir = ${py(paths.home)}`,
    'c.ServerApp.open_browser = False',
    'c.ServerApp.trust_xheaders = True',
    'c.ServerApp.allow_remote_access = True',
    'c.IdentityProvider.token = _token',
    'c.PasswordIdentityProvider.allow_password_change = False',
    '',
    '# Idle kernels are shut down; busy and connected kernels are left alone.',
    `c.MappingKernelManager.cull_idle_timeout = ${idle}`,
    `c.MappingKernelManager.cull_interval = ${cullInterval(idle)}`,
    'c.MappingKernelManager.cull_connected = False',
    'c.MappingKernelManager.cull_busy = False',
    '',
  ].join('\n');
}

/**
 * jupyter_core's marker that the IPython 3 config migration has run, in the config dir. Without
 * it, once the home holds ~/.ipython (any kernel creates it), every Jupyter start tries to write
 * the marker into the read-only /etc/jupyter and exits: the session crash-loops after its first
 * restart.
 */
export const MIGRATED_MARKER_FILE = 'migrated';
const MIGRATED_MARKER = '# notebook-platform: the IPython config migration never runs here (/etc/jupyter is read-only).\n';

/** The session's ConfigMap holding `jupyter_server_config.py` and the migration marker (mounted at /etc/jupyter). */
export function jupyterConfigMap(plan: Plan, session: SessionPlan): ConfigMapManifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(session.names.configMap, session.labels, plan.namespace),
    data: { [JUPYTER_CONFIG_FILE]: jupyterServerConfig(plan, session), [MIGRATED_MARKER_FILE]: MIGRATED_MARKER },
  };
}

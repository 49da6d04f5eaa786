/**
 * jupyter-token-auth and no-plain-secrets over the example stacks (their real Jupyter configs,
 * helper scripts and env) and unsafe variants.
 */
import { JUPYTER_CONFIG_FILE, TOKEN_ENV, TOKEN_FILE } from '../../../components/manifests/jupyter';
import { checkJupyterConfig, noPlainSecretsRule, tokenAuthRule } from '../../../policies/rules';
import { secretLookingName } from '../../../shared/secret-values';
import { containerOf, messages, pick, stackResources, TYPE, describeMandatoryRules } from './fixtures';

const CONFIG_MAP = 'ConfigMap nb-team-a/imaging-jupyter';
const IMAGING = 'StatefulSet nb-team-a/imaging';
const jupyterConfig = (resources: Awaited<ReturnType<typeof stackResources>>) => pick(resources, TYPE.configMap, 'imaging-jupyter').inputs.data;

describeMandatoryRules([
  ['jupyter-token-auth', tokenAuthRule],
  ['no-plain-secrets', noPlainSecretsRule],
], 'passes %s (its Jupyter configs, scripts and env)');

describe('jupyter-token-auth', () => {
  it('fails a config that sets the token empty', async () => {
    const resources = await stackResources('team-a');
    const data = jupyterConfig(resources);
    data[JUPYTER_CONFIG_FILE] = data[JUPYTER_CONFIG_FILE].replace('c.IdentityProvider.token = _token', "c.IdentityProvider.token = ''");
    expect(await messages(tokenAuthRule(), resources)).toEqual([`${CONFIG_MAP}: ${JUPYTER_CONFIG_FILE} sets c.IdentityProvider.token = '': token authentication is disabled`]);
  });

  it('fails a literal token in the ConfigMap, and a config that never reads the token file', async () => {
    const resources = await stackResources('team-a');
    const data = jupyterConfig(resources);
    data[JUPYTER_CONFIG_FILE] = data[JUPYTER_CONFIG_FILE]
      .split('\n')
      .filter((line: string) => !line.includes('_token_file'))
      .join('\n')
      .replace('c.IdentityProvider.token = _token', 'c.ServerApp.token = "s3cr3t-t0ken"');
    expect(await messages(tokenAuthRule(), resources)).toEqual([
      `${CONFIG_MAP}: ${JUPYTER_CONFIG_FILE} sets c.ServerApp.token to a literal value, readable by anyone who can read the ConfigMap; read it from ${TOKEN_FILE}`,
      `${CONFIG_MAP}: ${JUPYTER_CONFIG_FILE} does not read the token from the mounted Secret file ${TOKEN_FILE}`,
    ]);
  });

  it('fails a config that takes the token from the environment again', async () => {
    const resources = await stackResources('team-a');
    const data = jupyterConfig(resources);
    data[JUPYTER_CONFIG_FILE] = data[JUPYTER_CONFIG_FILE].split('\n').filter((line: string) => !line.includes('_token_file')).join('\n')
      .replace('c.IdentityProvider.token = _token', `c.IdentityProvider.token = os.environ["${TOKEN_ENV}"]`);
    expect(await messages(tokenAuthRule(), resources)).toEqual([`${CONFIG_MAP}: ${JUPYTER_CONFIG_FILE} does not read the token from the mounted Secret file ${TOKEN_FILE}`]);
  });

  it('fails a config that does not set the token at all', async () => {
    const resources = await stackResources('team-a');
    const data = jupyterConfig(resources);
    data[JUPYTER_CONFIG_FILE] = data[JUPYTER_CONFIG_FILE].replace('c.IdentityProvider.token = _token\n', '');
    expect(await messages(tokenAuthRule(), resources)).toEqual([`${CONFIG_MAP}: ${JUPYTER_CONFIG_FILE} does not set the token (c.IdentityProvider.token) from ${TOKEN_FILE}`]);
  });

  it('reads JSON configs too', () => {
    expect(checkJupyterConfig('jupyter_server_config.json', '{"ServerApp": {"token": ""}}')).toEqual(['jupyter_server_config.json sets ServerApp.token empty: token authentication is disabled']);
    expect(checkJupyterConfig('jupyter_server_config.json', '{"ServerApp": {"port": 8888}}')).toEqual([]);
  });

  it('fails a notebook with JUPYTER_TOKEN in its environment (even from a Secret), without the token mount, or with the token on its command line', async () => {
    const resources = await stackResources('team-a');
    const imaging = pick(resources, TYPE.statefulSet, 'imaging');
    const notebook = containerOf(imaging, 'notebook');
    notebook.env.push({ name: TOKEN_ENV, valueFrom: { secretKeyRef: { name: 'imaging-token', key: 'token' } } });
    notebook.args = ['start-notebook.py', '--ServerApp.token='];
    const trial = containerOf(pick(resources, TYPE.statefulSet, 'trial-analysis'), 'notebook');
    trial.volumeMounts = trial.volumeMounts.filter((mount: { mountPath: string }) => mount.mountPath !== '/etc/jupyter-token');
    expect(await messages(tokenAuthRule(), resources)).toEqual([
      `${IMAGING}: notebook container "notebook" has ${TOKEN_ENV} in its environment, which every kernel and terminal inherits; mount the session's token Secret at /etc/jupyter-token instead`,
      `${IMAGING}: notebook container "notebook" sets the token on its command line (--ServerApp.token=...); the jupyter config reads it from ${TOKEN_FILE}`,
      `StatefulSet nb-team-a/trial-analysis: notebook container "notebook" does not mount the session's token Secret at /etc/jupyter-token`,
    ]);
  });

  it('fails a token mount that is not a Secret', async () => {
    const resources = await stackResources('team-a');
    const imaging = pick(resources, TYPE.statefulSet, 'imaging');
    const volumes = imaging.inputs.spec.template.spec.volumes as { name: string; secret?: unknown; emptyDir?: unknown }[];
    const token = volumes.find((volume) => volume.name === 'jupyter-token')!;
    delete token.secret;
    token.emptyDir = {};
    expect(await messages(tokenAuthRule(), resources)).toEqual([`${IMAGING}: notebook container "notebook" mounts /etc/jupyter-token from something other than a Secret (volume "jupyter-token")`]);
  });
});

describe('no-plain-secrets', () => {
  it('fails a secret-looking env var with a literal value, in any container', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'git-sync').env.push({ name: 'GITSYNC_PASSWORD', value: 'hunter2' });
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').env.push({ name: 'NOTES', value: 'AKIAABCDEFGHIJKLMNOP' });
    expect(await messages(noPlainSecretsRule(), resources)).toEqual([
      `${IMAGING}: init container "git-sync" sets GITSYNC_PASSWORD to a literal value; take it from a Secret (valueFrom.secretKeyRef or a mounted file)`,
      `${IMAGING}: container "notebook" has an AWS access key id in plain env NOTES; mount it from a Secret`,
    ]);
  });

  it('fails credentials in ConfigMap data: a private key, a token-named key', async () => {
    const resources = await stackResources('team-a');
    const key = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
    Object.assign(jupyterConfig(resources), { 'deploy-key': key, 'api-token': 'abc123' });
    expect(await messages(noPlainSecretsRule(), resources)).toEqual([
      `${CONFIG_MAP}: deploy-key holds a private key; put it in a Secret`,
      `${CONFIG_MAP}: api-token looks like a credential; put it in a Secret`,
    ]);
  });

  it('tells names that hold secrets from names that point at them', () => {
    for (const name of ['JUPYTER_TOKEN', 'DB_PASSWORD', 'aws_secret_access_key', 'API_KEY', 'api-token']) expect(secretLookingName(name)).toBe(true);
    for (const name of ['GIT_SECRET_DIR', 'SSH_KEY_FILE', 'GIT_CREDENTIALS', 'TOKENIZER_MODEL', 'KEYBOARD', 'NOTEBOOK_PLATFORM_OWNER']) expect(secretLookingName(name)).toBe(false);
  });
});

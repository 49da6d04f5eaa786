/**
 * Authentication and credentials: every notebook authenticates with a token that comes from a
 * Secret (never empty, never written into a ConfigMap or a command line), and no secret-looking
 * value sits in plain env or ConfigMap data, where every viewer of the namespace can read it.
 */
import { TOKEN_ENV, TOKEN_FILE, paths } from '../../shared/names';
import { secretLookingName, secretValueKind } from '../../shared/secret-values';
import {
  containersOf, describe, describeContainer, isNotebookWorkload, notebookContainerOf, podTemplateOf, TYPES, WORKLOAD_TYPES,
  type Container, type KubeProps, type PodTemplate,
} from './kube';
import { resourceRule, workloadRule, type ResourceRule } from './policy';

/** ConfigMap keys holding Jupyter configuration. */
export const JUPYTER_CONFIG_KEY = /^jupyter_(server|notebook)_config\.(py|json)$/;
/** Traitlets classes whose `token` sets the server's token. */
const TOKEN_CLASSES = ['ServerApp', 'NotebookApp', 'IdentityProvider'];
const PY_TOKEN_ASSIGNMENT = new RegExp(`^[ \\t]*c\\.(${TOKEN_CLASSES.join('|')})\\.token[ \\t]*=[ \\t]*(.*?)[ \\t]*(?:#.*)?$`, 'gm');
const PY_STRING = /^[rRuUbB]?("""|'''|"|')(.*)\1$/s;
/** Whether a Python config reads the mounted token file: names TOKEN_FILE as a string and open()s a file. */
const readsTokenFile = (text: string) => (text.includes(`"${TOKEN_FILE}"`) || text.includes(`'${TOKEN_FILE}'`)) && /\bopen\(/.test(text);
const TOKEN_FLAG = new RegExp(`^--(${TOKEN_CLASSES.join('|')})\\.token(=|$)`);

/** A Jupyter config file (Python or JSON) against token authentication. */
export function checkJupyterConfig(file: string, text: string): string[] {
  const problems: string[] = [];
  if (file.endsWith('.json')) {
    let config: Record<string, { token?: unknown } | undefined>;
    try {
      config = JSON.parse(text) as Record<string, { token?: unknown }>;
    } catch {
      return [`${file} is not valid JSON`];
    }
    for (const name of TOKEN_CLASSES) {
      const token = config[name]?.token;
      if (token === undefined) continue;
      if (token === '' || token === null) problems.push(`${file} sets ${name}.token empty: token authentication is disabled`);
      else problems.push(`${file} sets ${name}.token to a literal value, readable by anyone who can read the ConfigMap; read it from ${TOKEN_FILE}`);
    }
    return problems;
  }
  const assignments = [...text.matchAll(PY_TOKEN_ASSIGNMENT)];
  if (assignments.length === 0) problems.push(`${file} does not set the token (c.IdentityProvider.token) from ${TOKEN_FILE}`);
  for (const [, name, value] of assignments) {
    const literal = PY_STRING.exec(value);
    if ((literal && literal[2] === '') || value === 'None') problems.push(`${file} sets c.${name}.token = ${value}: token authentication is disabled`);
    else if (literal) problems.push(`${file} sets c.${name}.token to a literal value, readable by anyone who can read the ConfigMap; read it from ${TOKEN_FILE}`);
  }
  if (!readsTokenFile(text)) problems.push(`${file} does not read the token from the mounted Secret file ${TOKEN_FILE}`);
  return problems;
}

/**
 * A notebook container reads its token from a Secret mounted at paths.jupyterToken: never from
 * JUPYTER_TOKEN (every process the notebook starts would inherit it) nor its command line.
 */
export function checkNotebookToken(container: Container, template: PodTemplate): string[] {
  const problems: string[] = [];
  const what = `notebook container "${container.name ?? '?'}"`;
  if ((container.env ?? []).some((variable) => variable.name === TOKEN_ENV)) {
    problems.push(`${what} has ${TOKEN_ENV} in its environment, which every kernel and terminal inherits; mount the session's token Secret at ${paths.jupyterToken} instead`);
  }
  const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === paths.jupyterToken);
  const volume = mount && (template.spec?.volumes ?? []).find((v) => v.name === mount.name);
  if (!mount) problems.push(`${what} does not mount the session's token Secret at ${paths.jupyterToken}`);
  else if (!volume?.secret) problems.push(`${what} mounts ${paths.jupyterToken} from something other than a Secret (volume "${mount.name}")`);
  for (const argument of [...(container.command ?? []), ...(container.args ?? [])]) {
    if (TOKEN_FLAG.test(argument)) problems.push(`${what} sets the token on its command line (${argument.split('=')[0]}=...); the jupyter config reads it from ${TOKEN_FILE}`);
  }
  return problems;
}

export function checkTokenAuth(type: string, props: KubeProps): string[] {
  if (type === TYPES.configMap) {
    const data = (props.data ?? {}) as Record<string, string>;
    return Object.keys(data)
      .filter((key) => JUPYTER_CONFIG_KEY.test(key))
      .flatMap((key) => checkJupyterConfig(key, data[key]).map((problem) => `${describe(props)}: ${problem}`));
  }
  const template = podTemplateOf(type, props);
  if (!template || !isNotebookWorkload(props, template)) return [];
  const container = notebookContainerOf(template);
  return container ? checkNotebookToken(container, template).map((problem) => `${describe(props)}: ${problem}`) : [];
}


export function tokenAuthRule(): ResourceRule {
  return resourceRule(
    {
      name: 'jupyter-token-auth',
      description: `Notebooks authenticate with a token from a Secret mounted as a file (never ${TOKEN_ENV} in the environment), and a Jupyter config that reads it and never sets it empty.`,
      enforcementLevel: 'mandatory',
      remediationSteps: `Mount the session's token Secret at ${paths.jupyterToken} in the notebook container, set c.IdentityProvider.token from open("${TOKEN_FILE}") in jupyter_server_config.py (jupyterServerConfig in components/manifests/jupyter.ts does), and do not set ${TOKEN_ENV}; never set token to "" or a literal.`,
    },
    [TYPES.configMap, ...WORKLOAD_TYPES],
    (props, args) => checkTokenAuth(args.type, props as KubeProps),
  );
}

// ---- no-plain-secrets ---------------------------------------------------------------------------

export function checkPlainEnv(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    for (const variable of container.env ?? []) {
      if (variable.value === undefined || variable.value === '') continue;
      const kindOfValue = secretValueKind(variable.value);
      if (kindOfValue) problems.push(`${describeContainer(kind, container)} has ${kindOfValue} in plain env ${variable.name}; mount it from a Secret`);
      else if (secretLookingName(variable.name)) problems.push(`${describeContainer(kind, container)} sets ${variable.name} to a literal value; take it from a Secret (valueFrom.secretKeyRef or a mounted file)`);
    }
  }
  return problems;
}

export function checkConfigMapData(props: KubeProps): string[] {
  const problems: string[] = [];
  const data = (props.data ?? {}) as Record<string, string>;
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (typeof value !== 'string' || value === '') continue;
    const kindOfValue = secretValueKind(value);
    if (kindOfValue) problems.push(`${describe(props)}: ${key} holds ${kindOfValue}; put it in a Secret`);
    else if (secretLookingName(key) && !value.includes('\n')) problems.push(`${describe(props)}: ${key} looks like a credential; put it in a Secret`);
  }
  return problems;
}

export function noPlainSecretsRule(): ResourceRule {
  const workloads = workloadRule(
    {
      name: 'no-plain-secrets',
      description: 'No secret-looking value in plain container env or ConfigMap data: credentials live in Secrets.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Move the value into a Secret and reference it (env valueFrom.secretKeyRef, or a Secret volume with mode 0400 as git credentials are).',
    },
    checkPlainEnv,
  );
  const configMaps = resourceRule(workloads, [TYPES.configMap], (props) => checkConfigMapData(props as KubeProps));
  return {
    ...workloads,
    validateResource: async (args, reportViolation) => {
      await workloads.validateResource(args, reportViolation);
      await configMaps.validateResource(args, reportViolation);
    },
  };
}

/**
 * Secrets the platform owns are never user credentials: the reserved names come from the namers
 * that give them, every Secret field of the schema is checked, and validation names the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { names, PLATFORM_SECRETS, validateConfig } from '../../../components/config';
import { platformSecretOf } from '../../../components/config/platform-secrets';
import { SECRET_REFERENCE_FIELDS } from '../../../components/config/secret-references';
import { baseConfig } from './fixtures';

const problemsOf = (mutate: (config: Record<string, any>) => void) => {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
};

describe('platform Secret names', () => {
  it('match every name the namers give, for any session name, and nothing else', () => {
    for (const session of ['a', 'churn', 'trial-analysis', 'x1', `s${'0'.repeat(39)}`]) {
      for (const secret of PLATFORM_SECRETS) expect([session, platformSecretOf(secret.name(session))?.kind]).toEqual([session, secret.kind]);
    }
    for (const name of ['git-deploy-key', 'git-https-credentials', 'notebooks-tls', 'token', '-token', 'churn-token-2', 'tokens']) expect([name, platformSecretOf(name)]).toEqual([name, undefined]);
  });

  it('follow the namer: the session token Secret is what names.tokenSecret gives', () => {
    expect(PLATFORM_SECRETS.map((secret) => secret.form)).toEqual([names.tokenSecret('<session>')]);
    expect(platformSecretOf(names.tokenSecret('forecast'))).toMatchObject({ kind: 'a session token Secret', form: '<session>-token' });
  });
});

describe('validation of Secret references', () => {
  const message = (name: string, use: string) =>
    `"${name}" is a name the platform gives its own Secrets (a session token Secret, <session>-token): it creates and replaces them, and a session's token would be used as ${use}; allowed: a Secret the platform does not manage, named unlike <session>-token`;
  const git = 'git credentials, sent to the git server';

  it.each([
    ['another session\'s token', 'forecast-token'],
    ['its own token', 'churn-token'],
    ['the token of a session not (yet) in the config', 'later-token'],
  ])('refuses git credentials naming %s', (_what, secretName) => {
    expect(problemsOf((c) => (c.sessions[0].code = { repo: 'https://git.example.com/a.git', credentials: { secretName, type: 'token' } }))).toEqual([
      { path: 'notebook-platform:sessions[0].code.credentials.secretName', message: message(secretName, git) },
    ]);
  });

  it('refuses a platform Secret as the ingress certificate', () => {
    expect(problemsOf((c) => (c.ingress = { host: 'notebooks.example.com', tlsSecretName: 'report-token' }))).toEqual([
      { path: 'notebook-platform:ingress.tlsSecretName', message: message('report-token', 'the ingress TLS certificate') },
    ]);
  });

  it('accepts Secrets the platform does not manage', () => {
    expect(problemsOf((c) => {
      c.sessions[0].code = { repo: 'https://git.example.com/a.git', credentials: { secretName: 'git-https-credentials', type: 'token', caCertificate: true } };
      c.ingress = { host: 'notebooks.example.com', tlsSecretName: 'notebooks-tls' };
    })).toEqual([]);
  });

  it('covers every Secret field of the schema (a new one must be added to secretReferences)', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schema', 'stack-config.schema.json'), 'utf8'));
    const found: string[] = [];
    const walk = (node: any, path: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        const here = path ? `${path}.${key}` : key;
        if (/secret/i.test(key) && child.type === 'string') found.push(here);
        walk(child, here);
      }
      if (node.items) walk(node.items, `${path}[]`);
      for (const key of ['anyOf', 'oneOf', 'allOf']) for (const option of node[key] ?? []) walk(option, path);
    };
    for (const [key, child] of Object.entries<any>(schema.properties.config.properties)) {
      if (key.startsWith('notebook-platform:')) walk({ properties: { [key.slice('notebook-platform:'.length)]: child } }, '');
    }
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect([...new Set(found)].sort()).toEqual([...SECRET_REFERENCE_FIELDS].sort());
  });
});

/**
 * Every Secret the config names for its own use, and the rule that none of them is a Secret the
 * platform creates: a session's token given as git credentials would be sent to the git server
 * as a password, and a Secret the platform manages can be replaced under its user at any time.
 */
import type { StackConfig } from './schema';
import { configPath, show, type Problem } from './problems';
import { platformSecretOf } from './platform-secrets';

export interface SecretReference {
  /** Where the config names it (config path parts). */
  readonly path: readonly (string | number)[];
  readonly name: string;
  /** What the Secret is used for, for messages. */
  readonly use: string;
}

/**
 * The Secret names in a config: git credentials of each session (which also hold the private CA
 * with `caCertificate`) and the ingress TLS certificate. A new Secret field belongs here; the
 * unit test walks the JSON Schema for fields named like Secrets and fails on any not listed.
 */
export function secretReferences(config: StackConfig): SecretReference[] {
  const references: SecretReference[] = [];
  config.sessions.forEach((session, index) => {
    const credentials = session.code?.credentials;
    if (credentials) references.push({ path: ['sessions', index, 'code', 'credentials', 'secretName'], name: credentials.secretName, use: 'git credentials, sent to the git server' });
  });
  if (config.ingress?.tlsSecretName) references.push({ path: ['ingress', 'tlsSecretName'], name: config.ingress.tlsSecretName, use: 'the ingress TLS certificate' });
  return references;
}

/** The config paths secretReferences covers, in JSON Schema form (`sessions[].code.credentials.secretName`). */
export const SECRET_REFERENCE_FIELDS: readonly string[] = ['sessions[].code.credentials.secretName', 'ingress.tlsSecretName'];

export function secretReferenceProblems(config: StackConfig): Problem[] {
  const problems: Problem[] = [];
  for (const reference of secretReferences(config)) {
    const owned = platformSecretOf(reference.name);
    if (!owned) continue;
    problems.push({
      path: configPath([...reference.path]),
      message: `${show(reference.name)} is a name the platform gives its own Secrets (${owned.kind}, ${owned.form}): it creates and replaces them, and a session's token would be used as ${reference.use}; allowed: a Secret the platform does not manage, named unlike ${owned.form}`,
    });
  }
  return problems;
}

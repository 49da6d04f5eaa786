/**
 * Secrets the platform owns are not anyone's credentials: a session's pod references no platform
 * Secret but its own token, and that only in the notebook container, where Jupyter reads it (a
 * helper holding it could send it to a git server as a password); an Ingress never serves one as
 * its certificate. Which names are the platform's comes from the namers that give them
 * (components/config/platform-secrets.ts), so this rule and the manifests cannot drift apart.
 * Workloads that are not sessions are not judged here: the team's culler reads every session's
 * token by design.
 */
import { names, SESSION_LABEL } from '../../shared/names';
import { platformSecretOf } from '../../shared/platform-secrets';
import { containersOf, describe, describeContainer, isNotebookWorkload, notebookContainerOf, TYPES, type Container, type KubeProps, type PodTemplate } from './kube';
import { resourceRule, workloadRule, type ResourceRule } from './policy';

type SecretUse = { readonly secret: string; readonly where: string; readonly containers: readonly Container[] };

/** Every Secret a pod template references: volumes (plain and projected) with the containers mounting them, and env references. */
export function secretUses(template: PodTemplate): SecretUse[] {
  const uses: SecretUse[] = [];
  const all = containersOf(template.spec);
  for (const volume of template.spec.volumes ?? []) {
    const secrets = [volume.secret?.secretName, ...(volume.projected?.sources ?? []).map((source) => source.secret?.name)].filter((name): name is string => !!name);
    const mounting = all.filter(({ container }) => (container.volumeMounts ?? []).some((mount) => mount.name === volume.name)).map(({ container }) => container);
    for (const secret of secrets) uses.push({ secret, where: `volume "${volume.name}"`, containers: mounting });
  }
  for (const { container, kind } of all) {
    for (const variable of container.env ?? []) {
      const secret = variable.valueFrom?.secretKeyRef?.name;
      if (secret) uses.push({ secret, where: `env ${variable.name} of ${describeContainer(kind, container)}`, containers: [container] });
    }
    for (const source of container.envFrom ?? []) {
      if (source.secretRef?.name) uses.push({ secret: source.secretRef.name, where: `envFrom of ${describeContainer(kind, container)}`, containers: [container] });
    }
  }
  return uses;
}

/** A session pod against the platform's Secrets: only its own token, only in the notebook container. */
export function checkSessionSecrets(props: KubeProps, template: PodTemplate): string[] {
  if (!isNotebookWorkload(props, template)) return [];
  const session = template.metadata.labels?.[SESSION_LABEL] ?? props.metadata?.labels?.[SESSION_LABEL];
  const own = session === undefined ? undefined : names.tokenSecret(session);
  const notebook = notebookContainerOf(template);
  const problems: string[] = [];
  for (const use of secretUses(template)) {
    const owned = platformSecretOf(use.secret);
    if (!owned) continue;
    if (use.secret !== own) {
      problems.push(`${use.where} references Secret ${use.secret}, ${owned.kind} (${owned.form}) that is not this session's own; a Secret the platform manages is never a credential`);
      continue;
    }
    for (const container of use.containers) {
      if (container.name !== notebook?.name) problems.push(`${use.where} gives the session's token Secret ${use.secret} to container "${container.name ?? '?'}"; only the notebook container may read it`);
    }
  }
  return problems;
}

/** An Ingress serves no platform Secret as its certificate. */
export function checkIngressSecrets(props: KubeProps): string[] {
  const tls = ((props.spec as { tls?: { secretName?: string }[] } | undefined)?.tls ?? []);
  return tls.flatMap(({ secretName }) => {
    const owned = secretName ? platformSecretOf(secretName) : undefined;
    return owned ? [`${describe(props)} serves Secret ${secretName} as its TLS certificate, ${owned.kind} (${owned.form}); name a certificate Secret the platform does not manage`] : [];
  });
}

export function platformSecretsRule(): ResourceRule {
  const workloads = workloadRule(
    {
      name: 'platform-secrets-not-credentials',
      description: "A session pod references no Secret the platform manages but its own token, and that only in the notebook container; no Ingress serves a platform Secret.",
      enforcementLevel: 'mandatory',
      remediationSteps: `Name git credentials and TLS certificates after Secrets the platform does not manage (never ${names.tokenSecret('<session>')}); mount the session's token Secret in the notebook container only.`,
    },
    (template, props) => checkSessionSecrets(props, template),
  );
  const ingresses = resourceRule(workloads, [TYPES.ingress], (props) => checkIngressSecrets(props as KubeProps));
  return {
    ...workloads,
    validateResource: async (args, reportViolation) => {
      await workloads.validateResource(args, reportViolation);
      await ingresses.validateResource(args, reportViolation);
    },
  };
}

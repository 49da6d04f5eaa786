/**
 * NotebookSession: one session of a team as a Pulumi resource ("each session is a stack
 * resource"). Its children are the session chart's objects, the random Jupyter token and the
 * Secret holding it. The home claim is retained when the session leaves the config unless the
 * session is explicitly purged.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { randomBytes } from 'node:crypto';
import type { Plan, SessionPlan } from './config/plan';
import { sessionObjects } from './manifests/session';
import { customizeSessionObjects, type SessionCustomization } from './manifests/customize';
import { holdsData } from './manifests/storage';
import { meta } from './manifests/objects';
import { registerObject, withRetention } from './kubernetes/register';
import { describeStatus, parseCullerRecord, sessionStatus } from './session-state';
import { resizeOptions } from './kubernetes/claim-sizes';

export interface NotebookSessionArgs {
  /** The team's plan (from `planFromConfig`, or {@link NotebookPlatform.plan}). */
  readonly plan: Plan;
  /** This session's entry of `plan.sessions`. */
  readonly session: SessionPlan;
  /**
   * Resources the session's objects wait for: the namespace and the shared claims.
   * @default [] (nothing)
   */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** The culler's status records (its ConfigMap's data), for `state`. @default none: no culler */
  readonly cullerRecords?: pulumi.Input<Record<string, string> | undefined>;
  /**
   * Labels, sidecars and volumes added to the session's objects, exactly as
   * `NotebookSessionConstruct` adds them in a cdk8s app (same defaults, same refusals).
   * @default none
   */
  readonly customization?: SessionCustomization;
}

/**
 * One notebook session of a team: its StatefulSet, Service, ServiceAccount, ConfigMap, home
 * claim, optional Ingress and token Secret. {@link NotebookPlatform} creates one per entry of the
 * config's `sessions`; programs rarely create one directly.
 */
export class NotebookSession extends pulumi.ComponentResource {
  /**
   * Where the session is opened: `https://<ingress.host>/notebooks/<team>/<session>/` when the
   * team has an ingress host.
   * @default the base path `/notebooks/<team>/<session>/` (no `ingress`)
   */
  readonly url: pulumi.Output<string>;
  /** The Jupyter token: 48 random letters and digits, generated once at creation. Always a Pulumi secret. */
  readonly token: pulumi.Output<string>;
  /**
   * The claim holding the session's home, `<claim>` or `<claim>/<subPath>`.
   * @default `workdir-<session>`; `home-<owner>` with `stateModel: user`; on nfs `workdirs/sessions/<session>` or `workdirs/users/<owner>`
   */
  readonly stateClaim: pulumi.Output<string>;
  /** Whether the session's pod runs (the config's `running`). @default true */
  readonly running: pulumi.Output<boolean>;
  /**
   * How the session was at the last `pulumi up` or `pulumi refresh`: "running", "stopped by
   * config", "stopped as idle since <time>", "stopped by schedule since <time>", "stopped at max
   * lifetime since <time>" or "stopped" (by its owner or an admin). `notebook-platform sessions
   * list` shows it live.
   */
  readonly state: pulumi.Output<string>;
  /** The session's owner (the config's `owner`; required, no default). */
  readonly owner: pulumi.Output<string>;
  /** The name of the session's size among the team's `sizes` (required, no default). */
  readonly size: pulumi.Output<string>;
  /**
   * The shares mounted at `/shared-data/<share>`, each `<share>`, or `<share>:ro` where the
   * owner may only read it.
   * @default every share the owner is entitled to (the config's `shares` unset)
   */
  readonly shares: pulumi.Output<string[]>;

  constructor(name: string, args: NotebookSessionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('notebook-platform:index:NotebookSession', name, {}, withRenameAliases(name, args.session, opts));
    const { plan, session } = args;
    const childOpts: pulumi.CustomResourceOptions = { parent: this, dependsOn: args.dependsOn };

    // The token is generated once: a fresh value is offered on every run, but `ignoreChanges`
    // keeps the one stored at creation, and the exported token is read back from the Secret.
    // (No random provider: it cannot be built from the modules this project can reach.)
    const tokenSecret = new k8s.core.v1.Secret(
      `${plan.namespace}/Secret/${session.names.tokenSecret}`,
      {
        metadata: meta(session.names.tokenSecret, session.labels, plan.namespace),
        type: 'Opaque',
        data: pulumi.secret({ token: Buffer.from(generateToken()).toString('base64') }),
      },
      { ...childOpts, ignoreChanges: ['data'], additionalSecretOutputs: ['data'] },
    );
    // The StatefulSet comes last: its pod needs the ServiceAccount, ConfigMap, token Secret and
    // home claim to exist, else the controller's first create fails and it retries with backoff.
    const objects = customizedObjects(plan, session, args.customization);
    const register = (object: (typeof objects)[number], dependsOn: pulumi.Input<pulumi.Resource>[] = []) => {
      // Data is kept when the session leaves the config; `purge: true` is the explicit way out.
      const retain = holdsData(object) && !session.purge;
      return registerObject(withRetention(object, retain, holdsData(object) && session.purge), { ...childOpts, dependsOn: [...(args.dependsOn ?? []), ...dependsOn], retainOnDelete: retain, ...resizeOptions(object) });
    };
    const isWorkload = (object: (typeof objects)[number]) => object.kind === 'StatefulSet';
    const podNeeds: pulumi.Resource[] = [tokenSecret];
    for (const object of objects.filter((o) => !isWorkload(o))) {
      const resource = register(object);
      if (object.kind !== 'Service' && object.kind !== 'Ingress') podNeeds.push(resource);
    }
    const [statefulSet] = objects.filter(isWorkload).map((object) => register(object, podNeeds) as k8s.apps.v1.StatefulSet);

    this.url = pulumi.output(session.url ?? session.baseUrl);
    this.token = pulumi.secret(tokenSecret.data.apply((data) => Buffer.from(data.token, 'base64').toString('utf8')));
    this.stateClaim = pulumi.output(session.home.subPath ? `${session.home.claimName}/${session.home.subPath}` : session.home.claimName);
    this.running = pulumi.output(session.running);
    // The StatefulSet's outputs are the live object: replicas as the culler or the owner left them.
    this.state = pulumi
      .all([statefulSet.spec, args.cullerRecords])
      .apply(([spec, records]) => describeStatus(sessionStatus(session.running, spec?.replicas ?? undefined, parseCullerRecord(records?.[session.name]))));
    this.owner = pulumi.output(session.owner);
    this.size = pulumi.output(session.size);
    this.shares = pulumi.output(session.mounts.map((mount) => (mount.readOnly ? `${mount.share}:ro` : mount.share)));
    this.registerOutputs({ url: this.url, token: this.token, stateClaim: this.stateClaim, running: this.running, state: this.state, owner: this.owner, size: this.size, shares: this.shares });
  }
}

/** The session's objects with the program's additions; a refused addition stops the program without a stack trace. */
function customizedObjects(plan: Plan, session: SessionPlan, customization: SessionCustomization | undefined) {
  try {
    return customizeSessionObjects(session, sessionObjects(plan, session), customization ?? {});
  } catch (error) {
    throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
  }
}

/** 48 characters from [A-Za-z0-9] (285 bits), from the OS's CSPRNG. */
export function generateToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(96);
  let token = '';
  // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
  for (const byte of bytes) if (byte < 248 && token.length < 48) token += alphabet[byte % 62];
  return token.length === 48 ? token : generateToken();
}

/**
 * A renamed session is the same component under its new name: an alias to the name it had
 * (`<prefix>/<old>`, and the bare `<old>` of stacks deployed before the prefix). Its home claim
 * keeps its name (the plan names it after the first name), so the claim is never replaced.
 */
export function withRenameAliases(name: string, session: SessionPlan, opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions | undefined {
  const from = session.renamedFrom;
  if (!from) return opts;
  const prefix = name.endsWith(`/${session.name}`) ? name.slice(0, -session.name.length) : '';
  const aliases: pulumi.Input<string | pulumi.Alias>[] = [...(opts?.aliases ?? []), { name: `${prefix}${from}` }];
  if (prefix) aliases.push({ name: from });
  return { ...opts, aliases };
}

/**
 * NotebookPlatform: a team's whole notebook platform. Registers the team chart (namespace,
 * security, storage), the EFS resources when the backend is efs, and one NotebookSession per
 * session. Everything comes from the plan; nothing here derives a name or a default.
 */
import * as pulumi from '@pulumi/pulumi';
import type * as k8s from '@pulumi/kubernetes';
import { CULLER_NAMES } from './config/culling';
import { efsVolumeHandle } from './config/names';
import type { Plan, SessionPlan } from './config/plan';
import type { SessionCustomization } from './manifests/customize';
import { CONFIG_NAMESPACE, type StackConfigInput } from './config/schema';
import { validateConfig } from './config/validate';
import { formatProblem, type Problem } from './config/problems';
import { teamObjects } from './manifests/chart';
import { efsShareVolume, efsStorageClass, holdsData } from './manifests/storage';
import type { KubeObject } from './manifests/objects';
import { registerObject, withRetention } from './kubernetes/register';
import { claimSizes, resizeOptions, sizeCheck, type ClaimSizes } from './kubernetes/claim-sizes';
import { liveClaimSizesOrWarn } from './kubernetes/live-sizes';
import { restoreCheck } from './kubernetes/live-restores';
import { EfsStorage } from './aws/efs';
import { NotebookSession } from './session';

export interface NotebookPlatformArgs {
  /**
   * The team's stack config as written: the `notebook-platform:*` keys of `Pulumi.<team>.yaml`
   * without the namespace (`configFromPulumi(pulumi.runtime.allConfig())` reads them), fields
   * with defaults optional. Validated before anything is registered: an invalid config fails the
   * program with a {@link NotebookPlatformConfigError} listing every problem. Give exactly one
   * of `config` and `plan`.
   * @default none (required unless `plan` is given)
   */
  readonly config?: StackConfigInput;
  /**
   * A plan already validated by `planFromConfig` or `validateConfig`, used as it is.
   * @default computed from `config`
   */
  readonly plan?: Plan;
  /**
   * The sizes the team's claims have now (claim name -> size), so that a smaller `workdirSize`,
   * share `size` or `homesSize` fails the update with a RunError naming the field before
   * anything changes. `'live'` reads them from the cluster with the kubernetes provider's kubeconfig
   * (skipped under Pulumi mocks; a warning when the cluster cannot be read), and also checks each
   * session's `restoreFrom` there: refused when the session's claim exists but did not start from
   * that snapshot, or when a new claim's snapshot does not exist.
   * @default undefined: no shrink check (Kubernetes still refuses a smaller dynamic claim)
   */
  readonly previousClaimSizes?: pulumi.Input<ClaimSizes | undefined> | 'live';
  /**
   * Additions to each session (labels, sidecars, volumes), as `NotebookPlatformChart`'s
   * `customizeSession` makes them in a cdk8s app: called once per session with its plan; what it
   * returns is applied with the same defaults and refusals (a sidecar gets the platform's secure
   * defaults; a platform label, a name or mount path in use is refused). The policy pack judges
   * the result like any session pod.
   * @default none: the sessions are exactly what the config says
   */
  readonly customizeSession?: (session: SessionPlan) => SessionCustomization | undefined;
}

/**
 * An invalid stack config inside a Pulumi program. A `pulumi.RunError`, so `pulumi up` and
 * `pulumi preview` print the message alone, without a JavaScript stack trace: a header, then one
 * line per problem exactly as `notebook-platform validate` prints it after the file name.
 */
export class NotebookPlatformConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid ${CONFIG_NAMESPACE} config (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'NotebookPlatformConfigError';
  }
}

/** A session's stack outputs: the same-named outputs of its {@link NotebookSession}. */
export type SessionSummary = Pick<NotebookSession, 'url' | 'token' | 'stateClaim' | 'running' | 'state' | 'owner' | 'size' | 'shares'>;

function planOf(args: NotebookPlatformArgs): Plan {
  if (args.plan && args.config !== undefined) throw new pulumi.RunError('NotebookPlatform takes config or plan, not both');
  if (args.plan) return args.plan;
  if (args.config === undefined) throw new pulumi.RunError('NotebookPlatform needs config (the notebook-platform:* stack config) or plan');
  const result = validateConfig(args.config);
  if (!result.ok) throw new NotebookPlatformConfigError(result.problems);
  return result.plan;
}

/**
 * A team's notebook platform: `new NotebookPlatform(name, { config })` in a Pulumi program, one
 * per team stack. `name` is the component's Pulumi name; every Kubernetes name comes from the
 * config (`team`, `namespace`, session names).
 */
export class NotebookPlatform extends pulumi.ComponentResource {
  /** The validated, normalised config every resource is built from (names and defaults filled in). */
  readonly plan: Plan;
  /** The team namespace. @default `nb-<team>` (the config's `namespace`) */
  readonly namespace: pulumi.Output<string>;
  /** One component per entry of the config's `sessions`, by session name. @default {} (no sessions) */
  readonly sessions: Record<string, NotebookSession>;
  /** The EFS file system, its mount targets and access points. @default undefined: only with `storage.backend: efs` */
  readonly efs?: EfsStorage;

  constructor(name: string, args: NotebookPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validation first: a bad config fails before anything, this component included, is registered.
    const plan = planOf(args);
    super('notebook-platform:index:NotebookPlatform', name, {}, opts);
    this.plan = plan;
    if (plan.sessions.length === 0) {
      // Nothing in the program knows what the stack had; the preview shows this next to the deletes.
      void pulumi.log.warn(`${CONFIG_NAMESPACE}:sessions is empty: this update deletes every session the stack has (their homes are retained); if that is not intended, check the key in Pulumi.<stack>.yaml`, this);
    }

    const objects: KubeObject[] = teamObjects(plan);
    if (plan.storage.config.backend === 'efs') {
      this.efs = new EfsStorage(`${name}-efs`, { plan }, { parent: this });
      if (!plan.storage.config.fileSystemId) objects.push(efsStorageClass(plan, this.efs.fileSystemId));
      for (const share of plan.shares) {
        if (share.volumeHandle) continue; // in the chart already
        const handle = pulumi.all([this.efs.fileSystemId, this.efs.accessPointIds[share.name]]).apply(([fileSystemId, accessPointId]) => efsVolumeHandle(fileSystemId, accessPointId));
        objects.push(efsShareVolume(plan, share, handle));
      }
    }

    const namespaceObject = objects.find((object) => object.kind === 'Namespace')!;
    const rest = objects.filter((object) => object !== namespaceObject);
    // A shrinking size fails here, before the namespace and so before anything else changes.
    const previousClaimSizes = args.previousClaimSizes === 'live' ? liveClaimSizesOrWarn(plan, this) : args.previousClaimSizes;
    const sizesChecked = previousClaimSizes === undefined ? undefined : sizeCheck(plan, previousClaimSizes);
    // So does a restoreFrom that cannot apply (an existing claim's data source is fixed).
    const restoresChecked = args.previousClaimSizes === 'live' ? restoreCheck(plan, this) : undefined;
    const checks = [sizesChecked, restoresChecked].filter((check): check is pulumi.Output<pulumi.Resource[]> => check !== undefined);
    const namespace = registerObject(namespaceObject, { parent: this, retainOnDelete: true, dependsOn: checks.length === 0 ? undefined : pulumi.all(checks).apply((lists) => lists.flat()) });
    // Volumes before the claims that name them (spec.volumeName): a claim created first waits for
    // the binder's next resync (15 s) before it binds.
    const registered = new Map<KubeObject, pulumi.CustomResource>();
    const volumes = new Map<string, pulumi.CustomResource>();
    const register = (object: KubeObject, dependsOn: pulumi.Resource[]) => {
      const resource = registerObject(withRetention(object, holdsData(object)), { parent: this, dependsOn, retainOnDelete: holdsData(object), ...resizeOptions(object) });
      registered.set(object, resource);
      return resource;
    };
    for (const object of rest.filter((o) => o.kind === 'PersistentVolume')) volumes.set(object.metadata.name, register(object, [namespace]));
    for (const object of rest.filter((o) => o.kind !== 'PersistentVolume')) {
      const volume = object.kind === 'PersistentVolumeClaim' ? volumes.get(String((object.spec as { volumeName?: string } | undefined)?.volumeName)) : undefined;
      register(object, volume ? [namespace, volume] : [namespace]);
    }
    const claims = rest.filter((o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'ConfigMap').map((o) => registered.get(o)!);
    const cullerStatus = rest.find((o) => o.kind === 'ConfigMap' && o.metadata.name === CULLER_NAMES.status);
    const cullerRecords = cullerStatus ? (registered.get(cullerStatus) as k8s.core.v1.ConfigMap).data : undefined;

    // Sessions are named under their platform, `<platform>/<session>`, so two platforms in one
    // program may have sessions of the same name. A session name never holds "/", so no new
    // name equals another session's old one; the alias (the bare session name, used before)
    // lets an existing stack keep its sessions: no replacement, no deletion.
    this.sessions = {};
    for (const session of plan.sessions) {
      this.sessions[session.name] = new NotebookSession(`${name}/${session.name}`, { plan, session, dependsOn: [namespace, ...claims], cullerRecords, customization: args.customizeSession?.(session) }, { parent: this, aliases: [{ name: session.name }] });
    }
    this.namespace = pulumi.output(plan.namespace);
    this.registerOutputs({ namespace: this.namespace });
  }

  /** Claim name -> requested size of every claim of the team (the `claimSizes` stack output). */
  claimSizes(): pulumi.Output<ClaimSizes> {
    return pulumi.output(claimSizes(this.plan));
  }

  /** Per-session outputs for the stack: URL, token (secret), state claim, running, state, owner, size, shares. */
  sessionSummaries(): Record<string, SessionSummary> {
    return Object.fromEntries(
      Object.entries(this.sessions).map(([name, s]) => [name, { url: s.url, token: s.token, stateClaim: s.stateClaim, running: s.running, state: s.state, owner: s.owner, size: s.size, shares: s.shares }]),
    );
  }
}

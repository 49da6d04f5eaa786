/**
 * NotebookPlatform: a team's whole notebook platform. Registers the team chart (namespace,
 * security, storage), the EFS resources when the backend is efs, and one NotebookSession per
 * session. Everything comes from the plan; nothing here derives a name or a default.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Plan } from './config/plan';
import { CONFIG_NAMESPACE } from './config/schema';
import { planFromConfig } from './config/validate';
import { teamObjects } from './manifests/chart';
import { efsShareVolume, efsStorageClass, holdsData } from './manifests/storage';
import type { KubeObject } from './manifests/objects';
import { registerObject, withRetention } from './kubernetes/register';
import { EfsStorage } from './aws/efs';
import { NotebookSession } from './session';

export interface NotebookPlatformArgs {
  /**
   * The team's `notebook-platform:*` config values (namespace stripped), validated here before
   * any resource is created. Give either `config` or `plan`.
   */
  readonly config?: unknown;
  /** An already validated plan. */
  readonly plan?: Plan;
}

/** A session's stack outputs (see NotebookSession for each field). */
export type SessionSummary = Pick<NotebookSession, 'url' | 'token' | 'stateClaim' | 'running' | 'owner' | 'size' | 'shares'>;

function planOf(args: NotebookPlatformArgs): Plan {
  if (args.plan) return args.plan;
  if (args.config === undefined) throw new Error('NotebookPlatform needs config or plan');
  return planFromConfig(args.config);
}

export class NotebookPlatform extends pulumi.ComponentResource {
  readonly plan: Plan;
  readonly namespace: pulumi.Output<string>;
  readonly sessions: Record<string, NotebookSession>;
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
        if (share.accessPointId && plan.storage.config.fileSystemId) continue; // in the chart already
        const handle = pulumi.interpolate`${this.efs.fileSystemId}::${this.efs.accessPointIds[share.name]}`;
        objects.push(efsShareVolume(plan, share, handle));
      }
    }

    const namespaceObject = objects.find((object) => object.kind === 'Namespace')!;
    const rest = objects.filter((object) => object !== namespaceObject);
    const namespace = registerObject(namespaceObject, { parent: this, retainOnDelete: true });
    // Volumes before the claims that name them (spec.volumeName): a claim created first waits for
    // the binder's next resync (15 s) before it binds.
    const registered = new Map<KubeObject, pulumi.CustomResource>();
    const volumes = new Map<string, pulumi.CustomResource>();
    const register = (object: KubeObject, dependsOn: pulumi.Resource[]) => {
      const resource = registerObject(withRetention(object, holdsData(object)), { parent: this, dependsOn, retainOnDelete: holdsData(object) });
      registered.set(object, resource);
      return resource;
    };
    for (const object of rest.filter((o) => o.kind === 'PersistentVolume')) volumes.set(object.metadata.name, register(object, [namespace]));
    for (const object of rest.filter((o) => o.kind !== 'PersistentVolume')) {
      const volume = object.kind === 'PersistentVolumeClaim' ? volumes.get(String((object.spec as { volumeName?: string } | undefined)?.volumeName)) : undefined;
      register(object, volume ? [namespace, volume] : [namespace]);
    }
    const claims = rest.filter((o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'ConfigMap').map((o) => registered.get(o)!);

    this.sessions = {};
    for (const session of plan.sessions) {
      this.sessions[session.name] = new NotebookSession(session.name, { plan, session, dependsOn: [namespace, ...claims] }, { parent: this });
    }
    this.namespace = pulumi.output(plan.namespace);
    this.registerOutputs({ namespace: this.namespace });
  }

  /** Per-session outputs for the stack: URL, token (secret), state claim, running, owner, size, shares. */
  sessionSummaries(): Record<string, SessionSummary> {
    return Object.fromEntries(
      Object.entries(this.sessions).map(([name, s]) => [name, { url: s.url, token: s.token, stateClaim: s.stateClaim, running: s.running, owner: s.owner, size: s.size, shares: s.shares }]),
    );
  }
}

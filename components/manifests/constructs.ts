/**
 * cdk8s constructs for GitOps users: `NotebookPlatformChart`, a team's whole platform in one
 * chart of any cdk8s App, and `NotebookSessionConstruct`, one session's objects, to which a user
 * adds labels, sidecars and volumes as they would to a cdk8s-plus workload. The objects are the
 * ones `synth` writes and the Pulumi component registers (the same builders, team.ts and
 * session.ts); additions go through customize.ts.
 */
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { Plan, SessionPlan } from '../config/plan';
import type { StackConfigInput } from '../config/schema';
import { planFromConfig } from '../config/validate';
import { objectKey, type KubeObject } from './objects';
import type { ContainerManifest, VolumeManifest } from './kube';
import { gitOpsSessionObjects, gitOpsTeamObjects } from './gitops';
import { customizeSessionObjects, type SessionCustomization, type SessionVolume } from './customize';

/** What a {@link NotebookSessionConstruct} is built from. */
export interface NotebookSessionConstructProps {
  /** The team's plan (`planFromConfig`, or `NotebookPlatformChart.plan`). */
  readonly plan: Plan;
  /** This session's entry of `plan.sessions`. */
  readonly session: SessionPlan;
  /** Additions to start with; the `add*` methods add more. @default none */
  readonly customization?: SessionCustomization;
}

/** Where and how the notebook container mounts a volume added with `addVolume`. */
export type SessionVolumeMountOptions = Omit<SessionVolume, 'volume'>;

/**
 * One session's objects in a cdk8s chart: ServiceAccount, Jupyter ConfigMap, Service,
 * StatefulSet, home claim (when the session owns one) and Ingress (when the team has one). The
 * token Secret `<session>-token` (key `token`) is not among them: its value is a secret the
 * GitOps pipeline provides (sealed or external secrets).
 *
 * Additions (`addLabel`, `addSidecar`, `addVolume`) apply at synthesis, whenever they were made,
 * and never replace what the platform set: a label key, container or volume name the session
 * already uses, or a mount path of the notebook, is refused at the call.
 */
export class NotebookSessionConstruct extends Construct {
  /** The team's plan the objects are built from. */
  readonly plan: Plan;
  /** The session's plan: its names, labels, size, mounts (`session.name` is the config's name). */
  readonly session: SessionPlan;
  /** The session's API objects, construct id = `<apiVersion>/<kind>/<namespace>/<name>`. */
  readonly apiObjects: readonly ApiObject[];
  private readonly base: readonly KubeObject[];
  private customization: { labels: Record<string, string>; sidecars: ContainerManifest[]; volumes: SessionVolume[] } = { labels: {}, sidecars: [], volumes: [] };
  private rendered: readonly KubeObject[];

  constructor(scope: Construct, id: string, props: NotebookSessionConstructProps) {
    super(scope, id);
    this.plan = props.plan;
    this.session = props.session;
    this.base = gitOpsSessionObjects(props.plan, props.session);
    this.rendered = this.base;
    // Each body field is produced at synthesis from the rendered objects, so later additions count.
    this.apiObjects = this.base.map((object, index) => {
      const { apiVersion, kind, metadata, ...body } = object;
      const lazyBody = Object.fromEntries(Object.keys(body).map((field) => [field, Lazy.any({ produce: () => this.rendered[index][field] })]));
      return new ApiObject(this, objectKey(object), { apiVersion, kind, metadata, ...lazyBody });
    });
    const initial = props.customization;
    for (const [key, value] of Object.entries(initial?.labels ?? {})) this.addLabel(key, value);
    for (const sidecar of initial?.sidecars ?? []) this.addSidecar(sidecar);
    for (const { volume, ...mount } of initial?.volumes ?? []) this.addVolume(volume, mount);
  }

  /** The session's objects as they synthesize now, additions included. */
  get objects(): readonly KubeObject[] {
    return this.rendered;
  }

  /**
   * Adds a label to every object of the session and to its pod template (selectors are left alone).
   * @throws if the key is not a label key, the value not a label value, or the platform sets the key
   */
  addLabel(key: string, value: string): this {
    this.apply({ ...this.customization, labels: { ...this.customization.labels, [key]: value } });
    for (const apiObject of this.apiObjects) apiObject.metadata.addLabel(key, value);
    return this;
  }

  /**
   * Adds a container to the session's pod, after the notebook. Fields it leaves out get the
   * platform's defaults: `securityContext` non-root, no privilege escalation, all capabilities
   * dropped and a read-only root file system (fields given override these one by one);
   * `resources` the helpers' requests and limits. Typed by cdk8s-plus-27's `k8s.Container`
   * in manifest form (quantities are strings: `{ limits: { memory: '64Mi' } }`).
   * @throws if the name is not a DNS label or a container of the pod has it
   */
  addSidecar(container: ContainerManifest): this {
    this.apply({ ...this.customization, sidecars: [...this.customization.sidecars, container] });
    return this;
  }

  /**
   * Adds a volume to the session's pod, mounted in the notebook container when `mountPath` is
   * given (sidecars mount it through their own `volumeMounts`).
   * @throws if the name is taken, or the path is not absolute or already a mount of the notebook
   */
  addVolume(volume: VolumeManifest, mount: SessionVolumeMountOptions = {}): this {
    this.apply({ ...this.customization, volumes: [...this.customization.volumes, { volume, ...mount }] });
    return this;
  }

  /** Renders with the new additions first, so an invalid one throws here and changes nothing. */
  private apply(customization: NotebookSessionConstruct['customization']): void {
    this.rendered = customizeSessionObjects(this.session, this.base, customization);
    this.customization = customization;
  }
}

/** What a {@link NotebookPlatformChart} is built from: the config (or its plan) and an optional hook per session. */
export interface NotebookPlatformChartProps {
  /**
   * The team's stack config as written (the `notebook-platform:*` keys of `Pulumi.<team>.yaml`
   * without the namespace, as `NotebookPlatform` takes it), validated here: an invalid config
   * throws a `ConfigError` listing every problem. Give exactly one of `config` and `plan`.
   * @default none (required unless `plan` is given)
   */
  readonly config?: StackConfigInput;
  /** A plan already validated by `planFromConfig`. @default computed from `config` */
  readonly plan?: Plan;
  /**
   * Called once per session, in config order, after its objects are built: add labels, sidecars
   * or volumes there (`session.addSidecar(...)`). `chart.session(name)` reaches one session later.
   * @default none
   */
  readonly customizeSession?: (session: NotebookSessionConstruct) => void;
}

function planOf(props: NotebookPlatformChartProps): Plan {
  if (props.plan && props.config !== undefined) throw new Error('NotebookPlatformChart takes config or plan, not both');
  if (props.plan) return props.plan;
  if (props.config === undefined) throw new Error('NotebookPlatformChart needs config (the notebook-platform:* stack config) or plan');
  return planFromConfig(props.config);
}

/**
 * A team's notebook platform as one cdk8s chart: the team's objects (namespace first, security,
 * scripts, storage, culler, backups, usage), then one {@link NotebookSessionConstruct} per
 * session (construct id = session name). The objects are exactly those `notebook-platform synth`
 * writes for the same config, in the same order, in one file (`<id>.k8s.yaml`). Objects whose
 * values exist only after `pulumi up` (an EFS StorageClass and share volumes when the stack
 * creates the file system) and the sessions' token Secrets are not in it.
 */
export class NotebookPlatformChart extends Chart {
  /** The validated config with every name and default filled in. */
  readonly plan: Plan;
  /** One construct per session, in config order. */
  readonly sessions: readonly NotebookSessionConstruct[];

  constructor(scope: Construct, id: string, props: NotebookPlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.plan = planOf(props);
    for (const object of gitOpsTeamObjects(this.plan)) new ApiObject(this, objectKey(object), object);
    this.sessions = this.plan.sessions.map((session) => new NotebookSessionConstruct(this, session.name, { plan: this.plan, session }));
    if (props.customizeSession) for (const session of this.sessions) props.customizeSession(session);
  }

  /** The construct of the session named `name`. @throws naming the sessions there are */
  session(name: string): NotebookSessionConstruct {
    const found = this.sessions.find((session) => session.session.name === name);
    if (!found) throw new Error(`${this.node.id}: no session named ${JSON.stringify(name)} (sessions: ${this.sessions.map((session) => session.session.name).join(', ') || 'none'})`);
    return found;
  }
}

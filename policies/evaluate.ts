/**
 * The policy pack without the engine: the arguments the CrossGuard runtime hands to
 * `validateResource` and `validateStack`, built from recorded resources, and the pack's rules
 * run over them with the runtime's semantics (per-policy config and enforcement level, unknown
 * values reported as "can't run during preview", `notApplicable`). This is the ONE place that
 * fakes the runtime's arguments: `notebook-platform check` and every policy test go through it,
 * and test/unit/policies/evaluate.test.ts holds it against the real runtime (a served pack).
 *
 * Props go through the runtime's own unknown-checking proxy (@pulumi/policy/proxy), so a rule
 * that touches an unknown value fails here exactly as it does in `pulumi preview`.
 */
import type {
  EnforcementLevel, PolicyConfigSchema, PolicyResource, PolicyResourceOptions, ReportViolation, ResourceValidationArgs, StackValidationArgs,
} from '@pulumi/policy';
import * as proxyModule from '@pulumi/policy/proxy';
import type { Rule } from './rules/policy';

/** A resource as recorded (RegisteredResource of offline/run.ts has this shape). */
export interface ResourceSnapshot {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent?: string;
  /** The props a policy sees: plain JSON, unknown values as the wire format's sentinels. */
  readonly inputs: Record<string, unknown>;
  /** At least the analyzer's PolicyResourceOptions; extra fields (retainOnDelete, gitOps) are passed through. */
  readonly opts: Omit<PolicyResourceOptions, 'ignoreChanges' | 'aliases' | 'additionalSecretOutputs'> & {
    readonly ignoreChanges: readonly string[];
    readonly aliases: readonly string[];
    readonly additionalSecretOutputs: readonly string[];
    /** true for an object read from manifest files (policies/manifests.ts): a GitOps tool, not Pulumi, deletes it or keeps it. */
    readonly gitOps?: boolean;
  };
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** The runtime's proxy module (its typings export nothing, the module does). */
const proxy = proxyModule as unknown as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: never[]) => Error;
};

/** A policy pack config, as `pulumi preview --policy-pack-config` reads it: per policy an enforcement level or an object. */
export type PolicyConfigEntry = EnforcementLevel | ({ readonly enforcementLevel?: EnforcementLevel } & Readonly<Record<string, unknown>>);
export type PackConfig = Readonly<Record<string, PolicyConfigEntry>>;

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly message: string;
  /** The resource it is about; undefined for a stack-wide violation. */
  readonly urn?: string;
}

/** Thrown by `notApplicable()`, as the runtime's own NotApplicableError is. */
export class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? 'not applicable');
  }
}
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};

const ENFORCEMENT_LEVELS: readonly string[] = ['advisory', 'mandatory', 'remediate', 'disabled'];

/** Problems with a pack config (unknown policies, unknown properties, bad levels); empty when usable. */
export function packConfigProblems(config: PackConfig, policies: readonly Rule[]): string[] {
  const problems: string[] = [];
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  for (const [name, entry] of Object.entries(config)) {
    const policy = byName.get(name);
    if (name !== 'all' && !policy) {
      problems.push(`unknown policy "${name}"; policies: ${[...byName.keys()].join(', ')}`);
      continue;
    }
    const level = typeof entry === 'string' ? entry : entry?.enforcementLevel;
    if (level !== undefined && !ENFORCEMENT_LEVELS.includes(level)) problems.push(`${name}: enforcementLevel "${level}" is not one of ${ENFORCEMENT_LEVELS.join(', ')}`);
    if (typeof entry === 'object' && entry !== null) {
      const known = Object.keys(policy?.configSchema?.properties ?? {});
      for (const key of Object.keys(entry)) {
        if (key !== 'enforcementLevel' && !known.includes(key)) problems.push(`${name}: unknown property "${key}"; allowed: ${known.length ? known.join(', ') : '(none)'}`);
      }
    } else if (typeof entry !== 'string') problems.push(`${name}: expected an enforcement level or an object`);
  }
  return problems;
}

/** The defaults a config schema declares. */
function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if ((property as { default?: unknown }).default !== undefined) defaults[key] = (property as { default?: unknown }).default;
  }
  return defaults;
}

/** A policy's enforcement level under a pack config ("remediate" reports as mandatory, as the runtime does). */
export function enforcementLevelOf(policy: Rule, config: PackConfig): EnforcementLevel {
  const entry = config[policy.name] ?? config.all;
  const configured = typeof entry === 'string' ? entry : entry?.enforcementLevel;
  const level = configured ?? policy.enforcementLevel ?? 'advisory';
  return level === 'remediate' ? 'mandatory' : level;
}

/** What `args.getConfig()` returns for a policy: schema defaults, then the configured properties. */
export function policyConfigOf(policy: Rule, config: PackConfig): Record<string, unknown> {
  const entry = config[policy.name];
  const configured = typeof entry === 'object' && entry !== null ? Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'enforcementLevel')) : {};
  return { ...schemaDefaults(policy.configSchema), ...configured };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const tagged = (resourceClass as { __pulumiType?: string }).__pulumiType;
  if (tagged) return type === tagged;
  const isInstance = (resourceClass as { isInstance?: (value: unknown) => boolean }).isInstance;
  return typeof isInstance === 'function' && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(resource: ResourceSnapshot): PolicyResourceOptions {
  return { ...resource.opts, ignoreChanges: [...resource.opts.ignoreChanges], aliases: [...resource.opts.aliases], additionalSecretOutputs: [...resource.opts.additionalSecretOutputs] };
}

/** The arguments the runtime passes to `validateResource` for one resource. */
export function resourceArgs(resource: ResourceSnapshot, config: Record<string, unknown> = {}): ResourceValidationArgs {
  const props = proxy.unknownCheckingProxy(resource.inputs);
  return {
    type: resource.type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: optionsOf(resource),
    stackTags: new Map<string, string>(),
    isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
    asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as ResourceValidationArgs['asType'],
    getConfig: <T extends object>() => ({ ...config }) as T,
    notApplicable: throwNotApplicable,
  };
}

/** The arguments the runtime passes to `validateStack`: every resource, linked to its parent and dependencies. */
export function stackArgs(resources: readonly ResourceSnapshot[], config: Record<string, unknown> = {}): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  const policyResources = resources.map((resource) => {
    const props = proxy.unknownCheckingProxy(resource.inputs);
    const policyResource: PolicyResource = {
      type: resource.type,
      props,
      urn: resource.urn,
      name: resource.name,
      opts: optionsOf(resource),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as PolicyResource['asType'],
    };
    byUrn.set(resource.urn, policyResource);
    return policyResource;
  });
  resources.forEach((resource, index) => {
    const policyResource = policyResources[index];
    const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    if (parent) policyResource.parent = parent;
    policyResource.dependencies = (resource.dependencies ?? []).map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
    for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
      policyResource.propertyDependencies[property] = urns.map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
    }
  });
  return {
    resources: policyResources,
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => ({ ...config }) as T,
    notApplicable: throwNotApplicable,
  };
}

/**
 * Runs every rule as the runtime would: resource rules once per resource, stack rules once over
 * all of them; disabled rules skipped. Violations come sorted by rule (pack order) and resource
 * URN, so a report does not depend on registration order.
 */
export async function evaluatePolicies(policies: readonly Rule[], resources: readonly ResourceSnapshot[], config: PackConfig = {}): Promise<Violation[]> {
  const violations: (Violation & { order: number })[] = [];
  for (const [order, policy] of policies.entries()) {
    const enforcementLevel = enforcementLevelOf(policy, config);
    if (enforcementLevel === 'disabled') continue;
    const policyConfig = policyConfigOf(policy, config);
    const run = async (validate: () => unknown, reportUrn: string | undefined) => {
      try {
        await validate();
      } catch (error) {
        if (error instanceof proxy.UnknownValueError) {
          violations.push({ order, policy: policy.name, enforcementLevel: 'advisory', message: `can't run policy '${policy.name}' during preview: ${error.message}`, urn: reportUrn });
        } else if (!(error instanceof NotApplicableError)) {
          throw new Error(`policy '${policy.name}' failed${reportUrn ? ` on ${reportUrn}` : ''}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
    };
    if ('validateResource' in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const resource of resources) {
        const report: ReportViolation = (message, urn) => violations.push({ order, policy: policy.name, enforcementLevel, message, urn: urn ?? resource.urn });
        for (const validate of validations) await run(() => validate(resourceArgs(resource, policyConfig), report), resource.urn);
      }
    }
    if ('validateStack' in policy && policy.validateStack) {
      const report: ReportViolation = (message, urn) => violations.push({ order, policy: policy.name, enforcementLevel, message, urn });
      await run(() => policy.validateStack(stackArgs(resources, policyConfig), report), undefined);
    }
  }
  // Stable sort: a rule's violations of one resource keep the order the rule reported them in.
  const compare = (a: Violation & { order: number }, b: Violation & { order: number }) =>
    a.order - b.order || ((a.urn ?? '') < (b.urn ?? '') ? -1 : (a.urn ?? '') > (b.urn ?? '') ? 1 : 0);
  return violations.sort(compare).map(({ order: _order, ...violation }) => violation);
}

/**
 * `runOffline`: the team program evaluated without an engine, a cloud or a cluster, returning
 * every resource it registers the way a policy pack would see it during `pulumi preview` of a
 * new stack. `notebook-platform check` feeds the result to the policy pack's rules; tests and
 * the benchmark call it directly.
 *
 * What a resource carries: its type token, name, URN (built like the engine builds it), parent,
 * inputs in the analyzer's form (values of other resources' outputs are unknown, as in a preview;
 * secret values are never kept, see `SECRET_PLACEHOLDER`), dependencies, and the resource options
 * the analyzer receives, plus `retainOnDelete` and `deletedWith`, which it does not.
 */
import * as pulumi from '@pulumi/pulumi';
import type { RegisterResourceRequest } from '@pulumi/pulumi/proto/resource_pb';
import { NotebookPlatform } from '../components/platform';
import { planFromConfig } from '../components/config/validate';
import type { Plan } from '../components/config/plan';
import { installFastPath } from './fast-path';
import { installOfflineMonitor, type Registration } from './monitor';

/** The project name of Pulumi.yaml: part of every URN. */
export const PROJECT = 'notebook-platform';

/**
 * The unknown-string sentinel of the Pulumi wire format (`@pulumi/pulumi/runtime/rpc`
 * `unknownValue`). Policy packs read it through a proxy that throws "can't be known during
 * preview" when a rule touches it.
 */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const RESOURCE_SIG = '5cf8f73096256a8f31e491e813e4eb8e';
const OUTPUT_VALUE_SIG = 'd0e6a833031e9bbcd3f4e8bde6ca49a4';

/**
 * What a secret value becomes in a RegisteredResource: unknown. In a preview of a new stack the
 * secrets this program registers (generated tokens) are unknown anyway; a known secret is
 * dropped rather than risk printing it. Where secrets were is listed in `secretPaths`.
 */
export const SECRET_PLACEHOLDER = UNKNOWN;

/** The options of a resource as the analyzer receives them (`PolicyResourceOptions`), plus what it does not receive. */
export interface OfflineResourceOptions {
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly aliases: readonly string[];
  readonly customTimeouts: { readonly createSeconds: number; readonly updateSeconds: number; readonly deleteSeconds: number };
  readonly additionalSecretOutputs: readonly string[];
  readonly parent?: string;
  /** Not among the analyzer's options (hence the RETAIN_ANNOTATION on claims); recorded here. */
  readonly retainOnDelete: boolean;
  /** URN of the resource this one is deleted with, if any (not among the analyzer's options). */
  readonly deletedWith?: string;
  readonly replaceOnChanges: readonly string[];
}

export interface RegisteredResource {
  /** `kubernetes:apps/v1:StatefulSet`, `aws:efs/fileSystem:FileSystem`, `notebook-platform:index:NotebookSession`. */
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** false for component resources (the stack, NotebookPlatform, NotebookSession, EfsStorage). */
  readonly custom: boolean;
  /** URN of the parent; undefined only for the stack itself. */
  readonly parent?: string;
  /** The inputs as a policy sees `props`: plain JSON, unknowns as the UNKNOWN sentinel, secrets unknown. */
  readonly inputs: Record<string, unknown>;
  /** Property paths (`stringData`) whose values were secret. */
  readonly secretPaths: readonly string[];
  readonly opts: OfflineResourceOptions;
  /** URNs this resource depends on (explicit `dependsOn` and through its inputs). */
  readonly dependencies: readonly string[];
  /** Per input property, the URNs its value came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface OfflineOptions {
  /** Stack name (URNs, `pulumi.getStack()`). @default the config's `team`, else "offline" */
  readonly stack?: string;
  /** @default "notebook-platform" */
  readonly project?: string;
  /**
   * The program to evaluate. @default the team program of stacks/index.ts:
   * `new NotebookPlatform(<stack>, { config })`. Tests pass the real stacks/index.ts module here.
   */
  readonly program?: (stack: string) => unknown;
  /**
   * Keep JavaScript stack traces while the program runs. The SDK captures one per resource and
   * per promise (source positions, leak diagnostics) and that is most of the cost of a run under
   * source maps; offline they serve nothing. @default false
   */
  readonly stackTraces?: boolean;
  /**
   * Skip the runtime's protobuf conversions and promise diagnostics while the program runs
   * (fast-path.ts): same resources, a fraction of the time. false runs the SDK untouched.
   * @default true
   */
  readonly fastPath?: boolean;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the team program for `config` (the `notebook-platform:*` values without their
 * namespace, as `readStackConfigFile` returns them) and returns every registered resource in
 * registration order, the stack first. Runs one at a time (the Pulumi runtime is global state);
 * each run installs fresh mocks. An invalid config rejects with the program's ConfigError.
 */
export function runOffline(config: unknown, options: OfflineOptions = {}): Promise<RegisteredResource[]> {
  const team = (config as { team?: unknown } | null)?.team;
  const stack = options.stack ?? (typeof team === 'string' && team ? team : 'offline');
  let program = options.program;
  if (!program) {
    // Validated before the runtime starts, as the program does before creating anything: an
    // invalid config is a ConfigError here, not a failed registration.
    let plan: Plan;
    try {
      plan = planFromConfig(config);
    } catch (error) {
      return Promise.reject(error);
    }
    program = (name: string) => new NotebookPlatform(name, { plan });
  }
  const run = queue.then(() => capture(program, stack, options.project ?? PROJECT, options.stackTraces ?? false, options.fastPath ?? true));
  queue = run.catch(() => undefined);
  return run;
}

async function capture(program: (stack: string) => unknown, stack: string, project: string, stackTraces: boolean, fastPath: boolean): Promise<RegisteredResource[]> {
  const registrations: Registration[] = [];
  await installOfflineMonitor(project, stack, (registration) => registrations.push(registration));
  const saved = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
  if (!stackTraces) {
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = () => '';
  }
  const removeFastPath = fastPath ? installFastPath().restore : () => undefined;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      await program(stack);
      return {};
    });
    // Every registration has been answered once the runtime's RPC queue is empty.
    await pulumi.runtime.disconnect();
  } finally {
    removeFastPath();
    Error.stackTraceLimit = saved.limit;
    Error.prepareStackTrace = saved.prepare;
  }
  // Converted only now: the runtime has finished reading the requests' inputs.
  return registrations.map(toRegisteredResource);
}

function toRegisteredResource({ urn, request }: Registration): RegisteredResource {
  const secretPaths: string[] = [];
  const object = request.getObject();
  const inputs = object ? (fromWire(object.toJavaScript(), '', false, secretPaths) as Record<string, unknown>) : {};
  const propertyDependencies: Record<string, string[]> = {};
  for (const [key, dependencies] of request.getPropertydependenciesMap().entries()) {
    propertyDependencies[key] = dependencies.getUrnsList();
  }
  const parent = request.getParent() || undefined;
  return {
    type: request.getType(),
    name: request.getName(),
    urn,
    custom: request.getCustom(),
    parent,
    inputs,
    secretPaths,
    opts: optionsOf(request, parent),
    dependencies: request.getDependenciesList(),
    propertyDependencies,
  };
}

function optionsOf(request: RegisterResourceRequest, parent: string | undefined): OfflineResourceOptions {
  const timeouts = request.getCustomtimeouts();
  const options: {
    -readonly [K in keyof OfflineResourceOptions]: OfflineResourceOptions[K];
  } = {
    protect: request.getProtect() === true,
    ignoreChanges: request.getIgnorechangesList(),
    aliases: request.getAliasesList().map((alias) => alias.getUrn() || alias.getSpec()?.getName() || ''),
    customTimeouts: {
      createSeconds: durationSeconds(timeouts?.getCreate()),
      updateSeconds: durationSeconds(timeouts?.getUpdate()),
      deleteSeconds: durationSeconds(timeouts?.getDelete()),
    },
    additionalSecretOutputs: [...new Set(request.getAdditionalsecretoutputsList())],
    retainOnDelete: request.getRetainondelete() === true,
    replaceOnChanges: request.getReplaceonchangesList(),
  };
  if (request.getDeletebeforereplacedefined()) options.deleteBeforeReplace = request.getDeletebeforereplace();
  if (parent) options.parent = parent;
  if (request.getDeletedwith()) options.deletedWith = request.getDeletedwith();
  return options;
}

/** `"1h30m"`, `"10m"`, `"45s"` (Go durations, as the SDK sends custom timeouts) in seconds; 0 when unset. */
export function durationSeconds(duration: string | undefined): number {
  if (!duration) return 0;
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) {
    seconds += Number(amount) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'];
  }
  return seconds;
}

/**
 * Wire format -> what a policy reads: secrets unknown (and their paths recorded), resource
 * references as their URN, output values as their value (or unknown), everything else as is.
 * Works in place (after the run, nothing else reads these objects): no second copy of the inputs.
 */
function fromWire(value: unknown, path: string, secret: boolean, secretPaths: string[]): unknown {
  if (value === null || typeof value !== 'object') {
    return secret && value !== null ? SECRET_PLACEHOLDER : value;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = fromWire(value[index], `${path}[${index}]`, secret, secretPaths);
    return value;
  }
  const object = value as Record<string, unknown>;
  switch (object[SIG_KEY]) {
    case SECRET_SIG:
      if (!secret) secretPaths.push(path);
      return fromWire(object.value, path, true, secretPaths);
    case RESOURCE_SIG:
      return object.urn;
    case OUTPUT_VALUE_SIG:
      if (object.secret === true && !secret) secretPaths.push(path);
      return 'value' in object ? fromWire(object.value, path, secret || object.secret === true, secretPaths) : UNKNOWN;
  }
  for (const key of Object.keys(object)) object[key] = fromWire(object[key], path ? `${path}.${key}` : key, secret, secretPaths);
  return object;
}

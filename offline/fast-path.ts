/**
 * Shortcuts for an offline run, installed for its duration only. Under mocks most of the time
 * of a registration goes into work that only matters when an engine is listening:
 *
 * - inputs are turned into a protobuf Struct (`Struct.fromJavaScript`) for the request, and the
 *   response's Struct back into JavaScript (`toJavaScript`), and the offline monitor would turn
 *   the request into JavaScript once more to record it. Here `fromJavaScript` returns an empty
 *   Struct whose `toJavaScript` hands back the very object it was given: no conversion at all.
 *   (The runtime never mutates that object; the recording copies are made after the run.)
 * - the response's outputs are deep-copied by `deserializeProperties` into the values the
 *   resource's Outputs resolve to: one more copy of every resource's inputs, alive until the run
 *   ends. Plain values (no signature objects, no unknown sentinel) are what that copy would
 *   equal, so they are handed over as they are; anything else still goes to the SDK.
 * - every input property of a custom resource becomes an Output at once (`transferProperties`:
 *   four pending promises, their resolvers and the Output's own promise chains), though the
 *   program reads few of them (a claim's name, a Secret's data). Here the property is a getter
 *   that makes the Output when first read, already settled if the registration has answered:
 *   about 40% of the memory held while the registrations are pending.
 * - every runtime promise gets a stack trace and a leak-detector entry (`debuggablePromise`),
 *   and every resource its source position (`Resource.stackTrace`): neither is read offline.
 *
 * Each shortcut replaces one private function of @pulumi/pulumi (or of the google-protobuf copy it
 * loads) and puts it back afterwards. It relies on how that version's runtime calls the function,
 * so it is installed only on the exact versions it was verified against (VERIFIED_ON: the
 * equivalence tests ran there); on any other version, or when its target is missing, the SDK's own
 * function runs and one line says so: an SDK update can make runs slower, never different.
 * `runOffline(..., { fastPath: false })` runs without them, and the tests compare both.
 */
import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';

type Restore = () => void;

/** The packages whose private functions are replaced. */
export type PatchedPackage = '@pulumi/pulumi' | 'google-protobuf';
/** Installed versions, as @pulumi/pulumi loads its packages. */
export type PackageVersions = Readonly<Partial<Record<PatchedPackage, string>>>;

/**
 * The versions the shortcuts were verified against (the fast-path tests compare every example stack
 * with and without them there). Extend only after those tests pass on the new version.
 */
const PULUMI_VERIFIED = ['3.259.0'];
const PROTOBUF_VERIFIED = ['3.21.4'];

interface StructClass {
  new (): { toJavaScript(): unknown };
  fromJavaScript(value: unknown): { toJavaScript(): unknown };
}

/** The modules as @pulumi/pulumi itself loads them (a second copy of google-protobuf would not do). */
function sdkModule<T>(request: string): T | undefined {
  try {
    return createRequire(require.resolve('@pulumi/pulumi/package.json'))(request) as T;
  } catch {
    return undefined;
  }
}

/** The versions @pulumi/pulumi runs with: its own, and the google-protobuf it loads. */
export function installedVersions(): PackageVersions {
  const version = (request: string) => sdkModule<{ version?: unknown }>(request)?.version;
  const versions: Partial<Record<PatchedPackage, string>> = {};
  const pulumiVersion = version('@pulumi/pulumi/package.json');
  const protobufVersion = version('google-protobuf/package.json');
  if (typeof pulumiVersion === 'string') versions['@pulumi/pulumi'] = pulumiVersion;
  if (typeof protobufVersion === 'string') versions['google-protobuf'] = protobufVersion;
  return versions;
}

function replace<T extends object, K extends keyof T>(target: T | undefined, key: K, replacement: T[K], restores: Restore[]): boolean {
  if (!target || typeof target[key] !== 'function') return false;
  const original = target[key];
  target[key] = replacement;
  restores.push(() => {
    target[key] = original;
  });
  return true;
}

type SerializeResult = [Record<string, unknown>, Map<string, Set<unknown>>];
interface SerializeOptions {
  keepOutputValues?: boolean;
  excludeResourceReferencesFromDependencies?: boolean;
  pendingRegistration?: { inputProperty?: string };
}
interface RpcModule {
  transferProperties(onto: object, label: string, props: Record<string, unknown>): Record<string, Resolver>;
  unknownValue: string;
  specialSigKey: string;
  deserializeProperty(value: unknown, keepUnknowns?: boolean): unknown;
  deserializeProperties(outputs: { toJavaScript(): unknown }, keepUnknowns?: boolean): Record<string, unknown>;
  serializeProperty(context: string, value: unknown, dependentResources: Set<unknown>, opts?: SerializeOptions): Promise<unknown>;
  serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: SerializeOptions): Promise<SerializeResult>;
}
const KNOWN_OPTIONS = new Set(['keepOutputValues', 'excludeResourceReferencesFromDependencies', 'pendingRegistration']);

/** Plain JSON-like data: primitives, arrays and plain objects all the way down (no Output, Promise, Resource, Asset). */
function isPlain(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  if (Array.isArray(value)) return value.every(isPlain);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) if (!isPlain((value as Record<string, unknown>)[key])) return false;
  return true;
}

/** What the SDK's serializeProperty makes of plain data, synchronously: undefined keys dropped, undefined array items null. */
function copyPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : copyPlain(item)));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) copy[key] = copyPlain(item);
  }
  return copy;
}

/**
 * The SDK's serializeResourceProperties (every key but id and urn, with the resources each
 * depends on), taking plain values in one synchronous step and leaving everything else (an
 * Output anywhere inside a property) to the SDK's own serializeProperty.
 */
async function serializePlainFirst(
  rpc: RpcModule,
  original: RpcModule['serializeResourceProperties'],
  label: string,
  props: Record<string, unknown>,
  opts?: SerializeOptions,
): Promise<SerializeResult> {
  // Remote components keep Output values on the wire; anything unexpected goes to the SDK too.
  if (opts && (opts.keepOutputValues || Object.keys(opts).some((key) => !KNOWN_OPTIONS.has(key)))) return original(label, props, opts);
  const result: Record<string, unknown> = {};
  const dependencies = new Map<string, Set<unknown>>();
  for (const key of Object.keys(props)) {
    if (key === 'id' || key === 'urn') continue;
    if (opts?.pendingRegistration !== undefined) opts.pendingRegistration.inputProperty = key;
    const value = props[key];
    const dependentResources = new Set<unknown>();
    let serialized: unknown;
    if (typeof value === 'function') serialized = undefined;
    else if (isPlain(value)) serialized = copyPlain(value);
    else {
      try {
        serialized = await rpc.serializeProperty(`${label}.${key}`, value, dependentResources, opts);
      } catch (error) {
        if (error instanceof Error) {
          error.message = `error serializing property "${key}": ${error.message}`;
          throw error;
        }
        throw new Error(`error serializing property "${key}": ${String(error)}`);
      }
    }
    if (serialized !== undefined) {
      result[key] = serialized;
      dependencies.set(key, dependentResources);
    }
  }
  return [result, dependencies];
}

/**
 * Whether the SDK's deserializeProperty would return a value equal to `value`: JSON data with
 * no signature key (secrets, resources, assets, output values) and no unknown sentinel. Anything
 * else, undefined included (the SDK throws on it), is left to the SDK.
 */
function isPlainWire(value: unknown, rpc: RpcModule): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return value !== rpc.unknownValue;
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    for (const item of value) if (!isPlainWire(item, rpc)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || rpc.specialSigKey in (value as object)) return false;
  for (const key in value) if (!isPlainWire((value as Record<string, unknown>)[key], rpc)) return false;
  return true;
}

/** The SDK's deserializeProperties without copying plain values. */
function deserializeWithoutCopies(rpc: RpcModule, outputsStruct: { toJavaScript(): unknown }, keepUnknowns?: boolean): Record<string, unknown> {
  const outputs = outputsStruct.toJavaScript() as Record<string, unknown>;
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(outputs)) {
    const value = outputs[key];
    if (value === undefined) continue;
    props[key] = isPlainWire(value, rpc) ? value : rpc.deserializeProperty(value, keepUnknowns);
  }
  return props;
}

type Resolver = (value: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], error?: Error) => void;
type OutputClass = new (resources: unknown, value: Promise<unknown>, isKnown: Promise<unknown>, isSecret: Promise<unknown>, deps: Promise<unknown>) => unknown;
interface Settlement {
  value: unknown;
  isKnown: boolean;
  isSecret: boolean;
  deps: unknown[];
  error?: Error;
}
interface Pending {
  settle(settlement: Settlement): void;
}

/** Four promises settled together, as transferProperties makes them. */
function pendingPromises(): { promises: Promise<unknown>[]; pending: Pending } {
  const handles: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  const promises = [0, 1, 2, 3].map(() => new Promise<unknown>((resolve, reject) => handles.push({ resolve, reject })));
  return {
    promises,
    pending: {
      settle: ({ value, isKnown, isSecret, deps, error }) => {
        const values = [value, isKnown, isSecret, deps];
        handles.forEach((handle, index) => (error ? handle.reject(error) : handle.resolve(values[index])));
      },
    },
  };
}

/**
 * The SDK's transferProperties (an Output per property of `props` on `onto`, and the resolvers
 * the registration's answer calls), with each Output made when the property is first read.
 */
function transferPropertiesLazily(Output: OutputClass, isGrpcError: (error: unknown) => boolean, onto: object, label: string, props: Record<string, unknown>): Record<string, Resolver> {
  const resolvers: Record<string, Resolver> = {};
  for (const key of Object.keys(props)) {
    if (key === 'id' || key === 'urn') continue;
    if (Object.prototype.hasOwnProperty.call(onto, key)) throw new Error(`Property '${key}' is already initialized on target '${label}`);
    let settlement: Settlement | undefined;
    let pending: Pending | undefined;
    const define = (value: unknown) => Object.defineProperty(onto, key, { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(onto, key, {
      enumerable: true,
      configurable: true,
      get() {
        let promises: Promise<unknown>[];
        if (settlement) {
          const { value, isKnown, isSecret, deps, error } = settlement;
          promises = [value, isKnown, isSecret, deps].map((v) => (error ? Promise.reject(error) : Promise.resolve(v)));
        } else {
          ({ promises, pending } = pendingPromises());
        }
        const output = new Output(onto, promises[0], promises[1], promises[2], promises[3]);
        define(output);
        return output;
      },
      set: define,
    });
    resolvers[key] = (value, isKnown, isSecret, deps = [], error) => {
      // As the SDK: a gRPC error (the engine went away) leaves the Output pending.
      if (error && isGrpcError(error)) return;
      settlement = { value, isKnown, isSecret, deps, error };
      pending?.settle(settlement);
    };
  }
  return resolvers;
}

/** One replaced function: where it is, the versions it was verified on, and how to install it. */
interface Shortcut {
  /** `<module> <function>`, as the note names it. */
  readonly name: string;
  /** Every package whose behaviour it relies on, with the versions it was verified on. */
  readonly verifiedOn: Readonly<Partial<Record<PatchedPackage, readonly string[]>>>;
  /** Replaces the function; false when its target is not there. */
  install(restores: Restore[]): boolean;
}

interface StructModule {
  Struct: StructClass;
}
interface DebuggableModule {
  debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T>;
}
interface ErrorsModule {
  isGrpcError: (error: unknown) => boolean;
}

const SHORTCUTS: readonly Shortcut[] = [
  {
    // Also relies on the runtime only calling toJavaScript on the Structs it makes (the SDK's side).
    name: 'google-protobuf Struct.fromJavaScript',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED, 'google-protobuf': PROTOBUF_VERIFIED },
    install: (restores) => {
      const Struct = sdkModule<StructModule>('google-protobuf/google/protobuf/struct_pb')?.Struct;
      if (!Struct) return false;
      const fromJavaScript = (value: unknown) => {
        const shell = new Struct();
        shell.toJavaScript = () => value;
        return shell;
      };
      return replace(Struct, 'fromJavaScript', fromJavaScript, restores);
    },
  },
  {
    name: '@pulumi/pulumi/runtime/debuggable debuggablePromise',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED },
    install: (restores) => replace(sdkModule<DebuggableModule>('@pulumi/pulumi/runtime/debuggable'), 'debuggablePromise', <T>(promise: Promise<T>) => promise, restores),
  },
  {
    name: '@pulumi/pulumi Resource.stackTrace',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED },
    install: (restores) => replace(pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] }, 'stackTrace', () => [], restores),
  },
  {
    name: '@pulumi/pulumi/runtime/rpc serializeResourceProperties',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED },
    install: (restores) => {
      const rpc = sdkModule<RpcModule>('@pulumi/pulumi/runtime/rpc');
      if (!rpc || typeof rpc.serializeProperty !== 'function') return false;
      const original = rpc.serializeResourceProperties;
      return replace(rpc, 'serializeResourceProperties', (label, props, opts) => serializePlainFirst(rpc, original, label, props, opts), restores);
    },
  },
  {
    name: '@pulumi/pulumi/runtime/rpc transferProperties',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED },
    install: (restores) => {
      const rpc = sdkModule<RpcModule>('@pulumi/pulumi/runtime/rpc');
      const errors = sdkModule<ErrorsModule>('@pulumi/pulumi/errors');
      const Output = (pulumi as unknown as { Output: OutputClass }).Output;
      if (!rpc || !errors || typeof errors.isGrpcError !== 'function' || typeof Output !== 'function') return false;
      const isGrpcError = errors.isGrpcError;
      const transfer = (onto: object, label: string, props: Record<string, unknown>) => transferPropertiesLazily(Output, isGrpcError, onto, label, props);
      return replace(rpc, 'transferProperties', transfer, restores);
    },
  },
  {
    name: '@pulumi/pulumi/runtime/rpc deserializeProperties',
    verifiedOn: { '@pulumi/pulumi': PULUMI_VERIFIED },
    install: (restores) => {
      const rpc = sdkModule<RpcModule>('@pulumi/pulumi/runtime/rpc');
      if (!rpc || typeof rpc.deserializeProperty !== 'function' || typeof rpc.unknownValue !== 'string' || typeof rpc.specialSigKey !== 'string') return false;
      return replace(rpc, 'deserializeProperties', (outputs, keepUnknowns) => deserializeWithoutCopies(rpc, outputs, keepUnknowns), restores);
    },
  },
];

/** The name of every function the fast path may replace. */
export const SHORTCUT_NAMES: readonly string[] = SHORTCUTS.map((shortcut) => shortcut.name);

/** Why `shortcut` must not be installed with `versions`, or undefined when it may. */
function unverified(shortcut: Shortcut, versions: PackageVersions): string | undefined {
  for (const [pkg, verified] of Object.entries(shortcut.verifiedOn) as [PatchedPackage, readonly string[]][]) {
    const found = versions[pkg];
    if (found === undefined || !verified.includes(found)) return `${pkg} ${found ?? '(not found)'}, verified on ${verified.join(', ')}`;
  }
  return undefined;
}

export interface FastPathOptions {
  /** The installed versions. @default installedVersions() */
  readonly versions?: PackageVersions;
  /** Where the one-line note about skipped shortcuts goes. @default stderr, once per process */
  readonly note?: (line: string) => void;
}

let noted = false;
function noteOnce(line: string): void {
  if (noted) return;
  noted = true;
  process.stderr.write(`${line}\n`);
}

/** What installFastPath did: the shortcuts installed, and those left to the SDK with the reason. */
export interface FastPath {
  /** Removes the installed shortcuts. */
  readonly restore: Restore;
  readonly installed: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Installs the shortcuts verified on the installed versions (each one on its own); returns what
 * it did and the function that removes them. Skipped shortcuts get one line through `note`.
 */
export function installFastPath(options: FastPathOptions = {}): FastPath {
  const versions = options.versions ?? installedVersions();
  const restores: Restore[] = [];
  const installed: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const shortcut of SHORTCUTS) {
    const reason = unverified(shortcut, versions);
    if (reason) skipped.push({ name: shortcut.name, reason });
    else if (shortcut.install(restores)) installed.push(shortcut.name);
    else skipped.push({ name: shortcut.name, reason: 'its target is missing' });
  }
  if (skipped.length > 0) {
    const reasons = [...new Set(skipped.map((s) => s.reason))].join('; ');
    (options.note ?? noteOnce)(`note: offline fast path: ${skipped.length} of ${SHORTCUTS.length} shortcuts off, the SDK's own functions run (slower, same result): ${reasons}`);
  }
  return {
    restore: () => {
      for (const restore of restores.reverse()) restore();
    },
    installed,
    skipped,
  };
}

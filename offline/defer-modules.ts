/**
 * Loading @pulumi/pulumi loads, at module scope, TypeScript (through its `typescript-shim`, for
 * the function serializer) and npm's Arborist (`runtime/closure/codePaths`, to find the packages
 * a serialized function needs). An offline run never serializes a function, yet the two cost
 * about 58 MB of resident memory (TypeScript's source alone is a 9 MB string) and a few hundred
 * milliseconds of loading in every `notebook-platform check` and benchmark process.
 *
 * `deferUnusedSdkModules()` makes those two requires, and only when they come from those two SDK
 * files, return a stand-in that loads the real module on first use and forwards to it: nothing
 * changes for code that does use them, it only pays later. Call it before anything imports
 * @pulumi/pulumi; it is for our own processes (the CLI, the bench), not something a library
 * should do to its host.
 */
import Module from 'node:module';
import { sep } from 'node:path';

/** Which requires to defer: the request, and the end of the requiring file's path. */
const DEFERRED: readonly { request: string; from: string }[] = [
  { request: 'typescript', from: ['@pulumi', 'pulumi', 'typescript-shim.js'].join(sep) },
  { request: '@npmcli/arborist', from: ['@pulumi', 'pulumi', 'runtime', 'closure', 'codePaths.js'].join(sep) },
];

type Load = (request: string, parent: NodeModule | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

let installed = false;

/**
 * A stand-in for a module: property reads, `in`, writes, calls and `new` load the real module
 * and go to it. It claims to be an ES module so that TypeScript's `__importStar` keeps it as it
 * is instead of copying its keys (which would load the module at once).
 */
function deferred(load: () => unknown): unknown {
  let real: Record<PropertyKey, unknown> | undefined;
  const module = () => (real ??= load() as Record<PropertyKey, unknown>);
  return new Proxy(function deferredModule() {}, {
    get: (_, key) => (key === '__esModule' ? true : Reflect.get(module(), key)),
    has: (_, key) => key in module(),
    set: (_, key, value) => Reflect.set(module(), key, value),
    apply: (_, self, args) => Reflect.apply(module() as unknown as (...a: unknown[]) => unknown, self, args),
    construct: (_, args) => Reflect.construct(module() as unknown as new (...a: unknown[]) => object, args),
  });
}

/** Installs the deferral (once per process); returns whether @pulumi/pulumi was still unloaded. */
export function deferUnusedSdkModules(): boolean {
  if (installed) return true;
  installed = true;
  const original = loader._load;
  loader._load = function load(request, parent, isMain) {
    const filename = parent?.filename;
    if (filename && DEFERRED.some((d) => d.request === request && filename.endsWith(d.from))) {
      return deferred(() => original.call(this, request, parent, isMain));
    }
    return original.call(this, request, parent, isMain);
  };
  return !Object.keys(require.cache).some((file) => file.includes(`${sep}@pulumi${sep}pulumi${sep}`));
}

/**
 * Kubernetes objects from manifest files (a cdk8s app's output, `notebook-platform synth`, a GitOps
 * repository) as the resources the pack's rules see when the same objects are registered by a
 * Pulumi program: the same type token, name and URN, props the object itself. A team that deploys
 * with cdk8s or GitOps gets the pack's verdicts without a Pulumi engine.
 *
 * What only a Pulumi registration has is absent: resource options are the defaults (no protect,
 * no retainOnDelete) plus `gitOps: true`, under which a claim or volume counts as retained only
 * when the GitOps tools are told to keep it (shared/gitops.ts); there are no component
 * resources, parents or dependencies, and nothing is unknown.
 */
import { kubeResourceName, kubeTypeToken } from '../shared/kube-resources';
import type { ResourceSnapshot } from './evaluate';

/** One document of a manifest file: where it came from (`file`, 1-based `index` among the file's documents) and its value. */
export interface ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly value: unknown;
}

/** A document that is not a Kubernetes object the pack can check; the message names the document, the field and what is allowed. */
export class ManifestError extends Error {}

/** The stack name manifest URNs carry (`urn:pulumi:manifests::…`). */
export const MANIFESTS_STACK = 'manifests';
/** The project name in URNs: the one the package's Pulumi program runs as. */
export const MANIFESTS_PROJECT = 'notebook-platform';

// apiVersion: `v1` or `<group>/<version>` (DNS-subdomain group, Kubernetes version names).
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[1-9][0-9]*(?:(?:alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
// metadata.name: at most 253 characters of a DNS subdomain (RBAC names also allow ':'); a namespace is a DNS label.
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.:]{0,251}[a-z0-9])?$/;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : JSON.stringify(value) ?? String(value));

/** The resource options of an object that no Pulumi program registered: the defaults, and `gitOps`. */
const MANIFEST_OPTIONS: ResourceSnapshot['opts'] = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  gitOps: true,
};

/** Why `value` is not a checkable Kubernetes object, or undefined when it is. */
function objectProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `is ${Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`}, not a Kubernetes object (a map with apiVersion, kind and metadata.name)`;
  if (typeof value.apiVersion !== 'string' || !API_VERSION.test(value.apiVersion)) {
    return `apiVersion ${shown(value.apiVersion)} is not an API version ("v1" or "<group>/<version>", e.g. "apps/v1")`;
  }
  if (typeof value.kind !== 'string' || !KIND.test(value.kind)) return `kind ${shown(value.kind)} is not a Kubernetes kind (a CamelCase name such as "StatefulSet")`;
  if (value.kind.endsWith('List')) return `kind ${shown(value.kind)}: lists are not checked; write each item as its own document`;
  if (!isRecord(value.metadata)) return `metadata ${shown(value.metadata)} is not a map with a name`;
  const { name, namespace } = value.metadata;
  if (typeof name !== 'string' || !OBJECT_NAME.test(name)) return `metadata.name ${shown(name)} is not a Kubernetes object name (lowercase letters, digits, "-", "." and ":", at most 253)`;
  if (namespace !== undefined && (typeof namespace !== 'string' || !NAMESPACE_NAME.test(namespace))) {
    return `metadata.namespace ${shown(namespace)} is not a namespace name (a DNS label: lowercase letters, digits and "-", at most 63)`;
  }
  return undefined;
}

/**
 * The resources the rules check, one per object, in the order given. Empty documents (a
 * trailing `---`) are skipped. Throws a ManifestError listing every document that is not a
 * Kubernetes object and every object that appears twice (same kind, namespace and name).
 */
export function manifestResources(documents: readonly ManifestDocument[]): { readonly resources: ResourceSnapshot[]; readonly sources: ReadonlyMap<string, string> } {
  const problems: string[] = [];
  const resources: ResourceSnapshot[] = [];
  const sources = new Map<string, string>();
  for (const { file, index, value } of documents) {
    if (value === null || value === undefined) continue;
    const where = `${file} (document ${index})`;
    const problem = objectProblem(value);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    const object = value as Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
    const type = kubeTypeToken(object.apiVersion, object.kind);
    const name = kubeResourceName(object);
    const urn = `urn:pulumi:${MANIFESTS_STACK}::${MANIFESTS_PROJECT}::${type}::${name}`;
    const first = sources.get(urn);
    if (first) {
      problems.push(`${where}: ${object.kind} ${name} is also in ${first}; an object may appear once`);
      continue;
    }
    sources.set(urn, where);
    resources.push({ type, name, urn, inputs: object, opts: MANIFEST_OPTIONS });
  }
  if (problems.length > 0) throw new ManifestError(problems.join('\n'));
  return { resources, sources };
}

/**
 * Example stacks for end-to-end suites: copies of stacks/Pulumi.<team>.yaml with small edits
 * (written to a temporary directory, never into stacks/), rendered by the package itself
 * (config validation -> plan -> synthesize -> writeManifests, exactly what
 * `notebook-platform synth FILE --out DIR` does).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { CONFIG_NAMESPACE, formatProblem, readStackConfigFile, validateConfig, type Plan } from '../../../components/config';
import { synthesize, toYaml, writeManifests, type KubeObject } from '../../../components/manifests';
import { REPO_ROOT } from './control-plane';

export const STACKS_DIR = path.join(REPO_ROOT, 'stacks');

/** The `notebook-platform:*` values of a stack config, keys without the namespace. */
export type StackValues = Record<string, any>;

/**
 * Writes `<dir>/Pulumi.<name>.yaml`: stacks/Pulumi.<base>.yaml with `edit` applied to its
 * `notebook-platform:*` values. Other namespaces (`aws:region`) are kept as they are.
 */
export function writeStackVariant(dir: string, base: string, name: string, edit: (values: StackValues) => void): string {
  const source = path.join(STACKS_DIR, `Pulumi.${base}.yaml`);
  const document = parse(fs.readFileSync(source, 'utf8')) as { config: Record<string, unknown> };
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: StackValues = {};
  const others: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config)) {
    if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    else others[key] = value;
  }
  edit(values);
  const config: Record<string, unknown> = { ...others };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) config[prefix + key] = value;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, stringify({ config }, { lineWidth: 0 }));
  return file;
}

/** Validates a stack config file; the problems (one per line, with their config paths) when invalid. */
export function validateStackFile(configFile: string): { ok: true; plan: Plan } | { ok: false; problems: string[] } {
  const result = validateConfig(readStackConfigFile(configFile));
  if (result.ok) return { ok: true, plan: result.plan };
  return { ok: false, problems: result.problems.map(formatProblem) };
}

export interface ManifestFileOnDisk {
  /** File name, e.g. `team.k8s.yaml`, `session-etl.k8s.yaml`. */
  file: string;
  path: string;
  objects: readonly KubeObject[];
}

export interface SynthesizedStack {
  configFile: string;
  plan: Plan;
  namespace: string;
  outDir: string;
  /** Every file, team chart first. */
  files: ManifestFileOnDisk[];
  team: ManifestFileOnDisk;
  /** Session charts by session name. */
  sessions: Record<string, ManifestFileOnDisk>;
  /** The team chart's Namespace objects alone, for applying the namespace before anything else. */
  namespaceFile: string;
}

/** `notebook-platform synth configFile --out outDir`, through the package's API. */
export function synthStack(configFile: string, outDir: string): SynthesizedStack {
  const validated = validateStackFile(configFile);
  if (!validated.ok) throw new Error(`${configFile} is not a valid stack config:\n${validated.problems.join('\n')}`);
  const { plan } = validated;
  const manifests = synthesize(plan);
  writeManifests(manifests, outDir);
  const files = manifests.map(({ file, objects }) => ({ file, path: path.join(outDir, file), objects }));
  // The team chart is the one with the Namespace (not found by file name, which may change).
  const team = files.find((f) => f.objects.some((o) => o.kind === 'Namespace'));
  if (!team) throw new Error(`synth of ${configFile} wrote no Namespace (files: ${files.map((f) => f.file).join(', ')})`);
  const sessions: Record<string, ManifestFileOnDisk> = {};
  for (const session of plan.sessions) {
    const file = files.find((f) => f !== team && f.objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === session.names.statefulSet));
    if (!file) throw new Error(`synth of ${configFile} wrote no chart for session ${session.name}`);
    sessions[session.name] = file;
  }
  const namespaces = team.objects.filter((o) => o.kind === 'Namespace');
  if (namespaces.length !== 1) throw new Error(`team chart of ${configFile} has ${namespaces.length} Namespace objects`);
  // Beside the output directory, not in it: writeManifests owns *.k8s.yaml there.
  const namespaceFile = `${outDir}.namespace.yaml`;
  fs.writeFileSync(namespaceFile, toYaml(namespaces));
  return {
    configFile,
    plan,
    namespace: plan.namespace,
    outDir,
    files: [team, ...files.filter((f) => f !== team)],
    team,
    sessions,
    namespaceFile,
  };
}

/** `kind/name` (namespace-qualified when namespaced), for messages. */
export function describeObject(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind}/${namespace ? `${namespace}/` : ''}${name}`;
}

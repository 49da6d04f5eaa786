/**
 * Reads a Pulumi stack config file (`Pulumi.<team>.yaml`) the way `pulumi up` uses it: the
 * `config:` map with namespaced keys. Only `notebook-platform:*` keys are ours; other namespaces
 * (`aws:region`, `kubernetes:context`) are left alone. `secure:` values are accepted as present
 * but opaque.
 */
import { readFileSync } from 'node:fs';
import { parseYaml, YamlSyntaxError } from './yaml-parse';
import { CONFIG_NAMESPACE } from './schema';
import { isNearMissNamespace } from './config-namespace';

/** What a `secure:` value reads as: present, never decrypted here. */
export const SECURE_VALUE = '[secure]';

/** A file that cannot be used at all (exit 2): missing, unreadable, not YAML, no `config:` map. */
export class StackFileError extends Error {}

function replaceSecureValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceSecureValues);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === 'secure') return SECURE_VALUE;
    return Object.fromEntries(entries.map(([key, inner]) => [key, replaceSecureValues(inner)]));
  }
  return value;
}

/** The `notebook-platform:*` keys of a stack config document, without their namespace. */
export function parseStackConfig(text: string, fileName: string): Record<string, unknown> {
  let root: unknown;
  try {
    root = parseYaml(text);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new StackFileError(`${fileName}:${error.where}: invalid YAML: ${error.message}`);
    throw error;
  }
  if (root === null || root === undefined) throw new StackFileError(`${fileName}: the file is empty; expected a "config:" map`);
  if (typeof root !== 'object' || Array.isArray(root)) throw new StackFileError(`${fileName}: expected a map with a "config:" key`);
  const config = (root as Record<string, unknown>).config;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new StackFileError(`${fileName}: no "config:" map; a Pulumi stack config has "config:" with keys like "${CONFIG_NAMESPACE}:team"`);
  }
  return extractNamespace(config as Record<string, unknown>);
}

/**
 * Pulumi config (namespaced keys) -> our config object. Also used with `pulumi.Config` values.
 * Keys of near misses of our namespace are kept whole (`notebook:sessions`) for validation to report.
 */
export function extractNamespace(config: Record<string, unknown>): Record<string, unknown> {
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const separator = key.indexOf(':');
    const namespace = separator < 0 ? undefined : key.slice(0, separator);
    // Pulumi assumes the project namespace for a bare key. A near miss of ours stays under its
    // full key, so validation reports it instead of the stack silently running without it.
    const name = namespace === undefined ? key : namespace === CONFIG_NAMESPACE ? key.slice(separator + 1) : isNearMissNamespace(namespace) ? key : undefined;
    // Defined, not assigned: `ours.__proto__ = ...` would replace the prototype (validation reports the key).
    if (name !== undefined) Object.defineProperty(ours, name, { value: replaceSecureValues(value), enumerable: true, writable: true, configurable: true });
  }
  return ours;
}

export function readStackConfigFile(fileName: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StackFileError(code === 'ENOENT' ? `${fileName}: no such file` : `${fileName}: cannot read (${code ?? String(error)})`);
  }
  return parseStackConfig(text, fileName);
}

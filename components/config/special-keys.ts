/**
 * Keys JavaScript treats specially. Assigning `__proto__` replaces an object's prototype, so a
 * config key `notebook-platform:__proto__: {namespace: kube-system}` once made every read of
 * `config.namespace` answer "kube-system" without the key being visible to the schema;
 * `constructor` and `prototype` name members every plain object already has, so a lookup such as
 * `sizes[name]` finds them. No config key may be one of these, at any depth.
 */
import { configPath, type PathSegment, type Problem } from './problems';

/** Keys that are refused wherever they appear in the config. */
export const SPECIAL_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Deepest nesting of maps and lists accepted (the schema's deepest path is 6 levels). */
export const MAX_CONFIG_DEPTH = 64;

/**
 * `raw` without keys JavaScript treats specially (see SPECIAL_KEYS), and one problem per such key
 * naming its config path. Copies only what it walks into; values nested deeper than
 * MAX_CONFIG_DEPTH are reported and cut off, so nothing later recurses without bound.
 */
export function withoutSpecialKeys(raw: unknown): { value: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  const copy = (value: unknown, path: PathSegment[]): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (path.length > MAX_CONFIG_DEPTH) {
      problems.push({ path: configPath(path), message: `is nested more than ${MAX_CONFIG_DEPTH} levels deep; no config value is` });
      return undefined;
    }
    if (Array.isArray(value)) return value.map((item, index) => copy(item, [...path, index]));
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (SPECIAL_KEYS.includes(key)) {
        problems.push({ path: configPath([...path, key]), message: `key "${key}" is not allowed: JavaScript treats ${SPECIAL_KEYS.join(', ').replace(/, (?=[^,]*$)/, ' and ')} specially; rename it` });
        continue;
      }
      result[key] = copy((value as Record<string, unknown>)[key], [...path, key]);
    }
    return result;
  };
  return { value: copy(raw, []), problems };
}

/** Whether `map` has `key` as its own entry (never a member inherited from Object.prototype). */
export function hasEntry(map: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

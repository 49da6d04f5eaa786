/**
 * Keys under a near miss of the `notebook-platform` config namespace (`notebook:sessions`,
 * `notebook-platfrom:sessions`). Pulumi hands such a key to no part of the program, so a typo in
 * the prefix read as "no sessions" and `pulumi up` would have removed every session. Loading
 * keeps these keys under their full name; validation reports each with a did-you-mean.
 */
import { CONFIG_NAMESPACE } from './schema';
import { editDistance } from './suggest';
import type { Problem } from './problems';

/** Letters and digits only, compatibility forms folded (fullwidth letters, other hyphens). */
const skeleton = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '');
const OURS = skeleton(CONFIG_NAMESPACE);

/**
 * Whether `namespace` looks like a misspelling of CONFIG_NAMESPACE: the same letters with other
 * separators or case, up to 3 edits away (look-alike letters from other scripts count as edits),
 * or a part of it at least 4 letters long (`notebook`, `platform`).
 */
export function isNearMissNamespace(namespace: string): boolean {
  if (namespace === CONFIG_NAMESPACE) return false;
  const letters = skeleton(namespace);
  return editDistance(letters, OURS) <= 3 || editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 3 || (letters.length >= 4 && OURS.includes(letters));
}

/**
 * `raw` without keys whose namespace is a near miss (see isNearMissNamespace), and one problem
 * per such key: its path is the key as written, since it belongs to no namespace of ours.
 */
export function withoutMisspeltKeys(raw: unknown): { value: unknown; problems: Problem[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { value: raw, problems: [] };
  const problems: Problem[] = [];
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    const separator = key.indexOf(':');
    const namespace = separator < 0 ? undefined : key.slice(0, separator);
    if (namespace !== undefined && isNearMissNamespace(namespace)) {
      problems.push({
        path: key,
        message: `the namespace ${JSON.stringify(namespace)} is not "${CONFIG_NAMESPACE}": Pulumi hands this key to no part of the program, so the stack would run without it (did you mean "${CONFIG_NAMESPACE}:${key.slice(separator + 1)}"?)`,
      });
    } else {
      Object.defineProperty(value, key, { value: (raw as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
    }
  }
  return { value, problems };
}

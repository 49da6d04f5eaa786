/**
 * YAML for Kubernetes objects, fast: the same bytes as `yaml`'s
 * `stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })`, written directly.
 *
 * Why: the library builds a node tree for every value and runs its whole scalar logic on each
 * string; at 1000 sessions that was most of `synth` (about 5 s of a 9 s run under load; see
 * bench/). Kubernetes objects are plain JSON with a few shapes of strings, so this emitter
 * writes block maps and sequences itself and settles the common scalars (names, labels,
 * quantities, paths, URLs) with a conservative test. Everything it is not sure about goes to
 * the library: a scalar it cannot prove plain is rendered by `yaml` in a one-pair document and
 * re-indented to where it belongs (block literals, quoted strings), and a value that is not
 * plain JSON (a Map, a Date, undefined in an array, a non-integer number) makes the whole
 * document fall back to `yaml`. test/unit/manifests/yaml.test.ts compares both byte for byte.
 *
 * Layout rules of `yaml` 2 (defaults: indent 2, indentSeq true) reproduced here: a map's pairs
 * and a sequence's items are joined by a newline and the collection's indent; a pair's
 * collection value goes on the next lines two columns deeper, a sequence item's collection
 * starts on the dash line two columns after the dash; empty collections are `{}` and `[]`;
 * pairs whose value is undefined are left out.
 */
import { Document, stringify } from 'yaml';

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;
const STEP = '  ';

/** Thrown inside the emitter when a value is outside what it handles; the caller falls back to `yaml`. */
class NotPlain extends Error {}

/**
 * Strings that may be plain if no schema tag claims them: a letter, digit, "_" or "/" first (no
 * indicator, no document marker), then printable ASCII, where only ": ", " #", a final ":" and a
 * final space matter in block context; those are excluded below.
 */
const SAFE = /^[A-Za-z0-9_/][\x20-\x7e]*$/;
/** What makes the library double-quote a string whatever else it holds (control characters are the point). */
// eslint-disable-next-line no-control-regex
const FORCE_QUOTE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** The non-string tags of the library's default (core) schema: a string they match must be quoted. */
const TAG_TESTS: readonly RegExp[] = new Document().schema.tags.flatMap((tag) =>
  tag.default && tag.tag !== 'tag:yaml.org,2002:str' && 'test' in tag && tag.test instanceof RegExp ? [tag.test] : [],
);

function plainSafe(value: string): boolean {
  if (!SAFE.test(value) || value.endsWith(' ') || value.endsWith(':') || value.includes(': ') || value.includes(' #')) return false;
  for (const test of TAG_TESTS) if (test.test(value)) return false;
  return true;
}

const scalarCache = new Map<string, string>();
const keyCache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

function remember(cache: Map<string, string>, key: string, value: string): string {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * The common multi-line string as the library writes it: a literal block (`|` when it ends in
 * one newline, `|-` when it ends in none) whose lines carry `indent`, empty lines staying empty.
 * Only for text that starts and ends (before its one final newline) with a non-blank character
 * and has no character the library would quote; anything else returns undefined.
 */
function literalBlock(value: string, indent: string): string | undefined {
  if (FORCE_QUOTE.test(value) || /^[ \t\n]/.test(value)) return undefined;
  const clip = value.endsWith('\n');
  const body = clip ? value.slice(0, -1) : value;
  if (body === '' || /[ \t\n]$/.test(body)) return undefined;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, (breaks) => breaks + indent)}`;
}

/** A string scalar whose value starts `indent` deep (the pair's or item's indent plus a step). */
function stringScalar(value: string, indent: string): string {
  if (value.includes('\n')) {
    const block = literalBlock(value, indent);
    if (block !== undefined) return block;
  }
  let rendered = scalarCache.get(value);
  if (rendered === undefined) {
    if (plainSafe(value)) rendered = value;
    else {
      // The library's own rendering as the value of a root pair, whose content indent is STEP.
      const text = stringify({ x: value }, OPTIONS);
      if (!text.startsWith('x: ') || !text.endsWith('\n')) throw new NotPlain();
      rendered = text.slice(3, -1);
    }
    remember(scalarCache, value, rendered);
  }
  if (!rendered.includes('\n')) return rendered;
  // Block literals and multi-line quoted strings: every non-empty continuation line carries the
  // content indent, which moves from STEP to `indent`.
  const lines = rendered.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    if (!line.startsWith(STEP)) throw new NotPlain();
    lines[i] = indent + line.slice(STEP.length);
  }
  return lines.join('\n');
}

function scalar(value: unknown, indent: string): string {
  switch (typeof value) {
    case 'string':
      return stringScalar(value, indent);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      throw new NotPlain();
    default:
      if (value === null) return 'null';
      throw new NotPlain();
  }
}

function key(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  if (name.length <= 1024 && plainSafe(name)) return remember(keyCache, name, name);
  // A key holding a document marker is quoted at some depths only: the library decides in place.
  if (/^(%|---|\.\.\.)/m.test(name)) throw new NotPlain();
  const text = stringify({ [name]: 0 }, OPTIONS);
  if (!text.endsWith(': 0\n') || text.slice(0, -4).includes('\n') || text.startsWith('? ')) throw new NotPlain();
  return remember(keyCache, name, text.slice(0, -4));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A value in a collection: a non-empty collection (rendered at `indent`), `{}`/`[]`, or a scalar. Returns [text, isBlockCollection]. */
function value(item: unknown, indent: string): [string, boolean] {
  if (Array.isArray(item)) return item.length === 0 ? ['[]', false] : [sequence(item, indent), true];
  if (isPlainObject(item)) {
    const text = map(item, indent);
    return [text, text !== '{}'];
  }
  if (item !== null && typeof item === 'object') throw new NotPlain();
  return [scalar(item, indent), false];
}

function map(object: Record<string, unknown>, indent: string): string {
  let out = '';
  const inner = indent + STEP;
  for (const name of Object.keys(object)) {
    const item = object[name];
    if (item === undefined) continue;
    const [text, block] = value(item, inner);
    const pair = block ? `${key(name)}:\n${inner}${text}` : `${key(name)}: ${text}`;
    out = out === '' ? pair : `${out}\n${indent}${pair}`;
  }
  return out === '' ? '{}' : out;
}

function sequence(items: readonly unknown[], indent: string): string {
  let out = '';
  const inner = indent + STEP;
  for (let i = 0; i < items.length; i++) {
    if (!(i in items) || items[i] === undefined) throw new NotPlain();
    const [text] = value(items[i], inner);
    const line = `- ${text}`;
    out = i === 0 ? line : `${out}\n${indent}${line}`;
  }
  return out;
}

/** One YAML document (no `---`), ending in a newline: byte-identical to `stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })`. */
export function objectToYaml(object: unknown): string {
  if (isPlainObject(object)) {
    try {
      return `${map(object, '')}\n`;
    } catch (error) {
      if (!(error instanceof NotPlain)) throw error;
    }
  }
  return stringify(object, OPTIONS);
}

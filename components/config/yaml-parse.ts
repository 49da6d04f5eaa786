/**
 * Parsing a stack config file: the `yaml` library is the reference (YAML 1.2 core schema, unique
 * keys, positioned error messages), js-yaml the fast path. At 1000 sessions the 230 KB stack file
 * took 600-700 ms through `yaml`'s document model and 100-150 ms through js-yaml.
 *
 * js-yaml gets a schema with YAML 1.2's core scalars as the spec defines them (its own
 * CORE_SCHEMA also reads 0b101, -0x1F and -0o17 as numbers, and no signed .5), so both parsers
 * give the same values; a test compares them on the example stacks, generated teams and a corpus
 * of awkward scalars. Where they could still differ, the text goes to `yaml`: when js-yaml fails
 * (its errors have no positions we show), when the document uses anchors or aliases (`yaml`
 * limits alias expansion, js-yaml does not), and when a key reads as "null" (js-yaml names a null
 * key "null", `yaml` names it "").
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { parseDocument } from 'yaml';

/** A YAML syntax error with its position (`line:col`), from the reference parser. */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
  }
}

const scalar = (tag: string, pattern: RegExp, construct: (text: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (text: string | null) => pattern.test(text ?? ''), construct });

// YAML 1.2.2, 10.3.2 "Tag Resolution" of the core schema.
const CORE_12 = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|null|Null|NULL|)$/, () => null),
    scalar('bool', /^(?:true|True|TRUE|false|False|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T'),
    scalar('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (text) =>
      text.startsWith('0o') ? parseInt(text.slice(2), 8) : text.startsWith('0x') ? parseInt(text.slice(2), 16) : Number(text),
    ),
    scalar('float', /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (text) => {
      const lower = text.toLowerCase();
      if (lower.endsWith('.inf')) return text.startsWith('-') ? -Infinity : Infinity;
      if (lower === '.nan') return NaN;
      return Number(text);
    }),
  ],
});

// Constructs where js-yaml and `yaml` read the same text differently, or where only `yaml` has the
// safeguard: an anchor (&a), alias (*a) or tag (!t) where a node starts; an explicit key (`? `)
// or a flow collection as a key (js-yaml joins `[a, b]: c` into the key "a,b"); a directive
// (`%YAML 1.1` changes the schema for `yaml`, js-yaml ignores it). Flow collections inside flow
// collections count too, which sends some harmless texts to the reference: slower, never wrong.
const NEEDS_REFERENCE = new RegExp(
  [
    /(?:^|[\s[{,])[&*!]/.source,
    /(?:^|[\s[{,])\?(?:\s|$)/.source,
    /^[ \t]*(?:-[ \t]+)*[[{]/.source,
    /[[{,][ \t]*[[{]/.source,
    /^%/.source,
  ].join('|'),
  'm',
);

function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== 'object') return false;
  for (const key in value) {
    if (key === 'null' || hasNullKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** The reference: `yaml`'s document, its first error with a position. */
export function parseYamlReference(text: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const where = error.linePos ? `${error.linePos[0].line}:${error.linePos[0].col}` : '?';
    throw new YamlSyntaxError(error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), where);
  }
  try {
    return document.toJS();
  } catch (error) {
    // Alias errors surface only here: an undefined alias, or more alias expansion than allowed.
    const alias = /: (\S+)$/.exec((error as Error).message)?.[1];
    const offset = alias ? text.indexOf(`*${alias}`) : -1;
    throw new YamlSyntaxError((error as Error).message, offset < 0 ? '?' : linePosition(text, offset));
  }
}

function linePosition(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/** Whether `text` uses a construct only the reference parser reads right (see NEEDS_REFERENCE). */
export function needsReference(text: string): boolean {
  return NEEDS_REFERENCE.test(text);
}

/** One YAML document as plain data, the same as `parseYamlReference` gives, usually faster. */
export function parseYaml(text: string): unknown {
  if (!needsReference(text)) {
    let value: unknown;
    try {
      value = load(text, { schema: CORE_12 });
    } catch {
      return parseYamlReference(text);
    }
    // An empty document: js-yaml gives undefined, `yaml` null.
    if (!hasNullKey(value)) return value === undefined ? null : value;
  }
  return parseYamlReference(text);
}

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
import { parseAllDocuments, parseDocument, Parser, type Document } from 'yaml';

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
// safeguard: an anchor (&a), alias (*a) or tag (!t) where a node can start (after indentation,
// dashes or a document marker, a colon or question mark and a blank, or a flow indicator; within
// a plain scalar such as an unquoted `0 3 * * *` they are text, and `&"a` is an anchor named
// `"a`); an explicit key (`? `)
// or a flow collection as a key (js-yaml joins `[a, b]: c` into the key "a,b"); a directive
// (`%YAML 1.1` changes the schema for `yaml`, js-yaml ignores it). Flow collections inside flow
// collections count too, which sends some harmless texts to the reference: slower, never wrong.
const NEEDS_REFERENCE = new RegExp(
  [
    /(?:^(?:---)?[ \t]*(?:-[ \t]+)*|[:?][ \t]+|[[{,][ \t]*)[&*!]/.source,
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

/**
 * Deepest nesting of maps and lists a stack config file may have, the document's own map being
 * level 1. A stack config needs fewer than 10; both parsers recurse per level, and thousands of
 * levels ran them out of stack ("Maximum call stack size exceeded", at no useful position).
 */
export const MAX_YAML_DEPTH = 64;

const TOO_DEEP = `nested more than ${MAX_YAML_DEPTH} levels deep`;
const STACK_CONFIG_DEPTH = 'a stack config needs fewer than 10';

/** Whether a parsed value nests maps and lists deeper than MAX_YAML_DEPTH (walked without recursion). */
function tooDeep(value: unknown): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_YAML_DEPTH) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

type CstNode = { type: string; offset: number; items?: { key?: CstNode | null; value?: CstNode | null }[]; value?: CstNode | null };
const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/**
 * The offset of the first map or list (in document order) deeper than MAX_YAML_DEPTH, from
 * `yaml`'s syntax tree: its lexer and parser keep their own stacks, so any depth is safe there.
 */
function tooDeepOffset(text: string): number | undefined {
  for (const token of new Parser().parse(text)) {
    const pending: [CstNode | null | undefined, number][] = [[(token as CstNode).value, 1]];
    while (pending.length > 0) {
      const [node, depth] = pending.pop()!;
      if (!node || !COLLECTIONS.has(node.type)) continue;
      if (depth > MAX_YAML_DEPTH) return node.offset;
      // Reversed, so the stack pops children in document order.
      for (const item of [...(node.items ?? [])].reverse()) pending.push([item.value, depth + 1], [item.key, depth + 1]);
    }
  }
  return undefined;
}

/** The error for a document nested too deep, at its first node too deep (an alias's when only expansion made it so). */
function depthError(text: string, hint = STACK_CONFIG_DEPTH): YamlSyntaxError {
  const alias = /(?:^|[\s[{,])\*/m.exec(text);
  const offset = tooDeepOffset(text) ?? (alias ? alias.index + alias[0].length - 1 : -1);
  return new YamlSyntaxError(`${TOO_DEEP} (${hint})`, offset < 0 ? '?' : linePosition(text, offset));
}

/** The reference: `yaml`'s document, its first error with a position. */
export function parseYamlReference(text: string): unknown {
  return documentValue(parseDocument(text, { prettyErrors: true, uniqueKeys: true }), text, STACK_CONFIG_DEPTH);
}

/**
 * Every document of a multi-document text (`---` between documents, as Kubernetes manifests
 * are written) as plain data, through the reference parser with the same limits and errors;
 * an empty document is null.
 */
export function parseYamlDocuments(text: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  // A text with no document at all (empty, only comments) comes back as an empty stream.
  if (!Array.isArray(documents)) return [];
  return documents.map((document) => documentValue(document, text, 'Kubernetes objects nest far less'));
}

/** A parsed document's value, or its first error with a position in `text`. */
function documentValue(document: Document.Parsed, text: string, depthHint: string): unknown {
  if (document.errors.length > 0) {
    if (tooDeepOffset(text) !== undefined) throw depthError(text, depthHint);
    const error = document.errors[0];
    const where = error.linePos ? `${error.linePos[0].line}:${error.linePos[0].col}` : '?';
    throw new YamlSyntaxError(error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), where);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    if (tooDeepOffset(text) !== undefined) throw depthError(text, depthHint);
    // Alias errors surface only here: an undefined alias, or more alias expansion than allowed.
    const alias = /: (\S+)$/.exec((error as Error).message)?.[1];
    const offset = alias ? text.indexOf(`*${alias}`) : -1;
    throw new YamlSyntaxError((error as Error).message, offset < 0 ? '?' : linePosition(text, offset));
  }
  if (tooDeep(value)) throw depthError(text, depthHint);
  return value;
}

function linePosition(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/**
 * Whether `text` uses a construct only the reference parser reads right (see NEEDS_REFERENCE).
 * Quoted scalars are blanked first, so that a quoted cron schedule ("0 3 * * *") is not taken
 * for an alias; a quoted scalar that does not end on its own line sends the text to the reference.
 */
export function needsReference(text: string): boolean {
  const unquoted = withoutQuotedScalars(text);
  return unquoted === undefined || NEEDS_REFERENCE.test(unquoted);
}

// What may stand before a quote for it to open a quoted scalar: nothing but indentation and
// block-sequence dashes, a mapping colon followed by a blank, or a flow indicator. A quote
// anywhere else is text of a plain scalar (which can end at a flow comma, so what follows it
// is not blanked: `[a "b, *c"]` holds the alias *c).
const QUOTE_MAY_OPEN = /(?:^[ \t]*(?:-[ \t]+)*|:[ \t]+|[[{,][ \t]*)$/;

/** `text` with every one-line quoted scalar replaced by `""`; undefined if one spans lines. */
function withoutQuotedScalars(text: string): string | undefined {
  if (!text.includes('"') && !text.includes("'")) return text;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    for (let i = 0; i < line.length; i++) {
      const quote = line[i];
      if ((quote !== '"' && quote !== "'") || !QUOTE_MAY_OPEN.test(line.slice(0, i))) continue;
      const end = closingQuote(line, i);
      if (end < 0) return undefined;
      line = `${line.slice(0, i)}""${line.slice(end + 1)}`;
      i += 1;
    }
    lines[n] = line;
  }
  return lines.join('\n');
}

/** Index of the quote closing the scalar opened at `start` ('' and \" do not close), or -1. */
function closingQuote(line: string, start: number): number {
  const quote = line[start];
  for (let i = start + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') i++;
    else if (line[i] === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
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
    if (tooDeep(value)) throw depthError(text);
    // An empty document: js-yaml gives undefined, `yaml` null.
    if (!hasNullKey(value)) return value === undefined ? null : value;
  }
  return parseYamlReference(text);
}

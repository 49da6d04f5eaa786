/**
 * The fast stack-file parser (js-yaml with YAML 1.2 core scalars) gives what the reference
 * (`yaml`'s document) gives: on the example stacks, generated teams, every awkward scalar as a
 * value and a key, structures, and the documents it must hand to the reference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { needsReference, parseYaml, parseYamlDocuments, parseYamlReference, YamlSyntaxError } from '../../../components/config/yaml-parse';
import { benchStackYaml } from '../../../bench/generate';

const STACKS = join(__dirname, '..', '..', '..', 'stacks');

/** Same value, same key order, NaN and -0 told apart from null and 0. */
function same(text: string): void {
  const encode = (value: unknown) =>
    JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? `number:${v}` : Object.is(v, -0) ? 'number:-0' : v));
  let reference: string;
  try {
    reference = encode(parseYamlReference(text));
  } catch (error) {
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect(() => parseYaml(text)).toThrow((error as Error).message);
    return;
  }
  expect(encode(parseYaml(text))).toBe(reference);
}

const SCALARS = [
  '', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0', '-0', '+0', '+1', '-1', '01', '0777', '0o17', '0O17', '0o8', '0x1F', '0X1F', '0xff', '0xG', '0b101', '1_000', '1,000',
  '1.5', '1.', '.5', '-.5', '+.5', '-1.5', '1e3', '1E3', '1e+3', '1e-3', '1.5e-3', '.5e3', '1.e3', 'e3', '1e', '-1e3',
  '.inf', '-.inf', '+.inf', '.Inf', '-.Inf', '.INF', '.iNF', '.nan', '.NaN', '.NAN', '.naN', '-.nan', 'inf', 'nan', 'Infinity', 'NaN',
  '123456789012345678901234', '9007199254740993', '0.0000001', '1.0000000000000002', '2025-12-01', '2001-12-14t21:59:43.10-05:00',
  '12:30', '1:2:3', '190:20:30', '0x', '0o', '-0x1F', '+0x1F', '-0o17', '00', '0.', '+', '.', '..', '1__0', '_1', '1_', '0b',
  '500m', '4Gi', '1.5Gi', '10.0.0.0/8', 'https://a.example.com/x?y=1&z=2', 'a&b', 'a*b', 'x &y', '<<', '=', '!', '@x', '`x', '1 * * *', 'a & b', '"0 3 * * *"', "'* *'",
  "'quoted'", '"double"', "'null'", '"123"', "'~'", '"true"', "''", '""', '"a\\tb"', "'it''s'",
];

describe('parseYaml', () => {
  it('gives the reference values for every example stack', () => {
    const files = readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) same(readFileSync(join(STACKS, file), 'utf8'));
  });

  it.each([1, 10, 200])('gives the reference values for a generated team of %i sessions', (n) => {
    same(benchStackYaml(n));
  });

  it('takes the fast path for the example stacks and generated teams (what the speed is for)', () => {
    for (const file of readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
      expect([file, needsReference(readFileSync(join(STACKS, file), 'utf8'))]).toEqual([file, false]);
    }
    expect(needsReference(benchStackYaml(300))).toBe(false);
    // A cron schedule's stars are text (the backup and usage schedules of the examples).
    for (const text of ['schedule: "0 3 * * *"\n', 'schedule: 17 * * * *\n', "s: '*/5 * * * *'\n"]) {
      expect([text, needsReference(text)]).toEqual([text, false]);
      same(text);
    }
    for (const text of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: b\n', '[a]: b\n', '- {a: 1}: b\n', '{[a]: b}\n', '%YAML 1.1\n---\na: 1\n']) {
      expect([text, needsReference(text)]).toEqual([text, true]);
    }
  });

  it('looks past quoted scalars, never past an alias, anchor or tag outside them', () => {
    // Quoted: text, whatever it holds (a cron schedule, an escaped quote, a doubled single quote).
    for (const text of ['s: "0 3 * * *"\n', 's: 0 3 * * *\n', 'a: b &c !d\n', "s: '0 3 * * *'\n", '- "*x"\n', 'a: [b, "*c", \'&d\']\n', 's: "a \\" *b"\n', "s: 'it''s *b'\n", 'a: b"c *d"\n']) {
      expect([text, needsReference(text)]).toEqual([text, false]);
      same(text);
    }
    // Not quoted scalars, or not only: a quote inside a plain scalar opens nothing, and one that
    // does not close on its line is left to the reference parser.
    for (const text of ['a: &x 1\nb: "*x" *x\n', 'a: [b "c, *d"]\n', 'a: &x 1\nb: [c:"d, *x"]\n', 'a: "b\n  *c"\n', "a: 'b\n  c'\n", 'x: &a 1\ny: {"k": *a}\n', 'x: &a 1\ny:\n  - *a\n', 'x: &a 1\ny: [b, *a]\n', 'x: &a 1\ny: {b: *a}\n', 'x: !!str 1\n', '- - &a 1\n- *a\n', '--- !!str 1\n']) {
      expect([text, needsReference(text)]).toEqual([text, true]);
    }
    // An anchor may be named with a quote (`&"a`): aliases of it must reach the parser that limits
    // their expansion, however they are spelled.
    const laughs = 'a: &"a\n  - 1\n  - 1\nb: &\'b\n  - *"a\n  - *"a\nc:\n  - *\'b\n  - *\'b\n';
    expect(needsReference(laughs)).toBe(true);
    expect(parseYaml(laughs)).toEqual({ a: [1, 1], b: [[1, 1], [1, 1]], c: [[[1, 1], [1, 1]], [[1, 1], [1, 1]]] });
    // A bare * or & where a node starts is refused by both parsers; the reference gives the error.
    for (const text of ['a: *\n', 'b: &\n', '- * x\n']) {
      expect([text, needsReference(text)]).toEqual([text, true]);
      same(text);
    }
  });

  it.each(SCALARS.map((s) => [s]))('scalar %j as a value, a list item, a flow value and a key', (s) => {
    same(`v: ${s}\n`);
    same(`- ${s}\n- x\n`);
    same(`{a: ${s}, b: [${s}]}\n`);
    if (s !== '') same(`${s}: v\n`);
  });

  it('reads YAML 1.2 core scalars, not js-yaml\'s own core schema', () => {
    expect(parseYaml('a: 0b101\nb: -0x1F\nc: +.5\nd: 0o17\ne: .NaN\nf: -.inf\n')).toEqual({ a: '0b101', b: '-0x1F', c: 0.5, d: 15, e: NaN, f: -Infinity });
    // the library's CORE_SCHEMA would disagree with the reference on these:
    expect(load('a: 0b101', {})).toEqual({ a: 5 });
  });

  const documents: [string, string][] = [
    ['nested maps and lists', 'config:\n  a:b:\n    - x: 1\n      y: [1, 2, {z: ~}]\n    - - deep\n  c: |\n    line\n     two\n  d: >-\n    folded\n    text\n'],
    ['block scalars with chomping', 'a: |+\n  keep\n\nb: |-\n  strip\nc: >\n  fold\n  me\n\n'],
    ['comments and blank lines', '# head\nconfig: # c\n\n  k: v # c\n  # inside\n  l: [1, # x\n    2]\n'],
    ['secure values', 'config:\n  notebook-platform:sso:\n    secure: v1:abc==\n'],
    ['an empty document', ''],
    ['only a comment', '# nothing\n'],
    ['a document marker', '---\na: 1\n...\n'],
    ['a null key', '~: x\nnull: y\n'],
    ['a quoted "null" key', '"null": x\n'],
    ['anchors and aliases', 'a: &x {k: 1}\nb: *x\nc: [*x, *x]\n'],
    ['a merge key', 'a: &x {k: 1}\nb: {<<: *x, j: 2}\n'],
    ['a YAML 1.1 directive', '%YAML 1.1\n---\na: yes\nb: 0777\n'],
    ['explicit tags', 'a: !!str 1\nb: !!int "3"\nc: !!float 1\nd: !!null ""\ne: !custom x\nf: !!binary aGk=\n'],
    ['complex keys', '? [a, b]\n: c\n? {x: 1}\n: d\n'],
    ['tabs and unicode', 'a: "tab\\there"\nb: é日本\nc: "\\u00e9"\n'],
    ['windows line ends', 'a: 1\r\nb:\r\n  - x\r\n'],
  ];
  it.each(documents)('%s', (_, text) => same(text));

  const invalid: [string, string][] = [
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['a tab as indentation', 'a:\n\tb: 1\n'],
    ['an unclosed flow list', 'a: [1, 2\n'],
    ['an unclosed quote', 'a: "x\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['an undefined alias', 'a: *nope\n'],
  ];
  it.each(invalid)('%s: the reference\'s error, with its position', (_, text) => {
    expect(() => parseYamlReference(text)).toThrow(YamlSyntaxError);
    let error: unknown;
    try {
      parseYaml(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect((error as YamlSyntaxError).where).toMatch(/^\d+:\d+$/);
  });
});

describe('parseYamlDocuments', () => {
  it('every document of a stream, an empty one as null, the same values as the reference gives each', () => {
    const parts = ['a: 1\nb: [x, y]\n', 'c: {d: "0 3 * * *"}\n', '', 'e: 0o17\n'];
    expect(parseYamlDocuments(parts.map((part) => `---\n${part}`).join(''))).toEqual(parts.map((part) => parseYamlReference(part)));
    expect(parseYamlDocuments('')).toEqual([]);
    expect(parseYamlDocuments('# only a comment\n')).toEqual([]);
  });

  it('errors carry their line and column in the whole text, not in the document', () => {
    const error = (() => {
      try {
        parseYamlDocuments('a: 1\n---\nb: 2\nb: 3\n');
      } catch (caught) {
        return caught as YamlSyntaxError;
      }
      throw new Error('expected a YamlSyntaxError');
    })();
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect(error.where).toBe('4:1');
    expect(error.message).toMatch(/^Map keys must be unique/);
  });
});

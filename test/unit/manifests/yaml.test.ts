/**
 * The fast YAML emitter that the benchmark led to (components/manifests/yaml.ts) writes exactly
 * the bytes `yaml`'s stringify writes: for every synthesized object of the example stacks and a
 * generated team, for hand-picked awkward scalars and keys at several depths, and for seeded
 * random documents.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readStackConfigFile } from '../../../components/config/load';
import { validateConfig } from '../../../components/config/validate';
import { synthesize, toYaml } from '../../../components/manifests/synth';
import { objectToYaml } from '../../../components/manifests/yaml';
import { benchConfig } from '../../../bench/generate';

const reference = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
const same = (value: unknown) => expect(objectToYaml(value)).toBe(reference(value));

const STACKS = join(__dirname, '..', '..', '..', 'stacks');

describe('objectToYaml', () => {
  it('renders every synthesized object of the example stacks and a generated team byte for byte', () => {
    const configs = readdirSync(STACKS)
      .filter((file) => /^Pulumi\..+\.yaml$/.test(file))
      .map((file) => readStackConfigFile(join(STACKS, file)));
    configs.push(benchConfig(40));
    let objects = 0;
    for (const config of configs) {
      const result = validateConfig(config);
      if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
      for (const file of synthesize(result.plan)) {
        for (const object of file.objects) {
          same(object);
          objects++;
        }
        expect(toYaml(file.objects)).toBe(file.objects.map(reference).join('---\n'));
      }
    }
    expect(objects).toBeGreaterThan(200);
  });

  const awkward = [
    '', ' ', 'a b', 'a: b', 'a:b', 'a:', 'a #b', 'a#b', '#x', '-', '- x', '-x', '--x', '?', '? x', '?x', ':x', ',x', 'x,', '[x]', '{x}', 'x]',
    '*alias', '&anchor', '!tag', '%dir', '@at', '`tick', '|x', '>x', "'single'", '"double"', "it's", 'say "hi"',
    'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', 'Null', 'NULL', '~', 'nil',
    '0', '1', '01', '0770', '-1', '+1', '1.5', '1.', '.5', '1e3', '1E3', '1e', '1_000', '0x1F', '0X1F', '0o17', '0b101', '.inf', '-.inf', '.nan', '.NaN', 'inf',
    '500m', '2Gi', '1.5Gi', '10.0.0.0/8', '169.254.169.254/32', '2025-12-01', '12:30', '1:2:3', 'https://a.example.com/x?y=1&z=2', 'git@host:org/repo.git',
    'a\nb', 'a\nb\n', 'a\nb\n\n', 'a\n\n\nb', '\na', '\n\na\n', ' a\nb', '  a\n b\n', 'a \nb', 'a\n  b', 'a\n\tb', 'line\n  ', 'a\n', '\n', '\n\n', 'x\n#y', 'x\n---\ny', '...\nx', '---', '...', '--- x', '%x\ny',
    '50%', 'a%40b', 'x?y=1&z=2', 'k!v', 'a*b', 'a"b', "a'b", 'a[b]', 'a{b}', 'a,b,c', 'a\\b', 'a|b', 'a>b', 'a`b', 'x ~', 'a\'', 'a - b', 'a -', 'key=value; other',
    'line one\nline two\n', 'a\n\n', 'a\n \n', 'a\n \nb\n', 'x\n\ty\n', '\tx\ny', 'x\n  indented\n', 'a: b\nc', 'a\n#comment\n', 'tab at end\t\nx', 'x\nends with tab\t', 'x\nends with space \n', 'a\r\nb\n', 'a\n\u0085b', 'a\n---\nb\n', '#!/bin/sh\necho "hi"\n', 'x\n\n\n', ' lead\nx\n', '\n\nx', 'x\n y\n  z',
    'tab\there', 'cr\r\nlf', 'bell\u0007', 'del\u007f', 'é', '日本語', 'emoji 😀', 'lone \ud800', 'x'.repeat(2000), `${'word '.repeat(300)}end`, `${'long line '.repeat(50)}\nsecond`,
  ];

  it.each(awkward.map((s) => [JSON.stringify(s).slice(0, 60), s]))('string %s as values at every depth and as a key', (_, value) => {
    same({ value });
    same({ a: { b: { value } } });
    same({ list: [value, 'x', value] });
    same({ list: [[value, [value]], { k: value, l: [value] }] });
    same({ [value]: 1, other: { [value]: [value] } });
  });

  it('numbers, booleans, null, empty collections and skipped undefined values', () => {
    same({ n: [0, 1, -5, 2 ** 53 - 1, 2 ** 53, 1.5, -0, 1e21, 1e-7, NaN, Infinity, -Infinity], b: [true, false], z: null, e: {}, a: [], nested: [[], {}, [[]], [{}]] });
    same({ a: undefined, b: 1, c: { d: undefined }, e: [{ f: undefined }] });
    same({});
    same({ only: undefined });
  });

  it('falls back to the library for what is not plain JSON', () => {
    same({ date: new Date(0) });
    same({ map: new Map([['a', 1]]) });
    same({ sparse: [1, , 3] }); // eslint-disable-line no-sparse-arrays
    same({ holes: [undefined, 1] });
    same({ set: new Set([1, 2]) });
    same({ big: 10n });
    same(['a', 'root', 'sequence']);
    same('a root string');
    same({ k: Object.assign(Object.create({ inherited: 1 }), { own: 2 }) });
  });

  it('matches on seeded random documents', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const alphabet = 'ab Z09-_.:/#,[]{}&*!|>\'"%@`? \n\n\t~=+()$\\';
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const string = () => {
      const chars = random() < 0.3 ? printable : [...alphabet];
      return Array.from({ length: Math.floor(random() * 12) }, () => pick(chars)).join('');
    };
    const node = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 7);
      switch (kind) {
        case 0:
        case 1:
          return random() < 0.3 ? pick(awkward) : string();
        case 2:
          return pick([0, 7, -3, true, false, null, 1.25]);
        case 3:
          return pick(['plain-name', 'app.kubernetes.io/name', '500m', 'https://x.example.com/a']);
        case 4:
        case 5:
          return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [random() < 0.2 ? string() : pick(['name', 'spec', 'a b', 'x-y', 'true', '1']), node(depth + 1)]));
        default:
          return Array.from({ length: Math.floor(random() * 4) }, () => node(depth + 1));
      }
    };
    for (let i = 0; i < 4000; i++) same({ root: node(0), [string()]: node(1) });
  });
});

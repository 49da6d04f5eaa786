/**
 * Kubernetes objects are typed by cdk8s-plus-27's Kubernetes API definitions (components/manifests/kube.ts):
 * the TypeScript compiler, run as `tsc --noEmit` on the fixtures in type-fixtures/, refuses a
 * misspelt field and a value of the wrong type, and accepts their correct twin.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { JSON_FIELD_NAMES } from '../../../components/manifests/kube';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(__dirname, 'type-fixtures');
const TWIN = 'statefulset.ts';

/** `tsc --noEmit -p type-fixtures`: its exit status and error lines by fixture file. */
function compileFixtures(): { status: number | null; errors: Record<string, string[]> } {
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', path.join(FIXTURES, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const errors: Record<string, string[]> = {};
  for (const line of run.stdout.split('\n')) {
    const match = /^(.*?)\(\d+,\d+\): (error TS\d+: .*)$/.exec(line);
    if (match) (errors[path.basename(match[1])] ??= []).push(match[2]);
  }
  return { status: run.status, errors };
}

/** The lines where a fixture differs from its twin (same length: one field changed). */
function differingLines(fixture: string): string[] {
  const twin = readFileSync(path.join(FIXTURES, TWIN), 'utf8').split('\n');
  const lines = readFileSync(path.join(FIXTURES, fixture), 'utf8').split('\n');
  expect(lines).toHaveLength(twin.length);
  return lines.flatMap((line, i) => (i > 0 && line !== twin[i] ? [`${twin[i].trim()} -> ${line.trim()}`] : []));
}

describe('objects typed by the Kubernetes API definitions', () => {
  let result: ReturnType<typeof compileFixtures>;
  beforeAll(() => {
    result = compileFixtures();
  }, 120_000);

  it('the fixtures are twins: each broken one differs from the correct one in one field', () => {
    expect(differingLines('misspelt-field.ts')).toEqual([expect.stringMatching(/^containers: .* -> contianers: /)]);
    expect(differingLines('wrong-type.ts')).toEqual([expect.stringMatching(/containerPort: 8888 .* -> .*containerPort: '8888'/)]);
  });

  it('tsc fails, on the two broken fixtures only', () => {
    expect(result.status).toBe(2);
    expect(Object.keys(result.errors).sort()).toEqual(['misspelt-field.ts', 'wrong-type.ts']);
    expect(result.errors[TWIN]).toBeUndefined();
  });

  it('a misspelt field is refused, naming it and the field it should be', () => {
    expect(result.errors['misspelt-field.ts']).toEqual([
      expect.stringMatching(/^error TS2561: Object literal may only specify known properties, but 'contianers' does not exist in type .*Did you mean to write 'containers'\?$/),
    ]);
  });

  it('a value of the wrong type is refused', () => {
    expect(result.errors['wrong-type.ts']).toEqual(["error TS2322: Type 'string' is not assignable to type 'number'."]);
  });
});

describe('JSON_FIELD_NAMES', () => {
  it("lists exactly the fields cdk8s-plus-27's k8s module renames, with the JSON name its toJson functions write", () => {
    const source = readFileSync(require.resolve('cdk8s-plus-27/lib/imports/k8s.js'), 'utf8');
    const renames: Record<string, string> = {};
    for (const [, json, field] of source.matchAll(/^\s+'([^']+)': (?:\(\()?obj\??\.([A-Za-z0-9_]+)/gm)) if (json !== field) renames[field] = json;
    expect(Object.keys(renames).length).toBeGreaterThan(10);
    expect(renames).toEqual({ ...JSON_FIELD_NAMES });
  });
});

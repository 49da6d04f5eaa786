/**
 * Every field of the stack config carries a description, an example and its default into the
 * JSON Schema editors read (schema/stack-config.schema.json).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { stackConfigSchema } from '../../../components/config/schema';
import { stackFileJsonSchema } from '../../../components/config/json-schema';
import { fieldDocProblems, schemaFields } from '../../../components/config/field-docs';

type JsonNode = Record<string, any>;

/** Every property node of a JSON Schema, with its path. */
function properties(node: JsonNode, path = ''): [string, JsonNode][] {
  const found: [string, JsonNode][] = [];
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonNode>)) {
    found.push([`${path}${path ? '.' : ''}${key}`, child], ...properties(child, `${path}${path ? '.' : ''}${key}`));
  }
  if (node.items && typeof node.items === 'object') found.push(...properties(node.items, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') found.push(...properties(node.additionalProperties, `${path}.*`));
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) found.push(...properties(option, path));
  return found;
}

describe('field documentation', () => {
  it('documents every field of the stack config: description, valid example, default', () => {
    expect(schemaFields(stackConfigSchema).size).toBeGreaterThan(100);
    expect(fieldDocProblems(stackConfigSchema)).toEqual([]);
  });

  it('names a field without a description, a bad example and an unsaid default', () => {
    const schema = z.strictObject({ a: z.string(), b: z.number().optional(), c: z.strictObject({ d: z.boolean() }) });
    const docs = { a: { description: 'A.', example: 'x' }, b: { description: 'B.', example: 'not a number' }, c: { description: 'C.', example: { d: true } } };
    expect(fieldDocProblems(schema, docs)).toEqual([
      'b: the example "not a number" is not a valid value',
      'b: optional without a default value: say what leaving it out means (default)',
      'c.d: no description (add it to FIELD_DOCS in components/config/field-docs.ts)',
    ]);
  });

  it('writes a description with the default or "Required." and an example into every property of the JSON Schema', () => {
    const all = properties((stackFileJsonSchema().properties as JsonNode).config);
    expect(all.length).toBeGreaterThan(100);
    const missing = all.filter(([, node]) => typeof node.description !== 'string' || !Array.isArray(node.examples) || node.examples.length === 0).map(([path]) => path);
    expect(missing).toEqual([]);
    const byPath = new Map(all);
    expect(byPath.get('notebook-platform:team')!.description).toMatch(/ Required\.$/);
    expect(byPath.get('notebook-platform:sessions[].running')!.description).toMatch(/ Default: true\.$/);
    expect(byPath.get('notebook-platform:sizes.*.cpuLimit')!.description).toMatch(/ Default: twice the request\.$/);
    expect(byPath.get('notebook-platform:network.gitHosts[].ports')!.examples).toEqual([[443, 22]]);
  });
});

describe('the editor mapping this repository ships (.vscode/settings.json)', () => {
  it('points the YAML language server at the schema for every stack file', () => {
    const root = join(__dirname, '..', '..', '..');
    const settings = JSON.parse(readFileSync(join(root, '.vscode', 'settings.json'), 'utf8')) as { 'yaml.schemas': Record<string, string[]> };
    const entries = Object.entries(settings['yaml.schemas']);
    expect(entries).toHaveLength(1);
    const [schema, globs] = entries[0];
    expect(existsSync(join(root, schema))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, schema), 'utf8')).title).toMatch(/Pulumi\.<team>\.yaml/);
    const glob = new RegExp(`^${globs[0].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    const stacks = readdirSync(join(root, 'stacks')).filter((f) => f.endsWith('.yaml')).map((f) => `stacks/${f}`);
    expect(stacks.length).toBeGreaterThanOrEqual(3);
    for (const file of stacks) expect(glob.test(file)).toBe(true);
  });
});

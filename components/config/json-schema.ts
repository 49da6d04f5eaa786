/**
 * The JSON Schema of a `Pulumi.<team>.yaml`, generated from the zod schema so editors validate
 * stack configs with the same rules (committed as schema/stack-config.schema.json).
 */
import { z } from 'zod';
import { CONFIG_NAMESPACE, stackConfigSchema } from './schema';
import { documentJsonSchema } from './field-docs';

export function stackFileJsonSchema(): Record<string, unknown> {
  // Each field's description and example, for editors' hover (field-docs.ts).
  const inner = documentJsonSchema(z.toJSONSchema(stackConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(inner.properties).sort()) properties[`${CONFIG_NAMESPACE}:${key}`] = inner.properties[key];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://notebook-platform.dev/schema/stack-config.schema.json',
    title: 'notebook-platform team stack config (Pulumi.<team>.yaml)',
    type: 'object',
    properties: {
      config: {
        type: 'object',
        properties,
        required: (inner.required ?? []).map((key) => `${CONFIG_NAMESPACE}:${key}`).sort(),
        // Other namespaces (aws:region, kubernetes:context) belong to other packages.
        patternProperties: { [`^(?!${CONFIG_NAMESPACE}:)[^:]+:`]: {} },
        additionalProperties: false,
      },
      secretsprovider: { type: 'string' },
      encryptedkey: { type: 'string' },
      encryptionsalt: { type: 'string' },
    },
    required: ['config'],
  };
}

/** The committed file's exact text. */
export function stackFileJsonSchemaText(): string {
  return JSON.stringify(stackFileJsonSchema(), null, 2) + '\n';
}

/**
 * Config values as the Pulumi runtime hands them to a program: every value a string, structured
 * values JSON-encoded, keys namespaced. Turned into the object the schema validates.
 */
import { extractNamespace } from './load';
import type { StackConfigInput } from './schema';

/**
 * The `notebook-platform:*` keys of the stack's config, namespace stripped:
 * `new NotebookPlatform(name, { config: configFromPulumi(pulumi.runtime.allConfig()) })`.
 * Typed as what the schema accepts but not checked here (a stack file can hold anything):
 * NotebookPlatform validates it and reports every problem before creating anything.
 */
export function configFromPulumi(all: Record<string, string>): StackConfigInput {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const trimmed = value.trimStart();
    decoded[key] = trimmed.startsWith('{') || trimmed.startsWith('[') ? JSON.parse(value) : value;
  }
  return extractNamespace(decoded) as StackConfigInput;
}

/**
 * Config values as the Pulumi runtime hands them to a program: every value a string, structured
 * values JSON-encoded, keys namespaced. Turned into the object the schema validates.
 */
import { extractNamespace } from './load';

export function configFromPulumi(all: Record<string, string>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const trimmed = value.trimStart();
    decoded[key] = trimmed.startsWith('{') || trimmed.startsWith('[') ? JSON.parse(value) : value;
  }
  return extractNamespace(decoded);
}

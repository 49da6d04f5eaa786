/**
 * The canonical JSON form of a Kubernetes object, as cdk8s's `ApiObject.toJson()` renders it:
 * keys sorted at every depth, null and undefined values dropped from maps, `metadata` without
 * empty maps or lists, and `apiVersion`, `kind`, `metadata` first.
 *
 * `synthesize` uses this instead of building a cdk8s App and calling `toJson()` per object:
 * cdk8s resolves every leaf through its token resolvers, which cost more than everything else in
 * `synth` at 1000 sessions, only to produce this form for plain values. A test compares both on
 * every object of every example stack, so a cdk8s upgrade that changes its output is noticed.
 */
import type { KubeObject } from './objects';

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/** Like cdk8s's sanitizeValue: sorted keys, no null/undefined in maps; optionally no empty maps/lists. */
function sanitize(value: unknown, dropEmpty: boolean): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value as Json;
  if (Array.isArray(value)) {
    if (dropEmpty && value.length === 0) return undefined;
    return value.map((item) => sanitize(item, dropEmpty)) as Json[];
  }
  if (value.constructor !== Object) {
    throw new Error(`can't render non-simple object of type '${value.constructor.name}'`);
  }
  const result: { [key: string]: Json } = {};
  for (const key of Object.keys(value).sort()) {
    const inner = sanitize((value as Record<string, unknown>)[key], dropEmpty);
    if (inner !== undefined) result[key] = inner;
  }
  if (dropEmpty && Object.keys(result).length === 0) return undefined;
  return result;
}

/** `object` in the form `ApiObject.toJson()` gives it (for plain values: no tokens, no patches). */
export function canonicalObject(object: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = object;
  const body = sanitize(rest, false) as { [key: string]: Json };
  const result: Record<string, unknown> = { apiVersion, kind };
  const cleanMetadata = sanitize(metadata, true);
  if (cleanMetadata !== undefined) result.metadata = cleanMetadata;
  for (const key of Object.keys(body)) result[key] = body[key];
  return result as unknown as KubeObject;
}

/**
 * A problem in a stack config: the config path (`notebook-platform:sessions[2].size`) and a
 * message saying what is wrong, the value, and what is allowed.
 */
import { REPLACED_KEYS } from './culling-schema';
import type { z } from 'zod';
import { CONFIG_NAMESPACE } from './schema';
import { didYouMean } from './suggest';

export interface Problem {
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;

/** `["sessions", 2, "size"]` -> `notebook-platform:sessions[2].size`. */
export function configPath(segments: readonly PathSegment[]): string {
  let path = CONFIG_NAMESPACE + ':';
  segments.forEach((segment, index) => {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += index === 0 ? segment : `.${segment}`;
  });
  return path;
}

export function formatProblem(problem: Problem): string {
  return `${problem.path}: ${problem.message}`;
}

/** Renders a value for a message; secrets are never echoed. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 100 ? text.slice(0, 97) + "..." : text;
}

type ZodIssue = z.core.$ZodIssue & { input?: unknown };

/** The keys an object schema accepts at `path`, for "did you mean" on unknown keys. */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let current: unknown = schema;
  let value = data;
  const unwrap = () => {
    for (;;) {
      const def = (current as { _zod: { def: { type: string; innerType?: unknown } } })._zod.def;
      if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) current = def.innerType;
      else if (def.type === 'union') {
        const options = (def as unknown as { options: z.ZodType[] }).options;
        const backend = (value as { backend?: unknown } | undefined)?.backend;
        current = options.find((option) => {
          const shape = (option as unknown as { shape?: Record<string, { _zod: { def: { values?: unknown[] } } }> }).shape;
          return shape?.backend?._zod.def.values?.includes(backend);
        }) ?? options[0];
      } else return def;
    }
  };
  for (const segment of path) {
    const def = unwrap() as { type: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown };
    if (def.type === 'object' && typeof segment === 'string' && def.shape) current = def.shape[segment];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
    value = (value as Record<string | number, unknown> | undefined)?.[segment];
    if (!current) return [];
  }
  const def = unwrap() as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${show(value)}`;
}

/** One problem per zod issue (one per key for unknown keys). */
export function problemsFromZod(schema: z.ZodType, issues: readonly ZodIssue[], data: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const segments = issue.path as PathSegment[];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, segments, data);
        for (const key of issue.keys) {
          const replaced = REPLACED_KEYS[[...segments, key].join('.')];
          if (replaced) {
            problems.push({ path: configPath([...segments, key]), message: replaced });
            continue;
          }
          problems.push({
            path: configPath([...segments, key]),
            message: `unknown key "${key}"; allowed keys: ${known.join(', ')}${didYouMean(key, known)}`,
          });
        }
        break;
      }
      case 'invalid_union': {
        const options = ((issue as unknown as { options?: unknown[] }).options ?? []).map(String);
        const input = (issue.input as Record<string, unknown> | undefined)?.[String(segments[segments.length - 1])] ?? issue.input;
        problems.push({
          path: configPath(segments),
          message: `${show(input)} is not allowed; allowed: ${options.join(', ')}${typeof input === 'string' ? didYouMean(input, options) : ''}`,
        });
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map((v) => String(v));
        problems.push({
          path: configPath(segments),
          message: `${show(issue.input)} is not allowed; allowed: ${allowed.join(', ')}${typeof issue.input === 'string' ? didYouMean(issue.input, allowed) : ''}`,
        });
        break;
      }
      case 'invalid_type':
        problems.push({
          path: configPath(segments),
          message: issue.input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${describeType(issue.input)}`,
        });
        break;
      case 'invalid_key':
        // A map key that fails its grammar: the key's own messages, not zod's "Invalid key in record".
        problems.push({ path: configPath(segments), message: `${show(issue.input)} ${issue.issues.map((inner) => inner.message).join('; ')}` });
        break;
      case 'too_big':
      case 'too_small':
        problems.push({ path: configPath(segments), message: `${show(issue.input)}: ${issue.message.replace(/^Too (big|small): /, '')}` });
        break;
      default:
        problems.push({ path: configPath(segments), message: `${show(issue.input)} ${issue.message}` });
    }
  }
  return problems;
}

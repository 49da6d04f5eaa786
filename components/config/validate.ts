/**
 * Validation, start to end: schema, then cross-field checks, then the plan. Every problem is
 * reported, never just the first.
 */
import { stackConfigSchema, type StackConfig } from './schema';
import type { z } from 'zod';
import { configPath, problemsFromZod, type Problem } from './problems';
import { crossCheck } from './cross-checks';
import { normalise } from './normalise';
import type { Plan } from './plan';
import { withoutSpecialKeys } from './special-keys';
import { withoutMisspeltKeys } from './config-namespace';

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig; readonly plan: Plan; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Whether `path` is `scope` or lies under it (`...sessions[1].code` is under `...sessions[1]`, `...sessions[10]` is not). */
function within(path: string, scope: string): boolean {
  return path === scope || (path.startsWith(scope) && (path[scope.length] === '.' || path[scope.length] === '['));
}

/**
 * The config with every field that failed the schema removed, when all of them are fields of
 * sessions (a wrong type, an unknown key, a bad nested value) and the rest then parses; and the
 * sessions touched, whose own cross-field problems would rest on defaults and are not reported.
 * Undefined when a problem lies outside sessions (a size or the storage: every session depends
 * on them) or a removed field is required.
 */
function salvage(data: unknown, issues: readonly z.core.$ZodIssue[]): { config: StackConfig; scopes: string[] } | undefined {
  const sessions = (data as { sessions?: unknown } | null)?.sessions;
  if (!Array.isArray(sessions)) return undefined;
  const copies = new Map<number, Record<string, unknown>>();
  for (const issue of issues) {
    const [top, index, field] = issue.path;
    const session: unknown = typeof index === 'number' ? sessions[index] : undefined;
    if (top !== 'sessions' || typeof index !== 'number' || !session || typeof session !== 'object' || Array.isArray(session)) return undefined;
    const copy = copies.get(index) ?? { ...(session as Record<string, unknown>) };
    copies.set(index, copy);
    if (issue.code === 'unrecognized_keys' && issue.path.length === 2) for (const key of issue.keys) delete copy[key];
    else if (typeof field === 'string') delete copy[field];
    else return undefined;
  }
  const parsed = stackConfigSchema.safeParse({ ...(data as object), sessions: sessions.map((session, index) => copies.get(index) ?? session) });
  if (!parsed.success) return undefined;
  return { config: parsed.data, scopes: [...copies.keys()].map((index) => configPath(['sessions', index])) };
}

/** Validates the `notebook-platform:*` values (namespace stripped) and returns the plan or the problems. */
export function validateConfig(raw: unknown): ValidationResult {
  // Misspelt namespaces and special keys are reported and left out, so the rest is still validated (every problem at once).
  const misspelt = withoutMisspeltKeys(raw);
  const special = withoutSpecialKeys(misspelt.value);
  const data = special.value;
  const keyProblems = [...misspelt.problems, ...special.problems];
  const parsed = stackConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const problems = [...keyProblems, ...problemsFromZod(stackConfigSchema, parsed.error.issues, data)];
    // Cross-field problems too (a bad reference in another session), when the schema's complaints can be set aside.
    const salvaged = salvage(data, parsed.error.issues);
    if (salvaged) problems.push(...crossCheck(salvaged.config).filter((problem) => !salvaged.scopes.some((scope) => within(problem.path, scope))));
    return { ok: false, problems };
  }
  const problems = [...keyProblems, ...crossCheck(parsed.data)];
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: parsed.data, plan: normalise(parsed.data), problems: [] };
}

/** A config error raised where a caller needs a plan (the Pulumi program): every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid notebook-platform config:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function planFromConfig(raw: unknown): Plan {
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.plan;
}

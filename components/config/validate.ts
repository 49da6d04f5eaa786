/**
 * Validation, start to end: schema, then cross-field checks, then the plan. Every problem is
 * reported, never just the first.
 */
import { stackConfigSchema, type StackConfig } from './schema';
import { problemsFromZod, type Problem } from './problems';
import { crossCheck } from './cross-checks';
import { normalise, type Plan } from './plan';
import { withoutSpecialKeys } from './special-keys';
import { withoutMisspeltKeys } from './config-namespace';

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig; readonly plan: Plan; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Validates the `notebook-platform:*` values (namespace stripped) and returns the plan or the problems. */
export function validateConfig(raw: unknown): ValidationResult {
  // Misspelt namespaces and special keys are reported and left out, so the rest is still validated (every problem at once).
  const misspelt = withoutMisspeltKeys(raw);
  const special = withoutSpecialKeys(misspelt.value);
  const data = special.value;
  const keyProblems = [...misspelt.problems, ...special.problems];
  const parsed = stackConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: [...keyProblems, ...problemsFromZod(stackConfigSchema, parsed.error.issues, data)] };
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

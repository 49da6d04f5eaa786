import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readStackConfigFile, StackFileError } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import type { Plan } from '../components/config/plan';
import { runOffline } from '../offline';
import { evaluatePolicies, packConfigProblems, type PackConfig, type Violation } from '../policies/evaluate';
import { notebookPolicies } from '../policies/rules';
import { parseArgs, UsageError, type Io } from './io';

/** The stack a `Pulumi.<stack>.yaml` configures (URNs name it); another file name falls back to the team. */
export function stackNameOf(file: string, team: string): string {
  const match = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file));
  return match ? match[1] : team;
}

/** A policy pack config file: the JSON `pulumi preview --policy-pack-config` reads. */
function readPackConfig(file: string): PackConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read the policy config (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const config = JSON.parse(text) as unknown;
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('expected an object keyed by policy name');
    return config as PackConfig;
  } catch (error) {
    throw new UsageError(`${file}: invalid policy config: ${(error as Error).message}`);
  }
}

/** `policy  resource  reason`: the resource by URN, or "stack" for a stack-wide violation. */
export function formatViolation(violation: Violation): string {
  const reason = violation.enforcementLevel === 'advisory' ? `advisory: ${violation.message}` : violation.message;
  return `${violation.policy}  ${violation.urn ?? 'stack'}  ${reason}`;
}

export interface CheckOptions {
  /** The policy pack config (`--policy-config`). @default none: every rule at its own level and defaults */
  readonly policyConfig?: PackConfig;
  /**
   * The program to evaluate instead of the team program (`new NotebookPlatform(stack, { plan })`).
   * Tests pass components made unsafe on purpose.
   */
  readonly program?: (stack: string, plan: Plan) => unknown;
}

/**
 * Checks stack config files: validates each (problems as `validate` prints them), evaluates the
 * team program offline (offline/) and runs the policy pack's rules over every
 * resource it registers and over the whole stack. One line per violation, then a summary per
 * file. 2 when a file cannot be used (missing, not YAML; reported on stderr, the others still
 * checked), else 1 when a file is invalid or has a mandatory violation, 0 otherwise (advisory
 * violations are printed).
 */
export async function checkFiles(files: readonly string[], io: Io, options: CheckOptions = {}): Promise<number> {
  const policies = notebookPolicies();
  const config = options.policyConfig ?? {};
  let failed = false;
  let unusable = false;
  for (const file of files) {
    let raw: Record<string, unknown>;
    try {
      raw = readStackConfigFile(file);
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      // Reported, and the other files still checked: the exit code is the worst of them all.
      io.err(`notebook-platform check: ${error.message}`);
      unusable = true;
      continue;
    }
    const result = validateConfig(raw);
    if (!result.ok) {
      failed = true;
      for (const problem of result.problems) io.out(`${file}: ${formatProblem(problem)}`);
      continue;
    }
    const program = options.program;
    const resources = await runOffline(raw, { stack: stackNameOf(file, result.plan.team), program: program && ((stack) => program(stack, result.plan)) });
    const violations = await evaluatePolicies(policies, resources, config);
    for (const violation of violations) io.out(`${file}: ${formatViolation(violation)}`);
    const mandatory = violations.filter((violation) => violation.enforcementLevel === 'mandatory').length;
    const advisory = violations.length - mandatory;
    if (mandatory > 0) failed = true;
    const summary = `${resources.length} resources, ${policies.length} policies`;
    io.out(
      mandatory > 0
        ? `${file}: ${mandatory} mandatory violation${mandatory === 1 ? '' : 's'}${advisory ? `, ${advisory} advisory` : ''} (${summary})`
        : `${file}: ok${advisory ? ` with ${advisory} advisory violation${advisory === 1 ? '' : 's'}` : ''} (${summary})`,
    );
  }
  return unusable ? 2 : failed ? 1 : 0;
}

/**
 * `check FILE... [--policy-config FILE]`: the policy pack, offline, over what each stack would
 * register (see checkFiles). Exit 2 on usage errors, an unreadable file or a bad policy config.
 */
export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { positional: files, options } = parseArgs(args, ['policy-config']);
  if (files.length === 0) throw new UsageError('check needs at least one stack config file (stacks/Pulumi.<team>.yaml)');
  const policyConfig = options['policy-config'] ? readPackConfig(options['policy-config']) : {};
  const configProblems = packConfigProblems(policyConfig, notebookPolicies());
  if (configProblems.length > 0) throw new UsageError(`${options['policy-config']}: ${configProblems.join('; ')}`);
  return checkFiles(files, io, { policyConfig });
}

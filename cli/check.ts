import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readStackConfigFile, StackFileError } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import type { Plan } from '../components/config/plan';
import { runOffline } from '../offline';
import { evaluatePolicies, packConfigProblems, type PackConfig, type Violation } from '../policies/evaluate';
import { ManifestError, manifestResources } from '../policies/manifests';
import { notebookPolicies } from '../policies/rules';
import { parseArgs, UsageError, type Io } from './io';
import { ManifestFileError, readManifestDocuments } from './manifest-files';

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
    const { line, mandatory } = verdict(violations, `${resources.length} resources, ${policies.length} policies`);
    io.out(`${file}: ${line}`);
    if (mandatory) failed = true;
  }
  return unusable ? 2 : failed ? 1 : 0;
}

/**
 * The summary line (`ok`, `ok with N advisory violations` or `N mandatory violations, M
 * advisory`, then `(summary)`) and whether a violation is mandatory.
 */
function verdict(violations: readonly Violation[], summary: string): { line: string; mandatory: boolean } {
  const mandatory = violations.filter((violation) => violation.enforcementLevel === 'mandatory').length;
  const advisory = violations.length - mandatory;
  const line =
    mandatory > 0
      ? `${mandatory} mandatory violation${mandatory === 1 ? '' : 's'}${advisory ? `, ${advisory} advisory` : ''} (${summary})`
      : `ok${advisory ? ` with ${advisory} advisory violation${advisory === 1 ? '' : 's'}` : ''} (${summary})`;
  return { line, mandatory: mandatory > 0 };
}

/**
 * Checks Kubernetes manifests (a cdk8s app's output, `synth --out`, a GitOps tree): the pack's
 * rules over every object under `path`, as if a Pulumi program had registered them (see
 * policies/manifests.ts for what that cannot see). One line per violation, prefixed with the file
 * and document it came from, then a summary for `path`. 2 when the manifests cannot be used
 * (missing, not YAML, a document that is not a Kubernetes object, an object twice, no object at
 * all), else 1 on a mandatory violation, 0 otherwise.
 */
export async function checkManifests(path: string, io: Io, options: Pick<CheckOptions, 'policyConfig'> = {}): Promise<number> {
  const policies = notebookPolicies();
  let checked: ReturnType<typeof manifestResources>;
  let files: number;
  try {
    const documents = readManifestDocuments(path);
    files = new Set(documents.map((document) => document.file)).size;
    checked = manifestResources(documents);
  } catch (error) {
    if (!(error instanceof ManifestFileError || error instanceof ManifestError)) throw error;
    for (const line of error.message.split('\n')) io.err(`notebook-platform check: ${line}`);
    return 2;
  }
  const { resources, sources } = checked;
  if (resources.length === 0) {
    io.err(`notebook-platform check: ${path}: no Kubernetes objects (read *.yaml, *.yml and *.json files)`);
    return 2;
  }
  const violations = await evaluatePolicies(policies, resources, options.policyConfig ?? {});
  for (const violation of violations) io.out(`${(violation.urn && sources.get(violation.urn)) || path}: ${formatViolation(violation)}`);
  const { line, mandatory } = verdict(violations, `${resources.length} object${resources.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ${policies.length} policies`);
  io.out(`${path}: ${line}`);
  return mandatory ? 1 : 0;
}

/**
 * `check FILE... [--manifests PATH] [--policy-config FILE]`: the policy pack, offline, over what
 * each stack would register (see checkFiles) and over the Kubernetes objects under PATH (see
 * checkManifests). Exit 2 on usage errors, an unreadable file or a bad policy config; else the
 * worst of the checks.
 */
export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { positional: files, options } = parseArgs(args, ['policy-config', 'manifests']);
  if (files.length === 0 && options.manifests === undefined) {
    throw new UsageError('check needs at least one stack config file (stacks/Pulumi.<team>.yaml) or --manifests PATH (a directory or file of Kubernetes manifests)');
  }
  const policyConfig = options['policy-config'] ? readPackConfig(options['policy-config']) : {};
  const configProblems = packConfigProblems(policyConfig, notebookPolicies());
  if (configProblems.length > 0) throw new UsageError(`${options['policy-config']}: ${configProblems.join('; ')}`);
  const codes = [];
  if (files.length > 0) codes.push(await checkFiles(files, io, { policyConfig }));
  if (options.manifests !== undefined) codes.push(await checkManifests(options.manifests, io, { policyConfig }));
  // 2 (unusable input) outranks 1 (violations): the worst code is the largest.
  return Math.max(...codes);
}

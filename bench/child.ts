/**
 * One benchmark measurement, run in a fresh Node process by bench/run.ts (so that peak memory
 * belongs to this measurement alone and no JIT or cache state carries over):
 *
 *   node dist/bench/child.js <synth|evaluate|check> <Pulumi.<team>.yaml> [policy-config.json]
 *
 * The result goes to the parent over the IPC channel (process.send); stdout is left to whatever
 * the measured code prints. Times are wall-clock milliseconds (performance.now) and CPU
 * milliseconds (user + system, process.cpuUsage) of the measured steps only; module loading is
 * reported apart (`loadMs`) because it does not grow with the team. Peak memory is the process's
 * maximum resident set size (getrusage ru_maxrss, the kernel's VmHWM) at the end.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { PackConfig } from '../policies/evaluate';
import { deferUnusedSdkModules } from '../offline/defer-modules';

export type Task = 'synth' | 'evaluate' | 'check';
export const TASKS: readonly Task[] = ['synth', 'evaluate', 'check'];

interface Common {
  readonly task: Task;
  /** Sessions in the config. */
  readonly sessions: number;
  /** Loading the modules the task needs (constant in N). */
  readonly loadMs: number;
  /** Wall time of the measured steps. */
  readonly totalMs: number;
  /** CPU time (user + system, every thread) of the measured steps. */
  readonly cpuMs: number;
  /** ru_maxrss at the end, MiB. */
  readonly peakMb: number;
  /** ru_maxrss once the modules are loaded, before the measured steps, MiB. */
  readonly loadedMb: number;
}

export interface SynthResult extends Common {
  readonly task: 'synth';
  /** Steps of `totalMs`: read and parse the stack file, validate into a plan, build the objects in canonical (cdk8s toJson) form, render YAML. */
  readonly phases: { readonly parseMs: number; readonly validateMs: number; readonly buildMs: number; readonly yamlMs: number };
  /** Baseline: JSON.stringify of the same objects, in the same process after the steps above. */
  readonly baselineMs: number;
  readonly files: number;
  readonly teamObjects: number;
  readonly sessionObjects: number;
  readonly teamYamlBytes: number;
  readonly sessionYamlBytes: number;
  readonly jsonBytes: number;
}

export interface EvaluateResult extends Common {
  readonly task: 'evaluate';
  readonly phases: { readonly parseMs: number; readonly runMs: number };
  readonly resources: number;
  /** Kubernetes resources (type `kubernetes:*`) that are not a session's. */
  readonly teamKubernetesResources: number;
  /** Every other resource outside the sessions: the stack, components, AWS. */
  readonly teamOtherResources: number;
  /** Resources of the sessions: the NotebookSession components and their children. */
  readonly sessionResources: number;
  /** Kubernetes resources among the sessions' children. */
  readonly sessionKubernetesResources: number;
}

export interface CheckResult extends Common {
  readonly task: 'check';
  /** `totalMs` and `cpuMs` are the policy rules only (every resource and stack rule, as cli/check.ts runs them); evaluation before them is `evaluateMs`. */
  readonly evaluateMs: number;
  readonly resources: number;
  readonly violations: number;
  readonly mandatoryViolations: number;
}

export type MeasureResult = SynthResult | EvaluateResult | CheckResult;

/** What the child sends: a result, or why there is none (`unavailable`: the task cannot run in this tree). */
export type ChildMessage = { readonly ok: true; readonly result: MeasureResult } | { readonly ok: false; readonly error: string; readonly unavailable?: boolean };

const MIB = 1024 * 1024;
/** process.resourceUsage().maxRSS is in KiB. */
const peakMb = () => (process.resourceUsage().maxRSS * 1024) / MIB;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

/** Raised when a task's modules are missing from this tree (e.g. no policy pack yet). */
export class Unavailable extends Error {}

/** One measurement of `task` over the stack config `file`; `check` takes the policy pack config (JSON) as well. */
export async function measure(task: Task, file: string, policyConfigFile?: string): Promise<MeasureResult> {
  switch (task) {
    case 'synth':
      return measureSynth(file);
    case 'evaluate':
      return measureEvaluate(file);
    case 'check':
      return measureCheck(file, policyConfigFile);
  }
}

async function measureSynth(file: string): Promise<SynthResult> {
  const loadStart = performance.now();
  const { readStackConfigFile } = await import('../components/config/load');
  const { validateConfig } = await import('../components/config/validate');
  const { synthesize, toYaml } = await import('../components/manifests/synth');
  const loadMs = performance.now() - loadStart;
  const loadedMb = peakMb();

  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const raw = readStackConfigFile(file);
  const t1 = performance.now();
  const validated = validateConfig(raw);
  if (!validated.ok) throw new Error(`${file}: invalid config: ${validated.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const t2 = performance.now();
  const files = synthesize(validated.plan);
  const t3 = performance.now();
  const yaml = files.map((f) => toYaml(f.objects));
  const t4 = performance.now();
  const spentCpu = cpuMs(cpu);

  const b0 = performance.now();
  const json = files.map((f) => JSON.stringify(f.objects));
  const baselineMs = performance.now() - b0;

  const [team, ...sessionFiles] = files;
  return {
    task: 'synth',
    sessions: validated.plan.sessions.length,
    loadMs,
    totalMs: t4 - t0,
    cpuMs: spentCpu,
    peakMb: peakMb(),
    loadedMb,
    phases: { parseMs: t1 - t0, validateMs: t2 - t1, buildMs: t3 - t2, yamlMs: t4 - t3 },
    baselineMs,
    files: files.length,
    teamObjects: team.objects.length,
    sessionObjects: sessionFiles.reduce((sum, f) => sum + f.objects.length, 0),
    teamYamlBytes: Buffer.byteLength(yaml[0]),
    sessionYamlBytes: yaml.slice(1).reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    jsonBytes: json.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
  };
}

const SESSION_TYPE = 'notebook-platform:index:NotebookSession';

interface ResourceLike {
  readonly type: string;
  readonly urn: string;
  readonly parent?: string;
}

/** Splits registered resources into the team's and the sessions' (a session's component and its children). */
export function countResources(resources: readonly ResourceLike[]) {
  const sessionUrns = new Set(resources.filter((r) => r.type === SESSION_TYPE).map((r) => r.urn));
  let teamKubernetes = 0;
  let teamOther = 0;
  let sessionAll = 0;
  let sessionKubernetes = 0;
  for (const resource of resources) {
    const ofSession = sessionUrns.has(resource.urn) || (resource.parent !== undefined && sessionUrns.has(resource.parent));
    const kubernetes = resource.type.startsWith('kubernetes:');
    if (ofSession) {
      sessionAll++;
      if (kubernetes) sessionKubernetes++;
    } else if (kubernetes) teamKubernetes++;
    else teamOther++;
  }
  return { sessions: sessionUrns.size, teamKubernetes, teamOther, sessionAll, sessionKubernetes };
}

/** What bin/notebook-platform.js does first; BENCH_NO_DEFER=1 measures without it. */
function deferAsTheCliDoes(): void {
  if (process.env.BENCH_NO_DEFER === '1') return;
  if (!deferUnusedSdkModules()) throw new Error('bench: @pulumi/pulumi was loaded before the deferral could be installed');
}

async function measureEvaluate(file: string): Promise<EvaluateResult> {
  const loadStart = performance.now();
  deferAsTheCliDoes();
  const { readStackConfigFile } = await import('../components/config/load');
  const { runOffline } = await import('../offline');
  const loadMs = performance.now() - loadStart;
  const loadedMb = peakMb();

  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const config = readStackConfigFile(file);
  const t1 = performance.now();
  const resources = await runOffline(config);
  const t2 = performance.now();
  const spentCpu = cpuMs(cpu);

  const counts = countResources(resources);
  return {
    task: 'evaluate',
    sessions: counts.sessions,
    loadMs,
    totalMs: t2 - t0,
    cpuMs: spentCpu,
    peakMb: peakMb(),
    loadedMb,
    phases: { parseMs: t1 - t0, runMs: t2 - t1 },
    resources: resources.length,
    teamKubernetesResources: counts.teamKubernetes,
    teamOtherResources: counts.teamOther,
    sessionResources: counts.sessionAll,
    sessionKubernetesResources: counts.sessionKubernetes,
  };
}

async function measureCheck(file: string, policyConfigFile?: string): Promise<CheckResult> {
  const loadStart = performance.now();
  deferAsTheCliDoes();
  const { readStackConfigFile } = await import('../components/config/load');
  const { runOffline } = await import('../offline');
  const { evaluatePolicies } = await import('../policies/evaluate');
  const { notebookPolicies } = await import('../policies/rules');
  const rules = notebookPolicies();
  const packConfig = policyConfigFile ? (JSON.parse(readFileSync(policyConfigFile, 'utf8')) as PackConfig) : {};
  const loadMs = performance.now() - loadStart;
  const loadedMb = peakMb();

  const e0 = performance.now();
  const resources = await runOffline(readStackConfigFile(file));
  const evaluateMs = performance.now() - e0;

  const cpu = process.cpuUsage();
  const t0 = performance.now();
  // What cli/check.ts does after evaluating the program.
  const violations = await evaluatePolicies(rules, resources, packConfig);
  const totalMs = performance.now() - t0;
  const spentCpu = cpuMs(cpu);

  return {
    task: 'check',
    sessions: countResources(resources).sessions,
    loadMs,
    totalMs,
    cpuMs: spentCpu,
    peakMb: peakMb(),
    loadedMb,
    evaluateMs,
    resources: resources.length,
    violations: violations.length,
    mandatoryViolations: violations.filter((violation) => violation.enforcementLevel === 'mandatory').length,
  };
}

async function main(): Promise<void> {
  const [task, file, policyConfigFile] = process.argv.slice(2);
  const send = (message: ChildMessage) =>
    new Promise<void>((resolve) => {
      if (process.send) process.send(message, () => resolve());
      else {
        process.stdout.write(`${JSON.stringify(message)}\n`);
        resolve();
      }
    });
  if (!TASKS.includes(task as Task) || !file) {
    await send({ ok: false, error: `usage: child <${TASKS.join('|')}> <Pulumi.<team>.yaml> [policy-config.json]` });
    process.exitCode = 2;
    return;
  }
  try {
    await send({ ok: true, result: await measure(task as Task, file, policyConfigFile) });
  } catch (error) {
    const unavailable = error instanceof Unavailable;
    const text = error instanceof Error ? (unavailable ? error.message : (error.stack ?? error.message)) : String(error);
    await send({ ok: false, error: text, unavailable });
    process.exitCode = 1;
  }
}

if (require.main === module) void main();

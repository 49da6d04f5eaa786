/**
 * `npm run bench`: the cost of a team as it grows. For each team size (generated configs, see
 * generate.ts) and each task (synth, evaluate under Pulumi mocks, check), BENCH_REPEAT
 * measurements, each in a fresh child process (child.ts). Prints a table with the targets of
 * issue 9 and writes everything to bench/results.json.
 *
 * Environment:
 *   BENCH_SIZES    comma-separated session counts (default "10,100,1000"; "10" for a smoke run)
 *   BENCH_REPEAT   measurements per size and task (default 5)
 *   BENCH_TASKS    comma-separated subset of synth,evaluate,check (default all)
 *   BENCH_OUT      where to write the JSON (default bench/results.json; "-" for none)
 *   BENCH_PROFILE  a directory: every child runs with --cpu-prof and writes its profile there
 *                  (summarise with `node dist/bench/profile.js DIR/*.cpuprofile`)
 *   BENCH_ENGINE   1: also the real engine against kubectl on a local control plane (engine.ts;
 *                  builds scripts/control-plane and scripts/pulumi-toolchain on first use)
 *   BENCH_ENGINE_SIZES  its team sizes (default "10,50"; one session is added to the largest)
 *   BENCH_ENGINE_PARALLEL  --parallel for pulumi preview/up (default: the CLI's)
 *
 * Timings never fail the run: a missed target is a MISS in the table, and the exit code is 0
 * unless a measurement could not be made at all.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { benchPolicyConfig, benchStackYaml } from './generate';
import { TASKS, type CheckResult, type ChildMessage, type EvaluateResult, type MeasureResult, type SynthResult, type Task } from './child';
import { formatStat, marginal, round, stat, table, target, type Stat, type Target } from './stats';
import { runEngineBench, type EngineResults, type EngineStep } from './engine';

export interface BenchOptions {
  readonly sizes: readonly number[];
  readonly repeat: number;
  readonly tasks: readonly Task[];
  /** Directory for --cpu-prof output, if profiling. */
  readonly profileDir?: string;
  /** Also measure the real engine (bench/engine.ts): sizes of its teams, or undefined for none. */
  readonly engineSizes?: readonly number[];
  /** `--parallel` for pulumi in the engine part. */
  readonly engineParallel?: number;
  /** Progress lines (stderr by default). */
  readonly log?: (line: string) => void;
  /** How to start a child: the script and Node options. @default compiled child.js next to this file, or child.ts through ts-node */
  readonly child?: { readonly script: string; readonly execArgv: readonly string[] };
}

export interface SynthSummary {
  readonly totalMs: Stat;
  readonly cpuMs: Stat;
  readonly parseMs: Stat;
  readonly validateMs: Stat;
  readonly buildMs: Stat;
  readonly yamlMs: Stat;
  readonly baselineMs: Stat;
  /** synth total / baseline, from the medians. */
  readonly overhead: number;
  readonly peakMb: Stat;
  readonly loadMs: Stat;
  readonly loadedMb: Stat;
  readonly teamObjects: number;
  readonly sessionObjects: number;
  readonly teamYamlBytes: number;
  readonly sessionYamlBytes: number;
  readonly jsonBytes: number;
}

export interface EvaluateSummary {
  readonly totalMs: Stat;
  readonly cpuMs: Stat;
  readonly runMs: Stat;
  readonly peakMb: Stat;
  readonly loadMs: Stat;
  readonly loadedMb: Stat;
  readonly resources: number;
  readonly teamKubernetesResources: number;
  readonly teamOtherResources: number;
  readonly sessionResources: number;
  readonly sessionKubernetesResources: number;
}

export interface CheckSummary {
  readonly totalMs: Stat;
  readonly cpuMs: Stat;
  readonly evaluateMs: Stat;
  readonly peakMb: Stat;
  readonly loadMs: Stat;
  readonly resources: number;
  readonly violations: number;
  readonly mandatoryViolations: number;
}

export interface SizeResults {
  readonly sessions: number;
  readonly configBytes: number;
  synth?: SynthSummary;
  evaluate?: EvaluateSummary;
  check?: CheckSummary;
}

export interface PerSession {
  /** The two sizes the marginal figures come from. */
  readonly between: readonly [number, number];
  readonly synthObjects?: number;
  readonly yamlBytes?: number;
  readonly kubernetesResources?: number;
  readonly resources?: number;
  readonly synthMs?: number;
  readonly evaluateMs?: number;
  readonly synthPeakMb?: number;
  readonly evaluatePeakMb?: number;
}

export interface BenchResults {
  readonly generatedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryMb: number;
    readonly node: string;
    /** 1-minute load average when the run started and ended: above the CPU count, timings are inflated. */
    readonly loadAverage: { readonly start: number; readonly end: number };
  };
  readonly options: { readonly sizes: readonly number[]; readonly repeat: number; readonly tasks: readonly Task[] };
  readonly sizes: Record<string, SizeResults>;
  /** Team-level objects (not per session), from the largest size measured. */
  readonly team?: { readonly synthObjects?: number; readonly kubernetesResources?: number; readonly otherResources?: number; readonly yamlBytes?: number };
  readonly perSession?: PerSession;
  readonly targets: readonly Target[];
  /** Tasks that could not run in this tree (e.g. no policy pack yet), with the reason. */
  readonly unavailable: Readonly<Partial<Record<Task, string>>>;
  /** The real engine next to kubectl (BENCH_ENGINE=1), or why it was not measured. */
  readonly engine?: EngineResults | { readonly skipped: string };
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const sizes = (env.BENCH_SIZES ?? '10,100,1000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`BENCH_SIZES must be positive integers, got "${env.BENCH_SIZES}"`);
  const repeat = Number(env.BENCH_REPEAT ?? '5');
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`BENCH_REPEAT must be a positive integer, got "${env.BENCH_REPEAT}"`);
  const tasks = (env.BENCH_TASKS ?? TASKS.join(',')).split(',').map((s) => s.trim()) as Task[];
  for (const task of tasks) if (!TASKS.includes(task)) throw new Error(`BENCH_TASKS: unknown task "${task}" (allowed: ${TASKS.join(', ')})`);
  const engineSizes = env.BENCH_ENGINE && env.BENCH_ENGINE !== '0' ? (env.BENCH_ENGINE_SIZES ?? '10,50').split(',').map((s) => Number(s.trim())) : undefined;
  if (engineSizes?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`BENCH_ENGINE_SIZES must be positive integers, got "${env.BENCH_ENGINE_SIZES}"`);
  const engineParallel = env.BENCH_ENGINE_PARALLEL ? Number(env.BENCH_ENGINE_PARALLEL) : undefined;
  if (engineParallel !== undefined && (!Number.isInteger(engineParallel) || engineParallel < 1)) throw new Error(`BENCH_ENGINE_PARALLEL must be a positive integer, got "${env.BENCH_ENGINE_PARALLEL}"`);
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), repeat, tasks, profileDir: env.BENCH_PROFILE || undefined, engineSizes, engineParallel };
}

function defaultChild(): { script: string; execArgv: string[] } {
  const compiled = join(__dirname, 'child.js');
  if (__filename.endsWith('.js') && existsSync(compiled)) return { script: compiled, execArgv: [] };
  return { script: join(__dirname, 'child.ts'), execArgv: ['-r', 'ts-node/register/transpile-only'] };
}

/** Runs one child and returns its result; rejects on a failed measurement (with `unavailable` set when the task cannot run here). */
function runChild(child: { script: string; execArgv: readonly string[] }, task: Task, files: readonly string[], profileDir?: string): Promise<MeasureResult> {
  const execArgv = [...child.execArgv, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${task}-${Date.now()}-${process.pid}.cpuprofile`] : [])];
  return new Promise((resolvePromise, reject) => {
    const proc = fork(child.script, [task, ...files], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    proc.stdout?.on('data', (chunk) => (output += chunk));
    proc.stderr?.on('data', (chunk) => (output += chunk));
    let message: ChildMessage | undefined;
    proc.on('message', (m) => {
      message = m as ChildMessage;
      // The measurement is over: let the process end on its own (a profile is written at exit), but not forever.
      setTimeout(() => proc.kill('SIGKILL'), 30_000).unref();
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (message?.ok) return resolvePromise(message.result);
      const error = new Error(message && !message.ok ? message.error : `child ${task} exited with ${signal ?? code} without a result\n${output.slice(-4000)}`) as Error & { unavailable?: boolean };
      error.unavailable = message && !message.ok ? message.unavailable : false;
      reject(error);
    });
  });
}

const pick = <R, K extends keyof R>(results: readonly R[], key: K) => stat(results.map((r) => r[key] as unknown as number));

function summariseSynth(results: readonly SynthResult[]): SynthSummary {
  const first = results[0];
  const totalMs = pick(results, 'totalMs');
  const baselineMs = pick(results, 'baselineMs');
  return {
    totalMs,
    cpuMs: pick(results, 'cpuMs'),
    parseMs: stat(results.map((r) => r.phases.parseMs)),
    validateMs: stat(results.map((r) => r.phases.validateMs)),
    buildMs: stat(results.map((r) => r.phases.buildMs)),
    yamlMs: stat(results.map((r) => r.phases.yamlMs)),
    baselineMs,
    overhead: round(totalMs.median / Math.max(baselineMs.median, 0.01), 1),
    peakMb: pick(results, 'peakMb'),
    loadMs: pick(results, 'loadMs'),
    loadedMb: pick(results, 'loadedMb'),
    teamObjects: first.teamObjects,
    sessionObjects: first.sessionObjects,
    teamYamlBytes: first.teamYamlBytes,
    sessionYamlBytes: first.sessionYamlBytes,
    jsonBytes: first.jsonBytes,
  };
}

function summariseEvaluate(results: readonly EvaluateResult[]): EvaluateSummary {
  const first = results[0];
  return {
    totalMs: pick(results, 'totalMs'),
    cpuMs: pick(results, 'cpuMs'),
    runMs: stat(results.map((r) => r.phases.runMs)),
    peakMb: pick(results, 'peakMb'),
    loadMs: pick(results, 'loadMs'),
    loadedMb: pick(results, 'loadedMb'),
    resources: first.resources,
    teamKubernetesResources: first.teamKubernetesResources,
    teamOtherResources: first.teamOtherResources,
    sessionResources: first.sessionResources,
    sessionKubernetesResources: first.sessionKubernetesResources,
  };
}

function summariseCheck(results: readonly CheckResult[]): CheckSummary {
  const first = results[0];
  return {
    totalMs: pick(results, 'totalMs'),
    cpuMs: pick(results, 'cpuMs'),
    evaluateMs: pick(results, 'evaluateMs'),
    peakMb: pick(results, 'peakMb'),
    loadMs: pick(results, 'loadMs'),
    resources: first.resources,
    violations: first.violations,
    mandatoryViolations: first.mandatoryViolations,
  };
}

/** Marginal per-session figures between the two sizes closest to (100, 1000) that were measured. */
function perSession(sizes: Record<string, SizeResults>): PerSession | undefined {
  const measured = Object.values(sizes).sort((a, b) => a.sessions - b.sessions);
  if (measured.length < 2) return undefined;
  const large = measured[measured.length - 1];
  const small = measured[measured.length - 2];
  const m = (f: (s: SizeResults) => number | undefined) => {
    const a = f(small);
    const b = f(large);
    return a === undefined || b === undefined ? undefined : marginal({ n: small.sessions, value: a }, { n: large.sessions, value: b });
  };
  return {
    between: [small.sessions, large.sessions],
    synthObjects: m((s) => s.synth && s.synth.teamObjects + s.synth.sessionObjects),
    yamlBytes: m((s) => s.synth && s.synth.teamYamlBytes + s.synth.sessionYamlBytes),
    kubernetesResources: m((s) => s.evaluate && s.evaluate.teamKubernetesResources + s.evaluate.sessionKubernetesResources),
    resources: m((s) => s.evaluate?.resources),
    synthMs: m((s) => s.synth?.totalMs.median),
    evaluateMs: m((s) => s.evaluate?.totalMs.median),
    synthPeakMb: m((s) => s.synth?.peakMb.median),
    evaluatePeakMb: m((s) => s.evaluate?.peakMb.median),
  };
}

/** The targets of issue 9, judged on medians. Absent sizes or tasks give n/a. */
export function judge(sizes: Record<string, SizeResults>, per: PerSession | undefined): Target[] {
  const at = (n: number) => sizes[String(n)];
  const ratio = (f: (s: SizeResults) => number | undefined) => {
    const a = at(100) && f(at(100));
    const b = at(1000) && f(at(1000));
    return a === undefined || b === undefined ? undefined : b / a;
  };
  const peak = [at(1000)?.synth?.peakMb.median, at(1000)?.evaluate?.peakMb.median, at(1000)?.check?.peakMb.median].filter((v): v is number => v !== undefined);
  const time = (name: string, task: 'synth' | 'evaluate' | 'check', limit: number) =>
    target(name, at(1000)?.[task]?.totalMs.median, 'ms', limit, '<', at(1000)?.[task]?.cpuMs.median);
  const linear = (task: 'synth' | 'evaluate' | 'check') =>
    target(`${task} linear: time(1000)/time(100)`, ratio((s) => s[task]?.totalMs.median), 'x', 12, '<=', ratio((s) => s[task]?.cpuMs.median));
  return [
    time('synth 1000 sessions', 'synth', 1000),
    time('evaluate (mocks) 1000 sessions', 'evaluate', 5000),
    target('peak memory 1000 sessions (worst task)', peak.length ? Math.max(...peak) : undefined, 'MB', 600, '<'),
    linear('synth'),
    linear('evaluate'),
    linear('check'),
    target(
      'Kubernetes objects per session',
      per?.kubernetesResources ?? per?.synthObjects,
      '',
      7,
      '<=',
    ),
  ];
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const child = options.child ?? defaultChild();
  const work = mkdtempSync(join(tmpdir(), 'notebook-platform-bench-'));
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
  const loadStart = loadavg()[0];
  const sizes: Record<string, SizeResults> = {};
  const unavailable: Partial<Record<Task, string>> = {};
  try {
    for (const n of options.sizes) {
      const file = join(work, `Pulumi.bench-${n}.yaml`);
      const text = benchStackYaml(n);
      writeFileSync(file, text);
      const policyConfig = join(work, `policy-config-${n}.json`);
      writeFileSync(policyConfig, JSON.stringify(benchPolicyConfig(n)));
      const entry: SizeResults = { sessions: n, configBytes: Buffer.byteLength(text) };
      sizes[String(n)] = entry;
      for (const task of options.tasks) {
        if (unavailable[task]) continue;
        const results: MeasureResult[] = [];
        for (let i = 0; i < options.repeat; i++) {
          try {
            results.push(await runChild(child, task, task === 'check' ? [file, policyConfig] : [file], options.profileDir));
          } catch (error) {
            if ((error as { unavailable?: boolean }).unavailable) {
              unavailable[task] = (error as Error).message.split('\n')[0];
              log(`bench: ${task} unavailable: ${unavailable[task]}`);
              break;
            }
            throw error;
          }
          const last = results[results.length - 1];
          log(`bench: ${String(n).padStart(5)} sessions  ${task.padEnd(8)} #${i + 1}  ${last.totalMs.toFixed(0)} ms  ${last.peakMb.toFixed(0)} MB`);
        }
        if (results.length === 0) continue;
        if (task === 'synth') entry.synth = summariseSynth(results as SynthResult[]);
        if (task === 'evaluate') entry.evaluate = summariseEvaluate(results as EvaluateResult[]);
        if (task === 'check') entry.check = summariseCheck(results as CheckResult[]);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  let engine: BenchResults['engine'];
  if (options.engineSizes) {
    try {
      engine = await runEngineBench({ sizes: options.engineSizes, parallel: options.engineParallel, log });
    } catch (error) {
      engine = { skipped: `the engine run failed: ${(error as Error).message}` };
      log(`bench: ${engine.skipped}`);
    }
  }
  const largest = sizes[String(options.sizes[options.sizes.length - 1])];
  const per = perSession(sizes);
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      loadAverage: { start: round(loadStart), end: round(loadavg()[0]) },
    },
    options: { sizes: options.sizes, repeat: options.repeat, tasks: options.tasks },
    sizes,
    team: largest && {
      synthObjects: largest.synth?.teamObjects,
      kubernetesResources: largest.evaluate?.teamKubernetesResources,
      otherResources: largest.evaluate?.teamOtherResources,
      yamlBytes: largest.synth?.teamYamlBytes,
    },
    perSession: per,
    targets: judge(sizes, per),
    unavailable,
    engine,
  };
}

/** The printed report: one table per task, per-session figures and the targets. */
export function report(results: BenchResults): string {
  const rows = Object.values(results.sizes).sort((a, b) => a.sessions - b.sessions);
  const out: string[] = [];
  const { machine, options } = results;
  out.push(`notebook-platform bench: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, ${options.repeat} runs per cell, each in a fresh process`);
  out.push('times in ms and memory in MB as median (min-max); times exclude module loading (load column)');
  if (Math.max(machine.loadAverage.start, machine.loadAverage.end) > machine.cpus) {
    out.push(`WARNING: load average ${machine.loadAverage.start} -> ${machine.loadAverage.end} on ${machine.cpus} CPUs: other processes competed for the CPU, wall times are inflated (compare the cpu column)`);
  }
  const synthRows = rows.filter((r) => r.synth);
  if (synthRows.length) {
    out.push('', 'synth: stack file -> validated plan -> objects (cdk8s canonical form) -> YAML (no Pulumi)');
    out.push(
      table([
        ['sessions', 'total', 'cpu', 'parse', 'validate', 'build', 'yaml', 'JSON baseline', 'overhead', 'peak MB', 'load', 'objects', 'YAML bytes'],
        ...synthRows.map((r) => {
          const s = r.synth!;
          return [String(r.sessions), formatStat(s.totalMs), formatStat(s.cpuMs), formatStat(s.parseMs), formatStat(s.validateMs), formatStat(s.buildMs), formatStat(s.yamlMs), formatStat(s.baselineMs, 1), `${s.overhead}x`, formatStat(s.peakMb), formatStat(s.loadMs), String(s.teamObjects + s.sessionObjects), String(s.teamYamlBytes + s.sessionYamlBytes)];
        }),
      ]),
    );
  }
  const evaluateRows = rows.filter((r) => r.evaluate);
  if (evaluateRows.length) {
    out.push('', 'evaluate: stack file -> NotebookPlatform under Pulumi mocks (runOffline) -> every resource registered');
    out.push(
      table([
        ['sessions', 'total', 'cpu', 'peak MB', 'load', 'resources', 'kubernetes', 'per-session k8s'],
        ...evaluateRows.map((r) => {
          const e = r.evaluate!;
          return [String(r.sessions), formatStat(e.totalMs), formatStat(e.cpuMs), formatStat(e.peakMb), formatStat(e.loadMs), String(e.resources), String(e.teamKubernetesResources + e.sessionKubernetesResources), (e.sessionKubernetesResources / r.sessions).toFixed(2)];
        }),
      ]),
    );
  }
  const checkRows = rows.filter((r) => r.check);
  if (checkRows.length) {
    out.push('', 'check: the policy pack over every registered resource (evaluation before it shown apart)');
    out.push(
      table([
        ['sessions', 'rules', 'cpu', 'evaluate', 'peak MB', 'resources', 'violations (mandatory)'],
        ...checkRows.map((r) => {
          const c = r.check!;
          return [String(r.sessions), formatStat(c.totalMs), formatStat(c.cpuMs), formatStat(c.evaluateMs), formatStat(c.peakMb), String(c.resources), `${c.violations} (${c.mandatoryViolations})`];
        }),
      ]),
    );
  }
  for (const [task, reason] of Object.entries(results.unavailable)) out.push('', `${task}: not measured: ${reason}`);
  if (results.team) {
    const t = results.team;
    out.push('', `team-level (not per session): ${t.synthObjects ?? '-'} synthesized objects (${t.yamlBytes ?? '-'} YAML bytes); under Pulumi ${t.kubernetesResources ?? '-'} Kubernetes resources + ${t.otherResources ?? '-'} others (stack, components, AWS)`);
  }
  if (results.perSession) {
    const p = results.perSession;
    const f = (v: number | undefined, digits = 2) => (v === undefined ? '-' : v.toFixed(digits));
    out.push(
      `per session (marginal, (N=${p.between[1]} - N=${p.between[0]}) / ${p.between[1] - p.between[0]}): ${f(p.synthObjects)} synthesized objects, ${f(p.yamlBytes, 0)} YAML bytes, ` +
        `${f(p.kubernetesResources)} Kubernetes resources (${f(p.resources)} with the session component); ${f(p.synthMs, 3)} ms synth, ${f(p.evaluateMs, 3)} ms evaluate; ` +
        `${f(p.synthPeakMb, 3)} MB synth, ${f(p.evaluatePeakMb, 3)} MB evaluate`,
    );
  }
  if (results.engine && 'skipped' in results.engine) out.push('', `engine: not measured: ${results.engine.skipped}`);
  else if (results.engine) {
    const e = results.engine;
    out.push('', `engine: pulumi ${e.pulumiVersion} (kubernetes provider ${e.kubernetesProvider}${e.parallel ? `, --parallel ${e.parallel}` : ''}) next to kubectl apply --server-side on a local control plane; ms, one run each`);
    const row = (label: string, s: EngineStep) => [label, String(s.objects), String(s.pulumiPreviewMs), String(s.kubectlDryRunMs), `${s.previewRatio}x`, String(s.pulumiUpMs), String(s.kubectlApplyMs), String(s.kubectlReadyMs), `${s.upRatio}x`];
    out.push(
      table([
        ['step', 'objects', 'pulumi preview', 'kubectl dry-run', 'ratio', 'pulumi up', 'kubectl apply', 'apply + rollout', 'ratio'],
        ...e.create.map((s) => row(`create ${s.sessions} sessions`, s)),
        ...(e.addOne ? [row(`add one to ${e.addOne.sessions - 1}`, e.addOne)] : []),
      ]),
    );
  } else out.push('', 'engine: not measured (opt in with BENCH_ENGINE=1: pulumi preview/up against kubectl apply on a local control plane)');
  const show = (value: number | undefined, unit: string) => (value === undefined ? '-' : `${value}${unit && unit !== 'x' ? ` ${unit}` : unit}`);
  out.push(
    '',
    table([
      ['target', 'goal', 'measured (wall)', 'verdict', 'cpu time', 'verdict on cpu'],
      ...results.targets.map((t) => [t.name, t.target, show(t.value, t.unit), t.verdict, show(t.cpuValue, t.unit), t.cpuVerdict ?? '']),
    ]),
  );
  return out.join('\n');
}

async function main(): Promise<void> {
  const options = optionsFromEnv();
  const results = await runBench(options);
  process.stdout.write(`${report(results)}\n`);
  const out = process.env.BENCH_OUT ?? resolve(__dirname, '..', '..', 'bench', 'results.json');
  if (out !== '-') {
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nwrote ${out}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

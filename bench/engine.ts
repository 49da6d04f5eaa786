/**
 * The real engine, opt-in (`BENCH_ENGINE=1 npm run bench`): `pulumi preview` and `pulumi up` of
 * generated teams of 10 and 50 sessions and of adding one session to the 50, next to
 * `kubectl apply --server-side` of the same manifests in the same run, on a local control plane
 * (scripts/control-plane: etcd, kube-apiserver, controller-manager, scheduler, kwok nodes that
 * report pods running) with the project's Pulumi toolchain (scripts/pulumi-toolchain) and a
 * file backend in a temporary directory.
 *
 * Fair comparison: both sides start from an empty namespace on the same cluster and end when
 * the objects exist and every StatefulSet is rolled out (Pulumi's kubernetes provider waits for
 * that; after kubectl we poll for it). The kubectl side gets the synthesized manifests plus one
 * token Secret per session, the objects the Pulumi side creates. Preview is set beside a
 * server-side dry run (`kubectl apply --server-side --dry-run=server`). The teams use the NFS
 * backend (nothing outside Kubernetes) and each side its own team name, so the namespaces differ.
 *
 * Everything lives in one temporary directory (cluster, Pulumi home, backend, stack files),
 * removed at the end; the control plane is stopped, and its watchdog stops it if this process dies.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchConfig, benchStackYaml, sessionName, type BenchConfigOptions } from './generate';
import { round } from './stats';

/** The repository: the first directory above this file with Pulumi.yaml and scripts/control-plane (bench/ or dist/bench/ below it). */
function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'Pulumi.yaml')) && existsSync(join(dir, 'scripts', 'control-plane'))) return dir;
    if (dirname(dir) === dir) throw new Error(`engine bench: no repository (Pulumi.yaml, scripts/control-plane) above ${from}`);
  }
}
let repo: string | undefined;
/** Found on first use: the rest of the benchmark runs from any build directory. */
const REPO_DIR = () => (repo ??= findRepo(__dirname));

export interface EngineStep {
  /** Sessions in the stack after the step. */
  readonly sessions: number;
  /** Kubernetes objects the step applies (manifests plus token Secrets). */
  readonly objects: number;
  readonly pulumiPreviewMs: number;
  readonly pulumiUpMs: number;
  /** kubectl apply --server-side --dry-run=server of the same objects. */
  readonly kubectlDryRunMs: number;
  /** kubectl apply --server-side, returning as soon as the API server has accepted the objects. */
  readonly kubectlApplyMs: number;
  /** kubectl apply plus waiting until every StatefulSet is rolled out, as `pulumi up` waits. */
  readonly kubectlReadyMs: number;
  /** pulumi preview / kubectl server-side dry run. */
  readonly previewRatio: number;
  /** pulumi up / (kubectl apply + rollout). */
  readonly upRatio: number;
}

export interface EngineResults {
  readonly pulumiVersion: string;
  /** `--parallel` given to pulumi, if any. */
  readonly parallel?: number;
  readonly kubernetesProvider: string;
  /** Creating a team of N sessions in an empty stack and namespace. */
  readonly create: readonly EngineStep[];
  /** Adding one session to the largest team. */
  readonly addOne?: EngineStep;
}

export interface EngineOptions {
  /** @default [10, 50] */
  readonly sizes?: readonly number[];
  /** `pulumi preview/up --parallel`. @default the CLI's (8 here: 4 per CPU) */
  readonly parallel?: number;
  readonly log?: (line: string) => void;
}

type Env = NodeJS.ProcessEnv;

interface Run {
  readonly ms: number;
  readonly stdout: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string; env?: Env; input?: string } = {}): Run {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_DIR(),
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  const ms = performance.now() - start;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${tail}`);
  }
  return { ms, stdout: result.stdout };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The environment after the toolchain's exports and the control plane's env file. */
function engineEnv(work: string): Env {
  const toolchain = join(REPO_DIR(), 'scripts', 'pulumi-toolchain');
  const prelude = [
    `eval "$(${quote(toolchain)} env --home ${quote(join(work, 'pulumi-home'))} --backend ${quote(join(work, 'backend'))})"`,
    `source ${quote(join(work, 'cluster', 'env'))}`,
    'env -0',
  ].join('\n');
  const out = run('bash', ['-c', prelude]).stdout;
  const env: Env = {};
  for (const entry of out.split('\0')) {
    const separator = entry.indexOf('=');
    if (separator > 0) env[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  // As scripts/demo: ts-node type checking doubles the program's start-up; `npm run lint` type-checks.
  env.PULUMI_NODEJS_TRANSPILE_ONLY ??= 'true';
  env.PULUMI_SKIP_UPDATE_CHECK = 'true';
  return env;
}

/** The objects `pulumi up` creates for a team, as manifests: the synthesized charts plus each session's token Secret. */
async function kubectlManifests(config: Record<string, unknown>): Promise<{ yaml: string; objects: number; namespace: string }> {
  const { validateConfig } = await import('../components/config/validate');
  const { synthesize, toYaml } = await import('../components/manifests/synth');
  const result = validateConfig(config);
  if (!result.ok) throw new Error(`engine bench: invalid config: ${result.problems.map((p) => p.message).join('; ')}`);
  const { plan } = result;
  const objects = synthesize(plan).flatMap((file) => file.objects);
  const secrets = plan.sessions.map((session) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: session.names.tokenSecret, namespace: plan.namespace, labels: { ...session.labels } },
    type: 'Opaque',
    data: { token: Buffer.from(`bench-token-${session.name}`).toString('base64') },
  }));
  return { yaml: toYaml([...objects, ...secrets]), objects: objects.length + secrets.length, namespace: plan.namespace };
}

interface StatefulSetStatus {
  readonly metadata: { readonly name: string; readonly generation?: number };
  readonly spec: { readonly replicas?: number };
  readonly status?: { readonly observedGeneration?: number; readonly readyReplicas?: number; readonly updatedReplicas?: number; readonly currentRevision?: string; readonly updateRevision?: string };
}

/** Whether every StatefulSet is rolled out the way the Pulumi provider's await logic requires. */
function rolledOut(items: readonly StatefulSetStatus[]): boolean {
  return items.every(({ metadata, spec, status }) => {
    const replicas = spec.replicas ?? 1;
    return (
      status !== undefined &&
      (status.observedGeneration ?? 0) >= (metadata.generation ?? 0) &&
      (status.readyReplicas ?? 0) === replicas &&
      (status.updatedReplicas ?? 0) === replicas &&
      (replicas === 0 || status.currentRevision === status.updateRevision)
    );
  });
}

async function kubectlStep(env: Env, work: string, config: Record<string, unknown>, label: string): Promise<{ objects: number; dryRunMs: number; applyMs: number; readyMs: number }> {
  const manifests = await kubectlManifests(config);
  const file = join(work, `${label}.yaml`);
  writeFileSync(file, manifests.yaml);
  const apply = ['apply', '--server-side', '--field-manager=notebook-platform-bench', '-f', file];
  // A server-side dry run of objects in a namespace needs the namespace: it is created first,
  // untimed (the apply then only takes over its fields).
  const namespaces = JSON.parse(run('kubectl', ['get', 'namespaces', '-o', 'json'], { env }).stdout) as { items: { metadata: { name: string } }[] };
  if (!namespaces.items.some((item) => item.metadata.name === manifests.namespace)) run('kubectl', ['create', 'namespace', manifests.namespace], { env });
  const dryRunMs = run('kubectl', [...apply, '--dry-run=server'], { env }).ms;
  const start = performance.now();
  const applyMs = run('kubectl', apply, { env }).ms;
  for (;;) {
    const out = run('kubectl', ['get', 'statefulsets', '-n', manifests.namespace, '-o', 'json'], { env }).stdout;
    if (rolledOut((JSON.parse(out) as { items: StatefulSetStatus[] }).items)) break;
    if (performance.now() - start > 20 * 60 * 1000) throw new Error(`engine bench: StatefulSets in ${manifests.namespace} not rolled out after 20 minutes`);
    await new Promise((done) => setTimeout(done, 250));
  }
  return { objects: manifests.objects, dryRunMs, applyMs, readyMs: performance.now() - start };
}

interface PulumiStack {
  readonly name: string;
  readonly configFile: string;
}

function initStack(env: Env, work: string, name: string): PulumiStack {
  const project = join(work, 'project');
  run('pulumi', ['stack', 'init', name, '--non-interactive'], { cwd: project, env });
  return { name, configFile: join(work, `Pulumi.${name}.yaml`) };
}

/** Writes the stack's config file: the generated config plus the encryption salt `stack init` wrote (as scripts/demo does). */
function writeStackConfig(work: string, stack: PulumiStack, text: string): void {
  const initial = join(work, 'project', `Pulumi.${stack.name}.yaml`);
  const salt = existsSync(initial) ? (/^encryptionsalt:.*$/m.exec(readFileSync(initial, 'utf8'))?.[0] ?? '') : '';
  writeFileSync(stack.configFile, `${salt ? `${salt}\n` : ''}${text}`);
}

function pulumiStep(env: Env, stack: PulumiStack, parallel: number | undefined): { previewMs: number; upMs: number } {
  const common = ['--stack', stack.name, '--config-file', stack.configFile, '--non-interactive', ...(parallel ? ['--parallel', String(parallel)] : [])];
  const previewMs = run('pulumi', ['preview', ...common, '--diff=false'], { env }).ms;
  const upMs = run('pulumi', ['up', ...common, '--yes', '--skip-preview', '--suppress-outputs'], { env }).ms;
  return { previewMs, upMs };
}

function step(sessions: number, pulumi: { previewMs: number; upMs: number }, kubectl: { objects: number; dryRunMs: number; applyMs: number; readyMs: number }): EngineStep {
  return {
    sessions,
    objects: kubectl.objects,
    pulumiPreviewMs: round(pulumi.previewMs, 0),
    pulumiUpMs: round(pulumi.upMs, 0),
    kubectlDryRunMs: round(kubectl.dryRunMs, 0),
    kubectlApplyMs: round(kubectl.applyMs, 0),
    kubectlReadyMs: round(kubectl.readyMs, 0),
    previewRatio: round(pulumi.previewMs / kubectl.dryRunMs, 1),
    upRatio: round(pulumi.upMs / kubectl.readyMs, 1),
  };
}

export async function runEngineBench(options: EngineOptions = {}): Promise<EngineResults> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sizes = [...(options.sizes ?? [10, 50])].sort((a, b) => a - b);
  const work = mkdtempSync(join(tmpdir(), 'notebook-platform-bench-engine-'));
  const cluster = join(work, 'cluster');
  let started = false;
  try {
    log('bench engine: control plane and Pulumi toolchain (built once, then cached)');
    run(join(REPO_DIR(), 'scripts', 'control-plane'), ['build']);
    run(join(REPO_DIR(), 'scripts', 'pulumi-toolchain'), ['build']);
    run(join(REPO_DIR(), 'scripts', 'control-plane'), ['start', '--dir', cluster, '--owner-pid', String(process.pid)]);
    started = true;
    const env = engineEnv(work);
    mkdirSync(join(work, 'project'), { recursive: true });
    const projectName = /^name:\s*(\S+)/m.exec(readFileSync(join(REPO_DIR(), 'Pulumi.yaml'), 'utf8'))?.[1] ?? 'notebook-platform';
    writeFileSync(join(work, 'project', 'Pulumi.yaml'), `name: ${projectName}\nruntime: nodejs\n`);
    const pulumiVersion = run('pulumi', ['version'], { env }).stdout.trim();
    const status = run(join(REPO_DIR(), 'scripts', 'pulumi-toolchain'), ['status'], { env }).stdout;
    const kubernetesProvider = /^kubernetes: +(\S+)/m.exec(status)?.[1] ?? 'unknown';

    const create: EngineStep[] = [];
    let addOne: EngineStep | undefined;
    const largest = sizes[sizes.length - 1];
    for (const n of sizes) {
      // Sized for n + 1 so that adding a session later changes nothing but that session.
      const pulumiOptions: BenchConfigOptions = { team: `bench-p${n}`, storage: 'nfs', sizedFor: n + 1 };
      const kubectlOptions: BenchConfigOptions = { team: `bench-k${n}`, storage: 'nfs', sizedFor: n + 1 };
      const stack = initStack(env, work, `bench-p${n}`);
      writeStackConfig(work, stack, benchStackYaml(n, pulumiOptions));
      log(`bench engine: ${n} sessions: pulumi preview + up`);
      const pulumi = pulumiStep(env, stack, options.parallel);
      log(`bench engine: ${n} sessions: kubectl apply --server-side`);
      const kubectl = await kubectlStep(env, work, benchConfig(n, kubectlOptions), `kubectl-${n}`);
      create.push(step(n, pulumi, kubectl));
      log(`bench engine: ${n} sessions: up ${create[create.length - 1].pulumiUpMs} ms, kubectl ${create[create.length - 1].kubectlReadyMs} ms`);

      if (n === largest) {
        log(`bench engine: adding ${sessionName(n)} to ${n} sessions`);
        writeStackConfig(work, stack, benchStackYaml(n + 1, pulumiOptions));
        const pulumiMore = pulumiStep(env, stack, options.parallel);
        const kubectlMore = await kubectlStep(env, work, benchConfig(n + 1, kubectlOptions), `kubectl-${n}-plus-one`);
        addOne = step(n + 1, pulumiMore, kubectlMore);
      }
    }
    return { pulumiVersion, parallel: options.parallel, kubernetesProvider, create, addOne };
  } finally {
    if (started) {
      try {
        run(join(REPO_DIR(), 'scripts', 'control-plane'), ['stop', '--dir', cluster]);
      } catch (error) {
        log(`bench engine: stopping the control plane: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

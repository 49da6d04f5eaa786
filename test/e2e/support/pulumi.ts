/**
 * The real Pulumi engine for end-to-end suites: the CLI, language host and kubernetes provider
 * from scripts/pulumi-toolchain, a file backend and PULUMI_HOME in a temporary directory, and
 * the repository's program (Pulumi.yaml) run against a local control plane.
 *
 *   const ws = await PulumiWorkspace.create(dir, cp.kubeconfig);
 *   await ws.initStack('demo');
 *   const config = ws.stackConfig('demo', variantFile);   // the variant plus the stack's salt
 *   const up = await ws.up('demo', config);               // up.steps: every resource's operation
 *
 * Stack configs: with the passphrase secrets provider, `pulumi stack init` and the first update
 * write `encryptionsalt:` into the stack's config file. stacks/ is shared, so nothing here ever
 * reads or writes stacks/Pulumi.<stack>.yaml: stacks are created in a scratch project (a
 * Pulumi.yaml with the same project name), and every command that reads config gets
 * `--config-file` with a variant written under the workspace, carrying that salt. scripts/demo
 * does the same for `npm start`.
 *
 * Node built-ins only.
 */
import { spawnSync } from 'node:child_process';
import { runProcess } from './process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './control-plane';

export const PULUMI_TOOLCHAIN_SCRIPT = path.join(REPO_ROOT, 'scripts', 'pulumi-toolchain');

/** One `pulumi up`/`destroy` can wait for StatefulSets and claims: generous. */
export const PULUMI_TIMEOUT_MS = 10 * 60_000;

export interface PulumiResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** One resource operation of an update, from the engine's event stream. */
export interface Step {
  op: string;
  urn: string;
  type: string;
  /** Parent URN (of the new state for creates and updates, the old state for deletes). */
  parent?: string;
  retainOnDelete?: boolean;
}

export interface UpdateResult extends PulumiResult {
  /** Every resourcePreEvent: what the engine did (or would do) per resource, `same` included. */
  steps: Step[];
  /** The summaryEvent's resourceChanges, e.g. { create: 3, same: 12 }. */
  changes: Record<string, number>;
  /** Error diagnostics and failed operations, for messages. */
  errors: string[];
}

export class PulumiError extends Error {
  constructor(readonly result: PulumiResult, detail = '') {
    super(
      `pulumi ${result.args.join(' ')} failed (${result.code === null ? `killed by ${result.signal}` : `exit ${result.code}`})` +
        `${detail ? `: ${detail}` : ''}\n---- stderr (tail)\n${tail(result.stderr, 40)}\n---- stdout (tail)\n${tail(result.stdout, 40)}`,
    );
    this.name = 'PulumiError';
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The short name at the end of a URN (`nb-demo/StatefulSet/etl`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/**
 * The environment `scripts/pulumi-toolchain env --home H --backend B` exports (PATH with the
 * toolchain's bin dir, PULUMI_HOME, PULUMI_BACKEND_URL, no plugin downloads, the local passphrase),
 * evaluated by bash so its quoting is bash's.
 */
function toolchainEnv(home: string, backend: string): Record<string, string> {
  const script = `eval "$(${JSON.stringify(PULUMI_TOOLCHAIN_SCRIPT)} env --home ${JSON.stringify(home)} --backend ${JSON.stringify(backend)})" && env -0`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`scripts/pulumi-toolchain env failed (exit ${r.status}):\n${tail(r.stderr, 30)}`);
  const env: Record<string, string> = {};
  for (const entry of r.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Parses the engine's JSON event stream (`pulumi up --json --skip-preview`, `preview --json`'s events). */
function parseEvents(stdout: string): Record<string, any>[] {
  const events = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      events.push(JSON.parse(trimmed));
    } catch {
      /* not an event line */
    }
  }
  return events;
}

function updateResultOf(result: PulumiResult): UpdateResult {
  const events = parseEvents(result.stdout);
  const steps: Step[] = [];
  const errors: string[] = [];
  let changes: Record<string, number> = {};
  for (const event of events) {
    if (event.resourcePreEvent) {
      const m = event.resourcePreEvent.metadata;
      const state = m.new ?? m.old ?? {};
      steps.push({ op: m.op, urn: m.urn, type: m.type, parent: state.parent || undefined, retainOnDelete: state.retainOnDelete });
    } else if (event.summaryEvent) {
      changes = event.summaryEvent.resourceChanges ?? {};
    } else if (event.diagnosticEvent && event.diagnosticEvent.severity === 'error') {
      errors.push(`${event.diagnosticEvent.urn ? `${urnName(event.diagnosticEvent.urn)}: ` : ''}${String(event.diagnosticEvent.message).trim()}`);
    } else if (event.resOpFailedEvent) {
      errors.push(`${event.resOpFailedEvent.metadata.op} of ${urnName(event.resOpFailedEvent.metadata.urn)} failed`);
    }
  }
  return { ...result, steps, changes, errors };
}

export interface RunOptions {
  timeoutMs?: number;
  /** Resolve with a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  cwd?: string;
}

export class PulumiWorkspace {
  /** Stack name -> the `encryptionsalt:` line its config copies carry. */
  private readonly salts = new Map<string, string>();

  private constructor(
    /** The workspace directory (backend, PULUMI_HOME, scratch project, config copies). */
    readonly dir: string,
    readonly env: Record<string, string>,
    readonly projectName: string,
  ) {}

  /** A fresh file backend and PULUMI_HOME under `dir`, the program's cluster given by `kubeconfig`. */
  static create(dir: string, kubeconfig: string): PulumiWorkspace {
    fs.mkdirSync(dir, { recursive: true });
    const home = path.join(dir, 'pulumi-home');
    const env = toolchainEnv(home, path.join(dir, 'backend'));
    env.KUBECONFIG = kubeconfig;
    // ts-node type checking doubles the program's start-up; `npm run lint` type-checks.
    env.PULUMI_NODEJS_TRANSPILE_ONLY = 'true';
    // No terminal: plain output, no colours, no interactive prompts.
    env.PULUMI_SKIP_CONFIRMATIONS = 'true';
    delete env.PULUMI_ACCESS_TOKEN;
    const pulumiYaml = fs.readFileSync(path.join(REPO_ROOT, 'Pulumi.yaml'), 'utf8');
    const name = /^name:\s*(\S+)\s*$/m.exec(pulumiYaml)?.[1];
    if (!name) throw new Error('Pulumi.yaml has no name');
    const project = path.join(dir, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'Pulumi.yaml'), `name: ${name}\nruntime: nodejs\n`);
    fs.mkdirSync(path.join(dir, 'configs'), { recursive: true });
    return new PulumiWorkspace(dir, env, name);
  }

  /** Runs `pulumi ARGS` in the repository (or `cwd`); throws a PulumiError on failure unless allowed. */
  async run(args: string[], opts: RunOptions = {}): Promise<PulumiResult> {
    // SIGINT first at the timeout: the engine then cancels cleanly and releases the stack's lock.
    const r = await runProcess('pulumi', [...args, '--non-interactive', '--color', 'never'], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: this.env,
      timeoutMs: opts.timeoutMs ?? PULUMI_TIMEOUT_MS,
      timeoutSignal: 'SIGINT',
    });
    const result = { args, ...r };
    if (r.code !== 0 && !opts.allowFailure) throw new PulumiError(result);
    return result;
  }

  /** `pulumi stack init NAME` in the scratch project, so no stacks/Pulumi.NAME.yaml is written. */
  async initStack(stack: string): Promise<void> {
    const project = path.join(this.dir, 'project');
    await this.run(['stack', 'init', stack], { cwd: project });
    const file = path.join(project, `Pulumi.${stack}.yaml`);
    const salt = fs.existsSync(file) ? /^encryptionsalt:.*$/m.exec(fs.readFileSync(file, 'utf8'))?.[0] : undefined;
    if (!salt) throw new Error(`pulumi stack init ${stack} wrote no encryptionsalt into ${file}`);
    this.salts.set(stack, salt);
  }

  /**
   * The config file for a stack's commands: `source` (a stack config YAML, e.g. from
   * writeStackVariant) with the stack's salt, written to `<dir>/configs/Pulumi.<stack>.<n>.yaml`.
   */
  stackConfig(stack: string, source: string): string {
    const salt = this.salts.get(stack);
    if (!salt) throw new Error(`stack ${stack} was not created by this workspace (initStack)`);
    const body = fs
      .readFileSync(source, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('encryptionsalt:'))
      .join('\n');
    const dir = path.join(this.dir, 'configs');
    const n = fs.readdirSync(dir).filter((f) => f.startsWith(`Pulumi.${stack}.`)).length;
    const file = path.join(dir, `Pulumi.${stack}.${n}.yaml`);
    fs.writeFileSync(file, `${salt}\n${body}`);
    return file;
  }

  /** `pulumi up --yes --skip-preview --json`: the update's steps from the engine's events. */
  async up(stack: string, configFile: string, extra: string[] = [], opts: RunOptions = {}): Promise<UpdateResult> {
    const r = updateResultOf(
      await this.run(['up', '--stack', stack, '--config-file', configFile, '--yes', '--skip-preview', '--json', ...extra], { ...opts, allowFailure: true }),
    );
    if (r.code !== 0 && !opts.allowFailure) throw new PulumiError(r, r.errors.join('\n'));
    return r;
  }

  /** `pulumi preview` (human output; `--policy-pack` etc. in extra). Never throws on exit codes. */
  preview(stack: string, configFile: string, extra: string[] = []): Promise<PulumiResult> {
    return this.run(['preview', '--stack', stack, '--config-file', configFile, ...extra], { allowFailure: true });
  }

  /** `pulumi destroy --yes --skip-preview --json`. */
  async destroy(stack: string, configFile: string, opts: RunOptions = {}): Promise<UpdateResult> {
    const r = updateResultOf(
      await this.run(['destroy', '--stack', stack, '--config-file', configFile, '--yes', '--skip-preview', '--json'], { ...opts, allowFailure: true }),
    );
    if (r.code !== 0 && !opts.allowFailure) throw new PulumiError(r, r.errors.join('\n'));
    return r;
  }

  /** Stack outputs; secrets as "[secret]" unless showSecrets. */
  async outputs<T = Record<string, unknown>>(stack: string, showSecrets = false): Promise<T> {
    const r = await this.run(['stack', 'output', '--stack', stack, '--json', ...(showSecrets ? ['--show-secrets'] : [])]);
    return JSON.parse(r.stdout) as T;
  }

  /** The stack's resources from `pulumi stack export` (URN, type, parent, retainOnDelete...). */
  async resources(stack: string): Promise<{ urn: string; type: string; parent?: string; retainOnDelete?: boolean; id?: string }[]> {
    const r = await this.run(['stack', 'export', '--stack', stack]);
    return (JSON.parse(r.stdout).deployment.resources ?? []) as { urn: string; type: string; parent?: string; retainOnDelete?: boolean }[];
  }
}

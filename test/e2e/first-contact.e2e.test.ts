/**
 * First contact, as a new user meets the package: a fresh clone of the repository, `npm ci`, then
 * the README's own commands in the order the README gives them. Every command of the README that
 * runs the CLI (`node bin/notebook-platform.js ...`, or `notebook-platform ...` as an installed
 * package runs it) is taken from the README's sh blocks, so a command added there is run here.
 * `npm start`, `npm test` and `pulumi` commands have their own suites (demo, unit, pulumi e2e).
 *
 * The clone is of the committed HEAD: what a user gets, not the working tree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './support/control-plane';
import { runProcess, type ProcessResult } from './support/process';

const NPM_CI_TIMEOUT_MS = 10 * 60_000;
const COMMAND_TIMEOUT_MS = 3 * 60_000;
/** A line of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

let work: string;
let clone: string;
const timings: Record<string, number> = {};

/** The README's CLI commands, in order: each line of a sh block that runs the CLI, without its comment. */
export function readmeCliCommands(readme: string): string[] {
  const commands: string[] = [];
  const blocks = readme.matchAll(/^```sh\n([\s\S]*?)^```/gm);
  for (const [, body] of blocks) {
    for (const raw of body.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line.startsWith('node bin/notebook-platform.js ')) commands.push(line);
      else if (line.startsWith('notebook-platform ')) commands.push(`node bin/notebook-platform.js ${line.slice('notebook-platform '.length)}`);
    }
  }
  return commands;
}

/** `command` in the clone through bash (globs such as stacks/Pulumi.*.yaml expand as in a shell). */
function inClone(command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ProcessResult> {
  const env = { ...process.env };
  // The clone's own npm and node_modules, nothing from this test run.
  delete env.NODE_OPTIONS;
  delete env.npm_config_prefix;
  return runProcess('bash', ['-c', command], { cwd: clone, env, timeoutMs });
}

const describeResult = (r: ProcessResult) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n---- stdout\n${r.stdout.slice(-3000)}\n---- stderr\n${r.stderr.slice(-3000)}`;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-first-contact-'));
  clone = path.join(work, 'notebook-platform');
  const r = await runProcess('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`git clone failed: ${describeResult(r)}`);
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  process.stderr.write(`first-contact e2e timings: ${Object.entries(timings).map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
});

describe('a fresh clone, npm ci, then the README', () => {
  it('the README starts with npm ci and documents CLI commands', () => {
    const readme = fs.readFileSync(path.join(clone, 'README.md'), 'utf8');
    const first = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
    expect(first.split('\n')[0].replace(/\s+#.*$/, '').trim()).toBe('npm ci');
    expect(readmeCliCommands(readme).length).toBeGreaterThanOrEqual(3);
  });

  it('npm ci installs and builds the CLI (no separate build step)', async () => {
    // --prefer-offline: the packages come from npm's cache when it has them.
    const r = await inClone('npm ci --prefer-offline --no-audit --no-fund', NPM_CI_TIMEOUT_MS);
    timings['npm ci'] = r.durationMs;
    if (r.code !== 0) throw new Error(`npm ci failed: ${describeResult(r)}`);
    expect(fs.existsSync(path.join(clone, 'dist', 'cli', 'main.js'))).toBe(true);
  }, NPM_CI_TIMEOUT_MS + 60_000);

  it("every CLI command of the README runs, in the README's order, without a stack trace", async () => {
    const commands = readmeCliCommands(fs.readFileSync(path.join(clone, 'README.md'), 'utf8'));
    for (const command of commands) {
      const r = await inClone(command);
      timings[command] = r.durationMs;
      if (r.code !== 0 || STACK_FRAME.test(r.stderr)) throw new Error(`README command failed: ${command}\n${describeResult(r)}`);
      expect(r.stdout.trim().length).toBeGreaterThan(0);
    }
  }, 15 * 60_000);

  it('without dist/ the CLI says so in one line and exits 2, never with a stack trace', async () => {
    fs.rmSync(path.join(clone, 'dist'), { recursive: true, force: true });
    const r = await inClone('node bin/notebook-platform.js validate stacks/Pulumi.demo.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^notebook-platform: the CLI is not built \(.*dist\/cli\/main\.js is missing\): run `npm run build` in /)]);
  });
});

/**
 * Production state, for real: the Pulumi CLI logged in to an S3 bucket (Pulumi's DIY backend,
 * with its lock files) and stacks whose secrets are encrypted by a KMS key, both served by moto
 * in server mode (scripts/moto-server: PyPI, a venv in the cache) on a random loopback port.
 * The team is deployed against a local control plane (kwok nodes), as in pulumi.e2e.test.ts.
 *
 * How the CLI reaches moto (pulumi 3.259.0, gocloud.dev v0.46, aws-sdk-go-v2):
 * - state: `pulumi login 's3://BUCKET?endpoint=http://127.0.0.1:PORT&use_path_style=true&region=R'`
 *   (gocloud's s3blob parameters; `s3ForcePathStyle=true` is accepted as the old spelling).
 * - secrets: the stack keeps the URL a team would use, `awskms://alias/NAME?region=R`; the SDK
 *   sends KMS calls to AWS_ENDPOINT_URL_KMS. (`&endpoint=` in the awskms URL works too, but it
 *   would be written into the stack's config with this run's port.)
 * - fake credentials in the environment, no shared config files, no instance metadata.
 *
 * Stacks (one history, the tests run in order):
 * - filedemo: stacks/Pulumi.demo.yaml as team `filedemo` on a local file backend with the
 *   passphrase, then moved to S3 + KMS with `stack export | import` (the README's procedure).
 * - s3demo: the same config as team `s3demo`, created on S3 + KMS; timings side by side.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ControlPlane, REPO_ROOT, START_TIMEOUT_MS, STOP_TIMEOUT_MS, parseExports, startControlPlane } from './support/control-plane';
import { type Kubectl, kubectlFor } from './support/kubectl';
import { getObject, getOptional } from './support/cluster';
import { validateStackFile, writeStackVariant, type StackValues } from './support/stacks';
import { done, notYet, waitFor } from './support/wait';
import { PulumiWorkspace, type PulumiResult, type UpdateResult, urnName } from './support/pulumi';
import { processesWith, runProcess } from './support/process';

const TEST_TIMEOUT_MS = 10 * 60_000;
/** No-op `pulumi up`s per backend for the side-by-side timing. */
const NOOP_RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MOTO_SCRIPT = path.join(REPO_ROOT, 'scripts', 'moto-server');
const BUCKET = 'notebook-platform-state';
const KEY_ALIAS = 'alias/notebook-platform-state';
const REGION = 'eu-west-1';
const SECRETS_PROVIDER = `awskms://${KEY_ALIAS}?region=${REGION}`;
const PROJECT = 'notebook-platform';
/** How a checkpoint marks a secret value: {"4dabf18193072939515e22adb298388d": SECRET_SIG, ...}. */
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

let cp: ControlPlane;
let k: Kubectl;
let work: string;
let motoDir: string;
let endpoint = '';
/** Local file backend with the passphrase: where `npm start` keeps a stack. */
let fileWs: PulumiWorkspace;
/** Logged in to the bucket; no passphrase in its environment. */
let s3: PulumiWorkspace;
let backendUrl = '';
const timings: Record<string, number> = {};
const suiteStarted = Date.now();

function time<T extends { durationMs: number }>(label: string, result: T): T {
  timings[label] = result.durationMs;
  return result;
}

function explain(r: PulumiResult): string {
  return r.code === 0 ? '' : `exit ${r.code}\n---- stdout\n${r.stdout.slice(-3000)}\n---- stderr\n${r.stderr.slice(-3000)}`;
}

function motoScript(args: string[], timeoutMs = 5 * 60_000) {
  return runProcess('bash', [MOTO_SCRIPT, ...args], { cwd: REPO_ROOT, timeoutMs, timeoutSignal: 'SIGTERM' });
}

// ---- the bucket, read the way anyone with s3:GetObject would --------------------------------

/** Every key in the bucket (under `prefix`); moto answers unsigned requests. */
async function listKeys(prefix = ''): Promise<string[]> {
  const res = await fetch(`${endpoint}/${BUCKET}?list-type=2&max-keys=1000&prefix=${encodeURIComponent(prefix)}`);
  const xml = await res.text();
  if (!res.ok) throw new Error(`ListObjectsV2 ${res.status}: ${xml}`);
  if (/<IsTruncated>true</.test(xml)) throw new Error('more than 1000 objects in the test bucket');
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
}

let downloads = 0;
/** Every object of the bucket, key -> bytes, fetched with (fake) credentials as `aws s3 sync` would. */
async function downloadBucket(): Promise<Map<string, Buffer>> {
  const dir = path.join(work, `bucket-${downloads++}`);
  const r = await motoScript(['download', '--endpoint', endpoint, '--bucket', BUCKET, '--dir', dir, '--region', REGION], 120_000);
  if (r.code !== 0) throw new Error(`scripts/moto-server download failed:\n${r.stderr.slice(-3000)}`);
  const objects = new Map<string, Buffer>();
  for (const key of r.stdout.split('\n').filter(Boolean)) objects.set(key, fs.readFileSync(path.join(dir, key)));
  fs.rmSync(dir, { recursive: true, force: true });
  return objects;
}

const stateKey = (stack: string) => `.pulumi/stacks/${PROJECT}/${stack}.json`;
const lockKeys = async (stack: string) => (await listKeys('.pulumi/locks/')).filter((key) => key.includes(`/${stack}/`));

// ---- stacks ---------------------------------------------------------------------------------

/**
 * `pulumi stack init STACK` in the workspace's scratch project (never stacks/), and the lines
 * its Pulumi.STACK.yaml got (encryptionsalt for the passphrase; secretsprovider + encryptedkey
 * for KMS), which every config copy for that stack must carry.
 */
async function initStack(ws: PulumiWorkspace, stack: string, extra: string[] = []): Promise<string[]> {
  const project = path.join(ws.dir, 'project');
  await ws.run(['stack', 'init', stack, ...extra], { cwd: project });
  const text = fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), 'utf8');
  return text.split('\n').filter((line) => /^(encryptionsalt|secretsprovider|encryptedkey):/.test(line));
}

let copies = 0;
/** A config file for a stack's commands: the stack's header lines and the demo as team `team`. */
function configFile(header: string[], team: string, edit: (v: StackValues) => void = () => undefined): string {
  const variant = writeStackVariant(path.join(work, 'variants'), 'demo', `${team}-${copies++}`, (v) => {
    v.team = team;
    edit(v);
  });
  const validated = validateStackFile(variant);
  if (!validated.ok) throw new Error(validated.problems.join('\n'));
  const file = path.join(work, 'configs', `Pulumi.${team}.${copies}.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${header.join('\n')}\n${fs.readFileSync(variant, 'utf8')}`);
  return file;
}

interface SessionOutput {
  token: string;
}

/** Each session's token as the cluster holds it (the Secret the notebook reads). */
async function clusterTokens(team: string): Promise<Record<string, string>> {
  const validated = validateStackFile(writeStackVariant(path.join(work, 'variants'), 'demo', `${team}-tokens`, (v) => (v.team = team)));
  if (!validated.ok) throw new Error(validated.problems.join('\n'));
  const tokens: Record<string, string> = {};
  for (const s of validated.plan.sessions) {
    const secret = (await getObject(k, validated.plan.namespace, `secret/${s.names.tokenSecret}`)) as unknown as { data: { token: string } };
    tokens[s.name] = Buffer.from(secret.data.token, 'base64').toString();
  }
  return tokens;
}

/** No object in the bucket holds a token in plaintext or base64; the state has ciphertext. */
async function expectNoPlaintext(stack: string, tokens: Record<string, string>): Promise<void> {
  const objects = await downloadBucket();
  expect([...objects.keys()]).toContain(stateKey(stack));
  const needles = Object.values(tokens).flatMap((t) => [t, Buffer.from(t).toString('base64')]);
  expect(needles.length).toBeGreaterThan(0);
  const found: string[] = [];
  // The current checkpoint, its .bak, backups and every history checkpoint: all of them are state.
  for (const [key, bytes] of objects) {
    for (const needle of needles) if (bytes.includes(needle)) found.push(`${key} holds ${needle.slice(0, 6)}...`);
  }
  expect(found).toEqual([]);

  const state = JSON.parse(objects.get(stateKey(stack))!.toString('utf8'));
  expect(state.checkpoint.latest.secrets_providers).toMatchObject({ type: 'cloud', state: { url: SECRETS_PROVIDER } });
  const text = JSON.stringify(state.checkpoint.latest.resources);
  const ciphertexts = [...text.matchAll(new RegExp(`"${SIG_KEY}":"${SECRET_SIG}","ciphertext":"([^"]+)"`, 'g'))];
  // At least one secret per session (its token) is stored, encrypted.
  expect(ciphertexts.length).toBeGreaterThanOrEqual(Object.keys(tokens).length);
}

function changedSteps(r: UpdateResult): string[] {
  return r.steps.filter((s) => s.op !== 'same').map((s) => `${s.op} ${urnName(s.urn)}`);
}

// ---- suite ----------------------------------------------------------------------------------

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-state-'));
  motoDir = path.join(work, 'moto');
  let started = Date.now();
  // The venv is built by .ci/run (cached); a first local run installs it here.
  const build = await motoScript(['build'], 10 * 60_000);
  if (build.code !== 0) throw new Error(`scripts/moto-server build failed:\n${build.stderr.slice(-3000)}`);
  timings['moto build (cached unless first)'] = Date.now() - started;
  started = Date.now();
  const moto = await motoScript(['start', '--dir', motoDir, '--owner-pid', String(process.pid)], 60_000);
  if (moto.code !== 0) throw new Error(`scripts/moto-server start failed:\n${moto.stderr.slice(-3000)}`);
  endpoint = parseExports(moto.stdout).MOTO_ENDPOINT;
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint ?? '')) throw new Error(`unexpected moto-server output:\n${moto.stdout}`);
  const setup = await motoScript(['setup', '--endpoint', endpoint, '--bucket', BUCKET, '--key-alias', KEY_ALIAS, '--region', REGION], 60_000);
  if (setup.code !== 0) throw new Error(`scripts/moto-server setup failed:\n${setup.stderr.slice(-3000)}`);
  timings['moto start + bucket + key'] = Date.now() - started;

  started = Date.now();
  cp = await startControlPlane();
  timings['control plane start'] = Date.now() - started;
  k = kubectlFor(cp);

  fileWs = PulumiWorkspace.create(path.join(work, 'file'), cp.kubeconfig);
  s3 = PulumiWorkspace.create(path.join(work, 's3'), cp.kubeconfig);
  // The S3 workspace has no file backend and no passphrase: anything that fell back to either fails.
  delete s3.env.PULUMI_BACKEND_URL;
  delete s3.env.PULUMI_CONFIG_PASSPHRASE;
  const noAwsFiles = path.join(work, 'no-aws-config');
  Object.assign(s3.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_KMS: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: noAwsFiles,
    AWS_SHARED_CREDENTIALS_FILE: noAwsFiles,
  });
  backendUrl = `s3://${BUCKET}?endpoint=${endpoint}&use_path_style=true&region=${REGION}`;
}, START_TIMEOUT_MS + 10 * 60_000);

afterAll(async () => {
  try {
    if (cp) await cp.stop();
  } finally {
    if (motoDir) await motoScript(['stop', '--dir', motoDir], 30_000);
    if (work) fs.rmSync(work, { recursive: true, force: true });
    timings.suite = Date.now() - suiteStarted;
    process.stderr.write(`state-backend e2e timings: ${Object.entries(timings).map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
  }
}, STOP_TIMEOUT_MS);

describe('S3 state backend (moto) with KMS-encrypted secrets', () => {
  let s3Header: string[];
  let s3Config: string;
  let fileConfig: string;

  it('pulumi login s3://… with a custom endpoint and path-style addressing', async () => {
    const r = await s3.run(['login', backendUrl]);
    expect(r.stdout).toContain(`(${backendUrl})`);
    const who = await s3.run(['whoami', '--verbose']);
    expect(who.stdout).toMatch(new RegExp(`Backend URL: s3://${BUCKET}\\?`));
    // login wrote the backend's metadata into the bucket.
    expect(await listKeys()).toContain('.pulumi/meta.yaml');
  }, TEST_TIMEOUT_MS);

  it('the demo on the file backend and on S3 + KMS: same result, timed side by side', async () => {
    fileConfig = configFile(await initStack(fileWs, 'filedemo'), 'filedemo');
    s3Header = await initStack(s3, 's3demo', ['--secrets-provider', SECRETS_PROVIDER]);
    // The stack's config names the provider and the data key KMS encrypted; no passphrase salt.
    expect(s3Header.map((l) => l.split(':')[0]).sort()).toEqual(['encryptedkey', 'secretsprovider']);
    expect(s3Header).toContain(`secretsprovider: ${SECRETS_PROVIDER}`);
    s3Config = configFile(s3Header, 's3demo');

    const f = time('file backend: pulumi up (create)', await fileWs.up('filedemo', fileConfig));
    const c = time('S3 backend: pulumi up (create)', await s3.up('s3demo', s3Config));
    expect(c.errors).toEqual([]);
    expect(c.changes).toEqual(f.changes);
    // No-op ups, alternating so that load on the machine falls on both alike: the median of N.
    const noop: Record<'file' | 's3', number[]> = { file: [], s3: [] };
    for (let i = 0; i < NOOP_RUNS; i++) {
      const fr = await fileWs.up('filedemo', fileConfig);
      expect(changedSteps(fr)).toEqual([]);
      noop.file.push(fr.durationMs);
      const sr = await s3.up('s3demo', s3Config);
      expect(changedSteps(sr)).toEqual([]);
      noop.s3.push(sr.durationMs);
    }
    timings[`file backend: pulumi up (no-op, median of ${NOOP_RUNS})`] = median(noop.file);
    timings[`S3 backend: pulumi up (no-op, median of ${NOOP_RUNS})`] = median(noop.s3);
    process.stderr.write(`no-op pulumi up of the demo, ms: file ${noop.file.join(' ')}; S3 + KMS ${noop.s3.join(' ')}\n`);
    expect(await lockKeys('s3demo')).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('the state in the bucket holds no token, only KMS ciphertext', async () => {
    const tokens = await clusterTokens('s3demo');
    expect(Object.values(tokens).every((t) => /^[A-Za-z0-9]{48}$/.test(t))).toBe(true);
    await expectNoPlaintext('s3demo', tokens);
  }, TEST_TIMEOUT_MS);

  it('pulumi stack output --show-secrets reads the tokens through KMS, and only through KMS', async () => {
    const tokens = await clusterTokens('s3demo');
    const out = await s3.outputs<{ sessions: Record<string, SessionOutput> }>('s3demo', true);
    expect(Object.fromEntries(Object.entries(out.sessions).map(([name, s]) => [name, s.token]))).toEqual(tokens);
    // With KMS out of reach (a loopback port nobody listens on) the same command cannot decrypt.
    const closed = await freeLoopbackPort();
    const saved = s3.env.AWS_ENDPOINT_URL_KMS;
    s3.env.AWS_ENDPOINT_URL_KMS = `http://127.0.0.1:${closed}`;
    try {
      const r = await s3.run(['stack', 'output', '--stack', 's3demo', '--json', '--show-secrets'], { allowFailure: true, timeoutMs: 120_000 });
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/KMS: Decrypt/);
      for (const t of Object.values(tokens)) expect(r.stdout).not.toContain(t);
    } finally {
      s3.env.AWS_ENDPOINT_URL_KMS = saved;
    }
  }, TEST_TIMEOUT_MS);

  it('pulumi stack export | import round-trips: same resources and values, a preview with no changes', async () => {
    const tokens = Object.values(await clusterTokens('s3demo'));
    const exported = path.join(work, 's3demo.export.json');
    await s3.run(['stack', 'export', '--stack', 's3demo', '--file', exported]);
    // Without --show-secrets the export carries ciphertext only.
    const text = fs.readFileSync(exported, 'utf8');
    for (const t of tokens) expect(text).not.toContain(t);
    // Decrypted views before and after (import re-encrypts with fresh nonces, so ciphertext differs).
    const clear = async () => JSON.parse((await s3.run(['stack', 'export', '--stack', 's3demo', '--show-secrets'])).stdout).deployment.resources;
    const before = await clear();
    const imported = await s3.run(['stack', 'import', '--stack', 's3demo', '--file', exported]);
    expect(explain(imported)).toBe('');
    expect(await clear()).toEqual(before);
    expect(JSON.stringify(before)).toContain(tokens[0]);
    const p = await s3.preview('s3demo', s3Config, ['--expect-no-changes']);
    expect(explain(p)).toBe('');
  }, TEST_TIMEOUT_MS);

  it('moves a stack from the file backend to S3 + KMS without replacing anything', async () => {
    const tokens = await clusterTokens('filedemo');
    const before = await fileWs.resources('filedemo');
    // The README's procedure: export (ciphertext of the old provider); a stack on the new backend;
    // import, then change-secrets-provider, both with the old passphrase at hand: import keeps the
    // export's provider (measured: the state still said "passphrase"), change-secrets-provider
    // decrypts with it and re-encrypts the state and the stack config with KMS.
    const exported = path.join(work, 'filedemo.export.json');
    await fileWs.run(['stack', 'export', '--stack', 'filedemo', '--file', exported]);
    expect(JSON.parse(fs.readFileSync(exported, 'utf8')).deployment.secrets_providers.type).toBe('passphrase');
    const project = path.join(s3.dir, 'project');
    await initStack(s3, 'filedemo', ['--secrets-provider', SECRETS_PROVIDER]);
    s3.env.PULUMI_CONFIG_PASSPHRASE = fileWs.env.PULUMI_CONFIG_PASSPHRASE;
    try {
      expect(explain(await s3.run(['stack', 'import', '--stack', 'filedemo', '--file', exported]))).toBe('');
      expect(explain(await s3.run(['stack', 'change-secrets-provider', '--stack', 'filedemo', SECRETS_PROVIDER], { cwd: project }))).toBe('');
    } finally {
      delete s3.env.PULUMI_CONFIG_PASSPHRASE;
    }
    const header = fs.readFileSync(path.join(project, 'Pulumi.filedemo.yaml'), 'utf8').split('\n').filter((l) => /^(secretsprovider|encryptedkey):/.test(l));
    expect(header).toContain(`secretsprovider: ${SECRETS_PROVIDER}`);

    const moved = await s3.resources('filedemo');
    expect(moved.map((r) => [r.urn, r.id])).toEqual(before.map((r) => [r.urn, r.id]));
    // From here on no passphrase: only KMS.
    const config = configFile(header, 'filedemo');
    const p = await s3.preview('filedemo', config, ['--expect-no-changes']);
    expect(explain(p)).toBe('');
    const up = time('S3 backend: first pulumi up after the move', await s3.up('filedemo', config));
    expect(changedSteps(up)).toEqual([]);
    // Re-encrypted with KMS on import: not the passphrase's ciphertext, and no plaintext.
    await expectNoPlaintext('filedemo', tokens);
    const out = await s3.outputs<{ sessions: Record<string, SessionOutput> }>('filedemo', true);
    expect(Object.fromEntries(Object.entries(out.sessions).map(([name, s]) => [name, s.token]))).toEqual(tokens);
  }, TEST_TIMEOUT_MS);
});

describe('two pulumi up on one stack at once (the S3 backend\'s lock files)', () => {
  let header: string[];
  const config = (edit: (v: StackValues) => void = () => undefined) => configFile(header, 's3demo', edit);
  const withAdhoc = (v: StackValues) => {
    v.sessions = [...(v.sessions as StackValues[]), { name: 'adhoc', owner: 'dave', size: 'small', environment: 'scipy' }];
  };
  const lockMessage = /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\.\s+s3:\/\/\S+\.pulumi\/locks\/\S+\.json\S*: created by \S+@\S+ \(pid \d+\)/;

  beforeAll(() => {
    const project = path.join(s3.dir, 'project');
    header = fs.readFileSync(path.join(project, 'Pulumi.s3demo.yaml'), 'utf8').split('\n').filter((l) => /^(secretsprovider|encryptedkey):/.test(l));
  });

  it('a second up while the first holds the lock is refused with the lock message; the first completes', async () => {
    const added = config(withAdhoc);
    const first = s3.up('s3demo', added);
    // Start the second one once the first has written its lock file (bounded wait).
    await waitFor('the first update\'s lock file', async () => ((await lockKeys('s3demo')).length === 1 ? done(true) : notYet('no lock yet')), { timeoutMs: 120_000, intervalMs: 100 });
    const second = time('refused concurrent pulumi up', await s3.up('s3demo', added, [], { allowFailure: true }));
    const a = await first;
    expect(a.errors).toEqual([]);
    expect(second.code).not.toBe(0);
    expect(`${second.stdout}\n${second.stderr}`).toMatch(lockMessage);
    // The refused run changed nothing: the first one's update is the state, and a third is a no-op.
    expect(changedSteps(a)).toEqual(expect.arrayContaining([expect.stringMatching(/^create .*adhoc/)]));
    expect(await lockKeys('s3demo')).toEqual([]);
    const third = await s3.up('s3demo', added);
    expect(changedSteps(third)).toEqual([]);
    expect(await getOptional(k, 'nb-s3demo', 'statefulset/adhoc')).toBeDefined();
  }, TEST_TIMEOUT_MS);

  it('two ups started together: never both run; every refusal is the lock; state intact', async () => {
    const same = config(withAdhoc);
    const before = await s3.resources('s3demo');
    const [a, b] = await Promise.all([s3.up('s3demo', same, [], { allowFailure: true }), s3.up('s3demo', same, [], { allowFailure: true })]);
    // The DIY lock is write-then-list: two runs that write at the same instant can both see the
    // other and both give up, but never both proceed.
    const ok = [a, b].filter((r) => r.code === 0);
    expect(ok.length).toBeLessThanOrEqual(1);
    for (const r of [a, b].filter((x) => x.code !== 0)) expect(`${r.stdout}\n${r.stderr}`).toMatch(/the stack is currently locked by [12] lock\(s\)/);
    process.stderr.write(`simultaneous pulumi up: ${ok.length} of 2 proceeded\n`);
    expect(await lockKeys('s3demo')).toEqual([]);
    const third = await s3.up('s3demo', same);
    expect(changedSteps(third)).toEqual([]);
    expect((await s3.resources('s3demo')).map((r) => r.urn).sort()).toEqual(before.map((r) => r.urn).sort());
  }, TEST_TIMEOUT_MS);
});

/** A loopback port that was free a moment ago (for "nobody listens there"). */
async function freeLoopbackPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the CI workflow\'s steps (scripts/ci-steps, docs/examples/github-workflow.yml) against the S3 backend', () => {
  const CI_STEPS = path.join(REPO_ROOT, 'scripts', 'ci-steps');
  let configDir: string;
  let summary: string;
  const ciSteps = (args: string[]) =>
    runProcess('bash', [CI_STEPS, ...args], {
      cwd: REPO_ROOT,
      env: { ...s3.env, NOTEBOOK_PLATFORM_CONFIG_DIR: configDir, GITHUB_STEP_SUMMARY: summary },
      timeoutMs: TEST_TIMEOUT_MS - 30_000,
      timeoutSignal: 'SIGINT',
    });
  const say = (r: { code: number | null; stdout: string; stderr: string }) => (r.code === 0 ? '' : `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);

  beforeAll(() => {
    configDir = path.join(work, 'ci-stacks');
    fs.mkdirSync(configDir, { recursive: true });
    summary = path.join(work, 'step-summary.md');
    // The merged config: the demo without the `adhoc` session the lock tests added.
    const header = fs.readFileSync(path.join(s3.dir, 'project', 'Pulumi.s3demo.yaml'), 'utf8').split('\n').filter((l) => /^(secretsprovider|encryptedkey):/.test(l));
    fs.copyFileSync(configFile(header, 's3demo'), path.join(configDir, 'Pulumi.s3demo.yaml'));
  });

  it('gates: validate and check pass on the stack config', async () => {
    const r = await ciSteps(['gates']);
    expect(say(r)).toBe('');
  }, TEST_TIMEOUT_MS);

  it('preview on a pull request: the policy pack runs and the diff lands in the step summary', async () => {
    fs.rmSync(summary, { force: true });
    const r = await ciSteps(['preview', 's3demo']);
    expect(say(r)).toBe('');
    const text = fs.readFileSync(summary, 'utf8');
    expect(text).toMatch(/^### pulumi preview: s3demo \(ok\)$/m);
    expect(text).toMatch(/Policy Packs run:\s+Name\s+Version\s+notebook-platform\|local\|policies\s+\d/);
    // The summary is public to everyone who can read the pull request: secrets stay masked.
    expect(text).toMatch(/token\s*: \[secret\]/);
    for (const t of Object.values(await clusterTokens('s3demo'))) expect(text).not.toContain(t);
    // Removing the session shows as deletions of its objects, in diff form.
    expect(text).toMatch(/^- kubernetes:apps\/v1:StatefulSet: \(delete\)\s+\[id=nb-s3demo\/adhoc\]/m);
    expect(await getOptional(k, 'nb-s3demo', 'statefulset/adhoc')).toBeDefined();
  }, TEST_TIMEOUT_MS);

  it('deploy on merge: pulumi up applies it; the next preview has nothing to do', async () => {
    const r = time('ci-steps deploy (S3 backend)', await ciSteps(['deploy', 's3demo']));
    expect(say(r)).toBe('');
    await waitFor('statefulset/adhoc gone', async () => ((await getOptional(k, 'nb-s3demo', 'statefulset/adhoc')) ? notYet('still there') : done(true)), { timeoutMs: 60_000 });
    expect(await lockKeys('s3demo')).toEqual([]);
    fs.rmSync(summary, { force: true });
    const again = await ciSteps(['preview', 's3demo']);
    expect(say(again)).toBe('');
    const text = fs.readFileSync(summary, 'utf8');
    expect(text).toMatch(/Resources:\s+\d+ unchanged/);
    expect(text).not.toMatch(/to delete|to create|to update|to replace/);
  }, TEST_TIMEOUT_MS);
});

describe('a pulumi up killed half-way (SIGKILL): nothing of it keeps running, ci-steps deploy recovers', () => {
  const CI_STEPS = path.join(REPO_ROOT, 'scripts', 'ci-steps');
  let configDir: string;
  let killedPid = 0;
  let claimsBefore: Record<string, string> = {};
  let runs = 0;
  /** A marker for the environment of one run: everything it starts inherits it. */
  const marker = () => `NOTEBOOK_PLATFORM_E2E_RUN=state-backend-${process.pid}-${runs++}`;
  const withSessions = (...names: string[]) => {
    const header = fs.readFileSync(path.join(s3.dir, 'project', 'Pulumi.s3demo.yaml'), 'utf8').split('\n').filter((l) => /^(secretsprovider|encryptedkey):/.test(l));
    const file = configFile(header, 's3demo', (v) => {
      v.sessions = [...(v.sessions as StackValues[]), ...names.map((name) => ({ name, owner: 'erin', size: 'small', environment: 'scipy' }))];
    });
    fs.copyFileSync(file, path.join(configDir, 'Pulumi.s3demo.yaml'));
    return path.join(configDir, 'Pulumi.s3demo.yaml');
  };
  const ciSteps = (args: string[], mark = marker()) => {
    const [name, value] = mark.split('=');
    return runProcess('bash', [CI_STEPS, ...args], {
      cwd: REPO_ROOT,
      env: { ...s3.env, NOTEBOOK_PLATFORM_CONFIG_DIR: configDir, [name]: value },
      timeoutMs: TEST_TIMEOUT_MS - 30_000,
      timeoutSignal: 'SIGINT',
    });
  };
  const claimUids = async () => {
    const list = await k.json<{ items: { metadata: { name: string; uid: string } }[] }>(['get', 'persistentvolumeclaims', '-n', 'nb-s3demo']);
    return Object.fromEntries(list.items.map((i) => [i.metadata.name, i.metadata.uid]));
  };
  const tokenSecret = (session: string) =>
    waitFor(`secret/${session}-token`, async () => ((await getOptional(k, 'nb-s3demo', `secret/${session}-token`)) ? done(true) : notYet('not yet')), { timeoutMs: 180_000, intervalMs: 100 });
  /** Nothing carrying the marker runs any more (bounded wait); what is left is reported, then ended (we started it). */
  const expectNothingLeft = async (mark: string, withinMs: number) => {
    let left = processesWith(mark);
    const until = Date.now() + withinMs;
    while (left.length > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesWith(mark);
    }
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    expect(left.map((p) => `${p.pid} ${p.exe}: ${p.cmd.slice(0, 160)}`)).toEqual([]);
  };
  /** ci-steps deploy after a killed run: it clears the lock and the pending operations; a token Secret the dead run created is deleted as it says. */
  const recover = async (pid: number, session: string) => {
    // What the killed run left pending depends on the instant it died: read it first.
    const pending: { type: string; resource: { urn: string } }[] =
      JSON.parse((await s3.run(['stack', 'export', '--stack', 's3demo'])).stdout).deployment.pending_operations ?? [];
    process.stderr.write(`killed pulumi up left ${pending.length} pending operation(s): ${pending.map((o) => `${o.type} ${urnName(o.resource.urn)}`).join(', ')}\n`);
    const r = await ciSteps(['deploy', 's3demo']);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(new RegExp(`stale lock of stack s3demo: \\S+@${os.hostname()} pid ${pid} \\(not running on this host\\)`));
    expect(out).toMatch(/removed the stale lock\(s\) of stack s3demo/);
    if (pending.length > 0) {
      expect(out).toMatch(new RegExp(`stack s3demo has ${pending.length} pending operation\\(s\\) left by an interrupted run`));
      for (const o of pending) expect(out).toContain(`${o.type} ${o.resource.urn}`);
      expect(out).toMatch(/clearing them: pulumi refresh --stack s3demo --yes --skip-preview --clear-pending-creates/);
    }
    let final = r;
    if (r.code !== 0) {
      // The one case the script leaves to the operator, with the exact command.
      expect(out).toMatch(new RegExp(`Secret/${session}-token[\\s\\S]*Server-Side Apply field conflict`));
      const command = `kubectl delete secret ${session}-token -n nb-s3demo --ignore-not-found`;
      expect(r.stderr).toContain(command);
      await k.ok(command.split(' ').slice(1));
      final = await ciSteps(['deploy', 's3demo']);
    }
    expect(final.code === 0 ? '' : `exit ${final.code}\n${final.stdout.slice(-3000)}\n${final.stderr.slice(-3000)}`).toBe('');
    expect(await lockKeys('s3demo')).toEqual([]);
    await getObject(k, 'nb-s3demo', `statefulset/${session}`);
    const noop = await s3.up('s3demo', path.join(configDir, 'Pulumi.s3demo.yaml'));
    expect(changedSteps(noop)).toEqual([]);
    expect(`${noop.stdout}${noop.stderr}`).not.toMatch(/pending operation/);
    // No claim was deleted or replaced: every one from before the kill keeps its uid.
    const after = await claimUids();
    for (const [name, uid] of Object.entries(claimsBefore)) expect(`${name} ${after[name]}`).toBe(`${name} ${uid}`);
    claimsBefore = after;
  };

  beforeAll(async () => {
    configDir = path.join(work, 'ci-killed');
    fs.mkdirSync(configDir, { recursive: true });
    claimsBefore = await claimUids();
  });

  it('pulumi run by hand and killed: the toolchain\'s plugins end by themselves; the lock names the dead pid', async () => {
    expect(Object.keys(claimsBefore).length).toBeGreaterThan(0);
    const cfg = withSessions('killed');
    const mark = marker();
    const [name, value] = mark.split('=');
    const child = spawn('pulumi', ['up', '--stack', 's3demo', '--config-file', cfg, '--yes', '--skip-preview', '--non-interactive', '--color', 'never'], {
      cwd: REPO_ROOT,
      env: { ...s3.env, [name]: value },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killedPid = child.pid!;
    // Half-way: the new session's first object exists, the rest is still being created.
    await tokenSecret('killed');
    const running = processesWith(mark);
    process.kill(killedPid, 'SIGKILL');
    await exited;
    // The language host and the kubernetes provider (under pulumi-guard plugin) were running.
    expect(running.map((p) => p.exe)).toEqual(expect.arrayContaining(['pulumi', 'pulumi-language-nodejs', 'pulumi-guard', 'pulumi-resource-kubernetes']));
    // Each checks its parent every 200 ms; the provider gets 5 s to stop after SIGTERM.
    await expectNothingLeft(mark, 7_000);

    expect(await lockKeys('s3demo')).toHaveLength(1);
    const refused = await s3.up('s3demo', cfg, [], { allowFailure: true });
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(new RegExp(`the stack is currently locked by 1 lock\\(s\\)[\\s\\S]*\\(pid ${killedPid}\\)`));
  }, TEST_TIMEOUT_MS);

  it('ci-steps deploy removes the stale lock (this host, pid gone), clears the pending operations and completes; no claim deleted', async () => {
    expect(killedPid).toBeGreaterThan(0);
    await recover(killedPid, 'killed');
  }, TEST_TIMEOUT_MS);

  it('killed under ci-steps (pulumi-guard run): when the CLI dies, nothing of that run is left; the next deploy recovers', async () => {
    withSessions('killed', 'killed2');
    const mark = marker();
    const deploy = ciSteps(['deploy', 's3demo'], mark);
    await tokenSecret('killed2');
    const cli = processesWith(mark).find((p) => p.exe === 'pulumi' && / up /.test(p.cmd));
    expect(cli).toBeDefined();
    process.kill(cli!.pid, 'SIGKILL');
    const r = await deploy;
    expect(r.code).toBe(128 + 9);
    // pulumi-guard ended what was left before it exited (or the plugins had ended themselves).
    await expectNothingLeft(mark, 1_000);
    await recover(cli!.pid, 'killed2');
  }, TEST_TIMEOUT_MS);
});

/**
 * Upgrading a stack across the renaming of session components, on the real engine: a stack
 * deployed when sessions were named by their bare session name (`churn-model`) is previewed and
 * updated by the current program, which names them `<platform>/<session>` with the old name as
 * alias. The preview must show nothing to replace and nothing to delete, and the update must
 * keep every Kubernetes object (same uid).
 *
 * The previous naming is the current program with exactly that line as it was before (no
 * prefix, no alias), in a copy of the program under a temporary directory: everything else is
 * equal, so any replacement or deletion comes from the renaming alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './support/control-plane';
import { validateStackFile } from './support/stacks';
import { pulumiSuite } from './support/suite';
import { type PulumiResult, urnName } from './support/pulumi';

const TEST_TIMEOUT_MS = 10 * 60_000;
const SESSION_TYPE = 'notebook-platform:index:NotebookSession';
const STACK = 'upgrade';

/** The session naming of the current program, and what it was before the rename. */
const CURRENT_NAMING = 'new NotebookSession(`${name}/${session.name}`, ';
const PREVIOUS_NAMING = 'new NotebookSession(session.name, ';
const ALIAS = ', aliases: [{ name: session.name }]';

let previousProgram: string;
let config: string;
let sessionNames: string[];
let namespace: string;

/** The program as it was before sessions were named under their platform, in `dir`. */
function writePreviousProgram(dir: string): void {
  for (const entry of ['components', 'shared', 'stacks', 'Pulumi.yaml', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const file = path.join(dir, 'components', 'platform.ts');
  const source = fs.readFileSync(file, 'utf8');
  // Exactly one session registration with the current naming and its alias: else this test no longer describes the program.
  expect(source.split(CURRENT_NAMING)).toHaveLength(2);
  expect(source.split(ALIAS)).toHaveLength(2);
  fs.writeFileSync(file, source.replace(CURRENT_NAMING, PREVIOUS_NAMING).replace(ALIAS, ''));
}

interface PreviewStep {
  op: string;
  urn: string;
}

/** The resource type at the end of a URN's type chain (`...NotebookPlatform$...NotebookSession`). */
const typeOf = (urn: string) => urn.split('::')[2].split('$').pop()!;

/** `pulumi preview --json` of the current program: its steps and change summary. */
async function previewJson(): Promise<{ steps: PreviewStep[]; changeSummary: Record<string, number>; result: PulumiResult }> {
  const result = await suite.ws.preview(STACK, config, ['--json']);
  if (result.code !== 0) throw new Error(`pulumi preview failed (exit ${result.code}):\n${result.stderr}\n${result.stdout.slice(-4000)}`);
  const document = JSON.parse(result.stdout) as { steps?: PreviewStep[]; changeSummary?: Record<string, number> };
  return { steps: document.steps ?? [], changeSummary: document.changeSummary ?? {}, result };
}

type Items = { items: { kind: string; metadata: { name: string; uid: string } }[] };

/** uid of every object the stack made in the team namespace, the namespace and the volumes, by kind/name. */
async function uids(): Promise<Record<string, string>> {
  const kinds = 'statefulsets,services,serviceaccounts,configmaps,secrets,persistentvolumeclaims,networkpolicies,roles,rolebindings,resourcequotas,limitranges,ingresses';
  const namespaced = await suite.k.json<Items>(['get', kinds, '-n', namespace]);
  const cluster = await suite.k.json<Items>(['get', `namespace/${namespace}`]);
  const volumes = await suite.k.json<Items>(['get', 'persistentvolumes']);
  // What Kubernetes adds to every namespace is not the stack's.
  const added = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);
  const single = cluster as unknown as { kind: string; metadata: { name: string; uid: string } };
  const all = [...namespaced.items, single, ...volumes.items].filter((item) => !added.has(`${item.kind}/${item.metadata.name}`));
  return Object.fromEntries(all.map((item) => [`${item.kind}/${item.metadata.name}`, item.metadata.uid]));
}

const suite = pulumiSuite('upgrade', async ({ work, ws }) => {
  previousProgram = path.join(work, 'previous');
  writePreviousProgram(previousProgram);
  const file = suite.variant('demo', STACK);
  const validated = validateStackFile(file);
  if (!validated.ok) throw new Error(validated.problems.join('\n'));
  namespace = validated.plan.namespace;
  sessionNames = validated.plan.sessions.map((s) => s.name);
  await ws.initStack(STACK);
  config = ws.stackConfig(STACK, file);
});
const { timings } = suite;

describe('a stack deployed with bare session names, upgraded to <platform>/<session>', () => {
  let before: Record<string, string>;

  it('deploys with the previous naming: sessions named by their bare name', async () => {
    const r = await suite.ws.up(STACK, config, [], { cwd: previousProgram });
    timings['up (previous naming)'] = r.durationMs;
    expect(r.errors).toEqual([]);
    const sessions = r.steps.filter((s) => s.type === SESSION_TYPE).map((s) => urnName(s.urn));
    expect(sessions.sort()).toEqual([...sessionNames].sort());
    before = await uids();
    expect(Object.keys(before).length).toBeGreaterThan(20);
  }, TEST_TIMEOUT_MS);

  it('pulumi preview --json of the current program: 0 to replace, 0 to delete, 0 to create', async () => {
    const { steps, changeSummary, result } = await previewJson();
    timings['preview (current naming)'] = result.durationMs;
    const ops = (wanted: (op: string) => boolean) => steps.filter((s) => wanted(s.op)).map((s) => `${s.op} ${typeOf(s.urn)} ${urnName(s.urn)}`);
    expect(ops((op) => op === 'replace' || op.includes('replace') || op === 'delete' || op === 'discard' || op === 'create')).toEqual([]);
    expect(changeSummary.replace ?? 0).toBe(0);
    expect(changeSummary.delete ?? 0).toBe(0);
    expect(changeSummary.create ?? 0).toBe(0);
    // Every resource of the stack, the renamed sessions included (found under their old names), is unchanged or updated in place.
    expect(Object.keys(changeSummary).filter((op) => op !== 'same' && op !== 'update')).toEqual([]);
    expect(changeSummary.same).toBeGreaterThan(30);
    process.stderr.write(`upgrade preview change summary: ${JSON.stringify(changeSummary)}\n`);
  }, TEST_TIMEOUT_MS);

  it('pulumi up of the current program keeps every object, and the next preview has no change', async () => {
    const r = await suite.ws.up(STACK, config);
    timings['up (current naming)'] = r.durationMs;
    expect(r.errors).toEqual([]);
    expect(r.steps.filter((s) => s.op !== 'same' && s.op !== 'update').map((s) => `${s.op} ${urnName(s.urn)}`)).toEqual([]);
    expect(await uids()).toEqual(before);
    const resources = await suite.ws.resources(STACK);
    expect(resources.filter((r) => r.type === SESSION_TYPE).map((r) => urnName(r.urn)).sort()).toEqual(sessionNames.map((n) => `${STACK}/${n}`).sort());
    const again = await previewJson();
    expect(Object.keys(again.changeSummary)).toEqual(['same']);
  }, TEST_TIMEOUT_MS);
});

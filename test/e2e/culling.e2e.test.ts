/**
 * Culling and owner start/stop against a real API server (scripts/control-plane, kwok nodes):
 *
 * - RBAC as the cluster enforces it: the culler's ServiceAccount may scale exactly the sessions it
 *   watches and nothing else; each owner (access.ownerSubject "{owner}", the control plane's
 *   test users alice and bob) may start and stop their own sessions, through
 *   `notebook-platform sessions`, and never someone else's; viewers never exec.
 * - Pulumi and the culler do not fight (the real engine and kubernetes provider): a session
 *   scaled to zero the way the culler does it stays stopped across `pulumi preview`, `pulumi up`
 *   and `pulumi up --refresh`; `running: false` then `running: true` starts it again.
 *
 * The culler itself runs on the real node (test/real), where Jupyter really runs.
 */
import * as path from 'node:path';
import { applyServerSide, getObject } from './support/cluster';
import { type StackValues, synthStack, validateStackFile, writeStackVariant } from './support/stacks';
import { done, notYet, waitFor } from './support/wait';
import { runProcess } from './support/process';
import { type PulumiWorkspace, type UpdateResult, urnName } from './support/pulumi';
import { REPO_ROOT } from './support/control-plane';
import { pulumiSuite } from './support/suite';

const TEST_TIMEOUT_MS = 10 * 60_000;
const CLI = path.join(REPO_ROOT, 'bin', 'notebook-platform.js');

const suite = pulumiSuite('culling');

/** team-b on the control plane's kwok-volume class, sessions owned by alice and bob, a culler. */
function cullingVariant(team: string, edit: (values: StackValues) => void = () => undefined): string {
  return writeStackVariant(path.join(suite.work, 'stacks'), 'team-b', team, (v) => {
    v.team = team;
    v.storage = { backend: 'storageClass', storageClassName: 'kwok-volume' };
    v.stateModel = 'session';
    v.access = { viewerGroups: ['team-b'], ownerSubject: '{owner}', allowExec: true };
    v.network = { apiServer: { cidrs: ['127.0.0.1/32'], port: 6443 } };
    v.jupyter = { stopIdleSessionsAfterSeconds: 600 };
    v.sessions = [
      { name: 'alice-etl', owner: 'alice', size: 'small', environment: 'minimal' },
      { name: 'alice-keep', owner: 'alice', size: 'small', environment: 'minimal', jupyter: { stopIdleSessionsAfterSeconds: 0 } },
      { name: 'bob-report', owner: 'bob', size: 'small', environment: 'minimal' },
    ];
    edit(v);
  });
}

const replicasOf = async (namespace: string, name: string) => ((await getObject(suite.k, namespace, `statefulset/${name}`)) as unknown as { spec: { replicas: number } }).spec.replicas;

async function waitForReplicas(namespace: string, name: string, want: number): Promise<void> {
  await waitFor(`statefulset ${namespace}/${name} at ${want} replicas`, async () => {
    const replicas = await replicasOf(namespace, name);
    return replicas === want ? done(replicas) : notYet(`replicas ${replicas}`);
  }, { timeoutMs: 60_000 });
}

/** `notebook-platform sessions ...` as a control-plane user (their own kubeconfig). */
async function sessionsAs(user: string, args: string[]) {
  const env = { ...process.env, KUBECONFIG: suite.cp.users[user].kubeconfig };
  return runProcess(process.execPath, [CLI, 'sessions', ...args], { env, timeoutMs: 60_000 });
}

describe('RBAC: the culler and the owners, as the API server enforces it', () => {
  const team = 'cullm';
  let namespace: string;
  let config: string;

  beforeAll(async () => {
    config = cullingVariant(team);
    const stack = synthStack(config, path.join(suite.work, 'out', team));
    namespace = stack.namespace;
    await applyServerSide(suite.k, stack.namespaceFile);
    await applyServerSide(suite.k, stack.files.map((f) => f.path));
    // The token Secrets the Pulumi component would create (synth users supply them).
    for (const session of stack.plan.sessions) {
      await suite.k.ok(['-n', namespace, 'create', 'secret', 'generic', session.names.tokenSecret, `--from-literal=token=t-${session.name}`]);
    }
    for (const session of stack.plan.sessions) await waitForReplicas(namespace, session.names.statefulSet, 1);
  }, TEST_TIMEOUT_MS);

  const asCuller = () => `--as=system:serviceaccount:${namespace}:notebook-culler`;

  it('the culler may scale the sessions it watches, and nothing else', async () => {
    await suite.k.ok([asCuller(), '-n', namespace, 'scale', 'statefulset/alice-etl', '--replicas=0']);
    await waitForReplicas(namespace, 'alice-etl', 0);
    // Not watched (its rule is 0), not a session, not the spec, not Secrets, not a list.
    const refused = [
      ['scale', 'statefulset/alice-keep', '--replicas=0'],
      ['patch', 'statefulset/bob-report', '--type=merge', '-p', '{"spec":{"template":{"metadata":{"labels":{"x":"y"}}}}}'],
      ['get', 'secret/bob-report-token'],
      ['get', 'statefulsets'],
      ['delete', 'statefulset/bob-report'],
    ];
    for (const args of refused) {
      const r = await suite.k([asCuller(), '-n', namespace, ...args]);
      expect({ args, code: r.code, forbidden: /forbidden/i.test(r.stderr) }).toEqual({ args, code: 1, forbidden: true });
    }
    expect(await replicasOf(namespace, 'alice-keep')).toBe(1);
  }, TEST_TIMEOUT_MS);

  it('an owner starts and stops their own session with notebook-platform sessions; another owner cannot', async () => {
    const start = await sessionsAs('alice', ['start', 'alice-etl', '--config', config]);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain(`started ${team}/alice-etl (StatefulSet ${namespace}/alice-etl scaled to 1)`);
    expect(start.stdout).toContain(`url: /notebooks/${team}/alice-etl/`);
    await waitForReplicas(namespace, 'alice-etl', 1);

    const stolen = await sessionsAs('bob', ['stop', 'alice-etl', '--config', config]);
    expect(stolen.code).toBe(1);
    expect(stolen.stderr).toMatch(/403: .*forbidden.*only a session's owner/s);
    expect(await replicasOf(namespace, 'alice-etl')).toBe(1);

    const own = await sessionsAs('bob', ['stop', 'bob-report', '--config', config]);
    expect(own.code).toBe(0);
    await waitForReplicas(namespace, 'bob-report', 0);
    // mallory has no Role at all.
    const stranger = await sessionsAs('mallory', ['start', 'bob-report', '--config', config]);
    expect(stranger.code).toBe(1);
    expect(await replicasOf(namespace, 'bob-report')).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('exec and port-forward: the owner into their own pods only; viewers never', async () => {
    const can = async (user: string, verb: string, resource: string, sub: string) => {
      const r = await suite.k(['auth', 'can-i', verb, resource, `--subresource=${sub}`, '-n', namespace, `--as=${user}`, ...(user === 'bob' ? ['--as-group=team-b'] : [])]);
      return r.stdout.trim();
    };
    expect(await can('alice', 'create', 'pods/alice-etl-0', 'exec')).toBe('yes');
    expect(await can('alice', 'create', 'pods/alice-etl-0', 'portforward')).toBe('yes');
    expect(await can('alice', 'create', 'pods/bob-report-0', 'exec')).toBe('no');
    // bob is also in the viewer group team-b: viewing gives no exec into alice's pod.
    expect(await can('bob', 'create', 'pods/alice-etl-0', 'exec')).toBe('no');
    expect(await can('bob', 'create', 'pods/bob-report-0', 'exec')).toBe('yes');
  }, TEST_TIMEOUT_MS);
});

describe('pulumi and the culler do not fight (real engine and provider)', () => {
  const team = 'cullp';
  const stack = team;
  let ws: PulumiWorkspace;
  let namespace: string;

  /** The stack's config for one step: the culling variant with alice-etl and bob-report, no exec, edited. */
  const configFor = (edit: (v: StackValues) => void = () => undefined) =>
    ws.stackConfig(
      stack,
      cullingVariant(team, (v) => {
        v.access = { viewerGroups: ['team-b'], ownerSubject: '{owner}' };
        v.sessions = (v.sessions as StackValues[]).filter((session) => session.name !== 'alice-keep');
        edit(v);
      }),
    );
  const sessionSteps = (r: UpdateResult) => r.steps.filter((s) => s.op !== 'same').map((s) => `${s.op} ${urnName(s.urn)}`);

  beforeAll(async () => {
    ws = suite.ws;
    await ws.initStack(stack);
    const validated = validateStackFile(cullingVariant(team));
    if (!validated.ok) throw new Error(validated.problems.join('\n'));
    namespace = validated.plan.namespace;
  }, TEST_TIMEOUT_MS);

  it('pulumi up creates the sessions running and the culler', async () => {
    const r = await ws.up(stack, configFor());
    expect(r.errors).toEqual([]);
    await waitForReplicas(namespace, 'alice-etl', 1);
    expect((await getObject(suite.k, namespace, 'deployment/notebook-culler')).metadata.name).toBe('notebook-culler');
  }, TEST_TIMEOUT_MS);

  it('a session the culler stopped stays stopped: preview shows nothing, up and up --refresh change nothing', async () => {
    await suite.k.ok([`--as=system:serviceaccount:${namespace}:notebook-culler`, '-n', namespace, 'patch', 'statefulset/alice-etl', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":0}}']);
    await waitForReplicas(namespace, 'alice-etl', 0);
    const preview = await ws.run(['preview', '--stack', stack, '--config-file', configFor(), '--json', '--diff']);
    const steps = (JSON.parse(preview.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
    expect(steps.filter((s) => s.op !== 'same').map((s) => `${s.op} ${urnName(s.urn)}`)).toEqual([]);
    expect(sessionSteps(await ws.up(stack, configFor()))).toEqual([]);
    expect(await replicasOf(namespace, 'alice-etl')).toBe(0);
    const refreshed = await ws.up(stack, configFor(), ['--refresh']);
    expect(refreshed.steps.filter((s) => s.op === 'update' || s.op === 'replace' || s.op === 'create' || s.op === 'delete').map((s) => urnName(s.urn))).toEqual([]);
    expect(await replicasOf(namespace, 'alice-etl')).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('running: false keeps it stopped by config; running: true starts it', async () => {
    const stop = (v: StackValues) => (v.sessions = (v.sessions as StackValues[]).map((s) => (s.name === 'alice-etl' ? { ...s, running: false } : s)));
    await ws.up(stack, configFor(stop));
    expect(await replicasOf(namespace, 'alice-etl')).toBe(0);
    const r = await ws.up(stack, configFor());
    expect(sessionSteps(r)).toEqual(expect.arrayContaining([expect.stringMatching(/^update .*StatefulSet\/alice-etl$/)]));
    await waitForReplicas(namespace, 'alice-etl', 1);
  }, TEST_TIMEOUT_MS);
});

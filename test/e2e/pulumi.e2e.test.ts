/**
 * `pulumi up` for real: the Pulumi CLI, our Node.js language host and the kubernetes provider
 * (scripts/pulumi-toolchain) run the repository's program (Pulumi.yaml -> stacks/index.ts)
 * against a local control plane (scripts/control-plane: kube-apiserver, etcd, controllers, kwok).
 * Each run has its own control plane, file backend and PULUMI_HOME in temporary directories;
 * stack configs are variants of stacks/Pulumi.*.yaml written there (support/pulumi.ts explains
 * why stacks/ is never written).
 *
 * Stacks:
 * - demo: stacks/Pulumi.demo.yaml as it is (nfs: static volumes, homes as sub-paths of one claim).
 * - life: team-b on the control plane's `kwok-volume` class (cephfs is not here) with a claim per
 *   session (stateModel: session), so retention and purge act on a session's own claim.
 * - team-b: stacks/Pulumi.team-b.yaml with `kwok-volume` for cephfs, previewed with the pack.
 * - unsafe: the demo with an environment image from an unlisted registry: valid config, refused
 *   by the policy pack.
 * team-a (EFS) needs AWS and the aws provider: `notebook-platform check` covers it offline.
 *
 * The tests in each describe build on each other (one stack's history) and run in order.
 */
import * as path from 'node:path';
import { diagnose, eventsFor, getObject, getOptional, type KubeItem } from './support/cluster';
import { type StackValues, validateStackFile } from './support/stacks';
import { pulumiSuite } from './support/suite';
import { done, notYet, waitFor } from './support/wait';
import { type Step, type UpdateResult, urnName } from './support/pulumi';
import { RETAIN_ANNOTATION } from '../../components/kubernetes/register';

const TEST_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 90_000;
const SESSION_TYPE = 'notebook-platform:index:NotebookSession';

const suite = pulumiSuite('pulumi');
const { variant, time } = suite;

// ---- helpers ------------------------------------------------------------------------------

/** Steps that changed something (not `same`), as "op name" for messages. */
function changed(r: UpdateResult): Step[] {
  return r.steps.filter((s) => s.op !== 'same');
}

function describeSteps(steps: Step[]): string {
  return steps.map((s) => `${s.op} ${s.type} ${urnName(s.urn)}`).join('\n');
}

/** The URN of a session's component in a stack (named `<platform>/<session>`). */
function sessionUrn(r: UpdateResult, session: string): string {
  const step = r.steps.find((s) => s.type === SESSION_TYPE && urnName(s.urn).endsWith(`/${session}`));
  if (!step) throw new Error(`no ${SESSION_TYPE} ${session} in the update:\n${describeSteps(r.steps)}`);
  return step.urn;
}

/** Whether a step is the session's component or one of its children. */
function ofSession(step: Step, urn: string): boolean {
  return step.urn === urn || step.parent === urn;
}

async function statefulSetReady(ns: string, name: string): Promise<KubeItem> {
  return waitFor(
    `StatefulSet ${ns}/${name} ready`,
    async () => {
      const sts = await getOptional(suite.k, ns, `statefulset/${name}`);
      if (!sts) return notYet('not found');
      const want = sts.spec?.replicas ?? 1;
      const ready = sts.status?.readyReplicas ?? 0;
      return ready === want && (sts.status?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0)
        ? done(sts)
        : notYet(`${ready}/${want} ready, observed generation ${sts.status?.observedGeneration}`);
    },
    { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(suite.cp, suite.k, ns, [`statefulset/${name}`, `pod/${name}-0`]) },
  );
}

async function gone(ns: string | undefined, ref: string): Promise<void> {
  await waitFor(
    `${ref} to be gone`,
    async () => ((await getOptional(suite.k, ns, ref)) ? notYet('still there') : done(true)),
    { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(suite.cp, suite.k, ns ?? 'default', [ref]) },
  );
}

async function claimBound(ns: string, name: string): Promise<KubeItem> {
  return waitFor(
    `PersistentVolumeClaim ${ns}/${name} Bound`,
    async () => {
      const pvc = await getOptional(suite.k, ns, `persistentvolumeclaim/${name}`);
      if (!pvc) return notYet('not found');
      return pvc.status?.phase === 'Bound' ? done(pvc) : notYet(`phase ${pvc.status?.phase}`);
    },
    { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(suite.cp, suite.k, ns, [`persistentvolumeclaim/${name}`]) },
  );
}

interface SessionOutput {
  url: string;
  token: string;
  stateClaim: string;
  running: boolean;
  owner: string;
  size: string;
  shares: string[];
}

// ---- the demo stack -------------------------------------------------------------------------

describe('demo stack (stacks/Pulumi.demo.yaml, nfs)', () => {
  const stack = 'demo';
  let config: string;
  let namespace: string;
  let sessions: { name: string; running: boolean; statefulSet: string; tokenSecret: string }[];

  beforeAll(async () => {
    const file = variant('demo', 'demo');
    const validated = validateStackFile(file);
    if (!validated.ok) throw new Error(validated.problems.join('\n'));
    namespace = validated.plan.namespace;
    sessions = validated.plan.sessions.map((s) => ({ name: s.name, running: s.running, statefulSet: s.names.statefulSet, tokenSecret: s.names.tokenSecret }));
    await suite.ws.initStack(stack);
    config = suite.ws.stackConfig(stack, file);
  }, TEST_TIMEOUT_MS);

  it('pulumi up succeeds and every running session becomes ready', async () => {
    const r = time('demo: pulumi up (create)', await suite.ws.up(stack, config));
    expect(r.errors).toEqual([]);
    expect(r.changes.create).toBeGreaterThan(30);
    expect(Object.keys(r.changes).filter((op) => op !== 'create' && op !== 'same')).toEqual([]);

    for (const s of sessions) {
      const sts = await statefulSetReady(namespace, s.statefulSet);
      expect(sts.spec.replicas).toBe(s.running ? 1 : 0);
      if (s.running) expect(sts.status.readyReplicas).toBe(1);
      // The StatefulSet is registered after the ServiceAccount, ConfigMap and Secret its pod needs.
      const failed = await eventsFor(suite.k, namespace, 'StatefulSet', s.statefulSet, 'FailedCreate');
      expect(failed.map((e) => e.message).filter((m) => /serviceaccount|configmap|secret/i.test(m))).toEqual([]);
    }
    expect(sessions.some((s) => !s.running)).toBe(true);

    const outputs = await suite.ws.outputs<{ namespace: string; sessions: Record<string, SessionOutput> }>(stack);
    expect(outputs.namespace).toBe(namespace);
    expect(Object.keys(outputs.sessions).sort()).toEqual(sessions.map((s) => s.name).sort());
    for (const s of Object.values(outputs.sessions)) {
      expect(s.token).toBe('[secret]');
      expect(s.url).toMatch(/^https:\/\/notebooks\.example\.com\/notebooks\/demo\/[a-z0-9-]+\/$/);
      expect(s.stateClaim).toMatch(/^workdirs\/sessions\//);
    }
  }, TEST_TIMEOUT_MS);

  it('a second pulumi up changes nothing, and keeps each session token', async () => {
    const before = await suite.ws.outputs<{ sessions: Record<string, SessionOutput> }>(stack, true);
    const r = time('demo: pulumi up (no-op)', await suite.ws.up(stack, config));
    expect(describeSteps(changed(r))).toBe('');
    expect(Object.keys(r.changes)).toEqual(['same']);
    const after = await suite.ws.outputs<{ sessions: Record<string, SessionOutput> }>(stack, true);
    for (const s of sessions) {
      expect(after.sessions[s.name].token).toMatch(/^[A-Za-z0-9]{48}$/);
      expect(after.sessions[s.name].token).toBe(before.sessions[s.name].token);
      // ... and it is the one in the cluster's Secret.
      const secret = await getObject(suite.k, namespace, `secret/${s.tokenSecret}`);
      const data = (secret as unknown as { data: { token: string } }).data;
      expect(Buffer.from(data.token, 'base64').toString()).toBe(before.sessions[s.name].token);
    }
  }, TEST_TIMEOUT_MS);

  it('adding a session to the nfs stack creates only that session', async () => {
    const added = suite.ws.stackConfig(
      stack,
      variant('demo', 'demo-added', (v) => {
        v.sessions = [...(v.sessions as StackValues[]), { name: 'adhoc', owner: 'dave', size: 'small', environment: 'scipy' }];
      }),
    );
    const r = time('demo: add a session', await suite.ws.up(stack, added));
    const urn = sessionUrn(r, 'adhoc');
    const other = changed(r).filter((s) => !(s.op === 'create' && ofSession(s, urn)));
    expect(describeSteps(other)).toBe('');
    expect(r.changes.create).toBeGreaterThanOrEqual(6);
    await statefulSetReady(namespace, 'adhoc');
    // Back to the example's sessions for the tests below: removing it deletes only its objects
    // (its home is a directory of the team claim, which stays).
    const back = await suite.ws.up(stack, config);
    expect(describeSteps(changed(back).filter((s) => !(s.op === 'delete' && ofSession(s, urn))))).toBe('');
    await gone(namespace, 'statefulset/adhoc');
    await claimBound(namespace, 'workdirs');
  }, TEST_TIMEOUT_MS);

  it('pulumi preview --policy-pack policies passes', async () => {
    const r = time('demo: preview --policy-pack', await suite.ws.preview(stack, config, ['--policy-pack', path.join('policies')]));
    expect({ code: r.code, out: r.code === 0 ? '' : `${r.stdout}\n${r.stderr}` }).toEqual({ code: 0, out: '' });
    expect(r.stdout).toMatch(/notebook-platform@v[\d.]+ \(local: policies\)/);
    expect(r.stdout).not.toMatch(/mandatory/);
  }, TEST_TIMEOUT_MS);

  it('pulumi destroy leaves the namespace, the claims and the static volumes', async () => {
    const claims = ['workdirs', 'share-datasets', 'share-scratch', 'share-payroll'];
    const volumes = claims.map((c) => `${namespace}-${c}`);
    const uids: Record<string, string> = {};
    for (const c of claims) uids[c] = (await claimBound(namespace, c)).metadata.uid;

    const r = time('demo: pulumi destroy', await suite.ws.destroy(stack, config));
    expect(r.errors).toEqual([]);
    for (const s of sessions) await gone(namespace, `statefulset/${s.statefulSet}`);
    await gone(namespace, 'networkpolicy/default-deny');

    expect((await getObject(suite.k, undefined, `namespace/${namespace}`)).status.phase).toBe('Active');
    for (const c of claims) {
      const pvc = await claimBound(namespace, c);
      expect(pvc.metadata.uid).toBe(uids[c]);
    }
    for (const v of volumes) {
      const pv = await getObject(suite.k, undefined, `persistentvolume/${v}`);
      expect(pv.status.phase).toBe('Bound');
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    }
    expect(await suite.ws.resources(stack)).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

// ---- a session's life: add, stop, remove (retained), purge ----------------------------------

describe('session lifecycle (team-b on kwok-volume, a claim per session)', () => {
  const stack = 'life';
  let namespace: string;
  let base: StackValues[];
  const configFor = (name: string, edit: (sessions: StackValues[]) => StackValues[]) =>
    suite.ws.stackConfig(
      stack,
      variant('team-b', `life-${name}`, (v) => {
        v.team = 'life';
        v.storage = { backend: 'storageClass', storageClassName: 'kwok-volume' };
        v.stateModel = 'session';
        withoutCuller(v);
        withoutSnapshots(v);
        v.sessions = edit((v.sessions as StackValues[]).map((s) => ({ ...s })));
      }),
    );
  // These tests check that a session's change touches that session alone; with a culler, its
  // config and Role (which name the watched sessions) change too, as culling.e2e.test.ts shows.
  const withoutCuller = (v: StackValues) => (v.jupyter = { ...(v.jupyter as StackValues), stopIdleSessionsAfterSeconds: 0 });
  // Likewise the snapshot job's config lists every claim it snapshots (team-b's backup).
  const withoutSnapshots = (v: StackValues) => (v.backup = undefined);
  const withAdhoc = (sessions: StackValues[], extra: StackValues = {}) => [...sessions, { name: 'adhoc', owner: 'grace', size: 'small', environment: 'minimal', ...extra }];
  const stopped = (sessions: StackValues[], name: string) => sessions.map((s) => (s.name === name ? { ...s, running: false } : s));
  const without = (sessions: StackValues[], name: string) => sessions.filter((s) => s.name !== name);
  const uids: Record<string, string> = {};

  beforeAll(async () => {
    await suite.ws.initStack(stack);
    const file = variant('team-b', 'life-check', (v) => {
      v.team = 'life';
      v.storage = { backend: 'storageClass', storageClassName: 'kwok-volume' };
      v.stateModel = 'session';
      withoutCuller(v);
      withoutSnapshots(v);
      base = v.sessions as StackValues[];
    });
    const validated = validateStackFile(file);
    if (!validated.ok) throw new Error(validated.problems.join('\n'));
    namespace = validated.plan.namespace;
    expect(validated.plan.sessions.map((s) => s.home.claimName)).toEqual(validated.plan.sessions.map((s) => `workdir-${s.name}`));
  }, TEST_TIMEOUT_MS);

  it('pulumi up: each session gets its own claim, bound', async () => {
    const r = time('life: pulumi up (create)', await suite.ws.up(stack, configFor('0', (s) => s)));
    expect(r.errors).toEqual([]);
    for (const s of base) {
      uids[s.name] = (await claimBound(namespace, `workdir-${s.name}`)).metadata.uid;
      await statefulSetReady(namespace, s.name as string);
    }
  }, TEST_TIMEOUT_MS);

  it('adding a session creates only that session\'s resources', async () => {
    const r = time('life: add a session', await suite.ws.up(stack, configFor('1-add', (s) => withAdhoc(s))));
    const urn = sessionUrn(r, 'adhoc');
    const created = changed(r).filter((s) => s.op === 'create' && ofSession(s, urn));
    const other = changed(r).filter((s) => !created.includes(s));
    expect(describeSteps(other)).toBe('');
    expect(created.map((s) => s.type)).toEqual(expect.arrayContaining(['kubernetes:apps/v1:StatefulSet', 'kubernetes:core/v1:PersistentVolumeClaim', 'kubernetes:core/v1:Secret']));
    uids.adhoc = (await claimBound(namespace, 'workdir-adhoc')).metadata.uid;
    await statefulSetReady(namespace, 'adhoc');
  }, TEST_TIMEOUT_MS);

  it('running: false scales the session to zero and changes nothing else', async () => {
    const r = time('life: running false', await suite.ws.up(stack, configFor('2-stop', (s) => stopped(withAdhoc(s), 'reports'))));
    const updates = changed(r);
    expect(describeSteps(updates)).toBe(`update kubernetes:apps/v1:StatefulSet ${namespace}/StatefulSet/reports`);
    const sts = await statefulSetReady(namespace, 'reports');
    expect(sts.spec.replicas).toBe(0);
    await gone(namespace, 'pod/reports-0');
    expect((await claimBound(namespace, 'workdir-reports')).metadata.uid).toBe(uids.reports);
  }, TEST_TIMEOUT_MS);

  it('removing a session from the config deletes its objects but leaves its claim and volume', async () => {
    const before = await claimBound(namespace, 'workdir-reports');
    const r = time('life: remove a session', await suite.ws.up(stack, configFor('3-remove', (s) => without(stopped(withAdhoc(s), 'reports'), 'reports'))));
    const deletes = changed(r);
    expect(deletes.every((s) => s.op === 'delete')).toBe(true);
    expect(deletes.map((s) => urnName(s.urn)).sort()).toEqual(
      // The session component is named under its platform (named after the stack): life/reports.
      ['life/reports', `${namespace}/ConfigMap/reports-jupyter`, `${namespace}/PersistentVolumeClaim/workdir-reports`, `${namespace}/Secret/reports-token`,
        `${namespace}/Service/reports`, `${namespace}/ServiceAccount/reports`, `${namespace}/StatefulSet/reports`].sort(),
    );
    // The claim's delete step is the engine dropping it from the state: retainOnDelete keeps it.
    expect(deletes.find((s) => s.type === 'kubernetes:core/v1:PersistentVolumeClaim')?.retainOnDelete).toBe(true);
    for (const ref of ['statefulset/reports', 'service/reports', 'configmap/reports-jupyter', 'secret/reports-token', 'serviceaccount/reports']) await gone(namespace, ref);

    const after = await claimBound(namespace, 'workdir-reports');
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.spec.volumeName).toBe(before.spec.volumeName);
    const pv = await getObject(suite.k, undefined, `persistentvolume/${after.spec.volumeName}`);
    expect(pv.status.phase).toBe('Bound');
    expect(pv.spec.claimRef.uid).toBe(before.metadata.uid);
    expect((await suite.ws.resources(stack)).some((res) => urnName(res.urn).endsWith('/PersistentVolumeClaim/workdir-reports'))).toBe(false);
  }, TEST_TIMEOUT_MS);

  it('purge: true with running: false, then removing the entry, deletes the claim', async () => {
    const purged = (s: StackValues[]) => without(withAdhoc(s, { running: false, purge: true }), 'reports');
    const r1 = time('life: purge (mark)', await suite.ws.up(stack, configFor('4-purge', purged)));
    expect(r1.errors).toEqual([]);
    const claim = await claimBound(namespace, 'workdir-adhoc');
    expect(claim.metadata.uid).toBe(uids.adhoc);
    expect(claim.metadata.annotations?.[RETAIN_ANNOTATION]).toBe('false');
    const state = (await suite.ws.resources(stack)).find((res) => urnName(res.urn) === `${namespace}/PersistentVolumeClaim/workdir-adhoc`);
    expect(state?.retainOnDelete ?? false).toBe(false);
    expect((await getObject(suite.k, namespace, 'statefulset/adhoc')).spec.replicas).toBe(0);

    const r2 = time('life: purge (remove)', await suite.ws.up(stack, configFor('5-purged', (s) => without(s, 'reports'))));
    expect(r2.errors).toEqual([]);
    expect(changed(r2).every((s) => s.op === 'delete')).toBe(true);
    await gone(namespace, 'persistentvolumeclaim/workdir-adhoc');
    // The retained session's claim is untouched.
    expect((await claimBound(namespace, 'workdir-reports')).metadata.uid).toBe(uids.reports);
  }, TEST_TIMEOUT_MS);

  it('pulumi destroy leaves the namespace and every retained claim', async () => {
    const remaining = ['etl', 'etl-debug'];
    const r = time('life: pulumi destroy', await suite.ws.destroy(stack, configFor('6-final', (s) => without(s, 'reports'))));
    expect(r.errors).toEqual([]);
    for (const s of remaining) await gone(namespace, `statefulset/${s}`);
    expect((await getObject(suite.k, undefined, `namespace/${namespace}`)).status.phase).toBe('Active');
    for (const s of [...remaining, 'reports']) expect((await claimBound(namespace, `workdir-${s}`)).metadata.uid).toBe(uids[s]);
    await claimBound(namespace, 'share-models');
    expect(await getOptional(suite.k, namespace, 'persistentvolumeclaim/workdir-adhoc')).toBeUndefined();
  }, TEST_TIMEOUT_MS);
});

// ---- the policy pack in pulumi preview ------------------------------------------------------

describe('pulumi preview --policy-pack policies', () => {
  it('passes on team-b (storageClass kwok-volume for cephfs)', async () => {
    await suite.ws.initStack('team-b');
    const config = suite.ws.stackConfig(
      'team-b',
      variant('team-b', 'team-b', (v) => {
        v.storage = { ...v.storage, storageClassName: 'kwok-volume' };
      }),
    );
    const r = time('team-b: preview --policy-pack', await suite.ws.preview('team-b', config, ['--policy-pack', 'policies']));
    expect({ code: r.code, out: r.code === 0 ? '' : `${r.stdout}\n${r.stderr}` }).toEqual({ code: 0, out: '' });
    expect(r.stdout).toMatch(/notebook-platform@v[\d.]+ \(local: policies\)/);
  }, TEST_TIMEOUT_MS);

  it('fails on a valid config whose image comes from an unlisted registry', async () => {
    await suite.ws.initStack('unsafe');
    const file = variant('demo', 'unsafe', (v) => {
      v.team = 'unsafe';
      v.environments = { ...v.environments, scipy: { image: 'docker.io/someone/notebook-with-miner:1.0' } };
    });
    // The config itself is valid: the refusal must come from the pack, not from validation.
    expect(validateStackFile(file)).toMatchObject({ ok: true });
    const r = time('unsafe: preview --policy-pack', await suite.ws.preview('unsafe', suite.ws.stackConfig('unsafe', file), ['--policy-pack', 'policies']));
    expect(r.code).not.toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/\[mandatory\]\s+allowed-image-registries/);
    expect(out).toMatch(/docker\.io\/someone\/notebook-with-miner:1\.0 is not from an allowed registry/);
    // Nothing was created: it was a preview.
    expect(await getOptional(suite.k, undefined, 'namespace/nb-unsafe')).toBeUndefined();
  }, TEST_TIMEOUT_MS);
});

/**
 * The package's synthesized manifests against a real control plane (scripts/control-plane:
 * kube-apiserver, controller-manager, scheduler, etcd and kwok nodes), applied the way GitOps
 * users apply them: server-side apply, namespace first.
 *
 * Stacks (copies of stacks/Pulumi.*.yaml, edited in a temporary directory):
 * - demo: the nfs stack as it is, except viewerGroups [team-a] so the control plane's test user
 *   alice (group team-a) is a member. Static PVs bound by claimRef; sessions use subPaths.
 * - team-b: storageClass backend on the control plane's `kwok-volume` class instead of cephfs
 *   (dynamic claims that bind), with allowExec on, so both sides of the exec grant are checked.
 *   bob (group team-b) is a member as in the original.
 * - team-a: the efs stack with its ids filled in (fileSystemId, accessPointIds) so the
 *   StorageClass and share PVs are rendered too. No EFS CSI driver here: its workdir claims stay
 *   Pending, so its pods are admitted but never scheduled.
 * - team-a-kwok: the team-a sessions (GPU, fork, persistent code) as another team on kwok-volume,
 *   so they run: the GPU session must land on the GPU node.
 * - e2e-quota: the demo stack as another team whose quota fits its running sessions exactly.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ControlPlane, START_TIMEOUT_MS, STOP_TIMEOUT_MS, startControlPlane } from './support/control-plane';
import { type Kubectl, kubectlFor } from './support/kubectl';
import {
  applyServerSide,
  diagnose,
  eventsFor,
  FIELD_MANAGER,
  getFromFile,
  getObject,
  getOptional,
  type KubeItem,
  mustSucceed,
  warnings,
} from './support/cluster';
import { describeObject, type StackValues, type SynthesizedStack, synthStack, validateStackFile, writeStackVariant } from './support/stacks';
import { done, notYet, waitFor } from './support/wait';

const READY_TIMEOUT_MS = 90_000;
/** Per test: jest's default (5 s) applies unless a test says otherwise. */
const TEST_TIMEOUT_MS = 5 * 60_000;

let cp: ControlPlane;
let k: Kubectl;
let work: string;
const timings: Record<string, number> = {};
const suiteStarted = Date.now();

/** Stack name -> config file of the variant. */
const configs: Record<string, string> = {};
/** Owners exec into their own sessions: users are named as the control plane's test users are. */
const EXEC_FOR_OWNERS = { allowExec: true, ownerSubject: '{owner}' };
/** team-b's etl session belongs to the test user bob (a viewer of team-b too). */
const bobOwnsEtl = (sessions: StackValues[]) => sessions.map((s) => (s.name === 'etl' ? { ...s, owner: 'bob' } : s));

function variant(base: string, name: string, edit: (values: StackValues) => void): string {
  return writeStackVariant(path.join(work, 'stacks'), base, name, edit);
}

/** Synthesizes a stack config into `<work>/out/<label>/`. */
function synth(label: string, configFile: string): SynthesizedStack {
  return synthStack(configFile, path.join(work, 'out', label));
}

beforeAll(async () => {
  const started = Date.now();
  cp = await startControlPlane();
  timings['control plane start'] = Date.now() - started;
  k = kubectlFor(cp);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-manifests-'));

  configs.demo = variant('demo', 'demo', (v) => {
    v.access = { ...v.access, viewerGroups: ['team-a'] };
  });
  configs['team-b'] = variant('team-b', 'team-b', (v) => {
    v.storage = { ...v.storage, storageClassName: 'kwok-volume' };
    v.access = { ...v.access, ...EXEC_FOR_OWNERS };
    v.sessions = bobOwnsEtl(v.sessions as StackValues[]);
  });
  configs['team-a'] = variant('team-a', 'team-a', (v) => {
    v.storage = { ...v.storage, fileSystemId: 'fs-0123456789abcdef0' };
    v.shares = (v.shares as StackValues[]).map((share, i) => ({ ...share, accessPointId: `fsap-0${i}a1b2c3d4e5f6` }));
  });
  configs['team-a-kwok'] = variant('team-a', 'team-a-kwok', (v) => {
    v.team = 'team-a-kwok';
    v.storage = { backend: 'storageClass', storageClassName: 'kwok-volume' };
    // team-a's backup is AWS Backup's (a cross-region copy); a storage class backs up by snapshots,
    // which the kwok class does not take.
    delete v.backup;
    // A public share needs an address every namespace can point at, which a storage class has not.
    v.shares = (v.shares as StackValues[]).filter((share) => share.access !== 'public');
    // The fork starts too, so its initContainer's mount of the source's claim is exercised.
    v.sessions = (v.sessions as StackValues[]).map((session) => ({ ...session, running: true }));
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  try {
    if (cp) {
      const stopped = Date.now();
      await cp.stop();
      timings['control plane stop'] = Date.now() - stopped;
    }
  } finally {
    if (work) fs.rmSync(work, { recursive: true, force: true });
    timings['suite'] = Date.now() - suiteStarted;
    process.stderr.write(
      `manifests e2e timings: ${Object.entries(timings)
        .map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}\n`,
    );
  }
}, STOP_TIMEOUT_MS);

// ---- deploying ----------------------------------------------------------------------------

/**
 * Applies a synthesized stack the way a GitOps tool would: the Namespace first, then the team
 * chart, then (once the quota is in force) the token Secrets and every session chart. Asserts
 * that every apply succeeds without API server warnings and that every object exists afterwards.
 */
async function deployStack(stack: SynthesizedStack): Promise<void> {
  const started = Date.now();
  const ns = stack.namespace;
  const applied = [await applyServerSide(k, stack.namespaceFile)];
  applied.push(await applyServerSide(k, stack.team.path));

  // Quota admission refuses pods ("status unknown for quota") until the quota controller has
  // computed the quota's status; the StatefulSet controller would retry, but a FailedCreate
  // event is what the tests below look for, so wait for the quota first.
  const quota = stack.team.objects.find((o) => o.kind === 'ResourceQuota');
  if (quota) {
    await waitFor(
      `ResourceQuota ${ns}/${quota.metadata.name} to be computed`,
      async () => {
        const live = await getObject(k, ns, `resourcequota/${quota.metadata.name}`);
        return live.status?.hard && live.status?.used ? done(live) : notYet(JSON.stringify(live.status ?? {}));
      },
      { diagnostics: () => diagnose(cp, k, ns, [`resourcequota/${quota.metadata.name}`]) },
    );
  }

  // The token Secret is created by the Pulumi component, not by synth.
  await createTokenSecrets(ns, stack.plan.sessions.map((s) => s.names.tokenSecret));
  applied.push(await applyServerSide(k, stack.plan.sessions.map((s) => stack.sessions[s.name].path)));

  const warned = applied.flatMap(warnings);
  expect({ stack: stack.configFile, warnings: warned }).toEqual({ stack: stack.configFile, warnings: [] });

  // Every synthesized object is there, with our field manager's apply recorded.
  const live = await getFromFile(k, stack.files.map((f) => f.path));
  const expected = stack.files.flatMap((f) => f.objects);
  const name = (o: KubeItem) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  expect(live.map(name)).toEqual(expected.map(describeObject));
  const notApplied = live.filter((o) => !appliedBy(o).includes(FIELD_MANAGER)).map(name);
  expect(notApplied).toEqual([]);
  timings[`deploy ${stack.plan.team}`] = Date.now() - started;
}

function appliedBy(object: KubeItem): string[] {
  return (object.metadata.managedFields ?? []).filter((m) => m.operation === 'Apply').map((m) => m.manager);
}

/** Creates the sessions' token Secrets (key `token`, random), as the Pulumi component would. */
async function createTokenSecrets(namespace: string, names: string[]): Promise<void> {
  const secrets = names.map((name) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    stringData: { token: randomBytes(24).toString('hex') },
  }));
  mustSucceed(await k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets }) }), `token Secrets in ${namespace}`);
}

/** Each stack is deployed once, by the first test that needs it; later tests reuse it. */
const deployments = new Map<string, Promise<SynthesizedStack>>();
function deployed(name: string): Promise<SynthesizedStack> {
  let deployment = deployments.get(name);
  if (!deployment) {
    deployment = (async () => {
      const stack = synth(name, configs[name]);
      await deployStack(stack);
      return stack;
    })();
    deployments.set(name, deployment);
  }
  return deployment;
}

// ---- waiting for sessions --------------------------------------------------------------------

async function waitForClaimsBound(stack: SynthesizedStack): Promise<Map<string, string>> {
  const ns = stack.namespace;
  const claims = stack.files.flatMap((f) => f.objects).filter((o) => o.kind === 'PersistentVolumeClaim');
  const volumes = new Map<string, string>();
  for (const claim of claims) {
    const name = claim.metadata.name;
    const live = await waitFor(
      `PersistentVolumeClaim ${ns}/${name} to be Bound`,
      async () => {
        const pvc = await getObject(k, ns, `pvc/${name}`);
        return pvc.status?.phase === 'Bound' ? done(pvc) : notYet(`phase ${pvc.status?.phase}`);
      },
      { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(cp, k, ns, [`pvc/${name}`]) },
    );
    volumes.set(name, live.spec.volumeName as string);
  }
  return volumes;
}

/** Waits for a running session: StatefulSet ready with one replica, its pod Ready on a kwok node. */
async function waitForSessionReady(stack: SynthesizedStack, session: string): Promise<{ sts: KubeItem; pod: KubeItem }> {
  const ns = stack.namespace;
  const plan = stack.plan.sessions.find((s) => s.name === session)!;
  const refs = [`statefulset/${plan.names.statefulSet}`, `pod/${plan.names.pod}`];
  const diagnostics = () => diagnose(cp, k, ns, refs);
  const sts = await waitFor(
    `StatefulSet ${ns}/${plan.names.statefulSet} to be ready`,
    async () => {
      const live = await getObject(k, ns, refs[0]);
      const s = live.status ?? {};
      const ok = s.observedGeneration === live.metadata.generation && s.readyReplicas === 1 && s.replicas === 1 && s.updatedReplicas === 1;
      return ok ? done(live) : notYet(`spec.replicas ${live.spec.replicas}, status ${JSON.stringify(s)}`);
    },
    { timeoutMs: READY_TIMEOUT_MS, diagnostics },
  );
  const pod = await getObject(k, ns, refs[1]);
  const ready = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  expect({ pod: refs[1], ready: ready?.status, phase: pod.status?.phase }).toEqual({ pod: refs[1], ready: 'True', phase: 'Running' });
  expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
  return { sts, pod };
}

/** Waits for a stopped session: StatefulSet at zero replicas and no pod. */
async function waitForSessionStopped(stack: SynthesizedStack, session: string): Promise<void> {
  const ns = stack.namespace;
  const plan = stack.plan.sessions.find((s) => s.name === session)!;
  const refs = [`statefulset/${plan.names.statefulSet}`, `pod/${plan.names.pod}`];
  await waitFor(
    `session ${ns}/${session} to be scaled to zero`,
    async () => {
      const sts = await getObject(k, ns, refs[0]);
      if (sts.spec.replicas !== 0) return notYet(`spec.replicas ${sts.spec.replicas}`);
      if (sts.status?.observedGeneration !== sts.metadata.generation) return notYet('generation not observed yet');
      if ((sts.status?.replicas ?? 0) !== 0) return notYet(`status.replicas ${sts.status?.replicas}`);
      const pod = await getOptional(k, ns, refs[1]);
      return pod ? notYet(`pod ${pod.metadata.name} still exists (${pod.status?.phase})`) : done(undefined);
    },
    { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(cp, k, ns, refs) },
  );
}

/** A pod created by the session's StatefulSet controller, with no FailedCreate event on the StatefulSet. */
async function expectAdmittedPod(stack: SynthesizedStack, session: string): Promise<KubeItem> {
  const ns = stack.namespace;
  const plan = stack.plan.sessions.find((s) => s.name === session)!;
  const pod = await waitFor(
    `pod ${ns}/${plan.names.pod} to be created by its StatefulSet`,
    async () => {
      const failed = await eventsFor(k, ns, 'StatefulSet', plan.names.statefulSet, 'FailedCreate');
      if (failed.length > 0) throw new Error(`StatefulSet ${ns}/${plan.names.statefulSet} could not create its pod:\n${failed.map((e) => e.message).join('\n')}`);
      const live = await getOptional(k, ns, `pod/${plan.names.pod}`);
      return live ? done(live) : notYet('no pod yet');
    },
    { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(cp, k, ns, [`statefulset/${plan.names.statefulSet}`]) },
  );
  expect(pod.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([`StatefulSet/${plan.names.statefulSet}`]);
  // Admitted under the namespace's enforcement, not because the namespace lacked it.
  const namespace = await getObject(k, undefined, `namespace/${ns}`);
  expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  return pod;
}

/** A Pod object shaped like a session's pod (its StatefulSet's template), for direct creation. */
function podFromTemplate(sts: KubeItem, name: string, edit: (spec: any) => void = () => {}): string {
  const template = JSON.parse(JSON.stringify(sts.spec.template));
  edit(template.spec);
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: sts.metadata.namespace, labels: { 'e2e.notebook-platform.io/probe': 'true' } },
    spec: template.spec,
  });
}

// ---- the tests -------------------------------------------------------------------------------

describe('demo stack (nfs backend, static volumes)', () => {
  it('accepts every synthesized object through server-side apply, namespace first', async () => {
    const stack = await deployed('demo');
    const kinds = new Set(stack.files.flatMap((f) => f.objects.map((o) => o.kind)));
    // The test covers what it claims to: the team's security objects and a whole session.
    for (const kind of ['Namespace', 'NetworkPolicy', 'Role', 'RoleBinding', 'ResourceQuota', 'LimitRange', 'PersistentVolume', 'PersistentVolumeClaim', 'ServiceAccount', 'ConfigMap', 'Service', 'StatefulSet', 'Ingress']) {
      expect(kinds).toContain(kind);
    }
  }, TEST_TIMEOUT_MS);

  it('has its notebook pods admitted under restricted Pod Security, and rejects a privileged pod there', async () => {
    const stack = await deployed('demo');
    const running = stack.plan.sessions.filter((s) => s.running);
    expect(running.length).toBeGreaterThan(0);
    for (const session of running) await expectAdmittedPod(stack, session.name);

    // The namespace pins the policy version; the pods also meet the newest one this server
    // knows. A dry-run relabel makes the server check the existing pods and warn about any.
    const relabel = mustSucceed(
      await k(['label', 'namespace', stack.namespace, '--dry-run=server', '--overwrite', 'pod-security.kubernetes.io/enforce-version=latest']),
      'dry-run relabel to restricted:latest',
    );
    expect({ warnings: warnings(relabel) }).toEqual({ warnings: [] });

    const sts = await getObject(k, stack.namespace, `statefulset/${running[0].names.statefulSet}`);
    const privileged = podFromTemplate(sts, 'e2e-privileged', (spec) => {
      // allowPrivilegeEscalation: false with privileged: true is invalid, so it goes.
      const securityContext = { ...spec.containers[0].securityContext, privileged: true };
      delete securityContext.allowPrivilegeEscalation;
      spec.containers[0].securityContext = securityContext;
    });
    const r = await k(['create', '-f', '-'], { input: privileged });
    expect({ code: r.code, serverMessage: r.serverMessage }).toEqual({ code: 1, serverMessage: expect.stringMatching(/\(Forbidden\)/) });
    expect(r.serverMessage).toMatch(/pods "e2e-privileged" is forbidden: violates PodSecurity "restricted:v1\.\d+": privileged \(container "notebook" must not set securityContext\.privileged=true\)/);
    // The same template unchanged is admitted (server-side dry run: nothing is created).
    mustSucceed(await k(['create', '--dry-run=server', '-f', '-'], { input: podFromTemplate(sts, 'e2e-compliant') }), 'dry-run of the unchanged pod template');
  }, TEST_TIMEOUT_MS);

  it('rolls out its StatefulSets on kwok nodes once the claims are bound', async () => {
    const stack = await deployed('demo');
    const started = Date.now();
    await waitForClaimsBound(stack);
    for (const session of stack.plan.sessions) {
      if (session.running) await waitForSessionReady(stack, session.name);
      else await waitForSessionStopped(stack, session.name);
    }
    timings['demo sessions ready'] = Date.now() - started;
  }, TEST_TIMEOUT_MS);

  it('treats re-applying the unchanged manifests as a no-op', async () => {
    const stack = await deployed('demo');
    await waitForClaimsBound(stack);
    for (const session of stack.plan.sessions.filter((s) => s.running)) await waitForSessionReady(stack, session.name);

    // The server's own dry run of the apply finds no difference ...
    for (const file of stack.files) {
      const diff = await k(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file.path]);
      expect({ file: file.file, code: diff.code, diff: diff.stdout, stderr: diff.stderr }).toEqual({ file: file.file, code: 0, diff: '', stderr: '' });
    }
    // ... and the apply itself writes nothing: no object's resourceVersion moves and our
    // manager's managed fields stay as they were.
    const snapshot = async () => {
      const state = new Map<string, { resourceVersion: string; ours: string }>();
      for (const o of await getFromFile(k, stack.files.map((f) => f.path))) {
        const ours = (o.metadata.managedFields ?? []).filter((m) => m.manager === FIELD_MANAGER);
        state.set(`${o.kind}/${o.metadata.name}`, { resourceVersion: o.metadata.resourceVersion, ours: JSON.stringify(ours) });
      }
      return state;
    };
    const before = await snapshot();
    await applyServerSide(k, stack.files.map((f) => f.path));
    const after = await snapshot();
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  }, TEST_TIMEOUT_MS);

  it('scales a session to zero when it is stopped (running: false), keeps its claim, and starts it again on the same volume', async () => {
    const stack = await deployed('demo');
    const volumes = await waitForClaimsBound(stack);
    const target = stack.plan.sessions.find((s) => s.running)!;
    const others = stack.plan.sessions.filter((s) => s.running && s !== target);
    const otherPods = new Map<string, string>();
    for (const other of others) otherPods.set(other.name, (await waitForSessionReady(stack, other.name)).pod.metadata.uid);

    // running: false -> re-synth -> re-apply server-side, every file.
    const stoppedConfig = variant('demo', `demo-stopped-${target.name}`, (v) => {
      v.access = { ...v.access, viewerGroups: ['team-a'] };
      v.sessions = (v.sessions as StackValues[]).map((s) => (s.name === target.name ? { ...s, running: false } : s));
    });
    const stopped = synth('demo-stopped', stoppedConfig);
    expect(stopped.sessions[target.name].objects.find((o) => o.kind === 'StatefulSet')).toMatchObject({ spec: { replicas: 0 } });
    await applyServerSide(k, stopped.files.map((f) => f.path));

    await waitForSessionStopped(stack, target.name);
    // The claim stays, bound to the same volume; the home's subPath is the session's, so its
    // data waits there.
    const claimName = target.home.claimName;
    const claim = await getObject(k, stack.namespace, `pvc/${claimName}`);
    expect({ claim: claimName, phase: claim.status?.phase, volume: claim.spec.volumeName }).toEqual({ claim: claimName, phase: 'Bound', volume: volumes.get(claimName) });
    // The other sessions were not touched (same pods).
    for (const other of others) expect({ session: other.name, pod: (await waitForSessionReady(stack, other.name)).pod.metadata.uid }).toEqual({ session: other.name, pod: otherPods.get(other.name) });

    // Back to running: true, the original manifests.
    await applyServerSide(k, stack.files.map((f) => f.path));
    const { pod } = await waitForSessionReady(stack, target.name);
    const home = (pod.spec.volumes as { name: string; persistentVolumeClaim?: { claimName: string } }[]).find((v) => v.persistentVolumeClaim?.claimName === claimName);
    expect(home).toBeDefined();
    const again = await getObject(k, stack.namespace, `pvc/${claimName}`);
    expect(again.spec.volumeName).toBe(volumes.get(claimName));
  }, TEST_TIMEOUT_MS);
});

describe('team-b stack (storageClass backend on kwok-volume, per-user homes)', () => {
  it('accepts every object, binds the dynamic claims and rolls out the running sessions', async () => {
    const stack = await deployed('team-b');
    const started = Date.now();
    await waitForClaimsBound(stack);
    for (const session of stack.plan.sessions) {
      if (session.running) {
        await expectAdmittedPod(stack, session.name);
        await waitForSessionReady(stack, session.name);
      } else {
        await waitForSessionStopped(stack, session.name);
      }
    }
    timings['team-b sessions ready'] = Date.now() - started;
  }, TEST_TIMEOUT_MS);

  it("keeps the owner's home claim when a session is stopped, and starts it again on it", async () => {
    const stack = await deployed('team-b');
    const volumes = await waitForClaimsBound(stack);
    const target = stack.plan.sessions.find((s) => s.running)!;
    await waitForSessionReady(stack, target.name);

    const stoppedConfig = variant('team-b', `team-b-stopped-${target.name}`, (v) => {
      v.storage = { ...v.storage, storageClassName: 'kwok-volume' };
      v.access = { ...v.access, ...EXEC_FOR_OWNERS };
      v.sessions = bobOwnsEtl(v.sessions as StackValues[]).map((s) => (s.name === target.name ? { ...s, running: false } : s));
    });
    const stopped = synth('team-b-stopped', stoppedConfig);
    await applyServerSide(k, stopped.files.map((f) => f.path));
    await waitForSessionStopped(stack, target.name);

    const claimName = target.home.claimName;
    const claim = await getObject(k, stack.namespace, `pvc/${claimName}`);
    expect({ claim: claimName, phase: claim.status?.phase, volume: claim.spec.volumeName }).toEqual({ claim: claimName, phase: 'Bound', volume: volumes.get(claimName) });
    const pv = await getObject(k, undefined, `pv/${volumes.get(claimName)}`);
    expect(pv.status?.phase).toBe('Bound');

    // Started again from the original manifests, on the same claim and volume.
    await applyServerSide(k, stack.files.map((f) => f.path));
    await waitForSessionReady(stack, target.name);
    expect((await getObject(k, stack.namespace, `pvc/${claimName}`)).spec.volumeName).toBe(volumes.get(claimName));
  }, TEST_TIMEOUT_MS);
});

describe('team-a stack (efs backend, ids known, no EFS CSI driver here)', () => {
  it('accepts every object, including the EFS StorageClass and the share volumes', async () => {
    const stack = await deployed('team-a');
    const kinds = stack.team.objects.map((o) => o.kind);
    expect(kinds).toContain('StorageClass');
    expect(kinds).toContain('PersistentVolume');
  }, TEST_TIMEOUT_MS);

  it('has its pods (the GPU session included) admitted under restricted Pod Security, waiting only for their EFS claims', async () => {
    const stack = await deployed('team-a');
    const running = stack.plan.sessions.filter((s) => s.running);
    for (const session of running) {
      const pod = await expectAdmittedPod(stack, session.name);
      if (session.gpu > 0) {
        const notebook = (pod.spec.containers as { name: string; resources: { limits: Record<string, string> } }[])[0];
        expect(notebook.resources.limits['nvidia.com/gpu']).toBe(String(session.gpu));
      }
      // Not scheduled, and only for the reason we expect here: the EFS workdir claim.
      const why = await waitFor(
        `the scheduler's verdict on ${pod.metadata.name}`,
        async () => {
          const live = await getObject(k, stack.namespace, `pod/${pod.metadata.name}`);
          const scheduled = (live.status?.conditions ?? []).find((c: { type: string }) => c.type === 'PodScheduled');
          return scheduled?.status === 'False' ? done(scheduled.message as string) : notYet(JSON.stringify(live.status));
        },
        { diagnostics: () => diagnose(cp, k, stack.namespace, [`pod/${pod.metadata.name}`]) },
      );
      expect(why).toMatch(/unbound immediate PersistentVolumeClaims/);
    }
    for (const share of stack.plan.shares) {
      const claim = await waitFor(
        `share claim ${share.name} to bind`,
        async () => {
          const pvc = (await getFromFile(k, stack.team.path)).find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.labels?.['notebook-platform.io/share'] === share.name);
          return pvc?.status?.phase === 'Bound' ? done(pvc) : notYet(`phase ${pvc?.status?.phase}`);
        },
        { diagnostics: () => diagnose(cp, k, stack.namespace, ['pvc']) },
      );
      expect(claim.status.phase).toBe('Bound');
    }
  }, TEST_TIMEOUT_MS);
});

describe('team-a sessions on kwok-volume (GPU, fork)', () => {
  it('rolls out every session, the GPU session on the GPU node and counted in the quota', async () => {
    const stack = await deployed('team-a-kwok');
    await waitForClaimsBound(stack);
    const gpuNodes = mustSucceed(await k(['get', 'nodes', '-l', 'nvidia.com/gpu.present=true', '-o', 'name'])).stdout.trim().split('\n');
    expect(gpuNodes).toHaveLength(1);
    const gpuSessions = stack.plan.sessions.filter((s) => s.gpu > 0);
    expect(gpuSessions.length).toBeGreaterThan(0);
    expect(stack.plan.sessions.some((s) => s.fork)).toBe(true);
    for (const session of stack.plan.sessions) {
      await expectAdmittedPod(stack, session.name);
      const { pod } = await waitForSessionReady(stack, session.name);
      if (session.gpu > 0) expect({ session: session.name, node: `node/${pod.spec.nodeName}` }).toEqual({ session: session.name, node: gpuNodes[0] });
    }
    const quota = await getObject(k, stack.namespace, 'resourcequota/notebook-quota');
    const gpus = gpuSessions.reduce((sum, s) => sum + s.gpu, 0);
    await waitFor(
      'the quota to count the GPU sessions',
      async () => {
        const live = await getObject(k, stack.namespace, `resourcequota/${quota.metadata.name}`);
        const used = live.status?.used?.['requests.nvidia.com/gpu'];
        return used === String(gpus) ? done(used) : notYet(`used ${used}`);
      },
      { diagnostics: () => diagnose(cp, k, stack.namespace, ['resourcequota']) },
    );
  }, TEST_TIMEOUT_MS);
});

describe('team ResourceQuota', () => {
  it('rejects a session that would exceed the quota, with the reason, and a GPU pod in a team without GPUs', async () => {
    // The demo sessions as another team whose quota fits the running ones exactly.
    const tight = (v: StackValues) => {
      v.team = 'e2e-quota';
      v.quota = { ...v.quota, cpu: '2500m', memory: '10Gi' };
    };
    const tightConfig = variant('demo', 'e2e-quota', tight);
    const extra = 'payroll-audit';
    // Starting one more session is caught by validation ...
    const overConfig = variant('demo', 'e2e-quota-over', (v) => {
      tight(v);
      v.sessions = (v.sessions as StackValues[]).map((s) => (s.name === extra ? { ...s, running: true } : s));
    });
    const verdict = validateStackFile(overConfig);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? [] : verdict.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^notebook-platform:quota\.cpu: /)]));

    // ... and by the API server when it arrives anyway (rendered from a config with a bigger
    // quota, e.g. an older revision or another tool).
    const stack = synth('e2e-quota', tightConfig);
    await deployStack(stack);
    await waitForClaimsBound(stack);
    for (const session of stack.plan.sessions.filter((s) => s.running)) await waitForSessionReady(stack, session.name);

    const looseConfig = variant('demo', 'e2e-quota-loose', (v) => {
      v.team = 'e2e-quota';
      v.sessions = (v.sessions as StackValues[]).map((s) => (s.name === extra ? { ...s, running: true } : s));
    });
    const loose = synth('e2e-quota-loose', looseConfig);
    const session = loose.plan.sessions.find((s) => s.name === extra)!;
    // Its token Secret exists: deployStack created one for every session of the plan.
    await applyServerSide(k, loose.sessions[extra].path);

    // The StatefulSet is accepted; its pod is refused by quota admission.
    const failed = await waitFor(
      `a FailedCreate event on StatefulSet ${stack.namespace}/${session.names.statefulSet}`,
      async () => {
        const events = await eventsFor(k, stack.namespace, 'StatefulSet', session.names.statefulSet, 'FailedCreate');
        return events.length > 0 ? done(events) : notYet('no FailedCreate event yet');
      },
      { timeoutMs: READY_TIMEOUT_MS, diagnostics: () => diagnose(cp, k, stack.namespace, [`statefulset/${session.names.statefulSet}`, 'resourcequota']) },
    );
    expect(failed[0].message).toMatch(/exceeded quota: notebook-quota, requested: .*requests\.cpu=500m.*, used: .*requests\.cpu=2500m.*, limited: .*requests\.cpu=2500m/);
    expect(failed[0].message).toMatch(/requests\.memory=2Gi/);
    expect(await getOptional(k, stack.namespace, `pod/${session.names.pod}`)).toBeUndefined();

    // The same pod created directly: the server's reason reaches the caller.
    const sts = await getObject(k, stack.namespace, `statefulset/${session.names.statefulSet}`);
    const direct = await k(['create', '-f', '-'], { input: podFromTemplate(sts, 'e2e-over-quota') });
    expect(direct.code).toBe(1);
    expect(direct.serverMessage).toMatch(/Error from server \(Forbidden\): .*pods "e2e-over-quota" is forbidden: exceeded quota: notebook-quota, requested: .*requests\.cpu=500m/);

    // A team without GPUs (quota gpu: 0) cannot start a GPU pod, whatever its CPU budget.
    const demo = await deployed('demo');
    const demoSts = await getObject(k, demo.namespace, `statefulset/${demo.plan.sessions.find((s) => s.running)!.names.statefulSet}`);
    const gpuPod = podFromTemplate(demoSts, 'e2e-gpu', (spec) => {
      const resources = spec.containers[0].resources;
      resources.requests = { ...resources.requests, 'nvidia.com/gpu': '1' };
      resources.limits = { ...resources.limits, 'nvidia.com/gpu': '1' };
    });
    const gpu = await k(['create', '--dry-run=server', '-f', '-'], { input: gpuPod });
    expect(gpu.code).toBe(1);
    expect(gpu.serverMessage).toMatch(/exceeded quota: notebook-quota, requested: requests\.nvidia\.com\/gpu=1, used: requests\.nvidia\.com\/gpu=0, limited: requests\.nvidia\.com\/gpu=0/);
  }, TEST_TIMEOUT_MS);
});

describe('RBAC with the test users tokens', () => {
  interface Probe {
    verb: string;
    resource: string;
    group?: string;
    subresource?: string;
  }
  const probe = (verb: string, resource: string, extra: Partial<Probe> = {}): Probe => ({ verb, resource, ...extra });
  const label = (p: Probe) => `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}${p.subresource ? `/${p.subresource}` : ''}`;

  // What a team member may do in the team namespace ...
  const VIEW: Probe[] = [
    probe('get', 'pods'),
    probe('list', 'pods'),
    probe('watch', 'pods'),
    probe('get', 'pods', { subresource: 'log' }),
    probe('get', 'statefulsets', { group: 'apps' }),
    probe('list', 'statefulsets', { group: 'apps' }),
    probe('list', 'events'),
    probe('list', 'events', { group: 'events.k8s.io' }),
    probe('list', 'services'),
    probe('list', 'persistentvolumeclaims'),
    probe('get', 'configmaps'),
  ];
  // ... and may not.
  const CHANGE: Probe[] = [
    probe('get', 'secrets'),
    probe('list', 'secrets'),
    probe('create', 'pods'),
    probe('delete', 'pods'),
    probe('patch', 'statefulsets', { group: 'apps' }),
    probe('update', 'statefulsets', { group: 'apps', subresource: 'scale' }),
    probe('create', 'pods', { subresource: 'attach' }),
    probe('create', 'pods', { subresource: 'portforward' }),
    probe('patch', 'pods', { subresource: 'ephemeralcontainers' }),
    probe('create', 'serviceaccounts', { subresource: 'token' }),
    probe('create', 'rolebindings', { group: 'rbac.authorization.k8s.io' }),
  ];
  const EXEC = probe('create', 'pods', { subresource: 'exec' });
  // What the platform admin (edit) may do.
  const ADMIN: Probe[] = [probe('create', 'pods'), probe('delete', 'pods'), probe('patch', 'statefulsets', { group: 'apps' }), probe('create', 'pods', { subresource: 'exec' }), probe('list', 'pods')];

  /**
   * Asks the API server as `user`: SelfSubjectAccessReviews made with the user's own token, all
   * in one kubectl call. The answers come back in order.
   */
  async function access(user: string, questions: { namespace: string; probe: Probe }[]): Promise<{ allowed: boolean; reason: string }[]> {
    const reviews = questions.map(({ namespace, probe: p }) => ({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace, verb: p.verb, resource: p.resource, group: p.group ?? '', subresource: p.subresource ?? '' } },
    }));
    // --validate=false: client-side validation would list CRDs, which the test users may not.
    // One line per review: allowed, a tab, the authorizer's reason.
    const r = mustSucceed(
      await kubectlFor(cp, user)(['create', '--validate=false', '-f', '-', '-o', 'jsonpath={.status.allowed}{"\\t"}{.status.reason}{"\\n"}'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: reviews }),
      }),
      `SelfSubjectAccessReviews as ${user}`,
    );
    const lines = r.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(questions.length);
    return lines.map((line) => {
      const [allowed, ...reason] = line.split('\t');
      return { allowed: allowed === 'true', reason: reason.join('\t') };
    });
  }

  it('matches the matrix: members view, nobody else sees the namespace, only admins change it', async () => {
    const [demo, teamB] = await Promise.all([deployed('demo'), deployed('team-b')]);
    expect(cp.users.alice.groups).toEqual(['team-a']);
    expect(demo.plan.access.viewerGroups).toEqual(['team-a']);
    expect(cp.users.bob.groups).toEqual(['team-b']);
    expect(teamB.plan.access.viewerGroups).toEqual(['team-b']);
    expect(cp.users.carol.groups).toEqual(['platform-admins']);
    expect(demo.plan.access.adminGroups).toEqual(['platform-admins']);
    expect(teamB.plan.access.adminGroups).toEqual(['platform-admins']);

    const member: Record<string, string> = { [demo.namespace]: 'alice', [teamB.namespace]: 'bob' };
    const allowExec: Record<string, boolean> = { [demo.namespace]: demo.plan.access.allowExec, [teamB.namespace]: teamB.plan.access.allowExec };
    expect(allowExec).toEqual({ [demo.namespace]: false, [teamB.namespace]: true });

    const cases: { user: string; namespace: string; probe: Probe; expected: boolean }[] = [];
    for (const namespace of [demo.namespace, teamB.namespace]) {
      for (const user of ['alice', 'bob', 'mallory']) {
        const isMember = member[namespace] === user;
        for (const p of VIEW) cases.push({ user, namespace, probe: p, expected: isMember });
        for (const p of CHANGE) cases.push({ user, namespace, probe: p, expected: false });
        // Viewing never gives exec: only a session's owner may, into that session's pod (by name).
        cases.push({ user, namespace, probe: EXEC, expected: false });
      }
      for (const p of ADMIN) cases.push({ user: 'carol', namespace, probe: p, expected: true });
    }
    const results: ((typeof cases)[number] & { allowed: boolean; reason: string })[] = [];
    for (const user of [...new Set(cases.map((c) => c.user))]) {
      const mine = cases.filter((c) => c.user === user);
      const answers = await access(user, mine);
      mine.forEach((c, i) => results.push({ ...c, ...answers[i] }));
    }
    const wrong = results
      .filter((r) => r.allowed !== r.expected)
      .map((r) => `${r.user} ${label(r.probe)} in ${r.namespace}: expected ${r.expected ? 'allowed' : 'denied'}, API server says ${r.allowed ? 'allowed' : 'denied'} (${r.reason || 'no reason given'})`);
    expect(wrong).toEqual([]);
    // Allowed because of our bindings, not something broader.
    const viewerGrant = results.find((r) => r.user === 'alice' && r.namespace === demo.namespace && r.probe === VIEW[0]);
    expect(viewerGrant?.reason).toMatch(/RoleBinding "notebook-viewers\/nb-demo" of Role "notebook-viewer" to Group "team-a"/);
    const adminGrant = results.find((r) => r.user === 'carol' && r.namespace === demo.namespace && r.probe === ADMIN[0]);
    expect(adminGrant?.reason).toMatch(/RoleBinding "notebook-admins\/nb-demo" of ClusterRole "edit" to Group "platform-admins"/);
  }, TEST_TIMEOUT_MS);

  it('gives the server reason on real requests made with the tokens', async () => {
    const demo = await deployed('demo');
    const teamB = await deployed('team-b');
    const ns = demo.namespace;
    const session = demo.plan.sessions.find((s) => s.running)!;
    const alice = kubectlFor(cp, 'alice');
    const bob = kubectlFor(cp, 'bob');
    const carol = kubectlFor(cp, 'carol');
    const mallory = kubectlFor(cp, 'mallory');

    // alice views her team's sessions.
    const pods = mustSucceed(await alice(['get', 'pods', '-n', ns, '-o', 'name']), 'alice lists pods');
    expect(pods.stdout).toContain(`pod/${session.names.pod}`);
    mustSucceed(await alice(['get', 'statefulsets', '-n', ns]), 'alice lists statefulsets');
    mustSucceed(await alice(['get', 'events', '-n', ns]), 'alice lists events');

    const forbidden = async (who: Kubectl, user: string, args: string[], expected: RegExp, input?: string) => {
      const r = await who(args, input === undefined ? {} : { input });
      expect({ user, args: args.join(' '), code: r.code, serverMessage: r.serverMessage }).toEqual({
        user,
        args: args.join(' '),
        code: 1,
        serverMessage: expect.stringMatching(expected),
      });
    };
    await forbidden(alice, 'alice', ['get', 'secret', session.names.tokenSecret, '-n', ns], new RegExp(`\\(Forbidden\\): secrets "${session.names.tokenSecret}" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "${ns}"`));
    const sts = await getObject(k, ns, `statefulset/${session.names.statefulSet}`);
    const pod = podFromTemplate(sts, 'e2e-rbac');
    await forbidden(alice, 'alice', ['create', '--dry-run=server', '-f', '-'], /User "alice" cannot create resource "pods" in API group "" in the namespace "nb-demo"/, pod);
    await forbidden(alice, 'alice', ['exec', session.names.pod, '-n', ns, '--', 'true'], /User "alice" cannot (create|get) resource "pods\/exec" in API group "" in the namespace "nb-demo"/);
    await forbidden(alice, 'alice', ['get', 'pods', '-n', teamB.namespace], /User "alice" cannot list resource "pods" in API group "" in the namespace "nb-team-b"/);
    await forbidden(bob, 'bob', ['get', 'pods', '-n', ns], /User "bob" cannot list resource "pods" in API group "" in the namespace "nb-demo"/);
    // team-b has allowExec and bob owns etl: his exec into its pod gets past authorization to the
    // API server's dial of the node's kubelet, which kwok nodes do not have; into frank's, never.
    const bobsSession = teamB.plan.sessions.find((s) => s.running && s.owner === 'bob')!;
    const franksSession = teamB.plan.sessions.find((s) => s.running && s.owner !== 'bob')!;
    await forbidden(bob, 'bob', ['exec', franksSession.names.pod, '-n', teamB.namespace, '--', 'true'], /User "bob" cannot (create|get) resource "pods\/exec" in API group "" in the namespace "nb-team-b"/);
    const bobsPod = (await waitForSessionReady(teamB, bobsSession.name)).pod.metadata.name;
    const exec = await bob(['exec', bobsPod, '-n', teamB.namespace, '--', 'true'], { timeoutMs: 30_000 });
    // Past authorization either way: the upgrade (or the fallback POST) reaches the kubelet's port, where nothing listens.
    expect({ code: exec.code, stderr: exec.stderr.trim() }).toEqual({ code: 1, stderr: expect.stringMatching(/^error: (unable to upgrade connection: error dialing backend|Internal error occurred: error sending request: .*:10250\/exec\/)/) });
    for (const namespace of [ns, teamB.namespace]) {
      await forbidden(mallory, 'mallory', ['get', 'pods', '-n', namespace], new RegExp(`User "mallory" cannot list resource "pods" in API group "" in the namespace "${namespace}"`));
      await forbidden(mallory, 'mallory', ['get', 'statefulsets', '-n', namespace], /User "mallory" cannot list resource "statefulsets" in API group "apps"/);
    }
    await forbidden(mallory, 'mallory', ['get', 'namespaces'], /User "mallory" cannot list resource "namespaces"/);

    // carol (platform-admins) may create the pod (dry run: authorized and admitted, not created).
    mustSucceed(await carol(['create', '--dry-run=server', '-f', '-'], { input: pod }), 'carol creates a pod');
    mustSucceed(await carol(['get', 'pods', '-n', teamB.namespace]), 'carol lists pods in team-b');
  }, TEST_TIMEOUT_MS);
});

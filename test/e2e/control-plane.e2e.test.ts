/**
 * Proves the local control plane (scripts/control-plane) is a real one: the
 * pinned API server, Pod Security and quota admission, RBAC for token users,
 * and kwok nodes that run pods and StatefulSets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CONTROL_PLANE_SCRIPT,
  ControlPlane,
  START_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  startControlPlane,
} from './support/control-plane';
import { Kubectl, kubectlFor } from './support/kubectl';

const pinnedVersion = (() => {
  const m = /^readonly K8S_VERSION="(v[0-9.]+)"$/m.exec(fs.readFileSync(CONTROL_PLANE_SCRIPT, 'utf8'));
  if (!m) throw new Error(`no K8S_VERSION in ${CONTROL_PLANE_SCRIPT}`);
  return m[1];
})();

const IMAGE = 'registry.example/notebook:1.0';

function restrictedPod(name: string, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: IMAGE,
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  });
}

describe('local control plane', () => {
  let cp: ControlPlane;
  let k: Kubectl;

  beforeAll(async () => {
    cp = await startControlPlane();
    k = kubectlFor(cp);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (!cp) return;
    const dir = cp.dir;
    await cp.stop();
    // stop removes everything start created.
    expect(fs.existsSync(path.join(dir, 'etcd'))).toBe(false);
  }, STOP_TIMEOUT_MS);

  it('serves the pinned Kubernetes version', async () => {
    const r = await k.ok(['get', '--raw', '/version']);
    const v = JSON.parse(r.stdout) as { gitVersion: string; major: string; minor: string };
    expect(v.gitVersion).toBe(pinnedVersion);
    expect(cp.version).toBe(pinnedVersion);
    expect(`v${v.major}.${v.minor}.`).toBe(pinnedVersion.replace(/[0-9]+$/, ''));
    const client = JSON.parse((await k.ok(['version', '--client', '-o', 'json'])).stdout) as {
      clientVersion: { gitVersion: string };
    };
    expect(client.clientVersion.gitVersion).toBe(pinnedVersion);
  });

  it('enforces restricted Pod Security: rejects a privileged pod, admits a compliant one that becomes Ready on a kwok node', async () => {
    await k.ok(['create', 'namespace', 'psa-restricted']);
    await k.ok(['label', 'namespace', 'psa-restricted', 'pod-security.kubernetes.io/enforce=restricted']);

    const privileged = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged', namespace: 'psa-restricted' },
      spec: { containers: [{ name: 'main', image: IMAGE, securityContext: { privileged: true } }] },
    });
    const rejected = await k(['apply', '-f', '-'], { input: privileged });
    expect(rejected.code).not.toBe(0);
    expect(rejected.serverMessage).toMatch(/Forbidden/);
    expect(rejected.serverMessage).toMatch(/violates PodSecurity "restricted:latest"/);
    expect(rejected.serverMessage).toMatch(/privileged/);

    await k.ok(['apply', '-f', '-'], { input: restrictedPod('compliant', 'psa-restricted') });
    await k.ok(['wait', '--for=condition=Ready', 'pod/compliant', '-n', 'psa-restricted', '--timeout=90s']);
    const pod = await k.json<{ spec: { nodeName: string }; status: { phase: string } }>([
      'get',
      'pod/compliant',
      '-n',
      'psa-restricted',
    ]);
    expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
    expect(pod.status.phase).toBe('Running');
  }, 120_000);

  it('rolls out a StatefulSet with a claim on kwok nodes, and scales it to zero keeping the claim', async () => {
    await k.ok(['create', 'namespace', 'sts-test']);
    const sts = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'nb', namespace: 'sts-test' },
      spec: {
        replicas: 1,
        serviceName: 'nb',
        selector: { matchLabels: { app: 'nb' } },
        template: {
          metadata: { labels: { app: 'nb' } },
          spec: { containers: [{ name: 'main', image: IMAGE, volumeMounts: [{ name: 'home', mountPath: '/home' }] }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'home' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    await k.ok(['apply', '--server-side', '-f', '-'], { input: sts });
    await k.ok(['rollout', 'status', 'statefulset/nb', '-n', 'sts-test', '--timeout=120s']);
    const ready = await k.json<{ status: { readyReplicas?: number } }>(['get', 'statefulset/nb', '-n', 'sts-test']);
    expect(ready.status.readyReplicas).toBe(1);
    const claim = await k.json<{ status: { phase: string } }>(['get', 'pvc/home-nb-0', '-n', 'sts-test']);
    expect(claim.status.phase).toBe('Bound');

    await k.ok(['scale', 'statefulset/nb', '-n', 'sts-test', '--replicas=0']);
    await k.ok(['wait', '--for=delete', 'pod/nb-0', '-n', 'sts-test', '--timeout=90s']);
    await k.ok([
      'wait',
      '--for=jsonpath={.status.replicas}=0',
      'statefulset/nb',
      '-n',
      'sts-test',
      '--timeout=60s',
    ]);
    const kept = await k.json<{ status: { phase: string } }>(['get', 'pvc/home-nb-0', '-n', 'sts-test']);
    expect(kept.status.phase).toBe('Bound');
  }, 240_000);

  it('rejects a pod over the namespace ResourceQuota', async () => {
    await k.ok(['create', 'namespace', 'quota-test']);
    await k.ok(['create', 'quota', 'team', '-n', 'quota-test', '--hard=requests.cpu=500m,limits.cpu=500m,pods=5']);
    // Quota admission ignores a quota until the controller-manager has
    // computed its status.
    await k.ok([
      'wait',
      '--for=jsonpath={.status.hard.requests\\.cpu}=500m',
      'resourcequota/team',
      '-n',
      'quota-test',
      '--timeout=60s',
    ]);
    const big = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'big', namespace: 'quota-test' },
      spec: {
        containers: [{ name: 'main', image: IMAGE, resources: { requests: { cpu: '1' }, limits: { cpu: '1' } } }],
      },
    });
    const r = await k(['apply', '-f', '-'], { input: big });
    expect(r.code).not.toBe(0);
    expect(r.serverMessage).toMatch(/exceeded quota: team/);
    expect(r.serverMessage).toMatch(/requests\.cpu=1/);

    // A pod within the quota is admitted.
    await k.ok(['apply', '-f', '-'], { input: restrictedPod('small', 'quota-test') });
  }, 120_000);

  it('forbids token users without RBAC, and grants what a RoleBinding to their group grants', async () => {
    expect(Object.keys(cp.users).sort()).toEqual(['alice', 'bob', 'carol', 'mallory']);
    expect(cp.users.alice.groups).toEqual(['team-a']);

    await k.ok(['create', 'namespace', 'rbac-test']);
    for (const user of ['mallory', 'alice']) {
      const r = await kubectlFor(cp, user)(['get', 'pods', '-n', 'rbac-test']);
      expect(r.code).not.toBe(0);
      expect(r.serverMessage).toMatch(/\(Forbidden\)/);
      expect(r.serverMessage).toContain(`User "${user}" cannot list resource "pods"`);
    }

    // Authentication really happened: the API server knows who they are.
    const whoami = await kubectlFor(cp, 'alice').json<{ status: { userInfo: { username: string; groups: string[] } } }>([
      'auth',
      'whoami',
    ]);
    expect(whoami.status.userInfo.username).toBe('alice');
    expect(whoami.status.userInfo.groups).toContain('team-a');

    await k.ok(['create', 'rolebinding', 'team-a-view', '-n', 'rbac-test', '--clusterrole=view', '--group=team-a']);
    // RBAC changes take effect through the authorizer's informer: retry briefly.
    const alice = kubectlFor(cp, 'alice');
    let allowed = await alice(['get', 'pods', '-n', 'rbac-test']);
    for (let i = 0; i < 20 && allowed.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      allowed = await alice(['get', 'pods', '-n', 'rbac-test']);
    }
    expect(allowed.serverMessage).toBe('');
    expect(allowed.code).toBe(0);
    // ... and no more: the view role cannot read Secrets, nor can mallory anything.
    const secrets = await alice(['get', 'secrets', '-n', 'rbac-test']);
    expect(secrets.serverMessage).toContain('cannot list resource "secrets"');
    const mallory = await kubectlFor(cp, 'mallory')(['get', 'pods', '-n', 'rbac-test']);
    expect(mallory.serverMessage).toMatch(/\(Forbidden\)/);
  }, 60_000);
});

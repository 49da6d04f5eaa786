/**
 * Real notebooks on a real node: the local control plane with a real kubelet, containerd, CNI,
 * kube-proxy, kube-router (NetworkPolicy) and CoreDNS beside the kwok nodes (scripts/real-node),
 * a team deployed by the real `pulumi up`, and Jupyter actually serving from locally built
 * images. What runs for real and what is a stand-in: README, "What runs for real".
 *
 * The git-sync init container runs the git-sync STAND-IN image (scripts/lib/images/git-sync-standin):
 * k8s.io/git-sync is not served by the Go module proxy here. Production keeps the upstream image.
 *
 * One cluster for the whole file (starting it takes a minute or more); the tests run in order and
 * later ones use what earlier ones set up. The last test stops the node and checks the host.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig, type Plan } from '../../components/config';
import { notebookEgressPolicy } from '../../components/manifests/network-policy';
import { METADATA_CIDR } from '../../components/config';
import { startControlPlane, REPO_ROOT, type ControlPlane } from '../e2e/support/control-plane';
import { kubectlFor, type Kubectl } from '../e2e/support/kubectl';
import { PulumiWorkspace } from '../e2e/support/pulumi';
import { waitFor, done, notYet } from '../e2e/support/wait';
import { captureHostState, hostStateDiff, type HostState } from './support/host-state';
import {
  GIT_HOST, GIT_HTTP_PORT, GIT_NAMESPACE, GIT_OTHER_PORT, GIT_SSH_PORT, INGRESS_NAMESPACE, NAMESPACE, SEED_README, STRANGER_NAMESPACE,
  generateGitKeys, gitServerObjects, localVolumes, namespaceObject, probePod, readImages, sessionSecrets, teamValues, writeStackConfig,
  type GitKeys, type Images, type SessionSpec,
} from './support/fixtures';
import { JupyterClient, canConnect, execIn, portForward, type PortForward } from './support/sessions';
import { standInNetwork, type StandIn } from './support/stand-in';

const STACK = 'real';
const SETUP_TIMEOUT_MS = 40 * 60_000;
const STEP_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 5 * 60_000;
const OUTPUT_DIR = path.join(REPO_ROOT, 'tmp', 'test-real');

const HTTPS_REPO = `https://${GIT_HOST}:${GIT_HTTP_PORT}/repo.git`;
const SSH_REPO = `ssh://git@${GIT_HOST}:${GIT_SSH_PORT}/srv/git/repo.git`;

/** The sessions of the team, as the config lists them; tests change `running` and add or remove entries. */
const BASE_SESSIONS: SessionSpec[] = [
  { name: 'alpha', owner: 'alice' },
  { name: 'beta', owner: 'bob', code: { repo: HTTPS_REPO, ref: 'main', mode: 'ephemeral', credentials: { secretName: 'git-https-credentials', type: 'token', caCertificate: true } } },
  {
    name: 'gamma',
    owner: 'carol',
    code: { repo: SSH_REPO, ref: 'main', mode: 'persistent', credentials: { secretName: 'git-deploy-key', type: 'ssh' } },
    autosave: { debounceSeconds: 5 },
  },
];

let hostBefore: HostState;
let cp: ControlPlane;
let k: Kubectl;
let images: Images;
let node: string;
let keys: GitKeys;
let ws: PulumiWorkspace;
let workDir: string;
let volumesDir: string;
let sessions: SessionSpec[] = BASE_SESSIONS.map((s) => ({ ...s }));
let plan: Plan;
const forwards: PortForward[] = [];

const log = (message: string) => process.stderr.write(`[real-node suite ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function apply(objects: Record<string, unknown>[]): Promise<void> {
  await k.ok(['apply', '--server-side', '--field-manager', 'real-node-suite', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
}

/** `pulumi up` of the team with `next` as its sessions (and `extra` stack values). */
async function up(next: SessionSpec[], extra: Record<string, unknown> = {}): Promise<void> {
  sessions = next;
  const values = { ...teamValues(images, sessions), ...extra };
  const result = validateConfig(values);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  plan = result.plan;
  const file = writeStackConfig(path.join(workDir, 'variants'), STACK, values);
  const started = Date.now();
  await ws.up(STACK, ws.stackConfig(STACK, file));
  log(`pulumi up with ${sessions.map((s) => `${s.name}${s.running === false ? '(stopped)' : ''}`).join(', ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const withSession = (name: string, change: Partial<SessionSpec>) => sessions.map((s) => (s.name === name ? { ...s, ...change } : s));

interface PodInfo {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; ready: boolean; restartCount: number }[] };
}

async function podOf(session: string): Promise<PodInfo | undefined> {
  const r = await k(['get', 'pod', '-n', NAMESPACE, `${session}-0`, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as PodInfo) : undefined;
}

async function describeSession(session: string): Promise<string> {
  const r = await k(['describe', 'pod', '-n', NAMESPACE, `${session}-0`]);
  const logs = await k(['logs', '-n', NAMESPACE, `${session}-0`, '--all-containers', '--tail', '30']);
  return `${r.stdout}${r.stderr}\n${logs.stdout}${logs.stderr}`;
}

/** Waits until the session's pod is Ready (a different pod than `notUid`, when given). */
async function waitReady(session: string, notUid?: string): Promise<PodInfo> {
  return waitFor(
    `${NAMESPACE}/${session}-0 Ready`,
    async () => {
      const pod = await podOf(session);
      if (!pod) return notYet('no pod');
      if (notUid && pod.metadata.uid === notUid) return notYet('still the old pod');
      const ready = pod.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready ? done(pod) : notYet(`phase ${pod.status.phase}`);
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 1000, diagnostics: () => describeSession(session) },
  );
}

async function waitGone(session: string): Promise<void> {
  await waitFor(`${NAMESPACE}/${session}-0 gone`, async () => ((await podOf(session)) ? notYet('pod still there') : done(true)), { timeoutMs: READY_TIMEOUT_MS, intervalMs: 1000 });
}

async function tokenOf(session: string): Promise<string> {
  const secret = await k.json<{ data: { token: string } }>(['get', 'secret', '-n', NAMESPACE, `${session}-token`]);
  return Buffer.from(secret.data.token, 'base64').toString('utf8');
}

const baseUrlOf = (session: string) => `/notebooks/${plan.team}/${session}/`;

/** A Jupyter client for the session through a fresh port-forward to its Service. */
async function jupyter(session: string): Promise<JupyterClient> {
  const forward = await portForward(k, NAMESPACE, `svc/${session}`, 8888);
  forwards.push(forward);
  return new JupyterClient(forward.port, baseUrlOf(session), await tokenOf(session));
}

const notebookExec = (session: string, script: string) => execIn(k, NAMESPACE, `${session}-0`, 'notebook', script);

async function podIp(namespace: string, pod: string): Promise<string> {
  const info = await k.json<PodInfo>(['get', 'pod', '-n', namespace, pod]);
  if (!info.status.podIP) throw new Error(`${namespace}/${pod} has no IP`);
  return info.status.podIP;
}

async function waitPodReady(namespace: string, pod: string): Promise<void> {
  await k.ok(['wait', '--for=condition=Ready', '--timeout=300s', '-n', namespace, `pod/${pod}`], { timeoutMs: 310_000 });
}

beforeAll(async () => {
  hostBefore = captureHostState();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-real-'));
  volumesDir = path.join(workDir, 'volumes');
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });

  const started = Date.now();
  cp = await startControlPlane({ realNode: true, timeoutMs: SETUP_TIMEOUT_MS });
  log(`control plane and real node up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  k = kubectlFor(cp);
  node = cp.env.NOTEBOOK_PLATFORM_REAL_NODE;
  images = readImages(cp.env.NOTEBOOK_PLATFORM_REAL_NODE_IMAGES);

  await apply(localVolumes(volumesDir, node, 12, '2Gi'));
  keys = generateGitKeys(path.join(workDir, 'keys'));
  await apply([namespaceObject(INGRESS_NAMESPACE), namespaceObject(STRANGER_NAMESPACE)]);
  await apply(gitServerObjects(images, keys, node));
  await apply([
    probePod(INGRESS_NAMESPACE, 'ingress-probe', { app: 'ingress-probe' }, images, node),
    // The same labels in another namespace: not admitted.
    probePod(STRANGER_NAMESPACE, 'stranger', { app: 'ingress-probe' }, images, node),
  ]);

  ws = PulumiWorkspace.create(path.join(workDir, 'pulumi'), cp.kubeconfig);
  await ws.initStack(STACK);
  // First without the code sessions running: their credentials Secrets go into the team
  // namespace, which the stack creates, as a platform admin would add them.
  await up(BASE_SESSIONS.map((s) => (s.code ? { ...s, running: false } : s)));
  await apply(sessionSecrets(keys));
  await waitPodReady(GIT_NAMESPACE, 'gitserver');
  await up(BASE_SESSIONS);
  for (const pod of ['ingress-probe', 'stranger']) await waitPodReady(pod === 'stranger' ? STRANGER_NAMESPACE : INGRESS_NAMESPACE, pod);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const forward of forwards) forward.close();
  if (cp) await cp.stop({ keepLogs: false }).catch((error) => log(`stop: ${error}`));
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}, STEP_TIMEOUT_MS);

describe('1. sessions serve Jupyter on the real node', () => {
  it.each(BASE_SESSIONS.map((s) => s.name))('%s: pod Ready on the real node; 403 without the token, 200 with it', async (session) => {
    const pod = await waitReady(session);
    expect(pod.spec.nodeName).toBe(node);
    const client = await jupyter(session);
    expect((await client.status(false)).status).toBe(403);
    const withToken = await client.status(true);
    expect(withToken.status).toBe(200);
    expect(JSON.parse(withToken.body)).toHaveProperty('started');
  }, STEP_TIMEOUT_MS);
});

describe('2. a home survives', () => {
  const content = `written through the contents API at ${new Date().toISOString()}\n`;

  it('a new home has the welcome notebook; a file written through Jupyter survives deleting the pod', async () => {
    const client = await jupyter('alpha');
    expect(await client.list()).toContain('Welcome.ipynb');
    await client.writeFile('persist-check.txt', content);
    // The welcome notebook edited by its owner: a restart must not put the original back.
    await client.writeFile('Welcome.ipynb', '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "edited": "by alice"}');
    const before = await waitReady('alpha');
    await k.ok(['delete', 'pod', '-n', NAMESPACE, 'alpha-0', '--wait=false']);
    await waitReady('alpha', before.metadata.uid);
    const after = await jupyter('alpha');
    expect(await after.readFile('persist-check.txt')).toBe(content);
    expect(await after.readFile('Welcome.ipynb')).toContain('by alice');
  }, STEP_TIMEOUT_MS);

  it('running: false then running: true keeps the file', async () => {
    await up(withSession('alpha', { running: false }));
    await waitGone('alpha');
    await up(withSession('alpha', { running: true }));
    await waitReady('alpha');
    expect(await (await jupyter('alpha')).readFile('persist-check.txt')).toBe(content);
  }, 2 * STEP_TIMEOUT_MS);

  it('removing the session and adding it back adopts the retained claim: the file is there', async () => {
    const claim = `workdir-alpha`;
    const volumeBefore = (await k.json<{ spec: { volumeName: string } }>(['get', 'pvc', '-n', NAMESPACE, claim])).spec.volumeName;
    const alpha = sessions.find((s) => s.name === 'alpha')!;
    await up(sessions.filter((s) => s.name !== 'alpha'));
    await waitGone('alpha');
    // Retained: the claim and its volume are still there.
    expect((await k.json<{ spec: { volumeName: string } }>(['get', 'pvc', '-n', NAMESPACE, claim])).spec.volumeName).toBe(volumeBefore);
    await up([alpha, ...sessions]);
    await waitReady('alpha');
    expect((await k.json<{ spec: { volumeName: string } }>(['get', 'pvc', '-n', NAMESPACE, claim])).spec.volumeName).toBe(volumeBefore);
    expect(await (await jupyter('alpha')).readFile('persist-check.txt')).toBe(content);
  }, 2 * STEP_TIMEOUT_MS);
});

describe('3. fork', () => {
  it('a session with forkFrom starts with the source\'s files; the source is unchanged', async () => {
    const source = await jupyter('alpha');
    const sourceBefore = await source.list();
    const original = await source.readFile('persist-check.txt');
    await up([...sessions, { name: 'delta', owner: 'alice', forkFrom: 'alpha' }]);
    await waitReady('delta');
    const fork = await jupyter('delta');
    expect(await fork.readFile('persist-check.txt')).toBe(original);
    await fork.writeFile('persist-check.txt', 'changed in the fork\n');
    await fork.writeFile('fork-only.txt', 'only in the fork\n');
    expect(await source.readFile('persist-check.txt')).toBe(original);
    expect(await source.list()).toEqual(sourceBefore);
  }, 2 * STEP_TIMEOUT_MS);
});

describe('4. code from an in-cluster git server', () => {
  it('ephemeral (https with a token and a private CA, git-sync STAND-IN): the repository is in /code', async () => {
    const r = await notebookExec('beta', 'cat /code/repo/README.md && git -C /code/repo log -1 --format=%s');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(SEED_README)).toBe(true);
  }, STEP_TIMEOUT_MS);

  it('persistent (ssh with a deploy key and a pinned host key): the repository is in ~/code and local edits survive a restart', async () => {
    const r = await notebookExec('gamma', 'cat ~/code/README.md');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(SEED_README);
    const before = await waitReady('gamma');
    await notebookExec('gamma', 'printf "local edit\\n" > ~/code/local-edit.txt');
    await k.ok(['delete', 'pod', '-n', NAMESPACE, 'gamma-0', '--wait=false']);
    await waitReady('gamma', before.metadata.uid);
    const after = await notebookExec('gamma', 'cat ~/code/local-edit.txt');
    expect(after.stdout).toBe('local edit\n');
  }, STEP_TIMEOUT_MS);
});

describe('5. autosave', () => {
  it('an edit under ~/code is committed and pushed to the autosave branch within the debounce window; nothing is force-pushed', async () => {
    const branch = plan.sessions.find((s) => s.name === 'gamma')!.autosave!.branch;
    const main = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', 'git --git-dir=/srv/git/repo.git rev-parse main');
    const marker = `autosave check ${Date.now()}`;
    await notebookExec('gamma', `printf '%s\\n' '${marker}' > ~/code/autosaved.txt`);
    const head = await waitFor(
      `a push to ${branch} holding the edit`,
      async () => {
        const r = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', `git --git-dir=/srv/git/repo.git show ${branch}:autosaved.txt 2>/dev/null && git --git-dir=/srv/git/repo.git rev-parse ${branch}`);
        return r.code === 0 && r.stdout.includes(marker) ? done(r.stdout.trim().split('\n').pop()!) : notYet(r.stderr || r.stdout || 'no branch yet');
      },
      // Debounce 5 s, then commit and push; generous for a loaded 2-core machine.
      { timeoutMs: 120_000, intervalMs: 2000, diagnostics: async () => (await k(['logs', '-n', NAMESPACE, 'gamma-0', '-c', 'autosave', '--tail', '40'])).stdout },
    );
    // The autosave commit descends from main: a fast-forward of what was cloned, nothing rewritten.
    const ancestry = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', `git --git-dir=/srv/git/repo.git merge-base --is-ancestor ${main.stdout.trim()} ${head} && echo descends`);
    expect(ancestry.stdout.trim()).toBe('descends');
    const logs = await k.ok(['logs', '-n', NAMESPACE, 'gamma-0', '-c', 'autosave']);
    expect(logs.stdout).not.toMatch(/forced update|\+\s*[0-9a-f]+\.\.\.[0-9a-f]+/);
  }, STEP_TIMEOUT_MS);

  it('a hostile ~/code and ~/.ssh (filter driver, fsmonitor, sshCommand, ssh ProxyCommand, core.worktree, alternates and a link at the deploy key): the key is in no log, no file of the home, no object on the server, and nothing planted runs', async () => {
    const branch = plan.sessions.find((s) => s.name === 'gamma')!.autosave!.branch;
    const keyLines = keys.deployKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    const needles = keyLines.map((line) => `-e '${line}'`).join(' ');
    const evil = (mark: string) => `touch /home/jovyan/ran-${mark}; cat /etc/git-secret/ssh-privatekey; cat /etc/git-secret/ssh-privatekey >&2`;
    const marker = `hostile check ${Date.now()}`;
    const plant = [
      'set -e',
      'cd ~/code',
      'cp .git/config ~/.code-config-before-hostile',
      `printf '#!/bin/sh\\n${evil('script')}\\n' > ~/evil.sh && chmod +x ~/evil.sh`,
      `git config filter.leak.clean "sh -c '${evil('filter')}'"`,
      "printf '* filter=leak\\n' > .gitattributes",
      'git config core.fsmonitor ~/evil.sh',
      `git config core.sshCommand "sh -c '${evil('sshcommand')}' --"`,
      'git config core.worktree /etc/git-secret',
      'ln -sfn /etc/git-secret/ssh-privatekey .git/objects/info/alternates',
      'ln -sfn /etc/git-secret/ssh-privatekey key-link',
      // openssh finds ~/.ssh/config through the passwd entry: in the sidecar that is this home.
      `mkdir -p ~/.ssh && printf 'Host *\\n  ProxyCommand sh -c "${evil('proxycommand')}"\\n' > ~/.ssh/config`,
      `printf '%s\\n' '${marker}' > hostile-check.txt`,
    ].join('\n');
    const planted = await notebookExec('gamma', plant);
    expect({ code: planted.code, stderr: planted.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    try {
      await waitFor(
        `a push to ${branch} holding the hostile check`,
        async () => {
          const r = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', `git --git-dir=/srv/git/repo.git show ${branch}:hostile-check.txt 2>/dev/null`);
          return r.code === 0 && r.stdout.includes(marker) ? done(true) : notYet(r.stderr || r.stdout || 'not pushed yet');
        },
        { timeoutMs: 120_000, intervalMs: 2000, diagnostics: async () => (await k(['logs', '-n', NAMESPACE, 'gamma-0', '-c', 'autosave', '--tail', '40'])).stdout },
      );
      // The link is pushed as a link: its text, not the key.
      const link = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', `git --git-dir=/srv/git/repo.git ls-tree ${branch} key-link`);
      expect(link.stdout).toMatch(/^120000 blob /);
      const ran = await notebookExec('gamma', 'ls /home/jovyan/ | grep "^ran-" || true');
      expect(ran.stdout.trim()).toBe('');
      const logs = await k.ok(['logs', '-n', NAMESPACE, 'gamma-0', '-c', 'autosave']);
      for (const line of keyLines) expect(logs.stdout + logs.stderr).not.toContain(line);
      const inHome = await notebookExec('gamma', `grep -r -l -F ${needles} /home/jovyan 2>/dev/null || true`);
      expect(inHome.stdout.trim()).toBe('');
      const onServer = await execIn(k, GIT_NAMESPACE, 'gitserver', 'gitserver', `git --git-dir=/srv/git/repo.git cat-file --batch-all-objects --batch | grep -c -F ${needles} || true`);
      expect(onServer.stdout.trim()).toBe('0');
    } finally {
      await notebookExec(
        'gamma',
        'cd ~/code && cp ~/.code-config-before-hostile .git/config && rm -f .gitattributes key-link hostile-check.txt .git/objects/info/alternates ~/evil.sh ~/.ssh/config ~/.code-config-before-hostile ~/ran-*',
      );
    }
  }, STEP_TIMEOUT_MS);
});

describe('6. isolation enforced by the real policy controller (kube-router)', () => {
  let alphaIp: string;
  let betaIp: string;
  let gitIp: string;

  beforeAll(async () => {
    alphaIp = await podIp(NAMESPACE, 'alpha-0');
    betaIp = await podIp(NAMESPACE, 'beta-0');
    gitIp = await podIp(GIT_NAMESPACE, 'gitserver');
  }, STEP_TIMEOUT_MS);

  it('a pod in the configured ingress namespace reaches the Jupyter port; a pod with the same labels elsewhere does not', async () => {
    expect(await canConnect(k, INGRESS_NAMESPACE, 'ingress-probe', 'probe', alphaIp, 8888)).toBe(true);
    expect(await canConnect(k, STRANGER_NAMESPACE, 'stranger', 'probe', alphaIp, 8888)).toBe(false);
  }, STEP_TIMEOUT_MS);

  it('a session cannot open another session\'s port', async () => {
    expect(await canConnect(k, INGRESS_NAMESPACE, 'ingress-probe', 'probe', betaIp, 8888)).toBe(true);
    expect(await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', betaIp, 8888)).toBe(false);
    expect(await canConnect(k, NAMESPACE, 'beta-0', 'notebook', alphaIp, 8888)).toBe(false);
  }, STEP_TIMEOUT_MS);

  it('DNS resolves through cluster DNS; the git server is reachable on its two ports only', async () => {
    const r = await notebookExec('alpha', `getent hosts ${GIT_HOST}.cluster.local`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\s+/)[0]).toMatch(/^10\.96\./);
    expect(await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', gitIp, GIT_HTTP_PORT)).toBe(true);
    expect(await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', gitIp, GIT_SSH_PORT)).toBe(true);
    // The other port listens: the stranger (no policy) gets there, a session does not.
    expect(await canConnect(k, STRANGER_NAMESPACE, 'stranger', 'probe', gitIp, GIT_OTHER_PORT)).toBe(true);
    expect(await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', gitIp, GIT_OTHER_PORT)).toBe(false);
  }, STEP_TIMEOUT_MS);

  describe('the metadata exception, with a stand-in address in a network namespace the test creates', () => {
    let standIn: StandIn;

    beforeAll(async () => {
      standIn = await standInNetwork(cp.env.NOTEBOOK_PLATFORM_REAL_NODE_POD_CIDR);
    }, STEP_TIMEOUT_MS);

    afterAll(async () => {
      await k(['delete', 'networkpolicy', '-n', NAMESPACE, 'standin-internet', '--ignore-not-found']);
      standIn?.remove();
    }, STEP_TIMEOUT_MS);

    it('the internet rule reaches an address in the stand-in range but not the excepted stand-in "metadata" address', async () => {
      // The product's own internet rule (allowInternet), with the metadata address replaced by the stand-in.
      const internetPlan: Plan = { ...plan, network: { ...plan.network, allowInternet: true, egress: [], egressPeers: [] } };
      const rendered = JSON.stringify(notebookEgressPolicy(internetPlan)).split(METADATA_CIDR).join(`${standIn.metadataAddress}/32`);
      const policy = JSON.parse(rendered) as { metadata: { name: string } };
      policy.metadata.name = 'standin-internet';
      expect(rendered).toContain(`${standIn.metadataAddress}/32`);
      await apply([policy as unknown as Record<string, unknown>]);
      await waitFor('the allowed stand-in address reachable from alpha', async () => ((await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', standIn.allowedAddress, standIn.port)) ? done(true) : notYet('closed')), { timeoutMs: 60_000, intervalMs: 2000 });
      expect(await canConnect(k, NAMESPACE, 'alpha-0', 'notebook', standIn.metadataAddress, standIn.port)).toBe(false);
      // Both listen: the stranger (no policy) reaches both.
      expect(await canConnect(k, STRANGER_NAMESPACE, 'stranger', 'probe', standIn.metadataAddress, standIn.port)).toBe(true);
    }, STEP_TIMEOUT_MS);
  });
});

describe('7. Pod Security restricted with a real runtime', () => {
  it('the notebook runs as uid 1000 (jovyan), gid 100, not root', async () => {
    const r = await notebookExec('alpha', 'id -u; id -g; id -un');
    expect(r.stdout.trim().split('\n')).toEqual(['1000', '100', 'jovyan']);
  }, STEP_TIMEOUT_MS);

  it('no process in the notebook container has the token in its environment; Jupyter reads it from the mounted Secret', async () => {
    const r = await notebookExec('alpha', 'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f" 2>/dev/null | grep -q "^JUPYTER_TOKEN=" && echo "$f"; done; ls /proc | grep -c "^[0-9]"');
    const lines = r.stdout.trim().split('\n');
    // Only the count of processes looked at: no environ file named the token.
    expect(lines).toHaveLength(1);
    expect(Number(lines[0])).toBeGreaterThan(2);
    expect((await notebookExec('alpha', 'cat /etc/jupyter-token/token')).stdout.trim()).toBe(await tokenOf('alpha'));
  }, STEP_TIMEOUT_MS);

  it('a pod that would run as root in the team namespace is refused', async () => {
    const rootPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root-attempt', namespace: NAMESPACE }, spec: { nodeName: node, containers: [{ name: 'c', image: images.notebook, command: ['id'], securityContext: { runAsUser: 0 } }] } };
    const r = await k(['apply', '-f', '-'], { input: JSON.stringify(rootPod) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted/);
    expect((await k(['get', 'pod', '-n', NAMESPACE, 'root-attempt'])).code).not.toBe(0);
  }, STEP_TIMEOUT_MS);
});

describe('8. a browser', () => {
  it('headless Chromium opens the session with its token and JupyterLab lists the welcome notebook', async () => {
    const client = await jupyter('gamma');
    const url = `http://127.0.0.1:${client.port}${baseUrlOf('gamma')}lab?token=${await tokenOf('gamma')}`;
    const profile = fs.mkdtempSync(path.join(workDir, 'chromium-'));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,800', '--virtual-time-budget=60000'];
    const dom = spawnSync('chromium', [...flags, '--dump-dom', url], { encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
    expect(dom.status).toBe(0);
    expect(dom.stdout).toMatch(/jp-DirListing-item[^>]*>[\s\S]*?Welcome\.ipynb|title="Name: Welcome\.ipynb/);
    const screenshot = path.join(OUTPUT_DIR, 'jupyterlab-gamma.png');
    fs.rmSync(screenshot, { force: true });
    const shot = spawnSync('chromium', [...flags, `--screenshot=${screenshot}`, url], { encoding: 'utf8', timeout: 180_000 });
    expect(shot.status).toBe(0);
    expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
  }, STEP_TIMEOUT_MS);
});

describe('9. stop', () => {
  it('scripts/control-plane stop leaves no process, mount, iptables rule, ipset, link, netns or sysctl change behind', async () => {
    for (const forward of forwards.splice(0)) forward.close();
    await cp.stop();
    expect(hostStateDiff(hostBefore, captureHostState())).toEqual([]);
  }, STEP_TIMEOUT_MS);
});

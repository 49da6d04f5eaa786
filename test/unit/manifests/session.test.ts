/**
 * The session chart: every option of a session and what it must and must not produce.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GIT_SYNC_IMAGE, HELPER_RESOURCES, names, type Plan } from '../../../components/config';
import { sessionObjects, synthesize, toYaml, type KubeObject } from '../../../components/manifests';
import { JUPYTER_CONFIG_FILE, MIGRATED_MARKER_FILE, TOKEN_FILE, cullInterval } from '../../../components/manifests/jupyter';
import { CONFIG_HASH_ANNOTATION } from '../../../components/manifests/session';
import { baseConfig } from '../config/fixtures';
import { planOf, sessionOf, stackPlan } from './session-support';

// Tests walk plain Kubernetes objects by path; `any` keeps that readable.
type Obj = Record<string, any>;

const objectsOf = (plan: Plan, name: string) => sessionObjects(plan, sessionOf(plan, name)) as Obj[];
const one = (objects: Obj[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const podOf = (objects: Obj[]) => one(objects, 'StatefulSet').spec.template.spec;
const containerOf = (pod: Obj, name: string) => {
  const found = [...(pod.initContainers ?? []), ...pod.containers].find((c: Obj) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const envOf = (container: Obj) => Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
const mountsOf = (container: Obj) => Object.fromEntries(container.volumeMounts.map((m: Obj) => [m.mountPath, m]));
const volumesOf = (pod: Obj) => Object.fromEntries(pod.volumes.map((v: Obj) => [v.name, v]));

/** The base fixture with one session changed. */
function withSession(change: (session: Obj, config: Obj) => void, name = 'churn'): Plan {
  const config = baseConfig();
  change(config.sessions.find((s: Obj) => s.name === name), config);
  return planOf(config);
}

describe('a session\'s objects', () => {
  const plan = stackPlan('team-a');

  it('are the ServiceAccount, Jupyter ConfigMap, Service, StatefulSet, home claim and Ingress', () => {
    const objects = objectsOf(plan, 'trial-analysis');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/trial-analysis',
      'ConfigMap/trial-analysis-jupyter',
      'Service/trial-analysis',
      'StatefulSet/trial-analysis',
      'PersistentVolumeClaim/workdir-trial-analysis',
      'Ingress/trial-analysis',
    ]);
    expect(objects.length).toBeLessThanOrEqual(7);
  });

  it('all carry the session\'s team, session and owner labels and live in the team namespace', () => {
    for (const session of plan.sessions) {
      for (const object of objectsOf(plan, session.name)) {
        expect(object.metadata.namespace).toBe('nb-team-a');
        expect(object.metadata.labels).toMatchObject({
          'notebook-platform.io/team': 'team-a',
          'notebook-platform.io/session': session.name,
          'notebook-platform.io/owner': session.owner,
        });
      }
    }
  });

  it('never include a Secret: the token Secret is the component\'s', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const yaml = synthesize(stackPlan(team)).map((f) => toYaml(f.objects)).join('');
      expect(yaml).not.toMatch(/kind: Secret|stringData/);
    }
  });

  it('ServiceAccount mounts no token', () => {
    expect(one(objectsOf(plan, 'imaging'), 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });
});

describe('StatefulSet and pod', () => {
  const plan = stackPlan('team-a');
  const session = sessionOf(plan, 'trial-analysis');
  const objects = objectsOf(plan, 'trial-analysis');
  const sts = one(objects, 'StatefulSet');
  const pod = podOf(objects);

  it('runs one replica behind the session\'s Service, retaining claims', () => {
    expect('replicas' in sts.spec).toBe(false); // the cluster's default, 1 (see running: false below)
    expect(sts.spec).toMatchObject({
      serviceName: 'trial-analysis',
      selector: { matchLabels: session.selector },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(sts.spec.template.metadata.labels).toEqual(session.labels);
    for (const [key, value] of Object.entries(session.selector)) expect(session.labels[key]).toBe(value);
  });

  it('pod: restricted security, no token, no service links, own service account', () => {
    expect(pod).toMatchObject({
      serviceAccountName: 'trial-analysis',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 100,
        fsGroup: 100,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  });

  it('every container: no privilege escalation, all capabilities dropped, non-root, requests and limits', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const teamPlan = stackPlan(team);
      for (const s of teamPlan.sessions) {
        const p = podOf(objectsOf(teamPlan, s.name));
        for (const container of [...p.initContainers, ...p.containers]) {
          expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, privileged: false });
          expect(Object.keys(container.resources.requests).sort()).toEqual(expect.arrayContaining(['cpu', 'memory']));
          expect(Object.keys(container.resources.limits).sort()).toEqual(expect.arrayContaining(['cpu', 'memory']));
        }
      }
    }
  });

  it('helpers get HELPER_RESOURCES, the notebook its size', () => {
    expect(containerOf(pod, 'notebook').resources).toEqual({ requests: { cpu: '4', 'ephemeral-storage': '10Gi', memory: '16Gi' }, limits: { cpu: '8', 'ephemeral-storage': '10Gi', memory: '16Gi' } });
    for (const name of ['prepare-home', 'autosave']) expect(containerOf(pod, name).resources).toEqual(HELPER_RESOURCES);
  });

  it('notebook: image, env (never the token), port, probes on the Jupyter API', () => {
    const notebook = containerOf(pod, 'notebook');
    expect(notebook.image).toBe('quay.io/jupyter/datascience-notebook:2025-12-01');
    const env = envOf(notebook);
    expect(env.JUPYTER_TOKEN).toBeUndefined();
    expect(env).toMatchObject({
      NOTEBOOK_PLATFORM_TEAM: 'team-a',
      NOTEBOOK_PLATFORM_SESSION: 'trial-analysis',
      NOTEBOOK_PLATFORM_OWNER: 'dana',
      NOTEBOOK_PLATFORM_SHARED_DATA: '/shared-data',
      NOTEBOOK_PLATFORM_ENDPOINT: 'https://notebooks.team-a.example.com',
      NOTEBOOK_PLATFORM_CODE: '/home/jovyan/code',
    });
    expect(notebook.ports).toEqual([{ name: 'http', containerPort: 8888, protocol: 'TCP' }]);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(notebook[probe].httpGet).toEqual({ path: '/notebooks/team-a/trial-analysis/api', port: 'http', scheme: 'HTTP' });
    }
  });

  it('notebook mounts: home, caches and /tmp on emptyDirs, the Jupyter config read-only, parents first', () => {
    const notebook = containerOf(pod, 'notebook');
    const mounts = mountsOf(notebook);
    expect(mounts['/home/jovyan']).toEqual({ name: 'home', mountPath: '/home/jovyan' });
    expect(mounts['/home/jovyan/.cache']).toEqual({ name: 'cache', mountPath: '/home/jovyan/.cache' });
    expect(mounts['/tmp']).toEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(mounts['/etc/jupyter']).toEqual({ name: 'jupyter-config', mountPath: '/etc/jupyter', readOnly: true });
    expect(mounts['/etc/jupyter-token']).toEqual({ name: 'jupyter-token', mountPath: '/etc/jupyter-token', readOnly: true });
    expect(volumesOf(pod)['jupyter-token']).toEqual({ name: 'jupyter-token', secret: { secretName: 'trial-analysis-token', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] } });
    const volumes = volumesOf(pod);
    expect(volumes.home).toEqual({ name: 'home', persistentVolumeClaim: { claimName: 'workdir-trial-analysis' } });
    expect(volumes.cache.emptyDir).toBeDefined();
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(volumes['jupyter-config']).toEqual({ name: 'jupyter-config', configMap: { name: 'trial-analysis-jupyter', defaultMode: 0o444 } });
    const paths = notebook.volumeMounts.map((m: Obj) => m.mountPath);
    expect(paths).toEqual([...paths].sort());
    // The helpers' private /tmp (credential copies) never reaches the notebook.
    expect(notebook.volumeMounts.map((m: Obj) => m.name)).not.toContain('helper-tmp');
    expect(notebook.volumeMounts.map((m: Obj) => m.name)).not.toContain('git-secret');
  });

  it('every volume a container mounts exists, and every volume is mounted', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const teamPlan = stackPlan(team);
      for (const s of teamPlan.sessions) {
        const p = podOf(objectsOf(teamPlan, s.name));
        const declared = new Set(p.volumes.map((v: Obj) => v.name));
        const used = new Set([...p.initContainers, ...p.containers].flatMap((c: Obj) => c.volumeMounts.map((m: Obj) => m.name)));
        expect([...used].sort()).toEqual([...declared].sort());
      }
    }
  });

  it('prepare-home runs first, from the scripts ConfigMap, in the session image', () => {
    const prepare = pod.initContainers[0];
    expect(prepare.name).toBe('prepare-home');
    expect(prepare.image).toBe(session.image);
    expect(prepare.command).toEqual(['bash', '/opt/notebook-platform/prepare-home.sh']);
    expect(mountsOf(prepare)['/opt/notebook-platform']).toEqual({ name: 'scripts', mountPath: '/opt/notebook-platform', readOnly: true });
    expect(volumesOf(pod).scripts).toEqual({ name: 'scripts', configMap: { name: 'notebook-platform-scripts', defaultMode: 0o444 } });
    expect(envOf(prepare).WELCOME_NOTEBOOK).toBe('/opt/notebook-platform/welcome.ipynb');
    // git must not read the user's ~/.gitconfig while it holds credentials.
    expect(envOf(prepare).HOME).toBe('/tmp');
    expect(mountsOf(prepare)['/tmp']).toEqual({ name: 'helper-tmp', mountPath: '/tmp' });
  });
});

describe('running: false', () => {
  it('sets replicas to 0 and changes nothing else; a running session leaves replicas to the cluster', () => {
    const running = withSession(() => undefined);
    const stopped = withSession((s) => (s.running = false));
    const before = objectsOf(running, 'churn');
    const after = objectsOf(stopped, 'churn');
    expect('replicas' in one(before, 'StatefulSet').spec).toBe(false);
    expect(one(after, 'StatefulSet').spec.replicas).toBe(0);
    const withoutReplicas = (objects: Obj[]) =>
      JSON.stringify(objects.map((o) => (o.kind === 'StatefulSet' ? { ...o, spec: Object.fromEntries(Object.entries(o.spec as object).filter(([key]) => key !== 'replicas')) } : o)));
    expect(withoutReplicas(after)).toBe(withoutReplicas(before));
  });
});

describe('code', () => {
  const plan = stackPlan('team-a');

  it('ephemeral: git-sync v4 --one-time into an emptyDir at /code, checked out as /code/<repo>', () => {
    const pod = podOf(objectsOf(plan, 'imaging'));
    expect(pod.initContainers.map((c: Obj) => c.name)).toEqual(['prepare-home', 'git-sync']);
    const sync = containerOf(pod, 'git-sync');
    expect(sync.image).toBe(GIT_SYNC_IMAGE);
    expect(sync.args.slice(0, 6)).toEqual([
      '--one-time',
      '--repo=https://git.internal.example.com/research/imaging.git',
      '--ref=v2.1.0',
      '--depth=1',
      '--root=/code',
      '--link=imaging',
    ]);
    expect(mountsOf(sync)['/code']).toEqual({ name: 'code', mountPath: '/code' });
    expect(volumesOf(pod).code).toEqual({ name: 'code', emptyDir: expect.any(Object) });
    expect(mountsOf(containerOf(pod, 'notebook'))['/code']).toEqual({ name: 'code', mountPath: '/code' });
    expect(envOf(containerOf(pod, 'notebook')).NOTEBOOK_PLATFORM_CODE).toBe('/code/imaging');
    // Nothing for prepare-home to clone.
    expect(envOf(containerOf(pod, 'prepare-home')).CODE_REPO).toBeUndefined();
  });

  it('names the checkout after the repository', () => {
    expect(
      ['git@host:team/churn-model.git', 'https://host/team/imaging', 'ssh://host/x/trial.analysis.git/', 'https://host/team/.git', 'https://host/a/we!rd name.git'].map(names.repoDirectory),
    ).toEqual(['churn-model', 'imaging', 'trial.analysis', 'repo', 'we-rd-name']);
  });

  it('git-sync never writes to a persistent volume', () => {
    for (const team of ['demo', 'team-a'] as const) {
      const teamPlan = stackPlan(team);
      for (const s of teamPlan.sessions.filter((x) => x.code?.mode === 'ephemeral')) {
        const pod = podOf(objectsOf(teamPlan, s.name));
        const volumes = volumesOf(pod);
        for (const mount of containerOf(pod, 'git-sync').volumeMounts) {
          const volume = volumes[mount.name];
          expect(mount.readOnly === true || volume.emptyDir !== undefined).toBe(true);
        }
      }
    }
  });

  it('persistent: prepare-home clones into the home; no git-sync, no /code', () => {
    const pod = podOf(objectsOf(plan, 'trial-analysis'));
    expect(pod.initContainers.map((c: Obj) => c.name)).toEqual(['prepare-home']);
    expect(envOf(containerOf(pod, 'prepare-home'))).toMatchObject({
      CODE_REPO: 'git@git.internal.example.com:research/trial-analysis.git',
      CODE_REF: 'HEAD',
      CODE_DEPTH: '1',
      CODE_DIRECTORY: '/home/jovyan/code',
    });
    expect(volumesOf(pod).code).toBeUndefined();
    expect(mountsOf(containerOf(pod, 'notebook'))['/code']).toBeUndefined();
  });

  it('ssh credentials: the Secret mounted 0400 for the helpers, the key and pinned known_hosts for git-sync', () => {
    const ephemeral = withSession((s) => (s.code = { repo: 'git@git.example.com:team/churn.git', credentials: { secretName: 'deploy-key', type: 'ssh' } }));
    const pod = podOf(objectsOf(ephemeral, 'churn'));
    expect(volumesOf(pod)['git-secret']).toEqual({ name: 'git-secret', secret: { secretName: 'deploy-key', defaultMode: 0o400 } });
    const sync = containerOf(pod, 'git-sync');
    expect(sync.args).toEqual(expect.arrayContaining(['--ssh-key-file=/etc/git-secret/ssh-privatekey', '--ssh-known-hosts=true', '--ssh-known-hosts-file=/etc/git-secret/known_hosts']));
    expect(mountsOf(sync)['/etc/git-secret']).toEqual({ name: 'git-secret', mountPath: '/etc/git-secret', readOnly: true });
    // persistent: prepare-home reads the Secret through git-auth.sh.
    const persistent = podOf(objectsOf(plan, 'trial-analysis'));
    expect(envOf(containerOf(persistent, 'prepare-home'))).toMatchObject({ GIT_CREDENTIALS: 'ssh', GIT_SECRET_DIR: '/etc/git-secret' });
    expect(volumesOf(persistent)['git-secret'].secret).toEqual({ secretName: 'git-deploy-key', defaultMode: 0o400 });
  });

  it('token credentials: --username and --password-file, never a password value', () => {
    const pod = podOf(objectsOf(plan, 'imaging'));
    const sync = containerOf(pod, 'git-sync');
    expect(sync.args.slice(6)).toEqual(['--username=git', '--password-file=/etc/git-secret/token']);
    expect(sync.args.join(' ')).not.toMatch(/--password=/);
    expect(volumesOf(pod)['git-secret'].secret).toEqual({ secretName: 'git-https-credentials', defaultMode: 0o400 });
    const custom = withSession((s) => (s.code = { repo: 'https://git.example.com/team/churn.git', credentials: { secretName: 't', type: 'token', username: 'oauth2' } }));
    expect(containerOf(podOf(objectsOf(custom, 'churn')), 'git-sync').args).toContain('--username=oauth2');
  });

  it('a private CA (caCertificate): every git process trusts ca.crt from the Secret, and only then', () => {
    const https = (caCertificate: boolean, mode: string) =>
      withSession((s) => (s.code = { repo: 'https://git.internal/team/churn.git', mode, credentials: { secretName: 't', type: 'token', caCertificate } }));
    const ephemeral = podOf(objectsOf(https(true, 'ephemeral'), 'churn'));
    expect(envOf(containerOf(ephemeral, 'git-sync'))).toEqual({ GIT_SSL_CAINFO: '/etc/git-secret/ca.crt', HOME: '/tmp' });
    expect(envOf(containerOf(ephemeral, 'notebook')).GIT_SSL_CAINFO).toBeUndefined();
    const persistent = podOf(objectsOf(https(true, 'persistent'), 'churn'));
    expect(envOf(containerOf(persistent, 'prepare-home')).GIT_SSL_CAINFO).toBe('/etc/git-secret/ca.crt');
    for (const mode of ['ephemeral', 'persistent']) {
      const pod = podOf(objectsOf(https(false, mode), 'churn'));
      for (const container of [...pod.initContainers, ...pod.containers]) expect(envOf(container).GIT_SSL_CAINFO).toBeUndefined();
    }
  });

  it('images.gitSync replaces the pinned git-sync image (a mirror), which stays the default', () => {
    const ephemeral = (images?: Obj) => withSession((s, config) => {
      s.code = { repo: 'https://git.example.com/team/churn.git' };
      if (images) config.images = images;
    });
    expect(containerOf(podOf(objectsOf(ephemeral(), 'churn')), 'git-sync').image).toBe(GIT_SYNC_IMAGE);
    expect(containerOf(podOf(objectsOf(ephemeral({ gitSync: 'mirror.internal/git-sync:v4.7.1' }), 'churn')), 'git-sync').image).toBe('mirror.internal/git-sync:v4.7.1');
  });

  it('no credentials: no Secret volume, and none of the helpers gets one', () => {
    const pod = podOf(objectsOf(stackPlan('demo'), 'churn-model'));
    expect(volumesOf(pod)['git-secret']).toBeUndefined();
    expect(containerOf(pod, 'git-sync').args).toHaveLength(6);
  });

  it('no code: neither git-sync nor code env', () => {
    const pod = podOf(objectsOf(stackPlan('demo'), 'forecasting'));
    expect(pod.initContainers.map((c: Obj) => c.name)).toEqual(['prepare-home']);
    expect(envOf(containerOf(pod, 'notebook')).NOTEBOOK_PLATFORM_CODE).toBeUndefined();
  });
});

describe('autosave', () => {
  const plan = stackPlan('team-a');

  it('on: a sidecar running autosave.sh on the persistent clone, pushing to autosave/<session>', () => {
    const pod = podOf(objectsOf(plan, 'trial-analysis'));
    const sidecar = containerOf(pod, 'autosave');
    expect(pod.containers.map((c: Obj) => c.name)).toEqual(['notebook', 'autosave']);
    expect(sidecar.image).toBe(sessionOf(plan, 'trial-analysis').image);
    expect(sidecar.command).toEqual(['bash', '/opt/notebook-platform/autosave.sh']);
    expect(envOf(sidecar)).toMatchObject({
      AUTOSAVE_WORK_TREE: '/home/jovyan/code',
      AUTOSAVE_BRANCH: 'autosave/trial-analysis',
      AUTOSAVE_REMOTE: 'git@git.internal.example.com:research/trial-analysis.git',
      AUTOSAVE_DEBOUNCE_SECONDS: '60',
      AUTOSAVE_MAX_FILE_SIZE_MB: '10',
      GIT_CREDENTIALS: 'ssh',
      GIT_SECRET_DIR: '/etc/git-secret',
      HOME: '/tmp',
    });
    expect(mountsOf(sidecar)['/home/jovyan']).toEqual({ name: 'home', mountPath: '/home/jovyan' });
    expect(mountsOf(sidecar)['/tmp']).toEqual({ name: 'helper-tmp', mountPath: '/tmp' });
    expect(volumesOf(pod)['helper-tmp'].emptyDir).toMatchObject({ medium: 'Memory' });
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    // Its own git directory, on a disk-backed volume no other container mounts; the home is
    // named so nothing in it is trusted.
    expect(envOf(sidecar)).toMatchObject({ AUTOSAVE_GIT_DIR: '/var/lib/notebook-platform/autosave', NOTEBOOK_HOME: '/home/jovyan' });
    expect(mountsOf(sidecar)['/var/lib/notebook-platform']).toEqual({ name: 'autosave-git', mountPath: '/var/lib/notebook-platform' });
    expect(volumesOf(pod)['autosave-git'].emptyDir.sizeLimit).toEqual(expect.any(String));
    expect(volumesOf(pod)['autosave-git'].emptyDir.medium).toBeUndefined();
  });

  it('the helpers\' git data is each on its own volume, mounted by that helper only: autosave-git (autosave), clone-work (prepare-home, persistent code)', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const teamPlan = stackPlan(team);
      for (const s of teamPlan.sessions) {
        const p = podOf(objectsOf(teamPlan, s.name));
        const mountersOf = (volume: string) =>
          [...p.initContainers, ...p.containers].filter((c: Obj) => c.volumeMounts.some((m: Obj) => m.name === volume)).map((c: Obj) => c.name);
        expect({ session: s.name, autosave: mountersOf('autosave-git'), clone: mountersOf('clone-work') }).toEqual({
          session: s.name,
          autosave: s.autosave ? ['autosave'] : [],
          clone: s.code?.mode === 'persistent' ? ['prepare-home'] : [],
        });
        if (s.code?.mode === 'persistent') expect(envOf(containerOf(p, 'prepare-home')).CLONE_WORK_DIR).toBe('/var/lib/notebook-platform/clone');
      }
    }
  });

  it('a configured branch is used as it is', () => {
    const custom = withSession((s) => {
      s.code = { repo: 'https://git.example.com/team/churn.git', mode: 'persistent' };
      s.autosave = { branch: 'wip/alice', debounceSeconds: 5, maxFileSizeMb: 2 };
    });
    expect(envOf(containerOf(podOf(objectsOf(custom, 'churn')), 'autosave'))).toMatchObject({
      AUTOSAVE_BRANCH: 'wip/alice',
      AUTOSAVE_DEBOUNCE_SECONDS: '5',
      AUTOSAVE_MAX_FILE_SIZE_MB: '2',
      GIT_CREDENTIALS: 'none',
    });
  });

  it('off: no sidecar and the shorter grace period', () => {
    const pod = podOf(objectsOf(plan, 'imaging'));
    expect(pod.containers.map((c: Obj) => c.name)).toEqual(['notebook']);
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });
});

describe('fork', () => {
  it('efs: the source claim mounted read-only at /fork-source in prepare-home only', () => {
    const plan = stackPlan('team-a');
    const pod = podOf(objectsOf(plan, 'imaging-retry'));
    expect(volumesOf(pod)['fork-source']).toEqual({ name: 'fork-source', persistentVolumeClaim: { claimName: 'workdir-imaging', readOnly: true } });
    const prepare = containerOf(pod, 'prepare-home');
    expect(mountsOf(prepare)['/fork-source']).toEqual({ name: 'fork-source', mountPath: '/fork-source', readOnly: true });
    expect(envOf(prepare)).toMatchObject({ FORK_SOURCE: '/fork-source', FORK_SESSION: 'imaging' });
    expect(mountsOf(containerOf(pod, 'notebook'))['/fork-source']).toBeUndefined();
  });

  it('nfs: the source\'s sub-directory of the shared claim, read-only, through the home volume', () => {
    const plan = withSession((s, config) => { s.forkFrom = 'churn'; config.sessions[0].forkableBy = ['carol']; }, 'report');
    const pod = podOf(objectsOf(plan, 'report'));
    expect(volumesOf(pod)['fork-source']).toBeUndefined();
    expect(mountsOf(containerOf(pod, 'prepare-home'))['/fork-source']).toEqual({ name: 'home', mountPath: '/fork-source', readOnly: true, subPath: 'sessions/churn' });
  });

  it('no fork: nothing mounted at /fork-source', () => {
    const pod = podOf(objectsOf(stackPlan('team-a'), 'imaging'));
    expect(envOf(containerOf(pod, 'prepare-home')).FORK_SOURCE).toBeUndefined();
    expect(mountsOf(containerOf(pod, 'prepare-home'))['/fork-source']).toBeUndefined();
  });
});

describe('GPU and scheduling', () => {
  it('GPU sizes request GPUs and get the nvidia.com/gpu toleration and the GPU node selector', () => {
    const plan = stackPlan('team-a');
    const pod = podOf(objectsOf(plan, 'imaging'));
    const notebook = containerOf(pod, 'notebook');
    expect(notebook.resources.requests['nvidia.com/gpu']).toBe('1');
    expect(notebook.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  });

  it('other sizes get neither', () => {
    const pod = podOf(objectsOf(stackPlan('team-a'), 'trial-analysis'));
    expect(pod.tolerations).toBeUndefined();
    expect(pod.nodeSelector).toBeUndefined();
    expect(containerOf(pod, 'notebook').resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  it('a size\'s own node selector and tolerations replace the defaults', () => {
    const config = baseConfig();
    config.quota = { gpu: 1 };
    config.sizes.gpu = {
      cpu: '1',
      memory: '4Gi',
      gpu: 1,
      nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
    };
    config.sessions[0].size = 'gpu';
    const pod = podOf(objectsOf(planOf(config), 'churn'));
    expect(pod.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'g5.xlarge' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }]);
  });
});

describe('homes and shares', () => {
  it('nfs: the team claim with the session\'s sub-directory; the claim is not the session\'s', () => {
    const plan = stackPlan('demo');
    const objects = objectsOf(plan, 'churn-model');
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    const pod = podOf(objects);
    expect(volumesOf(pod).home).toEqual({ name: 'home', persistentVolumeClaim: { claimName: 'workdirs' } });
    for (const name of ['notebook', 'prepare-home']) {
      expect(mountsOf(containerOf(pod, name))['/home/jovyan']).toEqual({ name: 'home', mountPath: '/home/jovyan', subPath: 'sessions/churn-model' });
    }
  });

  it('per-user state: the owner\'s claim, shared by their sessions, not in the session chart', () => {
    const plan = stackPlan('team-b');
    for (const name of ['etl', 'etl-debug']) {
      const objects = objectsOf(plan, name);
      expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
      expect(volumesOf(podOf(objects)).home.persistentVolumeClaim).toEqual({ claimName: 'home-frank' });
      expect(mountsOf(containerOf(podOf(objects), 'notebook'))['/home/jovyan'].subPath).toBeUndefined();
    }
  });

  it('per-session state on efs: the session\'s own claim is in its chart', () => {
    const claim = one(objectsOf(stackPlan('team-a'), 'imaging'), 'PersistentVolumeClaim');
    expect(claim.metadata.name).toBe('workdir-imaging');
  });

  it('a restricted share is never mounted in a session whose owner is not entitled', () => {
    const plan = stackPlan('demo');
    // alice and payroll: not a reader or writer.
    const alice = objectsOf(plan, 'churn-model');
    expect(JSON.stringify(alice)).not.toContain('payroll');
    // bob reads payroll: read-only; carol writes it: read-write.
    const bob = podOf(objectsOf(plan, 'forecasting'));
    expect(volumesOf(bob)['share-payroll']).toEqual({ name: 'share-payroll', persistentVolumeClaim: { claimName: 'share-payroll', readOnly: true } });
    expect(mountsOf(containerOf(bob, 'notebook'))['/shared-data/payroll']).toEqual({ name: 'share-payroll', mountPath: '/shared-data/payroll', readOnly: true });
    const carol = podOf(objectsOf(plan, 'payroll-audit'));
    expect(volumesOf(carol)['share-payroll']).toEqual({ name: 'share-payroll', persistentVolumeClaim: { claimName: 'share-payroll' } });
    expect(mountsOf(containerOf(carol, 'notebook'))['/shared-data/payroll'].readOnly).toBeUndefined();
  });

  it('read-only grants are read-only in the volume and in the mount; shares only in the notebook', () => {
    const plan = stackPlan('demo');
    for (const session of plan.sessions) {
      const pod = podOf(objectsOf(plan, session.name));
      const volumes = volumesOf(pod);
      const notebookMounts = mountsOf(containerOf(pod, 'notebook'));
      for (const mount of session.mounts) {
        expect(volumes[`share-${mount.share}`].persistentVolumeClaim.readOnly === true).toBe(mount.readOnly);
        expect(notebookMounts[mount.mountPath].readOnly === true).toBe(mount.readOnly);
      }
      const shareVolumes = pod.volumes.filter((v: Obj) => v.name.startsWith('share-')).map((v: Obj) => v.name);
      expect(shareVolumes).toEqual(session.mounts.map((m) => `share-${m.share}`));
      for (const helper of pod.initContainers) expect(helper.volumeMounts.some((m: Obj) => m.name.startsWith('share-'))).toBe(false);
    }
  });
});

describe('Service', () => {
  it('ClusterIP on 8888 named http, selecting the session, not awaited', () => {
    const plan = stackPlan('team-a');
    const service = one(objectsOf(plan, 'imaging'), 'Service');
    expect(service.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: sessionOf(plan, 'imaging').selector,
      ports: [{ name: 'http', port: 8888, targetPort: 'http', protocol: 'TCP' }],
    });
  });
});

describe('Ingress', () => {
  it('none without plan.ingress', () => {
    expect(objectsOf(stackPlan('team-b'), 'etl').some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('host, Prefix path on the base URL, class and TLS; no auth annotations without sso', () => {
    const ingress = one(objectsOf(stackPlan('demo'), 'churn-model'), 'Ingress');
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'notebooks.example.com',
          http: { paths: [{ path: '/notebooks/demo/churn-model/', pathType: 'Prefix', backend: { service: { name: 'churn-model', port: { name: 'http' } } } }] },
        },
      ],
      tls: [{ hosts: ['notebooks.example.com'], secretName: 'notebooks-tls' }],
    });
    expect(Object.keys(ingress.metadata.annotations).filter((k) => k.includes('auth'))).toEqual([]);
  });

  it('no TLS block without a TLS secret', () => {
    const config = baseConfig();
    config.ingress = { host: 'nb.example.com' };
    expect(one(objectsOf(planOf(config), 'churn'), 'Ingress').spec.tls).toBeUndefined();
  });

  it('sso: oauth2-proxy checks that let through only the owner', () => {
    const ingress = one(objectsOf(stackPlan('team-a'), 'imaging'), 'Ingress');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/auth-url': 'https://auth.example.com/oauth2/auth?allowed_emails=erin%40example.com',
      'nginx.ingress.kubernetes.io/auth-signin': 'https://auth.example.com/oauth2/start?rd=$escaped_request_uri',
    });
    const other = one(objectsOf(stackPlan('team-a'), 'trial-analysis'), 'Ingress');
    expect(other.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBe('https://auth.example.com/oauth2/auth?allowed_emails=dana%40example.com');
  });
});

describe('jupyter_server_config.py', () => {
  const configOf = (plan: Plan, name: string) => one(objectsOf(plan, name), 'ConfigMap').data[JUPYTER_CONFIG_FILE] as string;

  it('the read-only config dir holds jupyter_core\'s migration marker, so a home with ~/.ipython does not crash-loop Jupyter', () => {
    const plan = stackPlan('team-b');
    const configMap = one(objectsOf(plan, 'etl'), 'ConfigMap');
    expect(Object.keys(configMap.data).sort()).toEqual([JUPYTER_CONFIG_FILE, MIGRATED_MARKER_FILE].sort());
    const pod = podOf(objectsOf(plan, 'etl'));
    const env = envOf(containerOf(pod, 'notebook'));
    expect(env.JUPYTER_CONFIG_DIR).toBe('/etc/jupyter');
    expect(mountsOf(containerOf(pod, 'notebook'))['/etc/jupyter']).toMatchObject({ readOnly: true });
  });

  it('sets base_url, address, port, token from the env and the team\'s culling', () => {
    const text = configOf(stackPlan('team-b'), 'etl');
    expect(text).toContain('c.ServerApp.base_url = "/notebooks/team-b/etl/"');
    expect(text).toContain('c.ServerApp.ip = "0.0.0.0"');
    expect(text).toContain('c.ServerApp.port = 8888');
    expect(text).toContain('c.ServerApp.open_browser = False');
    expect(text).toContain('c.ServerApp.trust_xheaders = True');
    expect(text).toContain('c.IdentityProvider.token = _token');
    expect(text).toContain('c.MappingKernelManager.cull_idle_timeout = 1800');
    expect(text).toContain(`c.MappingKernelManager.cull_interval = ${cullInterval(1800)}`);
    expect(text).toContain('c.MappingKernelManager.cull_connected = False');
    // Idle sessions are stopped by the culler; the server never exits on its own (the pod would restart it).
    expect(text).not.toContain('shutdown_no_activity_timeout');
    expect(text).not.toMatch(/token\s*=\s*["']/);
  });

  it('cull interval: a quarter of the timeout within 60..300 s', () => {
    expect([0, 100, 1000, 1800, 3600].map(cullInterval)).toEqual([300, 60, 250, 300, 300]);
  });

  /** Runs the config with a stand-in for Jupyter's config object. */
  /** Runs the config as Jupyter would, with the token file at a temporary path (undefined: no file) and JUPYTER_TOKEN set to a decoy. */
  function runConfig(text: string, token: string | undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'np-token-'));
    const file = join(dir, 'token');
    if (token !== undefined) writeFileSync(file, token);
    expect(text).toContain(`"${TOKEN_FILE}"`);
    text = text.split(`"${TOKEN_FILE}"`).join(JSON.stringify(file));
    const harness = [
      'import json, sys',
      'class Section(dict):',
      '    def __getattr__(self, key): return self.setdefault(key, Section())',
      '    def __setattr__(self, key, value): self[key] = value',
      'config = Section()',
      'namespace = {"get_config": lambda: config}',
      'exec(compile(sys.stdin.read(), "jupyter_server_config.py", "exec"), namespace)',
      'print(json.dumps({"config": config, "token_env": os.environ.get("JUPYTER_TOKEN")}))',
    ].join('\n');
    try {
      return spawnSync('python3', ['-c', `import os\n${harness}`], { input: text, encoding: 'utf8', env: { PATH: process.env.PATH, JUPYTER_TOKEN: 'decoy-from-env' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('is valid Python that reads the token file, refuses a missing or empty one, ignores and drops JUPYTER_TOKEN', () => {
    const text = configOf(stackPlan('team-a'), 'imaging');
    const refused = runConfig(text, '');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('refusing to start without token authentication');
    expect(runConfig(text, '   \n').status).not.toBe(0);
    const missing = runConfig(text, undefined);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read the token from .*No such file or directory.*refusing to start/);
    const ok = runConfig(text, 'sekrit\n');
    expect(ok.stderr).toBe('');
    const { config, token_env: tokenEnv } = JSON.parse(ok.stdout);
    expect(tokenEnv).toBeNull();
    expect(config.IdentityProvider.token).toBe('sekrit');
    expect(config.ServerApp).toMatchObject({ base_url: '/notebooks/team-a/imaging/', port: 8888, ip: '0.0.0.0' });
    expect(config.MappingKernelManager.cull_idle_timeout).toBe(3600);
  });

  it('a changed config changes the pod template (the pod restarts with it)', () => {
    const config = baseConfig();
    const before = one(objectsOf(planOf(config), 'churn'), 'StatefulSet').spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
    config.jupyter = { cullIdleKernelsAfterSeconds: 60 };
    const after = one(objectsOf(planOf(config), 'churn'), 'StatefulSet').spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
    expect(after).not.toBe(before);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('no credential in clear', () => {
  it('the only Secret references are the token Secret and the configured git Secret', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const plan = stackPlan(team);
      for (const session of plan.sessions) {
        const pod = podOf(objectsOf(plan, session.name));
        const secrets = new Set<string>();
        for (const container of [...pod.initContainers, ...pod.containers]) {
          for (const env of container.env ?? []) {
            if (env.valueFrom) {
              expect(Object.keys(env.valueFrom)).toEqual(['secretKeyRef']);
              secrets.add(env.valueFrom.secretKeyRef.name);
            }
          }
        }
        for (const volume of pod.volumes) if (volume.secret) secrets.add(volume.secret.secretName);
        const expected = [session.names.tokenSecret, ...(session.code?.credentials ? [session.code.credentials.secretName] : [])];
        expect([...secrets].sort()).toEqual(expected.sort());
      }
    }
  });

  it('the token reaches only the notebook container, as a file, never in any environment', () => {
    const pod = podOf(objectsOf(stackPlan('team-a'), 'trial-analysis'));
    for (const container of [...pod.initContainers, ...pod.containers]) {
      expect((container.env ?? []).find((e: Obj) => e.name === 'JUPYTER_TOKEN')).toBeUndefined();
      const mount = (container.volumeMounts ?? []).find((m: Obj) => m.name === 'jupyter-token');
      if (container.name === 'notebook') expect(mount).toEqual({ name: 'jupyter-token', mountPath: '/etc/jupyter-token', readOnly: true });
      else expect(mount).toBeUndefined();
    }
  });

  it('ConfigMaps hold configuration and scripts, no key material or passwords', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      for (const file of synthesize(stackPlan(team))) {
        for (const object of file.objects as unknown as Obj[]) {
          if (object.kind !== 'ConfigMap') continue;
          const text = Object.values((object.data ?? {}) as Record<string, string>).join('\n');
          expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|ghp_[A-Za-z0-9]|password\s*=\s*["'][^"']/);
        }
      }
    }
  });
});

describe('determinism', () => {
  it('the same plan renders the same bytes', () => {
    for (const team of ['demo', 'team-a', 'team-b'] as const) {
      const render = () => synthesize(stackPlan(team)).map((f) => `# ${f.file}\n${toYaml(f.objects)}`).join('');
      expect(render()).toBe(render());
    }
  });

  it('session order in the config does not change a byte', () => {
    const config = baseConfig();
    const reversed = baseConfig();
    reversed.sessions.reverse();
    const render = (plan: Plan) => plan.sessions.map((s) => toYaml(sessionObjects(plan, s) as KubeObject[])).join('');
    expect(render(planOf(reversed))).toBe(render(planOf(config)));
  });

  it('one session\'s objects do not depend on the other sessions', () => {
    const config = baseConfig();
    const alone = baseConfig();
    alone.sessions = alone.sessions.filter((s: Obj) => s.name === 'churn');
    expect(JSON.stringify(objectsOf(planOf(alone), 'churn'))).toBe(JSON.stringify(objectsOf(planOf(config), 'churn')));
  });
});

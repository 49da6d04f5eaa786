/**
 * What the real-node suite deploys besides the team stack: local PersistentVolumes behind a
 * StorageClass (the kernel has no NFS client, so the storageClass backend runs over local
 * volumes on the real node), an in-cluster git server with its keys and certificates, and probe
 * pods in an "ingress" namespace and a stranger's namespace. Keys are generated per run with
 * openssl and ssh-keygen; nothing here is a fixed secret.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { CONFIG_NAMESPACE } from '../../../components/config';

export const TEAM = 'real';
export const NAMESPACE = `nb-${TEAM}`;
export const STORAGE_CLASS = 'local-real';
export const GIT_NAMESPACE = 'git';
export const INGRESS_NAMESPACE = 'ingress-probe';
export const STRANGER_NAMESPACE = 'stranger';
export const GIT_HTTP_PORT = 8080;
export const GIT_SSH_PORT = 2222;
/** A port the git server pod also listens on, which sessions must not reach. */
export const GIT_OTHER_PORT = 9090;
export const GIT_HOST = `gitserver.${GIT_NAMESPACE}.svc`;
export const SEED_README = 'seeded by the real-node suite\n';

export interface Images {
  notebook: string;
  gitserver: string;
  gitSync: string;
}

/** Image refs from `scripts/images list` (or the node's images.json). */
export function readImages(file: string): Images {
  const list = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { ref: string }>;
  const ref = (name: string) => {
    const found = list[name]?.ref;
    if (!found) throw new Error(`${file} has no image "${name}" (have: ${Object.keys(list).join(', ')})`);
    return found;
  };
  return { notebook: ref('notebook'), gitserver: ref('gitserver'), gitSync: ref('git-sync-standin') };
}

type Obj = Record<string, unknown>;

/** Local PersistentVolumes on the real node, in directories under `root`, bound by the StorageClass below. */
export function localVolumes(root: string, node: string, count: number, size: string): Obj[] {
  const objects: Obj[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    },
  ];
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `pv-${i}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `local-real-${i}`, labels: { 'notebook-platform.io/test': 'real-node' } },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS,
        local: { path: dir },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      },
    });
  }
  return objects;
}

function must(command: string, args: string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
}

export interface GitKeys {
  token: string;
  caCert: string;
  tlsCert: string;
  tlsKey: string;
  hostKey: string;
  hostPublicKey: string;
  deployKey: string;
  deployPublicKey: string;
}

/** A CA and a server certificate for the git Service's names, the ssh host key, a deploy key and a token. */
export function generateGitKeys(dir: string): GitKeys {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  must('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  must('openssl', ['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', '/CN=real-node-suite-git-ca', '-out', 'ca.crt'], dir);
  must('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'tls.key'], dir);
  must('openssl', ['req', '-new', '-key', 'tls.key', '-subj', `/CN=${GIT_HOST}`, '-out', 'tls.csr'], dir);
  fs.writeFileSync(
    path.join(dir, 'tls.ext'),
    `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${GIT_HOST},DNS:${GIT_HOST}.cluster.local,DNS:gitserver.${GIT_NAMESPACE}\n`,
  );
  must('openssl', ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', 'tls.ext', '-out', 'tls.crt'], dir);
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gitserver-host', '-f', 'host_key'], dir);
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy-key', '-f', 'deploy_key'], dir);
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  return {
    token: randomBytes(24).toString('hex'),
    caCert: read('ca.crt'),
    tlsCert: read('tls.crt'),
    tlsKey: read('tls.key'),
    hostKey: read('host_key'),
    hostPublicKey: read('host_key.pub').trim(),
    deployKey: read('deploy_key'),
    deployPublicKey: read('deploy_key.pub').trim(),
  };
}

const secret = (name: string, namespace: string, data: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'Opaque',
  stringData: data,
});

const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true };
const resources = { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

/**
 * The git server (gitserver image: smart HTTPS with the token, ssh on 2222 with the deploy key),
 * seeded with one repository `repo`, plus a listener on GIT_OTHER_PORT that sessions must not
 * reach. Its namespace enforces Pod Security restricted like a team's.
 */
export function gitServerObjects(images: Images, keys: GitKeys, node: string): Obj[] {
  const labels = { app: 'gitserver' };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: GIT_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    },
    secret('gitserver', GIT_NAMESPACE, {
      token: keys.token,
      'tls.crt': keys.tlsCert,
      'tls.key': keys.tlsKey,
      ssh_host_ed25519_key: keys.hostKey,
      authorized_keys: `${keys.deployPublicKey}\n`,
    }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gitserver-seed', namespace: GIT_NAMESPACE }, data: { 'README.md': SEED_README, 'analysis.py': 'print("hello from the seed")\n' } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gitserver', namespace: GIT_NAMESPACE, labels },
      spec: {
        // The real node: the scheduler would as gladly pick a kwok node, where nothing runs.
        nodeName: node,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        automountServiceAccountToken: false,
        containers: [
          {
            name: 'gitserver',
            image: images.gitserver,
            imagePullPolicy: 'Never',
            securityContext: restrictedContainer,
            resources,
            env: [
              { name: 'GIT_HTTP_TOKEN_FILE', value: '/etc/gitserver/token' },
              { name: 'GIT_HTTP_TLS_CERT_FILE', value: '/etc/gitserver/tls.crt' },
              { name: 'GIT_HTTP_TLS_KEY_FILE', value: '/etc/gitserver/tls.key' },
              { name: 'GIT_SSH_HOST_KEY_FILE', value: '/etc/gitserver/ssh_host_ed25519_key' },
              { name: 'GIT_SSH_AUTHORIZED_KEYS_FILE', value: '/etc/gitserver/authorized_keys' },
              { name: 'GIT_SEED_DIR', value: '/seed' },
              { name: 'GIT_REPOS', value: 'repo' },
            ],
            ports: [
              { name: 'https', containerPort: GIT_HTTP_PORT },
              { name: 'ssh', containerPort: GIT_SSH_PORT },
            ],
            readinessProbe: { httpGet: { path: '/healthz', port: GIT_HTTP_PORT, scheme: 'HTTPS' }, periodSeconds: 2 },
            volumeMounts: [
              { name: 'secret', mountPath: '/etc/gitserver', readOnly: true },
              { name: 'seed', mountPath: '/seed', readOnly: true },
              { name: 'repos', mountPath: '/srv/git' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
          {
            name: 'other-port',
            image: images.gitserver,
            imagePullPolicy: 'Never',
            command: ['python3', '-m', 'http.server', String(GIT_OTHER_PORT), '--bind', '0.0.0.0', '--directory', '/seed'],
            securityContext: restrictedContainer,
            resources,
            volumeMounts: [{ name: 'seed', mountPath: '/seed', readOnly: true }],
          },
        ],
        volumes: [
          { name: 'secret', secret: { secretName: 'gitserver', defaultMode: 0o440 } },
          { name: 'seed', configMap: { name: 'gitserver-seed' } },
          { name: 'repos', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gitserver', namespace: GIT_NAMESPACE },
      spec: {
        selector: labels,
        ports: [
          { name: 'https', port: GIT_HTTP_PORT, targetPort: GIT_HTTP_PORT },
          { name: 'ssh', port: GIT_SSH_PORT, targetPort: GIT_SSH_PORT },
          { name: 'other', port: GIT_OTHER_PORT, targetPort: GIT_OTHER_PORT },
        ],
      },
    },
  ];
}

/** The session credentials Secrets, created in the team namespace by the platform admin. */
export function sessionSecrets(keys: GitKeys): Obj[] {
  return [
    secret('git-https-credentials', NAMESPACE, { token: keys.token, 'ca.crt': keys.caCert }),
    secret('git-deploy-key', NAMESPACE, {
      'ssh-privatekey': keys.deployKey,
      // Pinned: the host key the test generated, for the name git connects to.
      known_hosts: `[${GIT_HOST}]:${GIT_SSH_PORT} ${keys.hostPublicKey}\n`,
    }),
  ];
}

/** A long-running pod with bash (the notebook image) in `namespace`, for connection probes. */
export function probePod(namespace: string, name: string, labels: Record<string, string>, images: Images, node: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      nodeName: node,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } },
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'probe', image: images.notebook, imagePullPolicy: 'Never', command: ['sleep', 'infinity'], securityContext: restrictedContainer, resources }],
    },
  };
}

export const namespaceObject = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

export interface SessionSpec {
  name: string;
  owner: string;
  running?: boolean;
  forkFrom?: string;
  code?: Record<string, unknown>;
  autosave?: Record<string, unknown>;
}

/** The label scripts/real-node gives its node (the kwok nodes lack it). */
export const REAL_NODE_LABEL = 'notebook-platform.io/real-node';

/**
 * The team's stack config values: storageClass over the local volumes; sessions (by their size)
 * and the helper pods (by `helpers`) pinned to the real node, since a pod on a kwok node only
 * looks as if it ran.
 */
export function teamValues(images: Images, sessions: SessionSpec[]): Record<string, unknown> {
  return {
    team: TEAM,
    storage: { backend: 'storageClass', storageClassName: STORAGE_CLASS },
    shares: [{ name: 'scratch', access: 'team', size: '1Gi' }],
    sizes: {
      small: { cpu: '100m', cpuLimit: '1', memory: '768Mi', workdirSize: '1Gi', nodeSelector: { [REAL_NODE_LABEL]: 'true' } },
    },
    environments: { lab: { image: images.notebook, description: 'locally built notebook image (JupyterLab)' } },
    images: { gitSync: images.gitSync },
    quota: { cpu: '4', memory: '8Gi', maxRunningSessions: 6 },
    network: {
      ingressFrom: [{ namespaceLabels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE }, podLabels: { app: 'ingress-probe' } }],
      gitHosts: [{ namespaceLabels: { 'kubernetes.io/metadata.name': GIT_NAMESPACE }, podLabels: { app: 'gitserver' }, ports: [GIT_HTTP_PORT, GIT_SSH_PORT] }],
    },
    access: { viewerGroups: ['team-real'] },
    helpers: { nodeSelector: { [REAL_NODE_LABEL]: 'true' } },
    sessions: sessions.map((session) => ({ size: 'small', environment: 'lab', ...session })),
  };
}

/** Writes `<dir>/Pulumi.<stack>.yaml` holding `values` under the notebook-platform namespace. */
export function writeStackConfig(dir: string, stack: string, values: Record<string, unknown>): string {
  const config = Object.fromEntries(Object.entries(values).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, stringify({ config }, { lineWidth: 0 }));
  return file;
}

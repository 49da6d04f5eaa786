/**
 * `notebook-platform orphans` against a fake Kubernetes API on loopback: the real kubeconfig
 * handling and HTTP client, a server that checks the bearer token, honours label selectors and
 * pages its lists (two items a page, `continue` tokens).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cli, tempFile } from './support';
import { formatAge } from '../../../cli/orphans';

const TOKEN = 'fake-admin-token';
const NOW = Date.now();
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

const config = `config:
  notebook-platform:team: lab
  notebook-platform:storage:
    backend: storageClass
    storageClassName: cephfs
  notebook-platform:shares:
    - name: current
      access: team
  notebook-platform:sizes:
    small: { cpu: 500m, memory: 2Gi, workdirSize: 10Gi }
    large: { cpu: "2", memory: 8Gi, workdirSize: 50Gi }
  notebook-platform:environments:
    scipy: { image: quay.io/jupyter/scipy-notebook:2025-12-01 }
    base: { image: quay.io/jupyter/base-notebook:2025-12-01 }
  notebook-platform:sessions:
    - name: kept
      owner: alice
      size: small
      environment: scipy
`;

const team = { 'app.kubernetes.io/managed-by': 'notebook-platform', 'notebook-platform.io/team': 'lab' };
const claim = (name: string, labels: Record<string, string>, storage: string, volumeName: string, created: number, namespace = 'nb-lab') => ({
  metadata: { name, namespace, labels, creationTimestamp: ago(created) },
  spec: { accessModes: ['ReadWriteMany'], storageClassName: 'cephfs', resources: { requests: { storage } }, volumeName },
  status: { phase: 'Bound', capacity: { storage } },
});
const volume = (name: string, claimRef: { namespace: string; name: string }, storage: string, phase: string, created: number, labels?: Record<string, string>) => ({
  metadata: { name, labels, creationTimestamp: ago(created) },
  spec: { capacity: { storage }, claimRef, persistentVolumeReclaimPolicy: 'Retain' },
  status: { phase },
});

const CLAIMS = [
  claim('workdir-kept', { ...team, 'notebook-platform.io/data': 'workdir', 'notebook-platform.io/session': 'kept', 'notebook-platform.io/owner': 'alice' }, '10Gi', 'pvc-kept', 3600),
  claim('share-current', { ...team, 'notebook-platform.io/data': 'share', 'notebook-platform.io/share': 'current' }, '100Gi', 'pvc-current', 3600),
  claim('workdir-gone', { ...team, 'notebook-platform.io/data': 'workdir', 'notebook-platform.io/session': 'gone', 'notebook-platform.io/owner': 'bob' }, '20Gi', 'pvc-gone', 3 * 86400),
  claim('share-old', { ...team, 'notebook-platform.io/data': 'share', 'notebook-platform.io/share': 'old' }, '100Gi', 'pvc-old', 7200),
  // Another team's claim in another namespace: never listed (the selector and the namespace both exclude it).
  claim('workdir-other', { 'notebook-platform.io/team': 'other', 'notebook-platform.io/data': 'workdir', 'notebook-platform.io/session': 'x', 'notebook-platform.io/owner': 'eve' }, '5Gi', 'pvc-other', 60, 'nb-other'),
];
const VOLUMES = [
  volume('pvc-kept', { namespace: 'nb-lab', name: 'workdir-kept' }, '10Gi', 'Bound', 3600),
  volume('pvc-current', { namespace: 'nb-lab', name: 'share-current' }, '100Gi', 'Bound', 3600),
  volume('pvc-gone', { namespace: 'nb-lab', name: 'workdir-gone' }, '20Gi', 'Bound', 3 * 86400),
  volume('pvc-old', { namespace: 'nb-lab', name: 'share-old' }, '100Gi', 'Bound', 7200),
  // A purged session's volume, kept by the Retain reclaim policy after its claim was deleted.
  volume('pvc-purged', { namespace: 'nb-lab', name: 'workdir-purged' }, '10Gi', 'Released', 30 * 86400),
  volume('pvc-other', { namespace: 'nb-other', name: 'workdir-other' }, '5Gi', 'Bound', 60),
];

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels?.[key] === value;
  });
}

let server: Server;
let requests: string[];
let kubeconfig: string;
const savedKubeconfig = process.env.KUBECONFIG;

function page(req: IncomingMessage, items: unknown[]): string {
  const url = new URL(req.url!, 'http://x');
  const start = Number(url.searchParams.get('continue') ?? 0);
  const next = start + 2 < items.length ? String(start + 2) : '';
  return JSON.stringify({ kind: 'List', metadata: { continue: next }, items: items.slice(start, start + 2) });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', message: 'Unauthorized' }));
      return;
    }
    const url = new URL(req.url!, 'http://x');
    const selector = url.searchParams.get('labelSelector');
    const namespaced = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims$/.exec(url.pathname);
    let items: unknown[] | undefined;
    if (namespaced) items = CLAIMS.filter((c) => c.metadata.namespace === namespaced[1] && matches(c.metadata.labels, selector));
    else if (url.pathname === '/api/v1/persistentvolumes') items = VOLUMES.filter((v) => matches(v.metadata.labels, selector));
    if (!items) res.writeHead(404).end('{}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(page(req, items));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = tempFile(kubeconfigText(`http://127.0.0.1:${port}`, `token: ${TOKEN}`), 'kubeconfig');
});
afterAll(async () => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
  process.env.KUBECONFIG = kubeconfig;
});

function kubeconfigText(server: string, user: string): string {
  return `apiVersion: v1
kind: Config
current-context: fake
clusters:
  - name: fake
    cluster: { server: "${server}" }
users:
  - name: admin
    user:
      ${user.split('\n').join('\n      ')}
contexts:
  - name: fake
    context: { cluster: fake, user: admin }
`;
}

describe('notebook-platform orphans', () => {
  it('lists the claims and volumes the config no longer references, with session, owner, size, age and phase', async () => {
    const file = tempFile(config, 'Pulumi.lab.yaml');
    const result = await cli('orphans', file);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    const [header, ...rest] = result.out;
    expect(header.split(/\s+/)).toEqual(['KIND', 'NAME', 'SESSION', 'OWNER', 'SIZE', 'AGE', 'PHASE', 'BOUND', 'TO']);
    expect(rest.slice(0, 3).map((line) => line.split(/\s+/))).toEqual([
      ['pvc', 'share-old', '(share', 'old)', '-', '100Gi', '2h', 'Bound', 'pvc-old'],
      ['pvc', 'workdir-gone', 'gone', 'bob', '20Gi', '3d', 'Bound', 'pvc-gone'],
      ['pv', 'pvc-purged', 'purged', '-', '10Gi', '30d', 'Released', 'nb-lab/workdir-purged'],
    ]);
    const text = result.out.join('\n');
    expect(text).toContain(`3 orphans of team lab (labelled notebook-platform.io/team=lab or claimed from nb-lab, not referenced by ${file}). Nothing was deleted.`);
    // The purge of a session's home is a config change: the entry to add back, stopped and purged.
    expect(text).toContain(['To purge pvc workdir-gone:', '  1. add this entry to notebook-platform:sessions and `pulumi up` (the claim is adopted and re-registered without retainOnDelete)',
      "  2. remove the entry and `pulumi up` again: the preview shows the claim's deletion",
      '     - name: gone', '       owner: bob', '       size: large', '       environment: base', '       running: false', '       purge: true'].join('\n'));
    expect(text).toContain('To purge pvc share-old:\n  by hand (shares have no purge in the config');
    expect(text).toContain('    kubectl delete pv pvc-purged   # reclaim policy Retain');
    // The claims were listed in the team's namespace by the team label, and both lists were paged.
    expect(requests.filter((url) => url.startsWith('/api/v1/namespaces/nb-lab/persistentvolumeclaims?')).every((url) => url.includes('labelSelector=notebook-platform.io%2Fteam%3Dlab'))).toBe(true);
    expect(requests.filter((url) => url.includes('continue=')).length).toBeGreaterThanOrEqual(3);
  });

  it('--json gives the same orphans to scripts, with the purge as data', async () => {
    const result = await cli('orphans', tempFile(config, 'Pulumi.lab.yaml'), '--json');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.out.join('\n'));
    expect(parsed.team).toBe('lab');
    expect(parsed.orphans.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`)).toEqual([
      'PersistentVolumeClaim/share-old',
      'PersistentVolumeClaim/workdir-gone',
      'PersistentVolume/pvc-purged',
    ]);
    const gone = parsed.orphans[1];
    expect(gone).toMatchObject({ session: 'gone', owner: 'bob', size: '20Gi', phase: 'Bound', boundTo: 'pvc-gone', ageSeconds: expect.any(Number) });
    expect(gone.ageSeconds).toBeGreaterThanOrEqual(3 * 86400);
    expect(gone.purge).toEqual({ how: 'config', sessionEntry: { name: 'gone', owner: 'bob', size: 'large', environment: 'base', running: false, purge: true }, steps: expect.any(Array) });
  });

  it('says so when nothing is orphaned', async () => {
    const all = config.replace('    - name: current\n      access: team\n', '    - name: current\n      access: team\n    - name: old\n      access: team\n') +
      '    - name: gone\n      owner: bob\n      size: large\n      environment: base\n    - name: purged\n      owner: bob\n      size: small\n      environment: base\n';
    const file = tempFile(all, 'Pulumi.lab.yaml');
    const result = await cli('orphans', file);
    expect(result).toMatchObject({ code: 0, out: [`no orphans in nb-lab: every claim and volume labelled notebook-platform.io/team=lab is referenced by ${file}`] });
  });

  it('an invalid config is reported (exit 1) before the cluster is asked', async () => {
    const result = await cli('orphans', tempFile(config.replace('size: small\n      environment: scipy', 'size: tiny\n      environment: scipy'), 'Pulumi.lab.yaml'));
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/notebook-platform:sessions\[0\]\.size: "tiny" is not a defined size/);
    expect(requests).toEqual([]);
  });

  it('exit 2 with the API server\'s reason when the credentials are refused, or with no kubeconfig', async () => {
    const { port } = server.address() as AddressInfo;
    process.env.KUBECONFIG = tempFile(kubeconfigText(`http://127.0.0.1:${port}`, 'token: wrong'), 'kubeconfig');
    const refused = await cli('orphans', tempFile(config, 'Pulumi.lab.yaml'));
    expect(refused.code).toBe(2);
    expect(refused.err).toEqual(["notebook-platform orphans: cannot list the team's claims and volumes: GET /api/v1/namespaces/nb-lab/persistentvolumeclaims?labelSelector=notebook-platform.io%2Fteam%3Dlab&limit=500: 401: Unauthorized"]);
    process.env.KUBECONFIG = join(dirname(kubeconfig), 'missing');
    const missing = await cli('orphans', tempFile(config, 'Pulumi.lab.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/cannot read the kubeconfig \(ENOENT\)/);
    expect((await cli('orphans')).code).toBe(2);
  });

  it('gets a token from an exec credential plugin (as `aws eks get-token` gives one)', async () => {
    const { port } = server.address() as AddressInfo;
    const plugin = join(dirname(kubeconfig), 'plugin.js');
    writeFileSync(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.env.FAKE_TOKEN } }));`);
    process.env.KUBECONFIG = tempFile(
      kubeconfigText(`http://127.0.0.1:${port}`, `exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: ${process.execPath}\n  args: [${plugin}]\n  env: [{ name: FAKE_TOKEN, value: ${TOKEN} }]`),
      'kubeconfig',
    );
    const result = await cli('orphans', tempFile(config, 'Pulumi.lab.yaml'), '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out.join('\n')).orphans).toHaveLength(3);
  });
});

describe('formatAge', () => {
  it('reads like kubectl', () => {
    expect([formatAge(5), formatAge(119), formatAge(120), formatAge(7199), formatAge(7200), formatAge(172799), formatAge(172800), formatAge(undefined)]).toEqual(['5s', '119s', '2m', '119m', '2h', '47h', '2d', '-']);
  });
});

/**
 * Used bytes: the usage CronJob's objects (read-only mounts, no token, restricted shares left
 * out, the policy pack passes), its script run for real on a directory tree, and `notebook-
 * platform usage` reading the newest finished run's log from a fake API on loopback.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, tempFile } from './support';
import { planFromConfig } from '../../../components/config/validate';
import { assetsDirectory } from '../../../components/manifests/scripts';
import { usageEntries, usageObjects } from '../../../components/manifests/usage';
import { formatBytes, parseUsageLog } from '../../../cli/usage';
import { runOffline } from '../../../offline';
import { evaluatePolicies } from '../../../policies/evaluate';
import { notebookPolicies } from '../../../policies/rules';

const values = {
  team: 'lab',
  storage: { backend: 'storageClass', storageClassName: 'cephfs' },
  shares: [
    { name: 'models', access: 'team', size: '100Gi' },
    { name: 'payroll', access: 'restricted', readers: ['bob'] },
  ],
  sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize: '10Gi' } },
  environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } },
  usage: { schedule: '17 * * * *' },
  sessions: [
    { name: 'etl', owner: 'frank', size: 'small', environment: 'scipy' },
    { name: 'reports', owner: 'grace', size: 'small', environment: 'scipy' },
  ],
};
const yaml = (v: Record<string, unknown>) => `config:\n${Object.entries(v).map(([key, value]) => `  notebook-platform:${key}: ${JSON.stringify(value)}`).join('\n')}\n`;

describe('the usage CronJob', () => {
  it('mounts every home and non-restricted share read-only, with no token and no extra network', () => {
    const plan = planFromConfig(values);
    expect(usageEntries(plan)).toEqual({
      entries: [
        { claim: 'share-models', path: '/data/share-models' },
        { claim: 'workdir-etl', path: '/data/workdir-etl' },
        { claim: 'workdir-reports', path: '/data/workdir-reports' },
      ],
      claims: ['share-models', 'workdir-etl', 'workdir-reports'],
      skipped: ['share-payroll'],
    });
    const [configMap, cron] = usageObjects(plan);
    expect(JSON.parse((configMap.data as Record<string, string>)['config.json']).entries).toHaveLength(3);
    const pod = (cron.spec as any).jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim)).toEqual([
      { claimName: 'share-models', readOnly: true },
      { claimName: 'workdir-etl', readOnly: true },
      { claimName: 'workdir-reports', readOnly: true },
    ]);
    expect(pod.containers[0].volumeMounts.every((m: any) => m.readOnly === true)).toBe(true);
    expect((cron.spec as any).schedule).toBe('17 * * * *');
    expect(usageObjects(planFromConfig({ ...values, usage: undefined }))).toEqual([]);
  });

  it('on nfs measures each home directory of the team volume', () => {
    const plan = planFromConfig({ ...values, storage: { backend: 'nfs', server: 'nfs.example.com', path: '/exports' }, shares: [] });
    expect(usageEntries(plan).entries).toEqual([
      { claim: 'workdirs', subPath: 'sessions/etl', path: '/data/workdirs/sessions/etl' },
      { claim: 'workdirs', subPath: 'sessions/reports', path: '/data/workdirs/sessions/reports' },
    ]);
  });

  it('passes the policy pack (a workload without an owner mounts no restricted share)', async () => {
    const resources = await runOffline(values);
    expect(resources.some((r) => r.type === 'kubernetes:batch/v1:CronJob')).toBe(true);
    const violations = await evaluatePolicies(notebookPolicies(), resources, {});
    expect(violations.filter((v) => v.enforcementLevel === 'mandatory').map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });

  it('its script measures bytes on disk with du and prints one line per entry, then when it finished', () => {
    const root = mkdtempSync(join(tmpdir(), 'np-usage-'));
    mkdirSync(join(root, 'a', 'sub'), { recursive: true });
    writeFileSync(join(root, 'a', 'sub', 'data.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    mkdirSync(join(root, 'empty'));
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ entries: [{ claim: 'workdir-a', path: join(root, 'a') }, { claim: 'workdir-e', path: join(root, 'empty') }, { claim: 'workdirs', subPath: 'sessions/x', path: join(root, 'missing') }] }));
    const run = spawnSync('python3', [join(assetsDirectory(), 'usage.py')], { env: { ...process.env, USAGE_CONFIG: config }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const parsed = parseUsageLog(run.stdout)!;
    expect(parsed.measuredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [a, empty, missing] = parsed.measurements;
    expect(a.claim).toBe('workdir-a');
    expect(a.usedBytes).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(a.usedBytes).toBeLessThan(4 * 1024 * 1024);
    expect(a.complete).toBe(true);
    expect(empty.usedBytes).toBeLessThan(64 * 1024);
    expect(missing).toEqual({ claim: 'workdirs', subPath: 'sessions/x', usedBytes: null, complete: false });
  });
});

describe('notebook-platform usage', () => {
  let server: Server;
  let kubeconfig: string;
  const saved = process.env.KUBECONFIG;
  const pods = [
    { metadata: { name: 'usage-old', creationTimestamp: '2026-12-01T10:17:00Z', labels: {} }, status: { phase: 'Succeeded' } },
    { metadata: { name: 'usage-new', creationTimestamp: '2026-12-01T11:17:00Z', labels: {} }, status: { phase: 'Succeeded' } },
    { metadata: { name: 'usage-running', creationTimestamp: '2026-12-01T12:17:00Z', labels: {} }, status: { phase: 'Running' } },
  ];
  const logs: Record<string, string> = {
    'usage-old': '{"claim": "workdir-etl", "complete": true, "usedBytes": 1}\n{"done": true, "measuredAt": "2026-12-01T10:17:09Z"}\n',
    'usage-new': [
      '{"claim": "share-models", "complete": true, "usedBytes": 53687091200}',
      '{"claim": "workdir-etl", "complete": true, "usedBytes": 2684354560}',
      '{"claim": "workdir-reports", "complete": false, "usedBytes": 1048576}',
      'du: cannot read directory: Permission denied',
      '{"done": true, "measuredAt": "2026-12-01T11:17:42Z"}',
    ].join('\n'),
  };
  let selectors: string[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/v1/namespaces/nb-lab/pods') {
        selectors.push(url.searchParams.get('labelSelector') ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: pods }));
        return;
      }
      const log = /^\/api\/v1\/namespaces\/nb-lab\/pods\/([^/]+)\/log$/.exec(url.pathname);
      if (log && logs[log[1]] !== undefined) res.writeHead(200, { 'content-type': 'text/plain' }).end(logs[log[1]]);
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = tempFile(`apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n`, 'kubeconfig');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    process.env.KUBECONFIG = kubeconfig;
    selectors = [];
  });

  it('prints each home and share with its size, the newest finished run\'s used bytes and the share of the size', async () => {
    const result = await cli('usage', tempFile(yaml(values), 'Pulumi.lab.yaml'));
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.map((line) => line.split(/\s{2,}/))).toEqual([
      ['KIND', 'CLAIM', 'SESSION', 'OWNER', 'SIZE', 'USED', 'USE%'],
      ['home', 'workdir-etl', 'etl', 'frank', '10Gi', '2.5Gi', '25%'],
      ['home', 'workdir-reports', 'reports', 'grace', '10Gi', '>=1.0Mi', '0%'],
      ['share', 'share-models', '(share models)', '-', '100Gi', '50.0Gi', '50%'],
      ['share', 'share-payroll', '(share payroll)', '-', '100Gi', '-', '-'],
      [''],
      ['measured at 2026-12-01T11:17:42Z by pod usage-new; restricted shares are not measured (only their readers and writers may mount them); >= marks a home with files the job could not read'],
    ]);
    expect(selectors).toEqual(['notebook-platform.io/team=lab,app.kubernetes.io/component=usage']);
  });

  it('--json for scripts; a team without usage is told how to turn it on', async () => {
    const json = await cli('usage', tempFile(yaml(values), 'Pulumi.lab.yaml'), '--json');
    const parsed = JSON.parse(json.out.join('\n'));
    expect(parsed).toMatchObject({ team: 'lab', measuredAt: '2026-12-01T11:17:42Z', pod: 'usage-new' });
    expect(parsed.rows.find((r: { claim: string }) => r.claim === 'workdir-etl')).toEqual({ kind: 'home', claim: 'workdir-etl', session: 'etl', owner: 'frank', size: '10Gi', usedBytes: 2684354560, complete: true });
    const off = await cli('usage', tempFile(yaml({ ...values, usage: undefined }).replace(/\n {2}notebook-platform:usage: undefined/, ''), 'Pulumi.lab.yaml'));
    expect(off.code).toBe(1);
    expect(off.out[0]).toMatch(/team lab does not measure usage: add notebook-platform:usage/);
  });

  it('formats bytes in binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536), formatBytes(20 * 2 ** 30), formatBytes(undefined)]).toEqual(['0B', '1023B', '1.0Ki', '1.5Ki', '20.0Gi', '-']);
  });
});

// `notebook-platform sessions list|start|stop` against a fake cluster, and the state logic the
// CLI, `npm start` and the stack outputs share.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { sessionsOf, stackFile, type SessionsCluster } from '../../../cli/sessions';
import { parseCullerRecord, sessionStatus } from '../../../components/session-state';
import type { KubeApi, KubeListItem } from '../../../components/kubernetes/api-client';
import { KubeApiError } from '../../../components/kubernetes/api-client';
import { UsageError } from '../../../cli/io';
import { baseConfig } from '../config/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'np-sessions-'));
function stackConfig(mutate: (config: Record<string, any>) => void = () => undefined): string {
  const config = baseConfig();
  config.jupyter = { stopIdleSessionsAfterSeconds: 600 };
  config.network = { apiServer: { cidrs: ['10.0.0.0/16'] } };
  mutate(config);
  const file = join(dir, `Pulumi.${config.team}.yaml`);
  writeFileSync(file, dump({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`notebook-platform:${k}`, v])) }));
  return file;
}

/** A cluster holding StatefulSets with replicas and the culler's records; scale changes them. */
function fakeCluster(replicas: Record<string, number>, records: Record<string, string> = {}, forbidden = new Set<string>()) {
  const scaled: string[] = [];
  // getText is left to the client's own tests; a cast keeps this fake independent of it.
  const api = {
    list: async () => [],
    get: async (path: string) => {
      const sts = /statefulsets\/([^/]+)$/.exec(path);
      if (sts) return replicas[sts[1]] === undefined ? undefined : ({ metadata: { name: sts[1] }, spec: { replicas: replicas[sts[1]] } } as unknown as KubeListItem);
      if (path.endsWith('/configmaps/notebook-culler-status')) return { metadata: { name: 'notebook-culler-status' }, data: records } as unknown as KubeListItem;
      return undefined;
    },
    getText: async () => undefined,
  } as KubeApi;
  const cluster: SessionsCluster = {
    api,
    scale: async (_namespace, name, count) => {
      if (forbidden.has(name)) throw new KubeApiError(`PATCH /apis/apps/v1/namespaces/nb-analytics/statefulsets/${name}/scale: 403: forbidden`);
      scaled.push(`${name}=${count}`);
      replicas[name] = count;
      return count;
    },
  };
  return { cluster, scaled };
}
function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('session state', () => {
  it.each([
    [false, 0, undefined, 'stopped by config'],
    [true, 1, undefined, 'running'],
    [true, undefined, undefined, 'running'],
    [true, 0, { reason: 'idle', since: '2026-03-02T10:00:00Z' }, 'stopped as idle'],
    [true, 0, { reason: 'schedule' }, 'stopped by schedule'],
    [true, 0, { reason: 'lifetime' }, 'stopped at max lifetime'],
    [true, 0, undefined, 'stopped'],
    [true, 1, { reason: 'idle' }, 'running'], // started again: an old record explains nothing
  ] as const)('config running %s, replicas %s, record %j: %s', (running, replicas, record, state) => {
    expect(sessionStatus(running, replicas, record as never).state).toBe(state);
  });

  it('reads only well-formed culler records', () => {
    expect(parseCullerRecord('{"reason":"idle","since":"2026-03-02T10:00:00Z","detail":"x"}')).toEqual({ reason: 'idle', since: '2026-03-02T10:00:00Z', detail: 'x' });
    expect(parseCullerRecord('{"reason":"deleted"}')).toBeUndefined();
    expect(parseCullerRecord('not json')).toBeUndefined();
    expect(parseCullerRecord(undefined)).toBeUndefined();
  });
});

describe('sessions start|stop', () => {
  it('start scales the owner\'s session to 1 and prints what it did and the URL', async () => {
    const { cluster, scaled } = fakeCluster({ churn: 0 });
    const { io, out } = collect();
    expect(await sessionsOf('start', 'churn', stackConfig(), io, cluster)).toBe(0);
    expect(scaled).toEqual(['churn=1']);
    expect(out[0]).toBe('started analytics/churn (StatefulSet nb-analytics/churn scaled to 1); its home and files are as they were');
    expect(out[1]).toMatch(/^url: \/notebooks\/analytics\/churn\//);
  });

  it('stop scales to 0, keeps the home and says how to start again', async () => {
    const { cluster, scaled } = fakeCluster({ churn: 1 });
    const { io, out } = collect();
    expect(await sessionsOf('stop', 'churn', stackConfig(), io, cluster)).toBe(0);
    expect(scaled).toEqual(['churn=0']);
    expect(out).toEqual(['stopped analytics/churn (StatefulSet nb-analytics/churn scaled to 0); its home is kept', 'start it again with: notebook-platform sessions start churn --stack analytics']);
  });

  it('a session stopped by its config is not started: the config decides', async () => {
    const { cluster, scaled } = fakeCluster({ report: 0 });
    const { io, err } = collect();
    expect(await sessionsOf('start', 'report', stackConfig(), io, cluster)).toBe(1);
    expect(scaled).toEqual([]);
    expect(err[0]).toMatch(/stopped by its config \(running: false\): set running: true/);
  });

  it('an unknown session is a usage error listing the team\'s sessions', async () => {
    const { cluster } = fakeCluster({});
    await expect(sessionsOf('start', 'nope', stackConfig(), collect().io, cluster)).rejects.toThrow(new UsageError('team analytics has no session "nope"; its sessions: churn, forecast, report'));
  });
});

describe('sessions list', () => {
  it('shows each session\'s state, with the culler\'s reason and time', async () => {
    const { cluster } = fakeCluster({ churn: 0, forecast: 1 }, { churn: JSON.stringify({ reason: 'idle', since: '2026-03-02T10:00:00Z', detail: 'no activity' }) });
    const { io, out } = collect();
    expect(await sessionsOf('list', undefined, stackConfig(), io, cluster, true)).toBe(0);
    const rows = JSON.parse(out.join('\n')) as { session: string; state: string; since?: string }[];
    expect(rows.map((r) => [r.session, r.state, r.since])).toEqual([
      ['churn', 'stopped as idle', '2026-03-02T10:00:00Z'],
      ['forecast', 'running', undefined],
      ['report', 'stopped by config', undefined],
    ]);
  });
});

describe('--stack', () => {
  it('finds Pulumi.<team>.yaml here or in stacks/, and says where it looked otherwise', () => {
    const file = stackConfig();
    expect(stackFile({ stack: 'analytics' }, dir)).toBe(file);
    expect(() => stackFile({ stack: 'nope' }, dir)).toThrow(/no stack config for --stack nope: looked for .*Pulumi\.nope\.yaml and .*stacks\/Pulumi\.nope\.yaml/);
    expect(() => stackFile({}, dir)).toThrow(/name the stack/);
  });
});

/**
 * npm start's session table (cli/session-table.ts): each session's home and each share with the
 * bytes the usage job measured, and a note on where the figures come from or why there are none.
 */
import { planFromConfig } from '../../../components/config/validate';
import { usageRows } from '../../../cli/usage';
import { sessionTable, type SessionOutput } from '../../../cli/session-table';

const values = (extra: Record<string, unknown> = {}) => ({
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
    { name: 'reports', owner: 'grace', size: 'small', environment: 'scipy', running: false },
  ],
  ...extra,
});
const outputs: Record<string, SessionOutput> = {
  reports: { owner: 'grace', size: 'small', running: false, url: 'https://x/notebooks/lab/reports/', stateClaim: 'workdir-reports' },
  etl: { owner: 'frank', size: 'small', state: 'running', running: true, url: 'https://x/notebooks/lab/etl/', stateClaim: 'workdir-etl' },
};

describe('sessionTable', () => {
  it('shows what the newest usage run measured for each home and share, sorted by session', () => {
    const plan = planFromConfig(values());
    const rows = usageRows(plan, [
      { claim: 'workdir-etl', usedBytes: 3 * 1024 * 1024, complete: true },
      { claim: 'workdir-reports', usedBytes: 1536, complete: false },
      { claim: 'share-models', usedBytes: 5 * 1024 ** 3, complete: true },
    ]);
    const lines = sessionTable(plan, outputs, { kind: 'measured', rows, measuredAt: '2026-12-02T10:17:09Z', pod: 'notebook-usage-29423-abcde' });
    expect(lines).toEqual([
      'SESSION  OWNER  SIZE   STATE              URL                               STATE CLAIM      USED',
      'etl      frank  small  running            https://x/notebooks/lab/etl/      workdir-etl      3.0Mi/10Gi',
      'reports  grace  small  stopped by config  https://x/notebooks/lab/reports/  workdir-reports  >=1.5Ki/10Gi',
      '',
      'SHARE    CLAIM          USED',
      'models   share-models   5.0Gi/100Gi',
      'payroll  share-payroll  - (restricted share: not mounted by the usage job)',
      '',
      'USED: bytes on disk/requested size, measured at 2026-12-02T10:17:09Z by notebook-usage-29423-abcde (notebook-usage, "17 * * * *" UTC); >= when some files could not be read',
    ]);
  });

  it('gives an owner\'s sessions their shared home\'s figure with per-user state', () => {
    const plan = planFromConfig(values({ stateModel: 'user', sessions: [
      { name: 'etl', owner: 'frank', size: 'small', environment: 'scipy' },
      { name: 'etl-2', owner: 'frank', size: 'small', environment: 'scipy' },
      { name: 'reports', owner: 'grace', size: 'small', environment: 'scipy' },
    ] }));
    const claim = plan.sessions.find((s) => s.owner === 'frank')!.home.claimName;
    const rows = usageRows(plan, [{ claim, usedBytes: 2048, complete: true }]);
    const lines = sessionTable(plan, { ...outputs, 'etl-2': { owner: 'frank', size: 'small', state: 'running' } }, { kind: 'measured', rows, measuredAt: 't', pod: 'p' });
    const used = (session: string) => lines.find((line) => line.startsWith(`${session} `))!.split(/\s{2,}/).pop();
    expect([used('etl'), used('etl-2'), used('reports')]).toEqual(['2.0Ki/10Gi', '2.0Ki/10Gi', '-']);
  });

  it('says why there are no figures: not configured, no finished run yet (and how to measure now), or unreadable', () => {
    const withUsage = planFromConfig(values());
    const without = planFromConfig({ ...values(), usage: undefined });
    expect(sessionTable(without, outputs, { kind: 'not-configured' }).slice(-1)).toEqual(['USED: team lab does not measure usage (add notebook-platform:usage to its stack config)']);
    expect(sessionTable(withUsage, outputs, { kind: 'not-yet' }).slice(-1)).toEqual([
      'USED: no finished notebook-usage run yet (schedule "17 * * * *" UTC); measure now: kubectl create job --from=cronjob/notebook-usage notebook-usage-now -n nb-lab, then scripts/demo sessions',
    ]);
    const unreadable = sessionTable(withUsage, outputs, { kind: 'unreadable', reason: 'GET /api/v1/namespaces/nb-lab/pods: 403 Forbidden' });
    expect(unreadable[1]).toMatch(/^etl\s.*workdir-etl\s+-$/);
    expect(unreadable.slice(-1)).toEqual(['USED: cannot read the usage runs: GET /api/v1/namespaces/nb-lab/pods: 403 Forbidden']);
    expect(sessionTable(withUsage, {}, { kind: 'not-yet' })[1]).toBe('(no sessions)');
  });
});

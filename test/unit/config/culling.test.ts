// Stop rules in the stack config: validation (with the migration from the old key), the plan's
// per-session rules and the team's culler, and per-owner access settings.
import { validateConfig } from '../../../components/config';
import { baseConfig } from './fixtures';

const API_SERVER = { cidrs: ['10.0.0.0/16'], port: 443 };

function problemsOf(config: Record<string, unknown>): string[] {
  const result = validateConfig(config);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}
function planOf(config: Record<string, unknown>) {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}
const withCulling = (mutate: (config: Record<string, any>) => void = () => undefined) => {
  const config = baseConfig();
  config.jupyter = { stopIdleSessionsAfterSeconds: 3600 };
  config.network = { apiServer: API_SERVER };
  mutate(config);
  return config;
};

describe('migration from jupyter.shutdownIdleServerAfterSeconds', () => {
  it('says what to write instead, naming the key', () => {
    const config = baseConfig();
    config.jupyter = { shutdownIdleServerAfterSeconds: 86400 };
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/jupyter\.shutdownIdleServerAfterSeconds: was replaced/);
    expect(problems[0]).toContain('write jupyter.stopIdleSessionsAfterSeconds with the same number instead');
    expect(problems[0]).not.toContain('unknown key');
  });
});

describe('validation', () => {
  it('a stop rule needs network.apiServer, named with the session that needs it', () => {
    const config = baseConfig();
    config.jupyter = { stopIdleSessionsAfterSeconds: 3600 };
    expect(problemsOf(config)).toEqual([expect.stringMatching(/network\.apiServer: is required: session "churn" has a stop rule/)]);
    config.network = { apiServer: API_SERVER };
    expect(problemsOf(config)).toEqual([]);
  });

  it('no apiServer needed when every rule is off or only stopped sessions have one', () => {
    const config = baseConfig();
    config.jupyter = { stopIdleSessionsAfterSeconds: 0, maxLifetimeSeconds: 0 };
    config.sessions[2].schedule = { stopAt: '20:00' }; // "report" is running: false
    expect(problemsOf(config)).toEqual([]);
  });

  it.each([
    [{ stopAt: '8pm' }, /schedule\.stopAt.*24-hour time of day "HH:MM"/],
    [{ stopAt: '24:00' }, /schedule\.stopAt/],
    [{ stopAt: '20:00', timeZone: 'Mars/Olympus' }, /schedule\.timeZone.*not an IANA time zone/],
    [{ stopAt: '20:00', timeZone: '../etc/passwd' }, /schedule\.timeZone.*not an IANA time zone/],
    [{ stopAt: '20:00', days: ['monday'] }, /schedule\.days\[0\].*"monday" is not allowed; allowed: mon, tue/],
    [{ stopAt: '20:00', days: [] }, /schedule\.days/],
  ])('refuses schedule %j', (schedule, message) => {
    const config = withCulling((c) => (c.sessions[0].schedule = schedule));
    expect(problemsOf(config)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['oidc:owner', /must be a user-name template with "\{owner\}" once/],
    ['system:serviceaccount:{owner}', /not a "system:" name/],
    ['System:{owner}', /not a "system:" name/],
    ['{owner}{owner}', /"\{owner\}" once/],
    ['oidc: {owner}', /must be a user-name template/],
  ])('refuses access.ownerSubject %j', (ownerSubject, message) => {
    const config = baseConfig();
    config.access = { ownerSubject };
    expect(problemsOf(config)).toEqual([expect.stringMatching(message)]);
  });

  it('allowExec needs ownerSubject: exec is per owner', () => {
    const config = baseConfig();
    config.access = { allowExec: true };
    expect(problemsOf(config)).toEqual([expect.stringMatching(/access\.allowExec: gives each session's owner exec into their own sessions only.*set access\.ownerSubject/)]);
    config.access.ownerSubject = 'oidc:{owner}';
    expect(problemsOf(config)).toEqual([]);
  });
});

describe('plan', () => {
  it('sessions take the team defaults unless they override them; 0 overrides to off', () => {
    const plan = planOf(
      withCulling((c) => {
        c.jupyter.maxLifetimeSeconds = 86400;
        c.sessions[1].jupyter = { stopIdleSessionsAfterSeconds: 0 };
        c.sessions[0].schedule = { stopAt: '20:00', days: ['fri', 'mon'], timeZone: 'Europe/Berlin' };
      }),
    );
    const rules = Object.fromEntries(plan.sessions.map((s) => [s.name, s.culling]));
    expect(rules.churn).toEqual({ stopIdleSessionsAfterSeconds: 3600, maxLifetimeSeconds: 86400, schedule: { stopAt: '20:00', days: ['mon', 'fri'], timeZone: 'Europe/Berlin' } });
    expect(rules.forecast).toEqual({ stopIdleSessionsAfterSeconds: 0, maxLifetimeSeconds: 86400 });
  });

  it('the culler watches running sessions with a rule only, through their Services, every quarter of the shortest timeout', () => {
    const plan = planOf(
      withCulling((c) => {
        c.jupyter.stopIdleSessionsAfterSeconds = 0;
        c.sessions[0].jupyter = { stopIdleSessionsAfterSeconds: 120 };
        c.sessions[2].jupyter = { stopIdleSessionsAfterSeconds: 60 }; // stopped by config: not watched
      }),
    );
    expect(plan.culler?.sessions.map((s) => s.name)).toEqual(['churn']);
    expect(plan.culler?.sessions[0].url).toBe('http://churn.nb-analytics.svc:8888/notebooks/analytics/churn/');
    expect(plan.culler?.intervalSeconds).toBe(30);
    expect(plan.culler?.image).toBe('quay.io/jupyter/scipy-notebook:2025-12-01');
    expect(plan.culler?.apiServer).toEqual(API_SERVER);
  });

  it('no culler when no running session has a rule', () => {
    expect(planOf(baseConfig()).culler).toBeUndefined();
    expect(planOf(withCulling((c) => (c.jupyter.stopIdleSessionsAfterSeconds = 0))).culler).toBeUndefined();
  });

  it('a running session leaves replicas to the cluster; a stopped one has 0', () => {
    const plan = planOf(baseConfig());
    expect(Object.fromEntries(plan.sessions.map((s) => [s.name, s.replicas]))).toEqual({ churn: undefined, forecast: undefined, report: 0 });
  });
});

/** session-limits: per-owner and running-session ceilings from the pack's config, over the example stacks. */
import { DEFAULT_SESSION_LIMITS, sessionLimitsRule, sessionsOf } from '../../../policies/rules';
import { stackArgs } from '../../../policies/evaluate';
import { messages, pick, stackResources, TEAMS, TYPE, violations } from './fixtures';

describe('session-limits', () => {
  it('is named, mandatory, and configurable with defaults from the stack config schema', () => {
    const rule = sessionLimitsRule();
    expect(rule).toMatchObject({ name: 'session-limits', enforcementLevel: 'mandatory' });
    expect(DEFAULT_SESSION_LIMITS).toEqual({ maxSessionsPerUser: 5, maxRunningSessions: 20 });
    expect(rule.configSchema?.properties).toMatchObject({ maxSessionsPerUser: { type: 'integer', default: 5 }, maxRunningSessions: { type: 'integer', default: 20 } });
  });

  it.each(TEAMS)('passes %s with the default limits', async (team) => {
    expect(await messages(sessionLimitsRule(), await stackResources(team))).toEqual([]);
  });

  it('counts sessions by owner from the notebook StatefulSets, running or not', async () => {
    const sessions = sessionsOf(stackArgs(await stackResources('team-a')).resources);
    expect(sessions.map(({ name, owner, running }) => ({ name, owner, running })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'imaging', owner: 'erin', running: true },
      { name: 'imaging-retry', owner: 'erin', running: false },
      { name: 'trial-analysis', owner: 'dana', running: true },
    ]);
  });

  it('fails an owner over maxSessionsPerUser, on that owner\'s session', async () => {
    const resources = await stackResources('team-a');
    const found = await violations(sessionLimitsRule(), resources, { 'session-limits': { maxSessionsPerUser: 1 } });
    expect(found.map((v) => v.message)).toEqual(['owner erin has 2 sessions (imaging, imaging-retry); at most 1 per user']);
    expect([pick(resources, TYPE.statefulSet, 'imaging').urn, pick(resources, TYPE.statefulSet, 'imaging-retry').urn]).toContain(found[0].urn);
  });

  it('fails more running sessions than maxRunningSessions (stopped ones do not count)', async () => {
    const resources = await stackResources('team-a');
    expect(await messages(sessionLimitsRule(), resources, { 'session-limits': { maxRunningSessions: 2 } })).toEqual([]);
    expect(await messages(sessionLimitsRule(), resources, { 'session-limits': { maxRunningSessions: 1 } })).toEqual([
      '2 sessions are running; at most 1 may run at once (set running: false on some)',
    ]);
  });

  it('fails a session without an owner', async () => {
    const resources = await stackResources('team-b');
    const statefulSet = pick(resources, TYPE.statefulSet, 'reports');
    delete statefulSet.inputs.metadata.labels['notebook-platform.io/owner'];
    delete statefulSet.inputs.spec.template.metadata.labels['notebook-platform.io/owner'];
    expect(await messages(sessionLimitsRule(), resources)).toEqual(['session reports has no owner (notebook-platform.io/owner); per-user limits cannot be applied']);
  });
});

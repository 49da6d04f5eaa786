/** gpu-sessions-culled: a running GPU session has a stop rule, unless the team opts out. */
import { gpuSessionsCulledRule } from '../../../policies/rules/culling';
import { clone, configResources, messages, stackConfig, stackResources, TEAMS } from './fixtures';

const GPU_SESSION = 'imaging';
/** team-a as committed, with its GPU session's own rule and schedule removed. */
function teamAWithoutGpuRule() {
  const config = clone(stackConfig('team-a'));
  const session = config.sessions.find((s: { name: string }) => s.name === GPU_SESSION);
  delete session.jupyter;
  delete session.schedule;
  return config;
}

describe('gpu-sessions-culled', () => {
  it('is named and mandatory', () => {
    expect(gpuSessionsCulledRule()).toMatchObject({ name: 'gpu-sessions-culled', enforcementLevel: 'mandatory' });
  });

  it.each(TEAMS)('passes %s', async (team) => {
    expect(await messages(gpuSessionsCulledRule(), await stackResources(team))).toEqual([]);
  });

  it('fails a running GPU session nothing stops, on that session', async () => {
    const found = await messages(gpuSessionsCulledRule(), await configResources(teamAWithoutGpuRule()));
    expect(found).toEqual([expect.stringMatching(/^session imaging requests GPUs and nothing stops it when idle/)]);
  });

  it.each([
    ['a team idle rule', (c: any) => (c.jupyter = { stopIdleSessionsAfterSeconds: 1800 })],
    ['a maximum lifetime', (c: any) => (c.jupyter = { maxLifetimeSeconds: 28800 })],
    ['a schedule', (c: any) => (c.sessions.find((s: { name: string }) => s.name === GPU_SESSION).schedule = { stopAt: '19:00' })],
    ['the team\'s opt-out', (c: any) => (c.jupyter = { keepIdleGpuSessions: true })],
    ['the session stopped by config', (c: any) => (c.sessions.find((s: { name: string }) => s.name === GPU_SESSION).running = false)],
  ])('passes with %s', async (_what, edit) => {
    const config = teamAWithoutGpuRule();
    edit(config);
    expect(await messages(gpuSessionsCulledRule(), await configResources(config))).toEqual([]);
  });

  it('a rule of 0 on the GPU session is no rule, whatever the team default', async () => {
    const config = teamAWithoutGpuRule();
    config.jupyter = { stopIdleSessionsAfterSeconds: 1800 };
    config.sessions.find((s: { name: string }) => s.name === GPU_SESSION).jupyter = { stopIdleSessionsAfterSeconds: 0 };
    expect(await messages(gpuSessionsCulledRule(), await configResources(config))).toHaveLength(1);
  });
});

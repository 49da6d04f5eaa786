/**
 * Node disk: ephemeral-storage on every container (the notebook's from its size), a sizeLimit on
 * every emptyDir, LimitRange defaults and a ResourceQuota entry, and validation of the quota.
 */
import { HELPER_RESOURCES, validateConfig, type Plan } from '../../../components/config';
import { limitRange, resourceQuota, sessionObjects } from '../../../components/manifests';
import { baseConfig } from '../config/fixtures';
import { planOf, stackPlan } from './session-support';

type Obj = Record<string, any>;
const TEAMS = ['demo', 'team-a', 'team-b'] as const;

const podOf = (plan: Plan, session: string) =>
  (sessionObjects(plan, plan.sessions.find((s) => s.name === session)!) as Obj[]).find((o) => o.kind === 'StatefulSet')!.spec.template.spec;
const containersOf = (pod: Obj): Obj[] => [...(pod.initContainers ?? []), ...pod.containers];

describe('ephemeral-storage on every container', () => {
  it.each(TEAMS)('%s: the notebook requests and is limited to its size\'s ephemeralStorage (default 10Gi), helpers to HELPER_RESOURCES', (team) => {
    const plan = stackPlan(team);
    for (const session of plan.sessions) {
      const pod = podOf(plan, session.name);
      for (const container of containersOf(pod)) {
        const expected = container.name === 'notebook' ? '10Gi' : HELPER_RESOURCES.limits['ephemeral-storage'];
        expect([session.name, container.name, container.resources.limits['ephemeral-storage']]).toEqual([session.name, container.name, expected]);
        expect(container.resources.requests['ephemeral-storage']).toBe(container.name === 'notebook' ? '10Gi' : HELPER_RESOURCES.requests['ephemeral-storage']);
      }
    }
  });

  it('takes the notebook\'s from the size', () => {
    const config = baseConfig();
    config.sizes.small.ephemeralStorage = '3Gi';
    const notebook = podOf(planOf(config), 'churn').containers.find((c: Obj) => c.name === 'notebook');
    expect(notebook.resources.requests['ephemeral-storage']).toBe('3Gi');
    expect(notebook.resources.limits['ephemeral-storage']).toBe('3Gi');
  });

  it('refuses an ephemeralStorage that is not a quantity, naming the path', () => {
    const config = baseConfig();
    config.sizes.large.ephemeralStorage = '10GB';
    const result = validateConfig(config);
    expect(result.problems).toEqual([{ path: 'notebook-platform:sizes.large.ephemeralStorage', message: '"10GB" must be a Kubernetes quantity such as "10Gi"' }]);
  });
});

describe('emptyDir size limits', () => {
  it.each(TEAMS)('%s: every emptyDir has a sizeLimit; the disk-backed ones the session\'s ephemeralStorage', (team) => {
    const plan = stackPlan(team);
    for (const session of plan.sessions) {
      const emptyDirs = podOf(plan, session.name).volumes.filter((v: Obj) => v.emptyDir);
      expect(emptyDirs.length).toBeGreaterThanOrEqual(3);
      for (const volume of emptyDirs) {
        expect(volume.emptyDir.sizeLimit).toBe(volume.emptyDir.medium === 'Memory' ? '64Mi' : session.ephemeralStorage);
      }
    }
  });

  it('follows a size\'s ephemeralStorage', () => {
    const config = baseConfig();
    config.sizes.small.ephemeralStorage = '1500Mi';
    config.sessions[0].code = { repo: 'https://git.example.com/a.git' };
    const volumes = Object.fromEntries(podOf(planOf(config), 'churn').volumes.map((v: Obj) => [v.name, v]));
    for (const name of ['cache', 'tmp', 'code']) expect(volumes[name].emptyDir).toEqual({ sizeLimit: '1500Mi' });
  });
});

describe('LimitRange and ResourceQuota', () => {
  it('default and cap ephemeral-storage', () => {
    const config = baseConfig();
    config.sizes.large.ephemeralStorage = '40Gi';
    const plan = planOf(config);
    const item = (limitRange(plan).spec as Obj).limits[0];
    expect(item.default['ephemeral-storage']).toBe('256Mi');
    expect(item.defaultRequest['ephemeral-storage']).toBe('64Mi');
    expect(item.max['ephemeral-storage']).toBe('40Gi');
    const hard = (resourceQuota(plan).spec as Obj).hard;
    expect([hard['requests.ephemeral-storage'], hard['limits.ephemeral-storage']]).toEqual(['200Gi', '200Gi']);
  });

  it('takes the quota from quota.ephemeralStorage', () => {
    const config = baseConfig();
    config.quota = { ephemeralStorage: '75Gi' };
    const hard = (resourceQuota(planOf(config)).spec as Obj).hard;
    expect([hard['requests.ephemeral-storage'], hard['limits.ephemeral-storage']]).toEqual(['75Gi', '75Gi']);
  });
});

describe('validation: running sessions fit quota.ephemeralStorage', () => {
  // The base config runs churn (small) and forecast (large); report is stopped.
  it('refuses requests over the quota', () => {
    const config = baseConfig();
    config.quota = { ephemeralStorage: '15Gi' };
    expect(validateConfig(config).problems).toEqual([
      { path: 'notebook-platform:quota.ephemeralStorage', message: 'running sessions request 20Gi of node disk (sizes\' ephemeralStorage, autosave sidecars included); quota.ephemeralStorage is "15Gi" (raise it or stop sessions)' },
    ]);
  });

  it('refuses limits over the quota when the requests fit (autosave sidecar: 64Mi request, 256Mi limit)', () => {
    const config = baseConfig();
    config.sessions[0].code = { repo: 'https://git.example.com/a.git', mode: 'persistent' };
    config.sessions[0].autosave = {};
    config.quota = { ephemeralStorage: '20544Mi' }; // 20Gi + 64Mi: the requests fit exactly, the limits do not
    expect(validateConfig(config).problems).toEqual([
      { path: 'notebook-platform:quota.ephemeralStorage', message: 'running sessions\' ephemeral-storage limits total 20.25Gi (autosave sidecars included); quota.ephemeralStorage caps limits too and is "20544Mi" (raise it or stop sessions)' },
    ]);
    config.quota = { ephemeralStorage: '20736Mi' };
    expect(validateConfig(config).ok).toBe(true);
  });

  it('counts only running sessions', () => {
    const config = baseConfig();
    config.quota = { ephemeralStorage: '20Gi' };
    expect(validateConfig(config).ok).toBe(true);
    config.sessions[2].running = true;
    expect(validateConfig(config).ok).toBe(false);
  });
});

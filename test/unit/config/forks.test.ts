/**
 * Forks across owners need the source's consent (forkableBy), and the forking owner must be
 * entitled to every restricted share the source (or what it was forked from) mounts.
 */
import { validateConfig, type Problem } from '../../../components/config';
import { sessionObjects } from '../../../components/manifests';
import { baseConfig } from './fixtures';

// The base config: churn (alice; public datasets, team scratch), forecast (bob; restricted payroll, bob a reader), report (carol, stopped).
function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

describe('forks across owners', () => {
  it('refuses forking another owner\'s session that does not allow it', () => {
    expect(problemsOf((c) => (c.sessions[2].forkFrom = 'churn'))).toEqual([
      {
        path: 'notebook-platform:sessions[2].forkFrom',
        message: '"churn" belongs to "alice", and a fork copies its whole home (personal credentials, copies of restricted data); allowed only when sessions[0].forkableBy lists "carol" (it lists: none)',
      },
    ]);
  });

  it('names who the source does allow', () => {
    const problems = problemsOf((c) => {
      c.sessions[0].forkableBy = ['bob'];
      c.sessions[2].forkFrom = 'churn';
    });
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('allowed only when sessions[0].forkableBy lists "carol" (it lists: bob)')]);
  });

  it('accepts a fork the source allows, and forks of the owner\'s own sessions without asking', () => {
    expect(problemsOf((c) => {
      c.sessions[0].forkableBy = ['carol'];
      c.sessions[2].forkFrom = 'churn';
    })).toEqual([]);
    expect(problemsOf((c) => c.sessions.push({ name: 'forecast-2', owner: 'bob', size: 'small', environment: 'scipy', forkFrom: 'forecast' }))).toEqual([]);
  });

  it('refuses a consented fork that would carry a restricted share the forking owner may not read', () => {
    expect(problemsOf((c) => {
      c.sessions[1].forkableBy = ['carol'];
      c.sessions[2].forkFrom = 'forecast';
    })).toEqual([
      {
        path: 'notebook-platform:sessions[2].forkFrom',
        message: 'the fork would carry restricted share "payroll": "forecast" mounts it, so its home may hold copies of that data, and "carol" is not one of its readers or writers (bob)',
      },
    ]);
  });

  it('follows the fork chain: a copy of a session that mounted the share carries it too', () => {
    expect(problemsOf((c) => {
      c.sessions.push({ name: 'copy', owner: 'bob', size: 'small', environment: 'scipy', shares: [], forkFrom: 'forecast', forkableBy: ['carol'], running: false });
      c.sessions[2].forkFrom = 'copy';
    })).toEqual([
      {
        path: 'notebook-platform:sessions[2].forkFrom',
        message: 'the fork would carry restricted share "payroll": "forecast" (which "copy" was forked from) mounts it, so its home may hold copies of that data, and "carol" is not one of its readers or writers (bob)',
      },
    ]);
  });

  it('accepts a fork by an owner entitled to the restricted shares', () => {
    expect(problemsOf((c) => {
      c.shares[2].readers = ['bob', 'carol'];
      c.sessions[1].forkableBy = ['carol'];
      c.sessions[2].forkFrom = 'forecast';
    })).toEqual([]);
  });

  it('checks the forkableBy names', () => {
    expect(problemsOf((c) => (c.sessions[0].forkableBy = ['Carol Smith']))).toEqual([
      { path: 'notebook-platform:sessions[0].forkableBy[0]', message: '"Carol Smith" must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit (a user name)' },
    ]);
  });
});

describe('forkableBy in the manifests', () => {
  it('is recorded on the source StatefulSet (sorted, once each) for the policy pack, and absent when empty', () => {
    const config = baseConfig();
    config.sessions[0].forkableBy = ['dave', 'carol', 'dave'];
    const result = validateConfig(config);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const statefulSetOf = (name: string) => sessionObjects(result.plan, result.plan.sessions.find((s) => s.name === name)!).find((o) => o.kind === 'StatefulSet')!;
    expect(statefulSetOf('churn').metadata.annotations).toEqual({ 'notebook-platform.io/forkable-by': 'carol,dave' });
    expect(statefulSetOf('forecast').metadata.annotations).toBeUndefined();
  });
});

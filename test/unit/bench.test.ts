/**
 * The benchmark harness (bench/): generated configs are valid at every size, the statistics and
 * targets are right, and a smoke run at N=5 (one fresh child per measurement) produces
 * well-formed results. No timing is asserted: timings belong to `npm run bench`.
 */
import { validateConfig } from '../../components/config/validate';
import { parseStackConfig } from '../../components/config/load';
import { benchConfig, benchPolicyConfig, benchStackYaml } from '../../bench/generate';
import { marginal, stat, table, target } from '../../bench/stats';
import { judge, optionsFromEnv, report, runBench } from '../../bench/run';
import { countResources } from '../../bench/child';

describe('generated team configs', () => {
  it.each([1, 2, 5, 10, 100, 1000])('%i sessions validate and fit the quota', (n) => {
    const result = validateConfig(benchConfig(n));
    if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    expect(result.plan.sessions).toHaveLength(n);
  });

  it('covers what a real team has: several owners, every size and access level, stopped sessions, code, autosave, forks', () => {
    const result = validateConfig(benchConfig(100));
    if (!result.ok) throw new Error('invalid');
    const { plan } = result;
    expect(new Set(plan.sessions.map((s) => s.owner)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(plan.sessions.map((s) => s.size))).toEqual(new Set(['small', 'medium', 'large', 'gpu']));
    expect(new Set(plan.shares.map((s) => s.access))).toEqual(new Set(['public', 'team', 'restricted']));
    expect(plan.sessions.filter((s) => !s.running).length).toBe(30);
    expect(plan.sessions.filter((s) => s.code?.mode === 'ephemeral').length).toBeGreaterThan(0);
    expect(plan.sessions.filter((s) => s.code?.mode === 'persistent').length).toBeGreaterThan(0);
    expect(plan.sessions.filter((s) => s.autosave).length).toBeGreaterThan(0);
    expect(plan.sessions.filter((s) => s.fork).length).toBeGreaterThan(0);
    expect(plan.sessions.some((s) => s.mounts.some((m) => m.readOnly))).toBe(true);
  });

  it('has an NFS variant for real clusters, and a team of N+1 sized for N+1 is a team of N plus one session', () => {
    const base = benchConfig(50, { team: 'bench-p50', storage: 'nfs', sizedFor: 51 });
    const plusOne = benchConfig(51, { team: 'bench-p50', storage: 'nfs', sizedFor: 51 });
    for (const config of [base, plusOne]) expect(validateConfig(config).ok).toBe(true);
    expect(base.storage).toMatchObject({ backend: 'nfs' });
    expect({ ...plusOne, sessions: undefined }).toEqual({ ...base, sessions: undefined });
    expect((plusOne.sessions as unknown[]).slice(0, 50)).toEqual(base.sessions);
  });

  it('comes with a policy pack config that raises the session limits to its quota', () => {
    expect(benchPolicyConfig(1000)).toEqual({ 'session-limits': { maxSessionsPerUser: 5, maxRunningSessions: (benchConfig(1000).quota as { maxRunningSessions: number }).maxRunningSessions } });
  });

  it('is deterministic, and the stack file reads back as the same config', () => {
    expect(benchStackYaml(10)).toBe(benchStackYaml(10));
    expect(parseStackConfig(benchStackYaml(10), 'Pulumi.bench.yaml')).toEqual(benchConfig(10));
  });
});

describe('statistics and targets', () => {
  it('median, min and max over repetitions', () => {
    expect(stat([3, 1, 2])).toMatchObject({ median: 2, min: 1, max: 3 });
    expect(stat([4, 1, 2, 3])).toMatchObject({ median: 2.5, min: 1, max: 4 });
    expect(() => stat([])).toThrow();
  });

  it('marginal cost per session between two sizes', () => {
    expect(marginal({ n: 100, value: 616 }, { n: 1000, value: 6016 })).toBe(6);
  });

  it('targets: PASS, MISS and n/a', () => {
    expect(target('t', 999, 'ms', 1000, '<').verdict).toBe('PASS');
    expect(target('t', 1000, 'ms', 1000, '<').verdict).toBe('MISS');
    expect(target('t', 12, 'x', 12, '<=').verdict).toBe('PASS');
    expect(target('t', undefined, 'ms', 1000, '<').verdict).toBe('n/a');
    expect(judge({}, undefined).every((t) => t.verdict === 'n/a')).toBe(true);
  });

  it('tables pad their columns', () => {
    expect(table([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\n---  --\nccc   d');
  });

  it('splits resources into the team and the sessions', () => {
    const session = { type: 'notebook-platform:index:NotebookSession', urn: 'urn:s' };
    const counts = countResources([
      { type: 'pulumi:pulumi:Stack', urn: 'urn:stack' },
      { type: 'kubernetes:core/v1:Namespace', urn: 'urn:ns', parent: 'urn:p' },
      session,
      { type: 'kubernetes:apps/v1:StatefulSet', urn: 'urn:ss', parent: 'urn:s' },
    ]);
    expect(counts).toEqual({ sessions: 1, teamKubernetes: 1, teamOther: 1, sessionAll: 2, sessionKubernetes: 1 });
  });

  it('reads its knobs from the environment', () => {
    expect(optionsFromEnv({})).toMatchObject({ sizes: [10, 100, 1000], repeat: 5, tasks: ['synth', 'evaluate', 'check'] });
    expect(optionsFromEnv({ BENCH_SIZES: '100,10', BENCH_REPEAT: '2', BENCH_TASKS: 'synth' })).toMatchObject({ sizes: [10, 100], repeat: 2, tasks: ['synth'] });
    expect(() => optionsFromEnv({ BENCH_SIZES: 'ten' })).toThrow(/BENCH_SIZES/);
    expect(() => optionsFromEnv({ BENCH_TASKS: 'deploy' })).toThrow(/BENCH_TASKS/);
  });
});

describe('smoke run', () => {
  it('measures N=5 in fresh processes and reports well-formed results', async () => {
    const results = await runBench({ sizes: [2, 5], repeat: 1, tasks: ['synth', 'evaluate', 'check'], log: () => undefined });
    const five = results.sizes['5'];
    expect(five.sessions).toBe(5);

    const synth = five.synth!;
    for (const value of [synth.totalMs, synth.baselineMs, synth.peakMb, synth.yamlMs]) {
      expect(value.samples).toHaveLength(1);
      expect(value.median).toBeGreaterThanOrEqual(0);
    }
    expect(synth.peakMb.median).toBeGreaterThan(10);
    expect(synth.sessionObjects).toBe(30); // 6 per session: ServiceAccount, ConfigMap, Service, StatefulSet, claim, Ingress
    expect(synth.teamObjects).toBeGreaterThan(0);
    expect(synth.overhead).toBeGreaterThan(0);

    const evaluate = five.evaluate!;
    expect(evaluate.peakMb.median).toBeGreaterThan(10);
    expect(evaluate.sessionKubernetesResources).toBe(35); // and the token Secret
    expect(evaluate.resources).toBe(evaluate.teamKubernetesResources + evaluate.teamOtherResources + evaluate.sessionResources);

    if (five.check) {
      expect(five.check.resources).toBe(evaluate.resources);
      expect(five.check.violations).toBe(0); // a generated team is a compliant team
    } else expect(results.unavailable.check).toBeDefined();

    expect(results.perSession).toMatchObject({ between: [2, 5], synthObjects: 6, kubernetesResources: 7 });
    expect(results.targets.find((t) => t.name === 'Kubernetes objects per session')?.verdict).toBe('PASS');
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    expect(report(results)).toMatch(/synth: stack file/);
  }, 180_000);
});

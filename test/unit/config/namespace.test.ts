import { validateConfig, type Problem } from '../../../components/config';
import { baseConfig } from './fixtures';

function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

const NOT_OURS = (value: string) =>
  `${JSON.stringify(value)} is not the team's namespace; allowed: "nb-analytics" (nb-<team>: a freer pattern would let one team name another's, e.g. team "a" taking "nb-a-b" of team "a-b")`;
const RESERVED = (value: string) => `${JSON.stringify(value)} is reserved for the cluster (default, kube-*); allowed: "nb-analytics"`;

describe('the team namespace', () => {
  it('is nb-<team> by default, and may be spelled out', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
    expect(problemsOf((c) => (c.namespace = 'nb-analytics'))).toEqual([]);
  });

  it.each(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-anything'])('refuses the reserved namespace %s', (namespace) => {
    expect(problemsOf((c) => (c.namespace = namespace))).toEqual([{ path: 'notebook-platform:namespace', message: RESERVED(namespace) }]);
  });

  it.each(['nb-payments', 'analytics', 'nb-analytics-2', 'ingress-nginx', 'nb-analytic'])('refuses %s, which is not the team\'s', (namespace) => {
    expect(problemsOf((c) => (c.namespace = namespace))).toEqual([{ path: 'notebook-platform:namespace', message: NOT_OURS(namespace) }]);
  });

  it('refuses look-alikes of the team namespace (they fail the DNS label rule first)', () => {
    for (const namespace of ['nb-аnalytics', 'NB-analytics', 'nb-analytics ', 'nb_analytics']) {
      const problems = problemsOf((c) => (c.namespace = namespace));
      expect(problems.map((p) => p.path)).toEqual(['notebook-platform:namespace']);
    }
  });
});

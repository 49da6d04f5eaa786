import { validateConfig, type Problem } from '../../../components/config';
import { baseConfig } from './fixtures';

function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

const SYSTEM = (group: string) =>
  `${JSON.stringify(group)} is a Kubernetes system group (system:*): it stands for users across the cluster (every signed-in user, nodes, controllers), not the team; allowed: the team's own groups`;

describe('access groups', () => {
  it('accepts the team\'s own groups, OIDC-prefixed ones included', () => {
    expect(problemsOf((c) => (c.access = { viewerGroups: ['analytics', 'oidc:analytics-viewers'], adminGroups: ['platform-admins', 'oidc:systems-team'] }))).toEqual([]);
  });

  it.each([
    ['adminGroups', 'system:authenticated'],
    ['adminGroups', 'system:masters'],
    ['viewerGroups', 'system:unauthenticated'],
    ['viewerGroups', 'system:serviceaccounts'],
    ['viewerGroups', 'system:serviceaccounts:nb-analytics'],
    ['adminGroups', 'system:nodes'],
    ['adminGroups', 'System:Authenticated'],
    ['viewerGroups', 'SYSTEM:authenticated'],
  ])('refuses %s %s', (key, group) => {
    expect(problemsOf((c) => (c.access = { [key]: ['analysts', group] }))).toEqual([{ path: `notebook-platform:access.${key}[1]`, message: SYSTEM(group) }]);
  });

  it('refuses group names with spaces or control characters at either end (Kubernetes compares names exactly)', () => {
    for (const group of [' system:authenticated', 'platform-admins ', '\tanalysts', 'analysts\n']) {
      expect(problemsOf((c) => (c.access = { adminGroups: [group] }))).toEqual([
        { path: 'notebook-platform:access.adminGroups[0]', message: `${JSON.stringify(group)} has spaces or control characters at either end; Kubernetes compares group names exactly, so the binding would name another group (or none)` },
      ]);
    }
  });
});

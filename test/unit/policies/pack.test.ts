/** The pack as a whole: rule identities, config schemas, its package.json, and who builds it. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { notebookPolicies } from '../../../policies/rules';

const ROOT = join(__dirname, '..', '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

describe('the rules', () => {
  const rules = notebookPolicies();

  it('cover at least the rules issue 6 asks for', () => {
    expect(rules.map((rule) => rule.name)).toEqual([
      'pods-run-as-non-root',
      'no-privilege-escalation',
      'drop-all-capabilities',
      'seccomp-runtime-default',
      'no-host-access',
      'container-resources',
      'node-disk-bounded',
      'allowed-image-registries',
      'pinned-images',
      'home-on-persistent-claim',
      'data-retained-on-delete',
      'efs-data-protected',
      'backup-scheduled',
      'share-entitlements',
      'fork-consent',
      'namespace-pod-security-restricted',
      'namespace-default-deny',
      'egress-peers-scoped',
      'cluster-ip-services-only',
      'jupyter-token-auth',
      'no-plain-secrets',
      'platform-secrets-not-credentials',
      'session-limits',
      'gpu-sessions-culled',
      'team-namespace',
      'rbac-subjects-scoped',
    ]);
  });

  // Advisories say what a team may want; everything else refuses the deployment.
  const ADVISORY = ['backup-scheduled'];

  it.each(notebookPolicies().map((rule) => [rule.name, rule] as const))('%s: kebab-case, one-line description, an enforcement level, remediation', (name, rule) => {
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.description).toMatch(/^[A-Z].*\.$/);
    expect(rule.description).not.toContain('\n');
    expect(rule.enforcementLevel).toBe(ADVISORY.includes(name) ? 'advisory' : 'mandatory');
    expect(rule.remediationSteps.length).toBeGreaterThan(20);
    expect('validateResource' in rule || 'validateStack' in rule).toBe(true);
  });

  it('have unique names', () => {
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
  });

  it('give every config property a type, a description and a default', () => {
    const configurable = rules.filter((rule) => rule.configSchema);
    expect(configurable.map((rule) => rule.name)).toEqual(['allowed-image-registries', 'session-limits']);
    for (const rule of configurable) {
      for (const property of Object.values(rule.configSchema!.properties)) {
        expect(property).toEqual(expect.objectContaining({ type: expect.any(String), description: expect.any(String), default: expect.anything() }));
      }
    }
  });
});

describe('policies/package.json', () => {
  it('has a version (the pack refuses to start without one) and the root\'s versions of its dependencies', () => {
    const pack = readJson('policies/package.json');
    const root = readJson('package.json');
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pack.main).toBe('index.ts');
    for (const [name, version] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
      expect([name, root.dependencies[name] ?? root.devDependencies[name]]).toEqual([name, version]);
    }
  });
});

describe('policies/index.ts', () => {
  it('is the only place that constructs the PolicyPack', () => {
    const needle = ['new', 'PolicyPack('].join(' ');
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        if (['node_modules', 'dist', '.git'].includes(entry)) continue;
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(entry) && readFileSync(path, 'utf8').includes(needle)) sources.push(relative(ROOT, path));
      }
    };
    for (const dir of ['components', 'cli', 'policies', 'stacks', 'bench', 'scripts', 'test']) walk(join(ROOT, dir));
    expect(sources).toEqual(['policies/index.ts']);
  });
});

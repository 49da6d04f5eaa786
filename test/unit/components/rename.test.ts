/**
 * Renaming a session (`renamedFrom`): the plan keeps the first name's home, validation keeps one
 * home per session, and under Pulumi mocks the claim is the very same resource (same URN, same
 * Kubernetes name) while the session component carries an alias to its old name.
 */
import { planFromConfig, validateConfig } from '../../../components/config/validate';
import { formatProblem } from '../../../components/config/problems';
import { runOffline, type RegisteredResource } from '../../../offline';

const base = (sessions: Record<string, unknown>[], storage: Record<string, unknown> = { backend: 'storageClass', storageClassName: 'cephfs' }) => ({
  team: 'lab',
  storage,
  sizes: { small: { cpu: '500m', memory: '2Gi' } },
  environments: { minimal: { image: 'quay.io/jupyter/minimal-notebook:2025-12-01' } },
  sessions,
});
const analysis = { name: 'analysis', owner: 'alice', size: 'small', environment: 'minimal' };
const other = { name: 'reports', owner: 'bob', size: 'small', environment: 'minimal' };
const renamed = { ...analysis, name: 'churn-analysis', renamedFrom: 'analysis' };

const byName = (resources: RegisteredResource[], type: string) =>
  Object.fromEntries(resources.filter((r) => r.type === type).map((r) => [r.custom ? (r.inputs.metadata as { name: string }).name : r.name, r]));

describe('renamedFrom in the plan and validation', () => {
  it('keeps the first name\'s claim (and directory on nfs); everything else takes the new name', () => {
    const plan = planFromConfig(base([renamed, other]));
    const session = plan.sessions.find((s) => s.name === 'churn-analysis')!;
    expect(session.home.claimName).toBe('workdir-analysis');
    expect(session.renamedFrom).toBe('analysis');
    expect(session.names.statefulSet).toBe('churn-analysis');
    expect(session.labels['notebook-platform.io/session']).toBe('churn-analysis');
    expect(plan.sessions.find((s) => s.name === 'reports')!.renamedFrom).toBeUndefined();
    const nfs = planFromConfig(base([renamed], { backend: 'nfs', server: 'nfs.example.com', path: '/exports' }));
    expect(nfs.sessions[0].home).toMatchObject({ claimName: 'workdirs', subPath: 'sessions/analysis' });
  });

  it('refuses a rename to the own name, from a current session\'s name, or twice from one name', () => {
    const problems = (sessions: Record<string, unknown>[]) => {
      const result = validateConfig(base(sessions));
      return result.ok ? [] : result.problems.map(formatProblem);
    };
    expect(problems([{ ...analysis, renamedFrom: 'analysis' }])).toEqual([
      'notebook-platform:sessions[0].renamedFrom: "analysis" is the session\'s own name; renamedFrom names the session\'s previous name',
    ]);
    expect(problems([other, { ...renamed, renamedFrom: 'reports' }])).toEqual([
      'notebook-platform:sessions[1].renamedFrom: "reports" is the name of sessions[0], whose home it is: a home belongs to one session (rename that session too, or remove renamedFrom)',
    ]);
    expect(problems([renamed, { ...other, renamedFrom: 'analysis' }])).toEqual([
      'notebook-platform:sessions[1].renamedFrom: "analysis" is already the previous name of sessions[0]; a home belongs to one session',
    ]);
    expect(problems([{ ...renamed, renamedFrom: 'Not_A_Name' }])[0]).toMatch(/^notebook-platform:sessions\[0\]\.renamedFrom: "Not_A_Name" must be a DNS label/);
    expect(problems([renamed, other])).toEqual([]);
  });
});

describe('renamedFrom under Pulumi mocks', () => {
  let before: RegisteredResource[];
  let after: RegisteredResource[];
  beforeAll(async () => {
    before = await runOffline(base([analysis, other]), { stack: 'lab' });
    after = await runOffline(base([renamed, other]), { stack: 'lab' });
  });

  it('registers the same claim resource: same URN, same Kubernetes name', () => {
    const claimsBefore = byName(before, 'kubernetes:core/v1:PersistentVolumeClaim');
    const claimsAfter = byName(after, 'kubernetes:core/v1:PersistentVolumeClaim');
    expect(Object.keys(claimsAfter).sort()).toEqual(Object.keys(claimsBefore).sort());
    expect(claimsAfter['workdir-analysis'].urn).toBe(claimsBefore['workdir-analysis'].urn);
    expect(claimsAfter['workdir-analysis'].opts.retainOnDelete).toBe(true);
    // Only the label naming the session changes (an in-place update of metadata).
    expect((claimsAfter['workdir-analysis'].inputs.metadata as { labels: Record<string, string> }).labels['notebook-platform.io/session']).toBe('churn-analysis');
  });

  it('aliases the session component to its old name; the claim\'s parent is the renamed component', () => {
    const sessions = byName(after, 'notebook-platform:index:NotebookSession');
    const component = Object.values(sessions).find((s) => s.name.endsWith('churn-analysis'))!;
    const old = Object.values(byName(before, 'notebook-platform:index:NotebookSession')).find((s) => s.name.endsWith('/analysis') || s.name === 'analysis')!;
    // The offline monitor records alias specs by name (the engine resolves them under the same parent and type).
    expect(component.opts.aliases).toEqual(expect.arrayContaining([old.name, 'analysis']));
    expect(byName(after, 'kubernetes:core/v1:PersistentVolumeClaim')['workdir-analysis'].parent).toBe(component.urn);
    // The unrenamed session has no alias to an old name of its own.
    const reports = Object.values(sessions).find((s) => s.name.endsWith('reports'))!;
    expect(reports.opts.aliases.some((alias) => alias.endsWith('analysis'))).toBe(false);
  });

  it('the objects named after the session take the new name', () => {
    const sets = byName(after, 'kubernetes:apps/v1:StatefulSet');
    expect(Object.keys(sets).sort()).toEqual(['churn-analysis', 'reports']);
  });
});

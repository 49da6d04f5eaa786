/**
 * Session components are named under their platform: two NotebookPlatforms in one program whose
 * sessions share names register no URN twice, and each session carries the name it had before
 * as an alias, so a stack deployed with bare session names keeps its resources.
 */
import { join } from 'node:path';
import { readStackConfigFile, type StackConfigInput } from '../../../components/config';
import { NotebookPlatform } from '../../../components/platform';
import { runOffline, type RegisteredResource } from '../../../offline';

const SESSION = 'notebook-platform:index:NotebookSession';
const demo = (team: string) => ({ ...readStackConfigFile(join(__dirname, '..', '..', '..', 'stacks', 'Pulumi.demo.yaml')), team }) as StackConfigInput;

describe('two NotebookPlatforms in one program with the same session names', () => {
  let resources: RegisteredResource[];
  let sessionNames: string[];
  beforeAll(async () => {
    sessionNames = (demo('x').sessions ?? []).map((s) => s.name);
    resources = await runOffline(undefined, {
      stack: 'research',
      program: () => {
        new NotebookPlatform('alpha', { config: demo('alpha') });
        new NotebookPlatform('beta', { config: demo('beta') });
      },
    });
  });

  it('registers every URN once', () => {
    expect(sessionNames.length).toBeGreaterThan(1);
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.urn, (counts.get(r.urn) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    expect(resources.filter((r) => r.type === SESSION)).toHaveLength(2 * sessionNames.length);
  });

  it('names each session <platform>/<session>, under its platform', () => {
    const platforms = new Map(resources.filter((r) => r.type === 'notebook-platform:index:NotebookPlatform').map((r) => [r.urn, r.name]));
    const sessions = resources.filter((r) => r.type === SESSION);
    expect(sessions.map((s) => s.name).sort()).toEqual([...sessionNames.map((n) => `alpha/${n}`), ...sessionNames.map((n) => `beta/${n}`)].sort());
    for (const session of sessions) expect(session.name.startsWith(`${platforms.get(session.parent!)}/`)).toBe(true);
  });

  it('aliases each session to the bare session name it had before, and nothing else', () => {
    for (const session of resources.filter((r) => r.type === SESSION)) {
      expect(session.opts.aliases).toEqual([session.name.slice(session.name.indexOf('/') + 1)]);
    }
    // Only the sessions were renamed: nothing else needs an alias.
    expect(resources.filter((r) => r.type !== SESSION && r.opts.aliases.length > 0)).toEqual([]);
  });

  it('keeps the URNs of the session\'s own objects (their names never held the session component\'s)', () => {
    const single = resources.filter((r) => r.urn.includes('kubernetes:') && r.urn.includes('::nb-alpha/'));
    expect(single.length).toBeGreaterThan(0);
    for (const r of single) expect(r.name).toMatch(/^(nb-alpha|cluster)\//);
  });
});

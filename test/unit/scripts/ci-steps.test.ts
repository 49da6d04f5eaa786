// scripts/ci-steps changed-teams: which team stacks a change deploys (docs/ci.md states the
// rule). Each case commits a change in a throw-away git repository holding the real script and
// asks for BASE...HEAD, as the workflow does.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();

/** A repository like this one (two teams, the demo and local stacks, shared code, docs) at its first commit. */
function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'np-ci-steps-'));
  scratch.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  for (const file of ['scripts/ci-steps', 'scripts/lib/pulumi-state.sh']) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  chmodSync(join(dir, 'scripts', 'ci-steps'), 0o755);
  const files = [
    'Pulumi.yaml',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'components/platform.ts',
    'policies/index.ts',
    'stacks/index.ts',
    'stacks/Pulumi.team-a.yaml',
    'stacks/Pulumi.team-b.yaml',
    'stacks/Pulumi.demo.yaml',
    'stacks/Pulumi.local.yaml',
    'docs/ci.md',
    'README.md',
    'test/unit/x.test.ts',
  ];
  for (const file of files) write(dir, file, 'v1\n');
  commit(dir, 'initial');
  return dir;
}

function write(dir: string, file: string, content: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

function commit(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Edit `files` on a branch from main's HEAD, commit, and return changed-teams' lines for main...branch. */
function teamsFor(dir: string, change: (dir: string) => void): string[] {
  const base = git(dir, 'rev-parse', 'main');
  git(dir, 'checkout', '-q', '-B', `change-${scratch.length}-${Math.random().toString(36).slice(2)}`, base);
  change(dir);
  const head = commit(dir, 'change');
  const r = spawnSync(join(dir, 'scripts', 'ci-steps'), ['changed-teams', base, head], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ci-steps changed-teams exited ${r.status}: ${r.stderr}`);
  git(dir, 'checkout', '-q', 'main');
  return r.stdout.split('\n').filter(Boolean);
}

describe('scripts/ci-steps changed-teams BASE HEAD', () => {
  let dir: string;
  beforeAll(() => {
    dir = repo();
  });

  it("a change to one team's stack config selects that team only", () => {
    expect(teamsFor(dir, (d) => write(d, 'stacks/Pulumi.team-a.yaml', 'v2\n'))).toEqual(['team-a']);
  });

  it('a new team stack config selects the new team', () => {
    expect(teamsFor(dir, (d) => write(d, 'stacks/Pulumi.team-c.yaml', 'v1\n'))).toEqual(['team-c']);
  });

  it.each(['components/platform.ts', 'components/new/module.ts', 'shared/names.ts', 'policies/index.ts', 'stacks/index.ts', 'package.json', 'package-lock.json', 'Pulumi.yaml', 'tsconfig.json'])(
    'a change to shared code (%s) selects every team, never demo or local',
    (file) => {
      expect(teamsFor(dir, (d) => write(d, file, 'v2\n'))).toEqual(['team-a', 'team-b']);
    },
  );

  it('shared code and one team together: every team, each once', () => {
    expect(
      teamsFor(dir, (d) => {
        write(d, 'components/platform.ts', 'v3\n');
        write(d, 'stacks/Pulumi.team-b.yaml', 'v3\n');
      }),
    ).toEqual(['team-a', 'team-b']);
  });

  it.each([['docs/ci.md'], ['README.md'], ['test/unit/x.test.ts'], ['scripts/other']])('a change to %s alone selects no team', (file) => {
    expect(teamsFor(dir, (d) => write(d, file, 'v2\n'))).toEqual([]);
  });

  it("the demo's and the local stack's configs select nothing (they are npm start's, not teams')", () => {
    expect(
      teamsFor(dir, (d) => {
        write(d, 'stacks/Pulumi.demo.yaml', 'v2\n');
        write(d, 'stacks/Pulumi.local.yaml', 'v2\n');
      }),
    ).toEqual([]);
  });

  it('a deleted stack config selects nothing (there is no stack to update); other changed teams still are', () => {
    expect(
      teamsFor(dir, (d) => {
        rmSync(join(d, 'stacks/Pulumi.team-b.yaml'));
        write(d, 'stacks/Pulumi.team-a.yaml', 'v4\n');
      }),
    ).toEqual(['team-a']);
  });

  it('only what the branch changed counts (BASE...HEAD from the merge base), not what main did since', () => {
    const branchPoint = git(dir, 'rev-parse', 'main');
    git(dir, 'checkout', '-q', '-B', 'feature', branchPoint);
    write(dir, 'stacks/Pulumi.team-a.yaml', 'feature\n');
    const head = commit(dir, 'feature: team-a');
    git(dir, 'checkout', '-q', 'main');
    write(dir, 'components/platform.ts', 'main moved on\n');
    const base = commit(dir, 'main: shared code');
    const r = spawnSync(join(dir, 'scripts', 'ci-steps'), ['changed-teams', base, head], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('team-a\n');
  });

  it('without BASE and HEAD: usage, exit 2', () => {
    const r = spawnSync(join(dir, 'scripts', 'ci-steps'), ['changed-teams', 'main'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: ci-steps changed-teams BASE HEAD/);
  });
});

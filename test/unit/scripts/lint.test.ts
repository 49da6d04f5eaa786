// The lint scripts find what they check by themselves (npm run lint:shell, npm run lint:go):
// a new shell script or Go file is checked, or reported, without editing a list. Each test runs
// the real script copied into a throw-away git repository laid out for the case.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A git repository holding the lint script and `files` (path -> content); `ignored` go to .gitignore. */
function repo(files: Record<string, string>, ignored: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'np-lint-'));
  scratch.push(dir);
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'scripts'));
  for (const script of ['lint-shell', 'lint-go']) {
    copyFileSync(join(root, 'scripts', script), join(dir, 'scripts', script));
    chmodSync(join(dir, 'scripts', script), 0o755);
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, '.gitignore'), ignored.map((p) => `${p}\n`).join(''));
  return dir;
}

function run(dir: string, script: string, ...args: string[]) {
  return spawnSync(join(dir, 'scripts', script), args, { cwd: dir, encoding: 'utf8' });
}

describe('scripts/lint-shell', () => {
  it('lists .sh files, sh and bash shebangs and shellcheck shell= directives, tracked or new, nothing else', () => {
    const dir = repo(
      {
        'tools/deploy': '#!/usr/bin/env bash\necho deploy\n',
        'tools/posix': '#!/bin/sh\necho posix\n',
        'tools/helper.sh': 'echo helper\n',
        'tools/sourced': '# shellcheck shell=bash\nhelper() { :; }\n',
        'tools/report.py': '#!/usr/bin/env python3\nprint(1)\n',
        'tools/bashful.txt': 'not a script, though it mentions #!/bin/bash\n',
        'node_modules/pkg/install.sh': 'echo ignored\n',
      },
      ['node_modules/'],
    );
    execFileSync('git', ['add', 'tools/deploy', 'tools/helper.sh'], { cwd: dir });
    const listed = run(dir, 'lint-shell', '--list');
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(
      ['scripts/lint-go', 'scripts/lint-shell', 'tools/deploy', 'tools/helper.sh', 'tools/posix', 'tools/sourced'].sort(),
    );
  });

  it('fails on a finding and passes once it is fixed', () => {
    const dir = repo({ 'tools/loop': '#!/usr/bin/env bash\nfor f in $(ls); do echo $f; done\n' });
    const bad = run(dir, 'lint-shell');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain('tools/loop');
    writeFileSync(join(dir, 'tools/loop'), '#!/usr/bin/env bash\nfor f in *; do echo "$f"; done\n');
    const good = run(dir, 'lint-shell');
    expect(good.stdout).toContain('no findings');
    expect(good.status).toBe(0);
  });
});

describe('scripts/lint-go', () => {
  it('refuses a Go file that no module holds, naming it, before running anything', () => {
    const dir = repo({
      'tools/ok/go.mod': 'module example.test/ok\n\ngo 1.22\n',
      'tools/ok/main.go': 'package main\n\nfunc main() {}\n',
      'tools/stray/main.go': 'package main\n\nfunc main() {}\n',
    });
    const result = run(dir, 'lint-go');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Go files outside any module');
    expect(result.stderr).toContain('tools/stray/main.go');
    expect(result.stderr).not.toContain('tools/ok/main.go');
    expect(result.stdout).not.toContain('go vet');
  });
});

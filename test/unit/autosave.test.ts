/**
 * assets/autosave.sh against real git: a local bare repository is the remote, a clone of it is
 * the session's work tree.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, eventually, git, gitOk, remoteAndClone, runScript, Scratch, startScript, stopScript } from './manifests/session-support';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

const BRANCH = 'autosave/analysis';

function setup(extra: Record<string, string> = {}) {
  const { remote, work, base } = remoteAndClone(scratch);
  // The helper's own directories are outside the home (base), as in the pod.
  const helper = scratch.dir('np-helper-');
  const env = cleanEnv(base, {
    AUTOSAVE_WORK_TREE: work,
    AUTOSAVE_REMOTE: remote,
    AUTOSAVE_BRANCH: BRANCH,
    NOTEBOOK_HOME: base,
    AUTOSAVE_STATE_DIR: join(helper, 'state'),
    AUTOSAVE_GIT_DIR: join(helper, 'git'),
    AUTOSAVE_MAX_FILE_SIZE_MB: '1',
    ...extra,
  });
  const once = (more: Record<string, string> = {}) => runScript('autosave.sh', { ...env, ...more }, ['--once']);
  const remoteFiles = () => git(remote, 'ls-tree', '-r', '--name-only', BRANCH).split('\n').filter(Boolean);
  const remoteFile = (path: string) => git(remote, 'show', `${BRANCH}:${path}`);
  return { remote, work, base, env, once, remoteFiles, remoteFile };
}

describe('autosave.sh --once', () => {
  it('commits changed and new files and pushes them to the autosave branch', () => {
    const { work, once, remoteFiles, remoteFile, remote } = setup();
    writeFileSync(join(work, 'README.md'), '# project\nedited\n');
    mkdirSync(join(work, 'notebooks'));
    writeFileSync(join(work, 'notebooks', 'analysis.ipynb'), '{"cells": []}\n');
    const result = once();
    expect(result.status).toBe(0);
    expect(remoteFiles()).toEqual(['.gitignore', 'README.md', 'notebooks/analysis.ipynb']);
    expect(remoteFile('README.md')).toBe('# project\nedited');
    // The snapshot builds on the checked-out history.
    expect(git(remote, 'rev-parse', `${BRANCH}^`)).toBe(git(remote, 'rev-parse', 'main'));
  });

  it('never touches the user\'s HEAD, branch, index or files', () => {
    const { work, once } = setup();
    writeFileSync(join(work, 'README.md'), 'edited\n');
    writeFileSync(join(work, 'new.txt'), 'new\n');
    git(work, 'add', 'new.txt');
    const before = { head: git(work, 'rev-parse', 'HEAD'), branch: git(work, 'symbolic-ref', 'HEAD'), status: git(work, 'status', '--porcelain') };
    expect(once().status).toBe(0);
    expect({ head: git(work, 'rev-parse', 'HEAD'), branch: git(work, 'symbolic-ref', 'HEAD'), status: git(work, 'status', '--porcelain') }).toEqual(before);
    expect(readFileSync(join(work, 'README.md'), 'utf8')).toBe('edited\n');
  });

  it('skips files over the size limit and .gitignore\'d files', () => {
    const { work, once, remoteFiles } = setup();
    writeFileSync(join(work, 'big.csv'), Buffer.alloc(1024 * 1024 + 1, 'x'));
    writeFileSync(join(work, 'just-under.csv'), Buffer.alloc(1024 * 1024, 'y'));
    writeFileSync(join(work, 'debug.log'), 'ignored\n');
    writeFileSync(join(work, 'kept.py'), 'print(1)\n');
    const result = once();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('not saving big.csv');
    expect(remoteFiles()).toEqual(['.gitignore', 'README.md', 'just-under.csv', 'kept.py']);
  });

  it('handles names with spaces and glob characters literally', () => {
    const { work, once, remoteFiles } = setup();
    writeFileSync(join(work, 'my notes.md'), 'a\n');
    writeFileSync(join(work, '*.md'), 'star\n');
    expect(once().status).toBe(0);
    expect(remoteFiles()).toEqual(expect.arrayContaining(['my notes.md', '*.md']));
  });

  it('records deletions', () => {
    const { work, once, remoteFiles } = setup();
    writeFileSync(join(work, 'tmp.txt'), 'soon gone\n');
    expect(once().status).toBe(0);
    expect(remoteFiles()).toContain('tmp.txt');
    execFileSync('rm', [join(work, 'tmp.txt'), join(work, 'README.md')]);
    expect(once().status).toBe(0);
    expect(remoteFiles()).toEqual(['.gitignore']);
  });

  it('does not commit when nothing changed', () => {
    const { work, once, remote } = setup();
    writeFileSync(join(work, 'a.txt'), 'a\n');
    expect(once().status).toBe(0);
    const first = git(remote, 'rev-parse', BRANCH);
    expect(once().status).toBe(0);
    expect(git(remote, 'rev-parse', BRANCH)).toBe(first);
  });

  it('chains snapshots: each push fast-forwards the branch', () => {
    const { work, once, remote } = setup();
    writeFileSync(join(work, 'a.txt'), '1\n');
    expect(once().status).toBe(0);
    const first = git(remote, 'rev-parse', BRANCH);
    writeFileSync(join(work, 'a.txt'), '2\n');
    expect(once().status).toBe(0);
    expect(git(remote, 'rev-parse', `${BRANCH}^`)).toBe(first);
  });

  it('starts its git directory afresh after a push once it is over AUTOSAVE_GIT_MAX_MB; the next snapshot chains on the pushed tip', () => {
    const { work, once, remote } = setup({ AUTOSAVE_GIT_MAX_MB: '0' });
    writeFileSync(join(work, 'a.txt'), '1\n');
    const first = once();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('starting it afresh');
    const pushed = git(remote, 'rev-parse', BRANCH);
    writeFileSync(join(work, 'a.txt'), '2\n');
    expect(once().status).toBe(0);
    expect(git(remote, 'rev-parse', `${BRANCH}^`)).toBe(pushed);
    expect(git(remote, 'show', `${BRANCH}:a.txt`)).toBe('2');
  });

  it('recovers from a failed push on the next attempt, with the work done meanwhile', () => {
    const { work, once, remote, remoteFiles } = setup();
    writeFileSync(join(work, 'zero.txt'), 'online\n');
    expect(once().status).toBe(0);
    const away = `${remote}.away`;
    renameSync(remote, away); // the remote is unreachable
    writeFileSync(join(work, 'first.txt'), 'while offline\n');
    const failed = once();
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/saved [0-9a-f]{40}/);
    expect(failed.stderr).toContain('push to autosave/analysis failed');
    renameSync(away, remote);
    writeFileSync(join(work, 'second.txt'), 'after\n');
    expect(once().status).toBe(0);
    expect(remoteFiles()).toEqual(expect.arrayContaining(['zero.txt', 'first.txt', 'second.txt']));
  });

  it('saves nothing until the remote can be reached when there is no snapshot yet (where snapshots start is on the remote)', () => {
    const { work, once, remote, remoteFiles } = setup();
    const away = `${remote}.away`;
    renameSync(remote, away);
    writeFileSync(join(work, 'first.txt'), 'while offline\n');
    const failed = once();
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('cannot reach the remote');
    expect(failed.stderr).not.toMatch(/saved [0-9a-f]{40}/);
    renameSync(away, remote);
    expect(once().status).toBe(0);
    expect(remoteFiles()).toContain('first.txt');
  });

  it('never force-pushes: when the remote branch moved, its history is kept and merged', () => {
    const { work, once, remote, base, remoteFile } = setup();
    writeFileSync(join(work, 'mine.txt'), 'v1\n');
    expect(once().status).toBe(0);
    // Someone else (another pod of the session) pushes to the autosave branch.
    const other = join(base, 'other');
    git(base, 'clone', '--quiet', '--branch', BRANCH, remote, other);
    writeFileSync(join(other, 'theirs.txt'), 'theirs\n');
    git(other, 'add', 'theirs.txt');
    git(other, 'commit', '--quiet', '-m', 'their work');
    git(other, 'push', '--quiet', 'origin', BRANCH);
    const theirs = git(remote, 'rev-parse', BRANCH);

    writeFileSync(join(work, 'mine.txt'), 'v2\n');
    const result = once();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('moved; merged its history');
    // Their commit is still in the branch's history: the push was a fast-forward.
    expect(gitOk(remote, 'merge-base', '--is-ancestor', theirs, BRANCH)).toBe(true);
    expect(git(remote, 'rev-list', '--parents', '-n', '1', BRANCH).split(' ')).toHaveLength(3);
    expect(remoteFile('mine.txt')).toBe('v2');
  });

  it('refuses a remote that rejects non-fast-forwards without losing anything (receive.denyNonFastForwards)', () => {
    const { work, once, remote } = setup();
    git(remote, 'config', 'receive.denyNonFastForwards', 'true');
    git(remote, 'config', 'receive.denyDeletes', 'true');
    for (const version of ['1', '2', '3']) {
      writeFileSync(join(work, 'a.txt'), `${version}\n`);
      expect(once().status).toBe(0);
    }
    expect(git(remote, 'rev-list', '--count', BRANCH)).toBe('4');
  });

  it('does not run the repository\'s hooks (they could read the credentials)', () => {
    const { work, once, base } = setup();
    const marker = join(base, 'hook-ran');
    const hook = join(work, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(hook, 0o755);
    writeFileSync(join(work, 'a.txt'), 'a\n');
    expect(once().status).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('rejects bad settings with exit 2', () => {
    const { env } = setup();
    expect(runScript('autosave.sh', { ...env, AUTOSAVE_DEBOUNCE_SECONDS: 'soon' }, ['--once']).status).toBe(2);
    expect(runScript('autosave.sh', { ...env, AUTOSAVE_BRANCH: 'bad..branch' }, ['--once']).status).toBe(2);
    expect(runScript('autosave.sh', { ...env }, ['--bogus']).status).toBe(2);
    const missing = runScript('autosave.sh', { ...env, AUTOSAVE_REMOTE: '' }, ['--once']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('AUTOSAVE_REMOTE is required');
  });

  it('AUTOSAVE_ONCE=1 works like --once', () => {
    const { work, env, remoteFiles } = setup();
    writeFileSync(join(work, 'a.txt'), 'a\n');
    expect(runScript('autosave.sh', { ...env, AUTOSAVE_ONCE: '1' }).status).toBe(0);
    expect(remoteFiles()).toContain('a.txt');
  });
});

describe('autosave.sh as a sidecar', () => {
  /** A PATH with the tools the script needs but no inotifywait, so polling is exercised everywhere. */
  function pathWithoutInotify(): string {
    const bin = scratch.dir('np-bin-');
    for (const tool of ['bash', 'git', 'find', 'sort', 'cksum', 'stat', 'wc', 'sleep', 'date', 'mkdir', 'cat', 'dirname', 'chmod', 'rm', 'env', 'sh', 'dd', 'xargs', 'readlink', 'du', 'cut']) {
      const found = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(found, join(bin, tool));
    }
    // git runs its helpers from its exec path, independent of PATH.
    return bin;
  }

  const fast = { AUTOSAVE_DEBOUNCE_SECONDS: '1', AUTOSAVE_POLL_SECONDS: '1', AUTOSAVE_RETRY_SECONDS: '1', AUTOSAVE_RETRY_MAX_SECONDS: '2' };

  it('falls back to polling without inotifywait, saves after changes, retries failed pushes and saves on SIGTERM', async () => {
    const { work, env, remote } = setup(fast);
    const away = `${remote}.away`;
    renameSync(remote, away); // unreachable from the start
    const { child, log } = startScript('autosave.sh', { ...env, PATH: pathWithoutInotify() });
    try {
      await eventually(() => log().includes('watching'), 10_000, 'start');
      expect(log()).toContain('(poll)');
      writeFileSync(join(work, 'offline.txt'), 'written while the remote is away\n');
      await eventually(() => (log().match(/retrying in/g) ?? []).length >= 2, 15_000, 'retries');
      expect(log()).toContain('cannot reach the remote');
      expect(child.exitCode).toBeNull(); // still running
      renameSync(away, remote);
      await eventually(() => gitOk(remote, 'cat-file', '-e', `${BRANCH}:offline.txt`), 15_000, 'the push after recovery');

      // A later change is saved after the debounce period.
      writeFileSync(join(work, 'later.txt'), 'later\n');
      await eventually(() => gitOk(remote, 'cat-file', '-e', `${BRANCH}:later.txt`), 15_000, 'the debounced save');

      // On SIGTERM it saves once more and exits cleanly.
      writeFileSync(join(work, 'last.txt'), 'last words\n');
      expect(await stopScript(child)).toBe(0);
      expect(gitOk(remote, 'cat-file', '-e', `${BRANCH}:last.txt`)).toBe(true);
    } finally {
      await stopScript(child);
    }
  }, 60_000);

  it('in the default watch mode (inotifywait when installed), saves a change after the debounce period', async () => {
    const { work, env, remote } = setup(fast);
    const { child, log } = startScript('autosave.sh', env);
    try {
      await eventually(() => log().includes('watching'), 10_000, 'start');
      expect(log()).toMatch(/\((inotify|poll)\)/);
      mkdirSync(join(work, 'deep', 'er'), { recursive: true });
      writeFileSync(join(work, 'deep', 'er', 'nested.txt'), 'nested\n');
      await eventually(() => gitOk(remote, 'cat-file', '-e', `${BRANCH}:deep/er/nested.txt`), 15_000, 'the save');
      writeFileSync(join(work, 'deep', 'er', 'nested.txt'), 'changed\n');
      await eventually(() => git(remote, 'show', `${BRANCH}:deep/er/nested.txt`) === 'changed', 15_000, 'the second save');
    } finally {
      await stopScript(child);
    }
  }, 60_000);

  it('falls back to polling when inotifywait dies (e.g. out of watches)', async () => {
    const { work, env, remote } = setup(fast);
    const bin = pathWithoutInotify();
    writeFileSync(join(bin, 'inotifywait'), '#!/bin/sh\necho "Failed to watch; upper limit on inotify watches reached!" >&2\nexit 1\n');
    chmodSync(join(bin, 'inotifywait'), 0o755);
    for (const tool of ['grep', 'tail', 'kill']) {
      const found = execFileSync('bash', ['-c', `command -v ${tool} || true`], { encoding: 'utf8' }).trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const { child, log } = startScript('autosave.sh', { ...env, PATH: bin, AUTOSAVE_WATCH: 'inotify' });
    try {
      writeFileSync(join(work, 'a.txt'), 'a\n');
      await eventually(() => log().includes('polling instead'), 15_000, 'the fallback');
      expect(log()).toContain('upper limit on inotify watches');
      writeFileSync(join(work, 'b.txt'), 'b\n');
      await eventually(() => gitOk(remote, 'cat-file', '-e', `${BRANCH}:b.txt`), 15_000, 'a save while polling');
    } finally {
      await stopScript(child);
    }
  }, 60_000);

  it('AUTOSAVE_WATCH=inotify without inotifywait is a configuration error', () => {
    const { env } = setup();
    const result = runScript('autosave.sh', { ...env, PATH: pathWithoutInotify(), AUTOSAVE_WATCH: 'inotify' }, ['--once']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('inotifywait is not installed');
  });
});

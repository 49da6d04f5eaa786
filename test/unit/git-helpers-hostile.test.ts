/**
 * The git helpers (assets/autosave.sh, assets/prepare-home.sh) against a hostile user. The
 * notebook user controls the home, every .git in it and (here, to show that it does not matter)
 * the helpers' environment; the helpers hold git credentials. Each case plants one way to make a
 * git process that holds them run the user's command, read the Secret's files or talk to a place
 * the user chose, then checks that the secret is nowhere the user can see: not in the scripts'
 * output (the pod log), not in any file of the home (the objects of every repository in it
 * included), not in any object of the remote, and that no planted command ran (each one leaves a
 * marker file first). Real bash and git; remotes are local bare repositories or servers on
 * loopback that the test starts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { cleanEnv, git, runScriptAsync, Scratch, type ScriptResult } from './manifests/session-support';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

const BRANCH = 'autosave/analysis';
const REAL_GIT = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** A home with a clone in ~/code, a remote outside it, and the helper's Secret outside it. */
interface World {
  readonly home: string;
  readonly work: string;
  readonly remote: string;
  readonly remoteUrl: string;
  readonly secretDir: string;
  readonly secret: string;
  /** Created by any command of the user's that runs. */
  readonly marker: string;
  /** The user's command: marks, then prints the secret to stdout and stderr and into the home. */
  readonly evil: string;
  readonly env: NodeJS.ProcessEnv;
}

function world(extra: Record<string, string> = {}): World {
  const base = scratch.dir('np-hostile-');
  const home = join(base, 'home');
  mkdirSync(home);
  const remote = join(base, 'remote.git');
  git(base, 'init', '--quiet', '--bare', remote);
  const seed = join(base, 'seed');
  git(base, 'init', '--quiet', seed);
  writeFileSync(join(seed, 'README.md'), '# project\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'initial');
  git(seed, 'push', '--quiet', remote, 'main');
  const work = join(home, 'code');
  git(home, 'clone', '--quiet', remote, work);
  writeFileSync(join(work, 'notes.txt'), 'my work\n');
  const helper = join(base, 'helper');
  const secretDir = join(helper, 'git-secret');
  mkdirSync(secretDir, { recursive: true });
  const secret = `np-secret-${randomBytes(16).toString('hex')}`;
  writeFileSync(join(secretDir, 'token'), `${secret}\n`);
  writeFileSync(join(secretDir, 'ssh-privatekey'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n-----END OPENSSH PRIVATE KEY-----\n`);
  writeFileSync(join(secretDir, 'known_hosts'), '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINotARealKeyOnlyForTheHostileTest00000000\n');
  const marker = join(base, 'user-command-ran');
  const evil = join(home, 'evil.sh');
  const token = join(secretDir, 'token');
  writeFileSync(evil, `#!/bin/sh\ntouch '${marker}'\ncat '${token}'\ncat '${token}' >&2\ncat '${token}' >'${home}/leaked'\nexit 0\n`, { mode: 0o755 });
  const remoteUrl = `file://${remote}`;
  const env = cleanEnv(home, {
    NOTEBOOK_HOME: home,
    AUTOSAVE_WORK_TREE: work,
    AUTOSAVE_REMOTE: remoteUrl,
    AUTOSAVE_BRANCH: BRANCH,
    AUTOSAVE_STATE_DIR: join(helper, 'state'),
    AUTOSAVE_GIT_DIR: join(helper, 'git'),
    GIT_CREDENTIALS: 'none',
    GIT_SECRET_DIR: secretDir,
    ...extra,
  });
  return { home, work, remote, remoteUrl, secretDir, secret, marker, evil, env };
}

const autosave = (w: World, more: Record<string, string> = {}, cwd?: string) => runScriptAsync('autosave.sh', { ...w.env, ...more }, ['--once'], { cwd });
const config = (repo: string, key: string, value: string) => git(repo, 'config', '--add', key, value);

/** Every object of a repository, as text (for the remote: git of the test, the remote is ours). */
function objectsOf(gitDir: string): string {
  const result = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '--batch-all-objects', '--batch'], { env: cleanEnv(gitDir), encoding: 'latin1', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`cannot read the objects of ${gitDir}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Files under `dir` (links not followed) that hold `secret`: as they are, and inflated for loose
 * git objects, so whatever a git process wrote into a repository of the home counts without
 * running git on a config the user wrote.
 */
function filesHolding(dir: string, secret: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
      return;
    }
    if (!stat.isFile()) return;
    const content = readFileSync(path);
    let text = content.toString('latin1');
    if (/\/objects\/[0-9a-f]{2}\/[0-9a-f]{38}$/.test(path)) {
      try {
        text += inflateSync(content).toString('latin1');
      } catch {
        // not a loose object after all
      }
    }
    if (text.includes(secret)) found.push(path);
  };
  walk(dir);
  return found;
}

function expectNoLeak(w: World, result: ScriptResult): void {
  expect(existsSync(w.marker)).toBe(false);
  expect(result.stdout).not.toContain(w.secret);
  expect(result.stderr).not.toContain(w.secret);
  expect(filesHolding(w.home, w.secret)).toEqual([]);
  expect(objectsOf(w.remote)).not.toContain(w.secret);
}

/** The work was saved: the autosave branch holds exactly the work tree's files. */
function expectSaved(w: World, result: ScriptResult, files = ['README.md', 'notes.txt']): void {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  expect(git(w.remote, 'show', `${BRANCH}:notes.txt`)).toBe('my work');
  expect(git(w.remote, 'ls-tree', '-r', '--name-only', BRANCH).split('\n').filter((f) => !f.startsWith('.git'))).toEqual(files);
}

/** A bare repository in the home that the user would like pushes to go to. */
function userRemote(w: World): string {
  const evil = join(w.home, 'evil.git');
  git(w.home, 'init', '--quiet', '--bare', evil);
  return evil;
}
const refsOf = (gitDir: string) => git(gitDir, 'for-each-ref', '--format=%(refname)');

/** The home itself made a repository whose config runs the user's command and redirects every URL. */
function homeRepository(w: World, evilRemote: string): void {
  git(w.home, 'init', '--quiet');
  config(w.home, 'core.fsmonitor', w.evil);
  config(w.home, 'core.hooksPath', join(w.home, 'hooks'));
  config(w.home, `url.file://${evilRemote}.insteadOf`, w.remoteUrl);
  config(w.home, 'protocol.ext.allow', 'always');
  config(w.home, 'include.path', join(w.secretDir, 'token'));
  mkdirSync(join(w.home, 'hooks'), { recursive: true });
  for (const hook of ['post-checkout', 'reference-transaction', 'pre-push']) {
    copyFileSync(w.evil, join(w.home, 'hooks', hook));
    chmodSync(join(w.home, 'hooks', hook), 0o755);
  }
}

/** An HTTP server on loopback that records every request and asks for credentials. */
async function trap(): Promise<{ url: string; port: number; requests: { url: string; authorization?: string }[]; close: () => Promise<void> }> {
  const requests: { url: string; authorization?: string }[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization ?? request.headers['proxy-authorization'] });
    response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="trap"', 'Proxy-Authenticate': 'Basic realm="trap"' });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const decoded = (requests: { authorization?: string }[]) =>
  requests.map((r) => (r.authorization ? Buffer.from(r.authorization.replace(/^Basic /, ''), 'base64').toString('latin1') : '')).join('\n');

/** A `git` first on PATH (outside the home, so the helpers keep it) that logs each call: working directory, GIT_DIR, arguments. */
function loggingGit(): { bin: string; calls: () => { cwd: string; gitDir: string; args: string }[] } {
  const bin = scratch.dir('np-git-log-');
  const log = join(bin, 'calls.log');
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' "$PWD" "\${GIT_DIR:-}" "$*" >>'${log}'\nexec '${REAL_GIT}' "$@"\n`, { mode: 0o755 });
  const calls = () =>
    (existsSync(log) ? readFileSync(log, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [cwd, gitDir, args] = line.split('\t');
        return { cwd, gitDir, args };
      });
  return { bin, calls };
}

/** A call that could open a repository in the home: it runs there, names it as GIT_DIR or passes a path in it. */
const touchesHome = (home: string) => (call: { cwd: string; gitDir: string; args: string }) =>
  call.gitDir.startsWith(home) || (call.gitDir === '' && (call.cwd + '/').startsWith(home + '/')) || call.args.includes(home);

describe('autosave.sh with a hostile repository: the secret never leaves, no command of the user runs', () => {
  it('a filter.<x>.clean/smudge driver in .git/config and .gitattributes', async () => {
    const w = world();
    config(w.work, 'filter.leak.clean', w.evil);
    config(w.work, 'filter.leak.smudge', w.evil);
    config(w.work, 'filter.leak.required', 'true');
    writeFileSync(join(w.work, '.gitattributes'), '* filter=leak\n');
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
    // The file is stored as it is on disk, no filter applied.
    expect(git(w.remote, 'show', `${BRANCH}:.gitattributes`)).toBe('* filter=leak');
  });

  it('a long-running filter.<x>.process driver selected in .git/info/attributes', async () => {
    const w = world();
    config(w.work, 'filter.leak.process', w.evil);
    writeFileSync(join(w.work, '.git', 'info', 'attributes'), '* filter=leak\n');
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('core.fsmonitor', async () => {
    const w = world();
    config(w.work, 'core.fsmonitor', w.evil);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('core.sshCommand (an ssh remote)', async () => {
    // Nothing listens on port 1 of loopback: the helper's own ssh fails at once.
    const w = world({ AUTOSAVE_REMOTE: 'ssh://git@127.0.0.1:1/repo.git' });
    config(w.work, 'core.sshCommand', w.evil);
    config(w.work, 'core.gitProxy', w.evil);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expect(result.status).toBe(1);
  });

  it('core.gitProxy (a git:// remote)', async () => {
    const w = world({ AUTOSAVE_REMOTE: 'git://127.0.0.1:1/repo.git' });
    config(w.work, 'core.gitProxy', w.evil);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expect(result.status).toBe(1);
  });

  it('core.hooksPath and hooks in .git/hooks', async () => {
    const w = world();
    const hooks = join(w.home, 'hooks');
    mkdirSync(hooks);
    for (const hook of ['pre-push', 'reference-transaction', 'post-index-change', 'pre-commit', 'post-commit', 'pre-auto-gc', 'post-checkout']) {
      copyFileSync(w.evil, join(hooks, hook));
      copyFileSync(w.evil, join(w.work, '.git', 'hooks', hook));
      chmodSync(join(hooks, hook), 0o755);
      chmodSync(join(w.work, '.git', 'hooks', hook), 0o755);
    }
    config(w.work, 'core.hooksPath', hooks);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('credential.helper (an https-style remote asking for credentials): only the token, only to the remote', async () => {
    const remote = await trap();
    try {
      const url = `${remote.url}/repo.git`;
      const w = world({ AUTOSAVE_REMOTE: url, GIT_CREDENTIALS: 'token', GIT_USERNAME: 'oauth2' });
      config(w.work, 'credential.helper', `!${w.evil}`);
      config(w.work, `credential.${remote.url}.helper`, `!${w.evil}`);
      const result = await autosave(w);
      expectNoLeak(w, result);
      expect(result.status).toBe(1); // the trap never lets anyone in
      // The helper did ask the configured remote, with the configured token.
      expect(remote.requests.length).toBeGreaterThan(0);
      expect(remote.requests.every((r) => r.url.startsWith('/repo.git/'))).toBe(true);
    } finally {
      await remote.close();
    }
  });

  it('include.path and includeIf pointing at the Secret\'s files', async () => {
    const w = world();
    config(w.work, 'include.path', join(w.secretDir, 'token'));
    config(w.work, `includeIf.gitdir:${w.work}/.git.path`, join(w.secretDir, 'ssh-privatekey'));
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('url.<x>.insteadOf and pushInsteadOf redirecting the push to a place the user controls', async () => {
    const w = world();
    const evil = userRemote(w);
    config(w.work, `url.file://${evil}.insteadOf`, w.remoteUrl);
    config(w.work, `url.file://${evil}.pushInsteadOf`, w.remoteUrl);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
    expect(refsOf(evil)).toBe('');
  });

  it('remote.<name>.pushurl for a remote named after the configured URL', async () => {
    const w = world();
    const evil = userRemote(w);
    config(w.work, `remote.${w.remoteUrl}.url`, w.remoteUrl);
    config(w.work, `remote.${w.remoteUrl}.pushurl`, `file://${evil}`);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
    expect(refsOf(evil)).toBe('');
  });

  it('an ext:: transport reached through URL rewriting, with protocol.ext.allow', async () => {
    const w = world();
    config(w.work, 'protocol.allow', 'always');
    config(w.work, 'protocol.ext.allow', 'always');
    config(w.work, `url.ext::${w.evil}.insteadOf`, w.remoteUrl);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('http.proxy: neither the push nor the token goes to a proxy the user chose', async () => {
    const remote = await trap();
    const proxy = await trap();
    try {
      const w = world({ AUTOSAVE_REMOTE: `${remote.url}/repo.git`, GIT_CREDENTIALS: 'token' });
      config(w.work, 'http.proxy', proxy.url);
      config(w.work, `http.${remote.url}/.proxy`, proxy.url);
      const result = await autosave(w);
      expectNoLeak(w, result);
      expect(proxy.requests).toEqual([]);
      expect(decoded(proxy.requests)).not.toContain(w.secret);
      expect(remote.requests.length).toBeGreaterThan(0);
    } finally {
      await remote.close();
      await proxy.close();
    }
  });

  it('core.worktree pointing at the Secret\'s directory', async () => {
    const w = world();
    config(w.work, 'core.worktree', w.secretDir);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('a .git file (gitdir:) naming a repository whose work tree is the Secret\'s directory', async () => {
    const w = world();
    const elsewhere = join(w.home, 'elsewhere.git');
    renameSync(join(w.work, '.git'), elsewhere);
    writeFileSync(join(w.work, '.git'), `gitdir: ${elsewhere}\n`);
    config(elsewhere, 'core.worktree', w.secretDir);
    const result = await autosave(w);
    expectNoLeak(w, result);
    // No .git directory: the snapshot has no parent, and holds the work tree.
    expect(result.status).toBe(0);
    expect(git(w.remote, 'show', `${BRANCH}:notes.txt`)).toBe('my work');
    expect(git(w.remote, 'ls-tree', '-r', '--name-only', BRANCH).split('\n')).not.toContain('token');
  });

  it('objects/info/alternates linked to the Secret (git would print the lines it cannot use)', async () => {
    const w = world();
    symlinkSync(join(w.secretDir, 'token'), join(w.work, '.git', 'objects', 'info', 'alternates'));
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('symbolic links in the tree to the Secret\'s file and directory are stored as links, never followed', async () => {
    const w = world();
    symlinkSync(join(w.secretDir, 'ssh-privatekey'), join(w.work, 'key'));
    symlinkSync(w.secretDir, join(w.work, 'secrets'));
    mkdirSync(join(w.work, 'deep'));
    symlinkSync(join(w.secretDir, 'token'), join(w.work, 'deep', 'token'));
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result, ['README.md', 'deep/token', 'key', 'notes.txt', 'secrets']);
    expect(git(w.remote, 'ls-tree', BRANCH, 'key')).toMatch(/^120000 blob /);
    expect(git(w.remote, 'show', `${BRANCH}:key`)).toBe(join(w.secretDir, 'ssh-privatekey'));
  });

  it('.gitignore and .gitattributes linked to the Secret\'s files (git never reads them through the link), and a FIFO that would block a reader', async () => {
    const w = world();
    symlinkSync(join(w.secretDir, 'token'), join(w.work, '.gitignore'));
    symlinkSync(join(w.secretDir, 'ssh-privatekey'), join(w.work, '.gitattributes'));
    execFileSync('mkfifo', [join(w.work, 'pipe')]);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expectSaved(w, result);
    expect(git(w.remote, 'ls-tree', BRANCH, '.gitignore')).toMatch(/^120000 blob /);
  });

  it('the work tree itself replaced by a symbolic link to the Secret\'s directory', async () => {
    const w = world();
    renameSync(w.work, join(w.home, 'code-was-here'));
    symlinkSync(w.secretDir, w.work);
    const result = await autosave(w);
    expectNoLeak(w, result);
    expect(result.status).not.toBe(0);
    expect(refsOf(w.remote)).toBe('refs/heads/main');
  });

  it('GIT_CONFIG_* variables in the environment (a filter and an attributes file)', async () => {
    const w = world();
    const attributes = join(w.home, 'attributes');
    writeFileSync(attributes, '* filter=env\n');
    const result = await autosave(w, {
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'filter.env.clean',
      GIT_CONFIG_VALUE_0: w.evil,
      GIT_CONFIG_KEY_1: 'core.attributesFile',
      GIT_CONFIG_VALUE_1: attributes,
      GIT_CONFIG_KEY_2: 'filter.env.required',
      GIT_CONFIG_VALUE_2: 'true',
      GIT_CONFIG_PARAMETERS: `'core.fsmonitor'='${w.evil}'`,
    });
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('GIT_WORK_TREE, GIT_DIR and GIT_INDEX_FILE in the environment pointing elsewhere', async () => {
    const w = world();
    const elsewhere = join(w.home, 'elsewhere.git');
    git(w.home, 'init', '--quiet', '--bare', elsewhere);
    config(elsewhere, 'filter.leak.clean', w.evil);
    const result = await autosave(w, {
      GIT_DIR: elsewhere,
      GIT_WORK_TREE: w.secretDir,
      GIT_INDEX_FILE: join(w.home, 'index'),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: w.secretDir,
    });
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('a submodule whose own repository fetches and pushes through ext::, with fetch and push recursion', async () => {
    const w = world();
    // Someone else's work on the autosave branch: the helper has to fetch it.
    const other = join(w.home, '..', 'seed');
    writeFileSync(join(other, 'theirs.txt'), 'theirs\n');
    git(other, 'add', 'theirs.txt');
    git(other, 'commit', '--quiet', '-m', 'their work');
    git(other, 'push', '--quiet', w.remote, `HEAD:refs/heads/${BRANCH}`);
    const sub = join(w.work, 'lib');
    git(w.work, 'init', '--quiet', sub);
    writeFileSync(join(sub, 'lib.py'), 'x = 1\n');
    git(sub, 'add', '.');
    git(sub, 'commit', '--quiet', '-m', 'lib');
    config(sub, 'protocol.ext.allow', 'always');
    config(sub, 'remote.origin.url', `ext::${w.evil}`);
    config(sub, 'core.fsmonitor', w.evil);
    writeFileSync(join(w.work, '.gitmodules'), `[submodule "lib"]\n\tpath = lib\n\turl = ext::${w.evil}\n`);
    config(w.work, 'push.recurseSubmodules', 'on-demand');
    config(w.work, 'fetch.recurseSubmodules', 'yes');
    config(w.work, 'submodule.recurse', 'true');
    config(w.work, 'submodule.lib.url', `ext::${w.evil}`);
    config(w.work, 'submodule.lib.active', 'true');
    config(w.work, 'protocol.ext.allow', 'always');
    const result = await autosave(w);
    expectNoLeak(w, result);
    // The nested repository is not saved: it is a repository of its own.
    expect(result.stderr).toContain('not saving lib/: a git repository of its own');
    expectSaved(w, result, ['README.md', 'notes.txt']);
  });

  it('a git planted on PATH inside the home', async () => {
    const w = world();
    const bin = join(w.home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\n'${w.evil}' >/dev/null 2>&1\nexec '${REAL_GIT}' "$@"\n`, { mode: 0o755 });
    const result = await autosave(w, { PATH: `${bin}:${w.env.PATH}` });
    expectNoLeak(w, result);
    expectSaved(w, result);
  });

  it('started in the home (the image\'s working directory), which is itself a repository with hostile settings', async () => {
    const w = world();
    const evilRemote = userRemote(w);
    homeRepository(w, evilRemote);
    const result = await autosave(w, {}, w.home);
    expectNoLeak(w, result);
    expectSaved(w, result);
    expect(refsOf(evilRemote)).toBe('');
  });

  it('no git process opens the user\'s repository: none runs in the home, names it or gets it as GIT_DIR', async () => {
    const w = world();
    const { bin, calls } = loggingGit();
    const result = await autosave(w, { PATH: `${bin}:${w.env.PATH}` });
    expectSaved(w, result);
    expect(calls().length).toBeGreaterThan(5);
    expect(calls().filter(touchesHome(w.home))).toEqual([]);
  });
});

/**
 * Runs `script` (bash) in the background until `stop()`; it swaps things in the home as fast as
 * it can. Its own process group, so stopping it also stops the mv or ln it is running.
 */
function meddler(script: string): { stop: () => Promise<void> } {
  const child = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
  return {
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => setTimeout(resolve, 200));
        process.kill(-child.pid!, 'SIGKILL');
      }),
  };
}

describe('races with the owner\'s other running session', () => {
  it('autosave: a directory swapped back and forth with a link to the Secret\'s directory while saving is never read through the link', async () => {
    const w = world();
    const dir = join(w.work, 'data');
    mkdirSync(dir);
    // The same names as in the Secret's directory, so a listing taken either way names them.
    for (const name of ['token', 'ssh-privatekey']) writeFileSync(join(dir, name), `harmless ${name}\n`);
    const swap = meddler(`cd '${w.work}' && while :; do mv data data.real && ln -s '${w.secretDir}' data && rm data && mv data.real data; done`);
    try {
      for (let round = 0; round < 6; round++) {
        writeFileSync(join(w.work, 'notes.txt'), `my work ${round}\n`);
        const result = await autosave(w);
        expect(result.stdout + result.stderr).not.toContain(w.secret);
      }
    } finally {
      await swap.stop();
    }
    expectNoLeak(w, { status: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('prepare-home: a staging directory planted again and again (a .git config with hooks and an fsmonitor, or a link to the Secret) while cloning a commit', async () => {
    const w = world();
    const hooks = join(w.home, 'hooks');
    mkdirSync(hooks);
    for (const hook of ['post-checkout', 'reference-transaction', 'fsmonitor-watchman']) {
      copyFileSync(w.evil, join(hooks, hook));
      chmodSync(join(hooks, hook), 0o755);
    }
    const staging = join(w.home, '.notebook-platform', 'clone-in-progress');
    const plantedConfig = `[core]\n\thooksPath = ${hooks}\n\tfsmonitor = ${w.evil}\n\tworktree = ${w.secretDir}\n`;
    mkdirSync(join(w.home, '.notebook-platform'));
    const plant = meddler(
      `while :; do mkdir -p '${staging}/.git' 2>/dev/null && printf '${plantedConfig.replace(/\n/g, '\\n').replace(/\t/g, '\\t')}' > '${staging}/.git/config' 2>/dev/null; ` +
        `rm -rf '${staging}' 2>/dev/null; ln -s '${w.secretDir}' '${staging}' 2>/dev/null; rm -f '${staging}' 2>/dev/null; done`,
    );
    const commit = git(w.remote, 'rev-parse', 'main');
    let results: ScriptResult[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const env = { ...w.env, CODE_REPO: w.remoteUrl, CODE_REF: commit, CODE_DEPTH: '0', CODE_DIRECTORY: join(w.home, `project-${round}`), PRIVATE_DIR: join(w.secretDir, '..', 'private'), CLONE_WORK_DIR: join(w.secretDir, '..', 'clone') };
        results = [...results, await runScriptAsync('prepare-home.sh', env)];
      }
    } finally {
      await plant.stop();
    }
    for (const result of results) expectNoLeak(w, result);
  }, 120_000);
});

describe('prepare-home.sh with a hostile home: the clone runs nothing of the user\'s', () => {
  function cloneEnv(w: World, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const helper = join(w.secretDir, '..');
    return {
      ...w.env,
      CODE_REPO: w.remoteUrl,
      CODE_DIRECTORY: join(w.home, 'project'),
      PRIVATE_DIR: join(helper, 'private'),
      CLONE_WORK_DIR: join(helper, 'clone'),
      ...extra,
    };
  }
  const prepare = (env: NodeJS.ProcessEnv) => runScriptAsync('prepare-home.sh', env);

  /** Hooks (all the ones a clone could run) in a directory of the home. */
  function hooksIn(w: World): string {
    const hooks = join(w.home, 'hooks');
    mkdirSync(hooks, { recursive: true });
    for (const hook of ['post-checkout', 'reference-transaction', 'post-index-change', 'fsmonitor-watchman']) {
      copyFileSync(w.evil, join(hooks, hook));
      chmodSync(join(hooks, hook), 0o755);
    }
    return hooks;
  }

  it('GIT_CONFIG_* variables in the environment (a hooks directory, an fsmonitor)', async () => {
    const w = world();
    const result = await prepare(
      cloneEnv(w, { GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'core.hooksPath', GIT_CONFIG_VALUE_0: hooksIn(w), GIT_CONFIG_KEY_1: 'core.fsmonitor', GIT_CONFIG_VALUE_1: w.evil }),
    );
    expectNoLeak(w, result);
    expect(result.status).toBe(0);
    expect(readFileSync(join(w.home, 'project', 'README.md'), 'utf8')).toBe('# project\n');
  });

  it('a git planted on PATH inside the home', async () => {
    const w = world();
    const bin = join(w.home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\n'${w.evil}' >/dev/null 2>&1\nexec '${REAL_GIT}' "$@"\n`, { mode: 0o755 });
    const result = await prepare(cloneEnv(w, { PATH: `${bin}:${w.env.PATH}` }));
    expectNoLeak(w, result);
    expect(result.status).toBe(0);
  });

  it('started in the home (the image\'s working directory), which is itself a repository with hostile settings', async () => {
    const w = world();
    const evilRemote = userRemote(w);
    homeRepository(w, evilRemote);
    const result = await runScriptAsync('prepare-home.sh', cloneEnv(w), [], { cwd: w.home });
    expectNoLeak(w, result);
    expect(result.status).toBe(0);
    expect(readFileSync(join(w.home, 'project', 'README.md'), 'utf8')).toBe('# project\n');
    expect(refsOf(evilRemote)).toBe('');
  });

  it('a restart finds a clone whose .git the user edited (hooks, filters, fsmonitor, worktree): it is never opened', async () => {
    const w = world();
    const env = cloneEnv(w, { CODE_DIRECTORY: w.work });
    config(w.work, 'core.hooksPath', hooksIn(w));
    config(w.work, 'core.fsmonitor', w.evil);
    config(w.work, 'filter.leak.clean', w.evil);
    config(w.work, 'filter.leak.smudge', w.evil);
    config(w.work, 'core.worktree', w.secretDir);
    writeFileSync(join(w.work, '.gitattributes'), '* filter=leak\n');
    const result = await prepare(env);
    expectNoLeak(w, result);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('never touching it again');
  });

  it('no git process runs in the home while cloning (the owner\'s other session may be editing it)', async () => {
    const w = world();
    const { bin, calls } = loggingGit();
    const result = await prepare(cloneEnv(w, { PATH: `${bin}:${w.env.PATH}` }));
    expect(result.status).toBe(0);
    expect(calls().length).toBeGreaterThan(0);
    expect(calls().filter(touchesHome(w.home))).toEqual([]);
    expect(readFileSync(join(w.home, 'project', 'README.md'), 'utf8')).toBe('# project\n');
    // The copy in the home is a plain clone: the helper's settings stayed with the helper.
    expect(readFileSync(join(w.home, 'project', '.git', 'config'), 'utf8')).not.toMatch(/hooksPath|fsmonitor|sshCommand|credential|protocol/);
  });

  it('a staging directory planted as a link to the Secret\'s directory is removed, not followed', async () => {
    const w = world();
    mkdirSync(join(w.home, '.notebook-platform'), { recursive: true });
    symlinkSync(w.secretDir, join(w.home, '.notebook-platform', 'clone-in-progress'));
    const result = await prepare(cloneEnv(w));
    expectNoLeak(w, result);
    expect(result.status).toBe(0);
    expect(lstatSync(join(w.home, 'project')).isDirectory()).toBe(true);
    expect(existsSync(join(w.secretDir, 'token'))).toBe(true);
  });
});

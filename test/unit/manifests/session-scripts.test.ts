/**
 * assets/prepare-home.sh and assets/git-auth.sh with real bash and git, and the scripts
 * ConfigMap that carries them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath, assetsDirectory, SCRIPT_FILES, scriptsConfigMap, teamScriptObjects } from '../../../components/manifests/scripts';
import { names } from '../../../components/config';
import { baseConfig } from '../config/fixtures';
import { cleanEnv, git, planOf, remoteAndClone, runScript, Scratch } from './session-support';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

function home(): { home: string; env: (extra?: Record<string, string>) => NodeJS.ProcessEnv } {
  const base = scratch.dir();
  const homeDir = join(base, 'home');
  mkdirSync(homeDir);
  return {
    home: homeDir,
    env: (extra = {}) => cleanEnv(base, { NOTEBOOK_HOME: homeDir, PRIVATE_DIR: join(base, 'private'), CLONE_WORK_DIR: join(base, 'clone'), WELCOME_NOTEBOOK: assetPath('welcome.ipynb'), ...extra }),
  };
}

const entries = (dir: string) => readdirSync(dir).sort();

describe('prepare-home.sh: welcome notebook', () => {
  it('copies the welcome notebook into an empty home, writable by the user', () => {
    const { home: dir, env } = home();
    const result = runScript('prepare-home.sh', env());
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'Welcome.ipynb'), 'utf8')).toBe(readFileSync(assetPath('welcome.ipynb'), 'utf8'));
    expect(statSync(join(dir, 'Welcome.ipynb')).mode & 0o777).toBe(0o644);
  });

  it('treats a home holding only housekeeping (.cache, lost+found, its markers) as empty', () => {
    const { home: dir, env } = home();
    mkdirSync(join(dir, '.cache'));
    mkdirSync(join(dir, 'lost+found'));
    expect(runScript('prepare-home.sh', env()).status).toBe(0);
    expect(existsSync(join(dir, 'Welcome.ipynb'))).toBe(true);
  });

  it('never copies it into a home with the user\'s files, hidden ones included', () => {
    for (const existing of ['analysis.ipynb', '.bashrc']) {
      const { home: dir, env } = home();
      writeFileSync(join(dir, existing), 'mine\n');
      expect(runScript('prepare-home.sh', env()).status).toBe(0);
      expect(entries(dir)).toEqual([existing, '.notebook-platform'].sort());
    }
  });

  it('copies it on the first start only: deleting it does not bring it back', () => {
    const { home: dir, env } = home();
    expect(runScript('prepare-home.sh', env()).status).toBe(0);
    spawnSync('rm', [join(dir, 'Welcome.ipynb')]);
    expect(runScript('prepare-home.sh', env()).status).toBe(0);
    expect(existsSync(join(dir, 'Welcome.ipynb'))).toBe(false);
  });
});

describe('prepare-home.sh: fork', () => {
  function source(): string {
    const dir = join(scratch.dir(), 'source');
    mkdirSync(join(dir, 'notebooks'), { recursive: true });
    writeFileSync(join(dir, 'notebooks', 'model.ipynb'), 'source model\n');
    writeFileSync(join(dir, 'notes.md'), 'source notes\n');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    spawnSync('chmod', ['0750', join(dir, 'run.sh')]);
    mkdirSync(join(dir, '.cache'));
    writeFileSync(join(dir, '.cache', 'pip-junk'), 'x');
    mkdirSync(join(dir, '.notebook-platform'));
    writeFileSync(join(dir, '.notebook-platform', 'forked-from'), 'grandparent\n');
    return dir;
  }

  it('copies the source home once, keeping modes, without its caches and markers, and records the fork', () => {
    const { home: dir, env } = home();
    const src = source();
    const result = runScript('prepare-home.sh', env({ FORK_SOURCE: src, FORK_SESSION: 'imaging' }));
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'notebooks', 'model.ipynb'), 'utf8')).toBe('source model\n');
    expect(statSync(join(dir, 'run.sh')).mode & 0o777).toBe(0o750);
    expect(existsSync(join(dir, '.cache'))).toBe(false);
    expect(readFileSync(join(dir, '.notebook-platform', 'forked-from'), 'utf8')).toBe('imaging\n');
    // A forked home is not empty: no welcome notebook.
    expect(existsSync(join(dir, 'Welcome.ipynb'))).toBe(false);
  });

  it('never copies again: later changes on either side survive restarts', () => {
    const { home: dir, env } = home();
    const src = source();
    const forkEnv = env({ FORK_SOURCE: src, FORK_SESSION: 'imaging' });
    expect(runScript('prepare-home.sh', forkEnv).status).toBe(0);
    writeFileSync(join(dir, 'notes.md'), 'my edit\n');
    spawnSync('rm', [join(dir, 'notebooks', 'model.ipynb')]);
    writeFileSync(join(src, 'new-in-source.txt'), 'later\n');
    const again = runScript('prepare-home.sh', forkEnv);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('not copying again');
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('my edit\n');
    expect(existsSync(join(dir, 'notebooks', 'model.ipynb'))).toBe(false);
    expect(existsSync(join(dir, 'new-in-source.txt'))).toBe(false);
  });

  it('never overwrites a file already in the home', () => {
    const { home: dir, env } = home();
    writeFileSync(join(dir, 'notes.md'), 'already mine\n');
    expect(runScript('prepare-home.sh', env({ FORK_SOURCE: source() })).status).toBe(0);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('already mine\n');
    expect(existsSync(join(dir, 'notebooks', 'model.ipynb'))).toBe(true);
  });

  it('fails (and copies on the next start) when the source is not mounted', () => {
    const { home: dir, env } = home();
    const missing = runScript('prepare-home.sh', env({ FORK_SOURCE: join(dir, 'nowhere') }));
    expect(missing.status).not.toBe(0);
    expect(existsSync(join(dir, '.notebook-platform', 'forked-from'))).toBe(false);
    expect(runScript('prepare-home.sh', env({ FORK_SOURCE: source() })).status).toBe(0);
    expect(existsSync(join(dir, 'notes.md'))).toBe(true);
  });
});

describe('prepare-home.sh: persistent code', () => {
  function repo() {
    const { remote, base } = remoteAndClone(scratch);
    const seed = join(base, 'seed');
    writeFileSync(join(seed, 'v2.txt'), 'two\n');
    git(seed, 'add', 'v2.txt');
    git(seed, 'commit', '--quiet', '-m', 'second');
    git(seed, 'tag', 'v2');
    git(seed, 'checkout', '--quiet', '-b', 'feature');
    writeFileSync(join(seed, 'feature.txt'), 'f\n');
    git(seed, 'add', 'feature.txt');
    git(seed, 'commit', '--quiet', '-m', 'feature');
    git(seed, 'push', '--quiet', remote, 'main', 'feature', 'v2');
    return { url: `file://${remote}`, remote, seed };
  }

  it('clones the default branch shallowly into the code directory', () => {
    const { home: dir, env } = home();
    const { url } = repo();
    const code = join(dir, 'code');
    const result = runScript('prepare-home.sh', env({ CODE_REPO: url, CODE_DIRECTORY: code, CODE_DEPTH: '1' }));
    expect(result.status).toBe(0);
    expect(git(code, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(git(code, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(git(code, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(readFileSync(join(code, 'v2.txt'), 'utf8')).toBe('two\n');
    // Nothing of the credentials machinery is left in the repository's config.
    expect(readFileSync(join(code, '.git', 'config'), 'utf8')).not.toMatch(/credential|sshCommand/);
  });

  it('checks out a branch, a tag or a commit, with full history for depth 0', () => {
    const { url, seed } = repo();
    const cases: [string, string][] = [
      ['feature', git(seed, 'rev-parse', 'feature')],
      ['v2', git(seed, 'rev-parse', 'v2^{commit}')],
      [git(seed, 'rev-parse', 'main~1'), git(seed, 'rev-parse', 'main~1')],
    ];
    for (const [ref, commit] of cases) {
      const { home: dir, env } = home();
      const code = join(dir, 'code');
      const result = runScript('prepare-home.sh', env({ CODE_REPO: url, CODE_REF: ref, CODE_DIRECTORY: code, CODE_DEPTH: '0' }));
      expect(result.status).toBe(0);
      expect(git(code, 'rev-parse', 'HEAD')).toBe(commit);
      expect(git(code, 'rev-parse', '--is-shallow-repository')).toBe('false');
    }
  });

  it('clones once and never touches the clone again', () => {
    const { home: dir, env } = home();
    const { url, seed, remote } = repo();
    const code = join(dir, 'code');
    const codeEnv = env({ CODE_REPO: url, CODE_DIRECTORY: code });
    expect(runScript('prepare-home.sh', codeEnv).status).toBe(0);
    writeFileSync(join(code, 'README.md'), 'my uncommitted work\n');
    git(seed, 'checkout', '--quiet', 'main');
    writeFileSync(join(seed, 'upstream.txt'), 'new upstream\n');
    git(seed, 'add', 'upstream.txt');
    git(seed, 'commit', '--quiet', '-m', 'upstream');
    git(seed, 'push', '--quiet', remote, 'main');
    const again = runScript('prepare-home.sh', codeEnv);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('never touching it again');
    expect(readFileSync(join(code, 'README.md'), 'utf8')).toBe('my uncommitted work\n');
    expect(existsSync(join(code, 'upstream.txt'))).toBe(false);
  });

  it('leaves no half clone behind when cloning fails, and clones on the next start', () => {
    const { home: dir, env } = home();
    const code = join(dir, 'code');
    const failed = runScript('prepare-home.sh', env({ CODE_REPO: `file://${dir}/missing.git`, CODE_DIRECTORY: code }));
    expect(failed.status).not.toBe(0);
    expect(existsSync(code)).toBe(false);
    const { url } = repo();
    expect(runScript('prepare-home.sh', env({ CODE_REPO: url, CODE_DIRECTORY: code })).status).toBe(0);
    expect(existsSync(join(code, 'README.md'))).toBe(true);
    expect(existsSync(join(dir, '.notebook-platform', 'clone-in-progress'))).toBe(false);
  });

  it('clones an empty repository as an empty clone', () => {
    const { home: dir, env } = home();
    const empty = join(scratch.dir(), 'empty.git');
    git(dir, 'init', '--quiet', '--bare', empty);
    const code = join(dir, 'code');
    const result = runScript('prepare-home.sh', env({ CODE_REPO: `file://${empty}`, CODE_DIRECTORY: code }));
    expect(result.status).toBe(0);
    expect(entries(code)).toEqual(['.git']);
    expect(git(code, 'config', 'remote.origin.url')).toBe(`file://${empty}`);
  });

  it('does the fork before the clone, so a forked clone is kept as it is', () => {
    const { home: dir, env } = home();
    const src = join(scratch.dir(), 'source');
    mkdirSync(join(src, 'code'), { recursive: true });
    writeFileSync(join(src, 'code', 'forked.txt'), 'from the source session\n');
    const { url } = repo();
    const result = runScript('prepare-home.sh', env({ FORK_SOURCE: src, CODE_REPO: url, CODE_DIRECTORY: join(dir, 'code') }));
    expect(result.status).toBe(0);
    expect(entries(join(dir, 'code'))).toEqual(['forked.txt']);
  });
});

describe('git-auth.sh', () => {
  /** Sources git-auth.sh, runs git_auth_setup, then `then` (bash) with the result. */
  function withAuth(env: NodeJS.ProcessEnv, remote: string, then: string, input = '') {
    const script = `. ${JSON.stringify(assetPath('git-auth.sh'))}\ngit_auth_setup "$PRIVATE" ${JSON.stringify(remote)} || exit 7\n${then}`;
    return spawnSync('bash', ['-c', script], { env, input, encoding: 'utf8' });
  }

  function secretDir(files: Record<string, string>): { dir: string; env: NodeJS.ProcessEnv; private: string } {
    const base = scratch.dir();
    const dir = join(base, 'git-secret');
    mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o440 });
    const privateDir = join(base, 'private');
    return { dir, private: privateDir, env: cleanEnv(base, { GIT_SECRET_DIR: dir, PRIVATE: privateDir }) };
  }

  const TOKEN = 'tkn-0123456789abcdef';

  it('token: answers git for the remote\'s host with the token read from the file', () => {
    const { env } = secretDir({ token: `${TOKEN}\n` });
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'token', GIT_USERNAME: 'oauth2' }, 'https://git.example.com/research/imaging.git', 'git "${GIT_AUTH_ARGS[@]}" credential fill', 'protocol=https\nhost=git.example.com\npath=research/imaging.git\n\n');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('username=oauth2\n');
    expect(result.stdout).toContain(`password=${TOKEN}\n`);
  });

  it('token: gives nothing to another host (an insteadOf in the repository cannot harvest it)', () => {
    const { env } = secretDir({ token: TOKEN });
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'token' }, 'https://git.example.com/x.git', 'git "${GIT_AUTH_ARGS[@]}" credential fill', 'protocol=https\nhost=evil.example.net\n\n');
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('token: the value is never in the arguments or the environment git gets', () => {
    const { env } = secretDir({ token: TOKEN });
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'token' }, 'https://git.example.com/x.git', 'printf "%s\\n" "${GIT_AUTH_ARGS[@]}"; env');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('credential.helper=');
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('token: needs the token file and an https remote', () => {
    const empty = secretDir({});
    expect(withAuth({ ...empty.env, GIT_CREDENTIALS: 'token' }, 'https://git.example.com/x.git', 'true').stderr).toContain('needs the key "token"');
    const { env } = secretDir({ token: TOKEN });
    const ssh = withAuth({ ...env, GIT_CREDENTIALS: 'token' }, 'git@git.example.com:x.git', 'true');
    expect(ssh.status).toBe(7);
    expect(ssh.stderr).toContain('need an https remote');
  });

  it('ssh: copies the key into a private 0400 file it owns and pins known_hosts', () => {
    const { env, dir, private: privateDir } = secretDir({ 'ssh-privatekey': 'KEY MATERIAL\n', known_hosts: 'git.example.com ssh-ed25519 AAAA\n' });
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'ssh' }, 'git@git.example.com:x.git', 'printf "%s\\n" "${GIT_AUTH_ARGS[@]}"; printf "env:%s" "${GIT_SSH_COMMAND:-}"');
    expect(result.status).toBe(0);
    const key = join(privateDir, 'ssh-key');
    expect(readFileSync(key, 'utf8')).toBe('KEY MATERIAL\n');
    expect(lstatSync(key).mode & 0o777).toBe(0o400);
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    expect(lstatSync(key).uid).toBe(process.getuid!());
    // Only the commands that get GIT_AUTH_ARGS (fetch, push) see the key; ssh reads no config
    // file (openssh finds ~/.ssh/config through the passwd entry: the user's home).
    expect(result.stdout).toBe(
      `-c\ncredential.helper=\n-c\ncore.askPass=\n-c\ncore.sshCommand=ssh -F /dev/null -o BatchMode=yes -o IdentityAgent=none -i ${key} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${dir}/known_hosts -o UpdateHostKeys=no\nenv:`,
    );
  });

  it('ssh: refuses to run without pinned host keys', () => {
    const { env } = secretDir({ 'ssh-privatekey': 'KEY\n' });
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'ssh' }, 'git@git.example.com:x.git', 'true');
    expect(result.status).toBe(7);
    expect(result.stderr).toContain('needs the key "known_hosts"');
  });

  /** Sources git-auth.sh, runs git_safe_setup then git_auth_setup, then `then`. */
  function withSafeGit(env: NodeJS.ProcessEnv, remote: string, untrusted: string, then: string) {
    const script = `. ${JSON.stringify(assetPath('git-auth.sh'))}\ngit_safe_setup "$PRIVATE" ${JSON.stringify(remote)} ${JSON.stringify(untrusted)} || exit 7\ngit_auth_setup "$PRIVATE" ${JSON.stringify(remote)} || exit 8\n${then}`;
    return spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
  }

  it('git_safe_setup: no GIT_* variable or proxy survives (the CA becomes an argument), PATH loses the home, git reads only the helper\'s config', () => {
    const { env, private: privateDir } = secretDir({ token: TOKEN });
    const homeDir = join(privateDir, '..', 'home');
    const hostile = {
      GIT_CONFIG_PARAMETERS: "'core.fsmonitor'='touch x'",
      GIT_DIR: '/elsewhere',
      GIT_SSH_COMMAND: 'touch x',
      GIT_TRACE_CURL: '/tmp/trace',
      GIT_SSL_CAINFO: '/etc/git-secret/ca.crt',
      https_proxy: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      XDG_CONFIG_HOME: homeDir,
      PATH: `${homeDir}/bin:relative/bin:${process.env.PATH}`,
    };
    const result = withSafeGit({ ...env, ...hostile, GIT_CREDENTIALS: 'token' }, 'https://git.example.com/x.git', homeDir, 'env | sort; printf "args %s\\n" "${GIT_AUTH_ARGS[@]}"; cd "$PRIVATE" && git config --show-origin --list');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const variables = lines.filter((line) => /^[A-Za-z_]+=/.test(line)).map((line) => line.split('=')[0]);
    expect(variables.filter((name) => name.startsWith('GIT_')).sort()).toEqual(
      ['GIT_ATTR_NOSYSTEM', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'GIT_CREDENTIALS', 'GIT_LITERAL_PATHSPECS', 'GIT_NO_REPLACE_OBJECTS', 'GIT_OPTIONAL_LOCKS', 'GIT_PROTOCOL_FROM_USER', 'GIT_SECRET_DIR', 'GIT_TERMINAL_PROMPT'].sort(),
    );
    expect(variables.filter((name) => /proxy/i.test(name))).toEqual([]);
    const path = lines.find((line) => line.startsWith('PATH='))!;
    expect(path).not.toContain(homeDir);
    expect(path).not.toContain('relative/bin');
    expect(lines).toContain('args http.sslCAInfo=/etc/git-secret/ca.crt');
    // Every setting git sees comes from the helper's file or the command line.
    const origins = lines.filter((line) => line.startsWith('file:') || line.startsWith('command line:')).map((line) => line.split('\t')[0]);
    expect(new Set(origins)).toEqual(new Set([`file:${join(privateDir, 'gitconfig')}`]));
    expect(lines).toContain(`file:${join(privateDir, 'gitconfig')}\tprotocol.allow=never`);
    expect(lines).toContain(`file:${join(privateDir, 'gitconfig')}\tprotocol.https.allow=always`);
  });

  it('git_safe_setup: refuses remotes that select a remote helper or a transport git would run a command for', () => {
    const { env, private: privateDir } = secretDir({});
    for (const remote of ['ext::sh -c touch% x', 'fd::3', 'foo::https://git.example.com/x.git', '-uhelp', 'relative/path']) {
      const result = withSafeGit({ ...env, GIT_CREDENTIALS: 'none' }, remote, join(privateDir, 'home'), 'true');
      expect({ remote, status: result.status }).toEqual({ remote, status: 7 });
      expect(result.stderr).toContain('the remote must be an https://, http://, ssh://, git:// or file:// URL');
    }
    for (const remote of ['https://git.example.com/x.git', 'git@git.example.com:team/x.git', 'ssh://git@git.example.com:2222/x.git', '/srv/git/x.git', 'file:///srv/git/x.git']) {
      expect({ remote, status: withSafeGit({ ...env, GIT_CREDENTIALS: 'none' }, remote, join(privateDir, 'home'), 'true').status }).toEqual({ remote, status: 0 });
    }
  });

  it('none: only disables configured helpers and ssh config files', () => {
    const { env } = secretDir({});
    const result = withAuth({ ...env, GIT_CREDENTIALS: 'none' }, 'https://git.example.com/x.git', 'printf "%s|" "${GIT_AUTH_ARGS[@]}"');
    expect(result.stdout).toBe('-c|credential.helper=|-c|core.askPass=|-c|core.sshCommand=ssh -F /dev/null -o BatchMode=yes -o IdentityAgent=none|');
  });
});

describe('the scripts ConfigMap', () => {
  const plan = planOf(baseConfig());

  it('carries every asset byte for byte', () => {
    const data = scriptsConfigMap(plan).data as Record<string, string>;
    expect(Object.keys(data)).toEqual([...SCRIPT_FILES]);
    for (const file of SCRIPT_FILES) expect(data[file]).toBe(readFileSync(join(assetsDirectory(), file), 'utf8'));
    expect(scriptsConfigMap(plan).metadata).toEqual({ name: names.scriptsConfigMap(), namespace: 'nb-analytics', labels: plan.labels });
  });

  it('is left out when the team has no sessions', () => {
    expect(teamScriptObjects(plan)).toHaveLength(1);
    expect(teamScriptObjects({ ...plan, sessions: [] })).toEqual([]);
  });

  it('finds the assets from the compiled module\'s directory too', () => {
    const root = join(assetsDirectory(), '..', '..', '..');
    expect(assetsDirectory(join(root, 'dist', 'components', 'manifests'))).toBe(assetsDirectory());
    expect(() => assetsDirectory('/')).toThrow('cannot find components/manifests/assets above /');
  });

  it('holds a valid nbformat 4 welcome notebook', () => {
    const notebook = JSON.parse(readFileSync(assetPath('welcome.ipynb'), 'utf8'));
    expect(notebook.nbformat).toBe(4);
    expect(notebook.cells.length).toBeGreaterThan(0);
    for (const cell of notebook.cells) expect(cell).toEqual(expect.objectContaining({ cell_type: expect.any(String), id: expect.any(String), source: expect.any(Array) }));
  });

  it('scripts pass bash -n', () => {
    for (const file of SCRIPT_FILES.filter((f) => f.endsWith('.sh'))) {
      const result = spawnSync('bash', ['-n', assetPath(file)], { encoding: 'utf8' });
      expect({ file, stderr: result.stderr, status: result.status }).toEqual({ file, stderr: '', status: 0 });
    }
  });
});

/**
 * The policy pack stands alone: policies/ and the shared/ module it bundles, copied to an empty
 * directory beside nothing else of the repository and given only the packages policies/package.json
 * names, compile with the pack's own tsconfig.json and load with every rule. An import of
 * components/ (or of a package the pack does not declare) fails here.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { notebookPolicies } from '../../../policies/rules';

const ROOT = join(__dirname, '..', '..', '..');

describe('the policy pack on its own', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'np-policy-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds from policies/ and shared/ with its own package.json and tsconfig.json, and loads every rule', () => {
    cpSync(join(ROOT, 'policies'), join(dir, 'policies'), { recursive: true, filter: (path) => !/[/\\](node_modules|dist)$/.test(path) });
    cpSync(join(ROOT, 'shared'), join(dir, 'shared'), { recursive: true });
    const pack = JSON.parse(readFileSync(join(dir, 'policies', 'package.json'), 'utf8'));
    // Exactly the declared packages, as installed at the root (their own dependencies resolve from there).
    for (const name of Object.keys({ ...pack.dependencies, ...pack.devDependencies })) {
      const link = join(dir, 'policies', 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(realpathSync(join(ROOT, 'node_modules', name)), link, 'dir');
    }
    const tsc = join(dir, 'policies', 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'policies', 'tsconfig.json'), '--outDir', join(dir, 'policies', 'dist')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the pack does not build on its own:\n${stdout ?? ''}${stderr ?? ''}`);
    }
    const rules = join(dir, 'policies', 'dist', 'policies', 'rules', 'index.js');
    const names = execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(rules)}).notebookPolicies().map((p) => p.name)))`], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(JSON.parse(names)).toEqual(notebookPolicies().map((rule) => rule.name));
  }, 180_000);
});

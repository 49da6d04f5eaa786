/**
 * deferUnusedSdkModules: in a fresh process, @pulumi/pulumi loads without TypeScript and npm's
 * Arborist, and both still work, loaded on first use. Each case runs in its own Node process
 * (the deferral is process-wide and must come before the SDK loads).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
/** The module compiled to plain JS: under ts-node, TypeScript would be loaded anyway. */
const WORK = mkdtempSync(join(tmpdir(), 'np-defer-'));
const MODULE = join(WORK, 'defer-modules.js');
afterAll(() => rmSync(WORK, { recursive: true, force: true }));
writeFileSync(
  MODULE,
  ts.transpileModule(readFileSync(join(ROOT, 'offline', 'defer-modules.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText,
);

function inFreshProcess(script: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['-e', script.replaceAll('DEFER_MODULE', JSON.stringify(MODULE))], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const LOADED = `const loaded = (part) => Object.keys(require.cache).some((f) => f.includes(part));`;

describe('deferUnusedSdkModules', () => {
  it('loads @pulumi/pulumi without TypeScript or Arborist, and loads them when used', () => {
    const result = inFreshProcess(`
      ${LOADED}
      const before = require(DEFER_MODULE).deferUnusedSdkModules();
      require('@pulumi/pulumi');
      const atLoad = { typescript: loaded('/typescript/lib/'), arborist: loaded('/@npmcli/arborist/') };
      const ts = require('@pulumi/pulumi/typescript-shim');
      const file = ts.createSourceFile('x.ts', 'const a = 1;', ts.ScriptTarget.Latest);
      const arborist = require('@pulumi/pulumi/runtime/closure/codePaths');
      console.log(JSON.stringify({ before, atLoad, statements: file.statements.length, typescriptAfterUse: loaded('/typescript/lib/'), version: ts.version, codePaths: typeof arborist.computeCodePaths }));
    `);
    expect(result.before).toBe(true);
    expect(result.atLoad).toEqual({ typescript: false, arborist: false });
    expect(result.statements).toBe(1);
    expect(result.typescriptAfterUse).toBe(true);
    expect(result.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.codePaths).toBe('function');
  });

  it('uses the real Arborist class through the stand-in (new, static members)', () => {
    const result = inFreshProcess(`
      require(DEFER_MODULE).deferUnusedSdkModules();
      const Module = require('node:module');
      const parent = { filename: require.resolve('@pulumi/pulumi/runtime/closure/codePaths'), paths: module.paths };
      const standIn = Module._load('@npmcli/arborist', parent, false);
      const real = require('@npmcli/arborist');
      const tree = new standIn.Arborist({ path: process.cwd() });
      console.log(JSON.stringify({ same: standIn.Arborist === real.Arborist, instance: tree instanceof real.Arborist }));
    `);
    expect(result).toEqual({ same: true, instance: true });
  });

  it('says so when the SDK was already loaded (too late to defer)', () => {
    const result = inFreshProcess(`
      require('@pulumi/pulumi');
      console.log(JSON.stringify({ deferred: require(DEFER_MODULE).deferUnusedSdkModules() }));
    `);
    expect(result.deferred).toBe(false);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, demo, root, tempFile } from './support';

describe('notebook-platform validate', () => {
  it('exits 0 on valid stacks', async () => {
    const result = await cli('validate', demo, join(root, 'stacks', 'Pulumi.team-a.yaml'));
    expect(result.code).toBe(0);
    expect(result.out).toEqual([`${demo}: ok (3 sessions, 3 shares)`, `${join(root, 'stacks', 'Pulumi.team-a.yaml')}: ok (3 sessions, 3 shares)`]);
  });

  it('exits 1 with one line per problem, naming file and config path', async () => {
    const file = tempFile(readFileSync(demo, 'utf8').replace('size: medium', 'size: meduim').replace('environment: scipy\n      running: false', 'environment: sci\n      running: false'));
    const result = await cli('validate', file);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `${file}: notebook-platform:sessions[1].size: "meduim" is not a defined size; allowed: small, medium (did you mean "medium"?)`,
      `${file}: notebook-platform:sessions[2].environment: "sci" is not a defined environment; allowed: scipy, pytorch`,
    ]);
  });

  it('exits 2 on usage errors without a stack trace', async () => {
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const missing = await cli('validate', '/nonexistent/Pulumi.x.yaml');
    expect(missing).toMatchObject({ code: 2, err: ['notebook-platform validate: /nonexistent/Pulumi.x.yaml: no such file'] });
    const broken = tempFile('config:\n  notebook-platform:team: [a\n');
    const yaml = await cli('validate', broken);
    expect(yaml.code).toBe(2);
    expect(yaml.err[0]).toBe(`notebook-platform validate: ${broken}:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`);
  });
});

describe('notebook-platform synth', () => {
  it('writes one file per chart, byte-identical across runs', async () => {
    const a = mkdtempSync(join(tmpdir(), 'np-synth-'));
    const b = mkdtempSync(join(tmpdir(), 'np-synth-'));
    expect((await cli('synth', demo, '--out', a)).code).toBe(0);
    expect((await cli('synth', demo, '--out', b)).code).toBe(0);
    const files = readdirSync(a).sort();
    expect(files).toEqual(['00-team.k8s.yaml', 'session-churn-model.k8s.yaml', 'session-forecasting.k8s.yaml', 'session-payroll-audit.k8s.yaml']);
    for (const file of files) expect(readFileSync(join(a, file), 'utf8')).toBe(readFileSync(join(b, file), 'utf8'));
  });

  it('removes files of sessions that left the config', async () => {
    const out = mkdtempSync(join(tmpdir(), 'np-synth-'));
    writeFileSync(join(out, 'session-gone.k8s.yaml'), 'stale');
    await cli('synth', demo, '--out', out);
    expect(readdirSync(out)).not.toContain('session-gone.k8s.yaml');
  });

  it('needs --out', async () => {
    expect(await cli('synth', demo)).toMatchObject({ code: 2, err: ['notebook-platform synth: synth needs --out DIR'] });
  });
});

describe('the installed binary', () => {
  it('runs validate through bin/notebook-platform.js (needs `npm run build`)', () => {
    const bin = join(root, 'bin', 'notebook-platform.js');
    expect(execFileSync(process.execPath, [bin, 'validate', demo], { encoding: 'utf8' })).toBe(`${demo}: ok (3 sessions, 3 shares)\n`);
    const bad = spawnSync(process.execPath, [bin, 'validate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

import { readFileSync } from 'node:fs';
import { cli, demo, tempFile } from './support';
import { parseStackConfig, validateConfig, type Problem } from '../../../components/config';
import { baseConfig } from '../config/fixtures';

const TOO_DEEP = 'invalid YAML: nested more than 64 levels deep (a stack config needs fewer than 10)';

describe('deeply nested YAML', () => {
  const prefix = 'config:\n  notebook-platform:team: a\n  notebook-platform:sizes: ';
  // The document map is level 1, config's map level 2, the value of sizes level 3: level 65 is the 63rd bracket.
  const column = prefix.length - prefix.lastIndexOf('\n') + 62;

  it.each([100, 3000, 50000])('%i flow levels are a parse error at the first level too deep, not a stack overflow', (depth) => {
    const text = `${prefix}${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(() => parseStackConfig(text, 'deep.yaml')).toThrow(`deep.yaml:3:${column}: ${TOO_DEEP}`);
  });

  it('block maps and sequences nested too deep are a parse error at the first level too deep', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 4)}k${i}:`);
    const text = `config:\n  notebook-platform:sizes:\n${lines.join('\n')} 1\n`;
    // Levels 1 and 2 are the document and config maps; the map of line 3 is level 3.
    expect(() => parseStackConfig(text, 'deep.yaml')).toThrow(`deep.yaml:${3 + 62}:${4 + 62 + 1}: ${TOO_DEEP}`);
    const dashes = `config:\n  notebook-platform:sessions:\n${Array.from({ length: 4000 }, (_, i) => `${' '.repeat(2 * i + 2)}-`).join('\n')} 1\n`;
    expect(() => parseStackConfig(dashes, 'dash.yaml')).toThrow(`dash.yaml:${3 + 62}:${2 * 62 + 2 + 1}: ${TOO_DEEP}`);
  });

  it('anchors and aliases take the same limit (the reference parser)', () => {
    const text = `${prefix}&a ${'['.repeat(200)}${']'.repeat(200)}\n  notebook-platform:shares: *a\n`;
    expect(() => parseStackConfig(text, 'deep.yaml')).toThrow(`deep.yaml:3:${column + 3}: ${TOO_DEEP}`);
  });

  it('validate reports it like any other parse error (exit 2, one line, no stack trace)', async () => {
    const file = tempFile(`${prefix}${'{a: '.repeat(20000)}1${'}'.repeat(20000)}\n`);
    const result = await cli('validate', file);
    expect(result).toEqual({ code: 2, out: [], err: [`notebook-platform validate: ${file}:3:${prefix.length - prefix.lastIndexOf('\n') + 62 * 4}: ${TOO_DEEP}`] });
  });
});

describe('several files', () => {
  it('validate reports every file, unreadable ones included, and exits with the worst code', async () => {
    const invalid = tempFile(readFileSync(demo, 'utf8').replace('size: medium', 'size: meduim'));
    const broken = tempFile('config:\n  notebook-platform:team: [a\n');
    const result = await cli('validate', demo, '/nonexistent/Pulumi.x.yaml', invalid, broken, demo);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([
      `${demo}: ok (3 sessions, 3 shares)`,
      `${invalid}: notebook-platform:sessions[1].size: "meduim" is not a defined size; allowed: small, medium (did you mean "medium"?)`,
      `${demo}: ok (3 sessions, 3 shares)`,
    ]);
    expect(result.err).toEqual([
      'notebook-platform validate: /nonexistent/Pulumi.x.yaml: no such file',
      `notebook-platform validate: ${broken}:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
    expect((await cli('validate', invalid, demo)).code).toBe(1);
  });

  it('check reports every file too', async () => {
    const result = await cli('check', '/nonexistent/Pulumi.x.yaml', demo);
    expect(result.code).toBe(2);
    expect(result.err).toEqual(['notebook-platform check: /nonexistent/Pulumi.x.yaml: no such file']);
    expect(result.out).toEqual([expect.stringMatching(/Pulumi\.demo\.yaml: ok \(\d+ resources, \d+ policies\)$/)]);
  });
});

describe('schema and cross-field problems together', () => {
  function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
    const config = baseConfig();
    mutate(config);
    const result = validateConfig(config);
    return result.ok ? [] : [...result.problems];
  }

  it('a schema error in one session and an unknown size in another are both reported', () => {
    expect(problemsOf((c) => { c.sessions[0].running = 'yes'; c.sessions[2].size = 'smal'; })).toEqual([
      { path: 'notebook-platform:sessions[0].running', message: 'expected boolean, got string "yes"' },
      { path: 'notebook-platform:sessions[2].size', message: '"smal" is not a defined size; allowed: small, large (did you mean "small"?)' },
    ]);
  });

  it('unknown keys and bad nested fields leave the other sessions\' references checked', () => {
    expect(problemsOf((c) => {
      c.sessions[0].sizee = 'small';
      c.sessions[1].code = { repo: 'https://git.example.com/a.git', depth: -1 };
      c.sessions[2].forkFrom = 'churm';
      c.sessions[2].environment = 'pytorch';
    })).toEqual([
      { path: 'notebook-platform:sessions[0].sizee', message: 'unknown key "sizee"; allowed keys: name, owner, size, environment, shares, running, forkFrom, forkableBy, code, autosave, jupyter, schedule, purge, renamedFrom, restoreFrom (did you mean "size"?)' },
      { path: 'notebook-platform:sessions[1].code.depth', message: '-1: expected number to be >=0' },
      { path: 'notebook-platform:sessions[2].environment', message: '"pytorch" is not a defined environment; allowed: scipy' },
      { path: 'notebook-platform:sessions[2].forkFrom', message: '"churm" is not a session of this team; allowed: churn, forecast (did you mean "churn"?)' },
    ]);
  });

  // A guard, not a regression test: the salvage must not add problems that rest on defaults.
  it('says nothing more about a session whose own fields failed the schema (its defaults would mislead)', () => {
    const problems = problemsOf((c) => { c.sessions[0].purge = 'yes'; c.sessions[0].autosave = { debounceSeconds: 0 }; });
    expect(problems.map((p) => p.path)).toEqual(['notebook-platform:sessions[0].autosave.debounceSeconds', 'notebook-platform:sessions[0].purge']);
  });
});

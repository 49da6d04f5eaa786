/**
 * `NotebookPlatformArgs.config` is typed with what the schema accepts: small programs written
 * against the package's entry point, compiled by the TypeScript compiler in memory. A correct
 * config compiles; a misspelt key, a wrong type or an unknown backend does not.
 */
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'components', 'index');

/** A program whose config is `config` (TypeScript source of an object literal). */
const program = (config: string) => `import { NotebookPlatform } from ${JSON.stringify(ENTRY)};
const platform = new NotebookPlatform('team-a', { config: ${config} });
export const sessions = platform.sessionSummaries();
`;

const minimal = (extra: { session?: string; storage?: string } = {}) => `{
  team: 'team-a',
  storage: ${extra.storage ?? "{ backend: 'nfs', server: 'nfs.example.com', path: '/exports' }"},
  sizes: { small: { cpu: '500m', memory: '2Gi' } },
  environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } },
  sessions: [{ name: 'analysis', owner: 'alice', size: 'small', environment: 'scipy'${extra.session ?? ''} }],
}`;

const FIXTURES: Record<string, string> = {
  'valid.ts': program(minimal()),
  'valid-with-options.ts': program(minimal({ session: ", running: false, code: { repo: 'https://git.example.com/a.git', mode: 'persistent' }" })),
  'misspelt-key.ts': program(minimal({ session: ', runing: false' })),
  'wrong-type.ts': program(minimal({ session: ", running: 'no'" })),
  'unknown-backend.ts': program(minimal({ storage: "{ backend: 'ceph', server: 'x', path: '/y' }" })),
  'missing-required.ts': program(`{ team: 'team-a', sizes: {}, environments: {} }`),
};

/** Error diagnostics per fixture, from one in-memory compilation of all of them. */
function compile(): Record<string, string[]> {
  const dir = path.join(ROOT, 'test', 'unit', 'components', '.typed-programs');
  const files = new Map(Object.entries(FIXTURES).map(([name, source]) => [path.join(dir, name), source]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => {
    const source = files.get(name);
    return source !== undefined ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  const built = ts.createProgram([...files.keys()], options, host);
  const result: Record<string, string[]> = Object.fromEntries(Object.keys(FIXTURES).map((name) => [name, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(built)) {
    if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
    const name = diagnostic.file ? path.basename(diagnostic.file.fileName) : '(global)';
    (result[name] ??= []).push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  }
  return result;
}

describe('NotebookPlatformArgs.config is typed with the schema input', () => {
  let errors: Record<string, string[]>;
  beforeAll(() => {
    errors = compile();
  }, 120_000);

  it('compiles a config written with only the required fields, defaults left out', () => {
    expect(errors['valid.ts']).toEqual([]);
    expect(errors['valid-with-options.ts']).toEqual([]);
    expect(errors['(global)']).toBeUndefined();
  });

  it('refuses a misspelt key, naming it', () => {
    expect(errors['misspelt-key.ts'].join('\n')).toMatch(/'runing' does not exist/);
  });

  it('refuses a value of the wrong type', () => {
    expect(errors['wrong-type.ts'].join('\n')).toMatch(/Type 'string' is not assignable to type 'boolean/);
  });

  it('refuses a storage backend the schema does not have', () => {
    expect(errors['unknown-backend.ts'].join('\n')).toMatch(/"ceph"|'ceph'/);
  });

  it('refuses a config without its required fields', () => {
    expect(errors['missing-required.ts'].join('\n')).toMatch(/Property 'storage' is missing/);
  });
});

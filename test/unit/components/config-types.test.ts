/**
 * `NotebookPlatformArgs.config` is typed with what the schema accepts: small programs written
 * against the package's entry point, compiled by the TypeScript compiler in memory. A correct
 * config compiles; a misspelt key, a wrong type or an unknown backend does not.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Testing } from 'cdk8s';
import { NotebookPlatformChart, planFromConfig, readStackConfigFile, synthesize } from '../../../components';

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

/** The TypeScript examples of the README and docs/library.md that use the package, its import pointed at the entry point. */
const DOC_EXAMPLES: Record<string, string> = {};
for (const doc of ['README.md', path.join('docs', 'library.md')]) {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  let n = 0;
  for (const [, body] of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    if (!body.includes("from 'notebook-platform'")) continue;
    DOC_EXAMPLES[`${path.basename(doc, '.md').toLowerCase()}-example-${++n}.ts`] = body.replaceAll("from 'notebook-platform'", `from ${JSON.stringify(ENTRY)}`);
  }
}

const FIXTURES: Record<string, string> = {
  ...DOC_EXAMPLES,
  'valid.ts': program(minimal()),
  'valid-with-options.ts': program(minimal({ session: ", running: false, code: { repo: 'https://git.example.com/a.git', mode: 'persistent' }" })),
  'misspelt-key.ts': program(minimal({ session: ', runing: false' })),
  'wrong-type.ts': program(minimal({ session: ", running: 'no'" })),
  'unknown-backend.ts': program(minimal({ storage: "{ backend: 'ceph', server: 'x', path: '/y' }" })),
  'missing-required.ts': program(`{ team: 'team-a', sizes: {}, environments: {} }`),
};

let compiled: Record<string, string[]> | undefined;

/** Error diagnostics per fixture, from one in-memory compilation of all of them (done once). */
function compile(): Record<string, string[]> {
  compiled ??= compileAll();
  return compiled;
}

function compileAll(): Record<string, string[]> {
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

describe('the examples of the README and docs/library.md', () => {
  let errors: Record<string, string[]>;
  beforeAll(() => {
    errors = compile();
  }, 120_000);

  it('compile against the package entry point', () => {
    const names = Object.keys(DOC_EXAMPLES);
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(Object.fromEntries(names.map((name) => [name, errors[name]]))).toEqual(Object.fromEntries(names.map((name) => [name, []])));
  });

  it('the cdk8s example synthesizes the objects notebook-platform synth writes', () => {
    const [name, source] = Object.entries(DOC_EXAMPLES).find(([example, body]) => example.startsWith('library-') && body.includes('new TeamChart('))!;
    expect(name).toMatch(/^library-example-/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-cdk8s-example-'));
    fs.mkdirSync(path.join(dir, 'stacks'));
    fs.copyFileSync(path.join(ROOT, 'stacks', 'Pulumi.team-a.yaml'), path.join(dir, 'stacks', 'Pulumi.team-a.yaml'));
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const exports = {};
      new Function('require', 'exports', 'module', js)(require, exports, { exports });
    } finally {
      process.chdir(cwd);
    }
    const written = Object.fromEntries(fs.readdirSync(path.join(dir, 'manifests')).map((file) => [file, parseAllDocuments(fs.readFileSync(path.join(dir, 'manifests', file), 'utf8')).map((d) => d.toJS())]));
    const expected = synthesize(planFromConfig(readStackConfigFile(path.join(ROOT, 'stacks', 'Pulumi.team-a.yaml'))));
    // cdk8s names a chart's file after its id: team.k8s.yaml where synth writes 00-team.k8s.yaml.
    expect(Object.keys(written).sort()).toEqual(expected.map((f) => f.file.replace(/^00-/, '')).sort());
    for (const file of expected) expect(written[file.file.replace(/^00-/, '')]).toEqual(JSON.parse(JSON.stringify(file.objects)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the README's cdk8s example synthesizes (Testing.synth): synth's objects for its config, with the additions it shows", () => {
    const [, source] = Object.entries(DOC_EXAMPLES).find(([example, body]) => example.startsWith('readme-') && body.includes('new NotebookPlatformChart('))!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-readme-cdk8s-'));
    const exports: { chart?: NotebookPlatformChart } = {};
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      new Function('require', 'exports', 'module', js)(require, exports, { exports });
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['team-a.k8s.yaml']);
    fs.rmSync(dir, { recursive: true, force: true });
    const chart = exports.chart!;
    expect(chart).toBeInstanceOf(NotebookPlatformChart);
    const objects = Testing.synth(chart);
    const expected = synthesize(chart.plan).flatMap((file) => file.objects);
    const keyOf = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
    expect(objects.map(keyOf)).toEqual(expected.map(keyOf));
    // Team objects are synth's as they are; the session's carry the additions the example shows.
    const sessionKeys = new Set(chart.sessions.flatMap((session) => session.objects.map(keyOf)));
    expect(objects.filter((o) => !sessionKeys.has(keyOf(o)))).toEqual(JSON.parse(JSON.stringify(expected.filter((o) => !sessionKeys.has(keyOf(o))))));
    for (const o of objects.filter((o) => sessionKeys.has(keyOf(o)))) expect(o.metadata.labels['example.com/cost-center']).toBe('research');
    const pod = objects.find((o) => o.kind === 'StatefulSet')!.spec.template.spec;
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['notebook', 'log-shipper']);
    expect(pod.containers[1].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.volumes).toContainEqual({ name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'datasets', mountPath: '/datasets', readOnly: true });
  });
});

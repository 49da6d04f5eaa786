/**
 * `notebook-platform check --manifests PATH`: the policy pack over Kubernetes manifests (a cdk8s
 * app's output, `synth --out`, a GitOps tree). The same rules and the same verdicts as the Pulumi
 * path for the same objects; a sidecar a cdk8s user adds is checked; a claim a GitOps sync could
 * delete is refused; manifests that cannot be read stop with exit 2 and a one-line reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { readStackConfigFile, synthesize, writeManifests, type StackConfigInput } from '../../../components';
import { NotebookPlatformChart } from '../../../components/manifests/constructs';
import { validateConfig } from '../../../components/config/validate';
import { manifestFiles } from '../../../cli/manifest-files';
import { notebookPolicies } from '../../../policies/rules';
import { cli, root } from './support';

const POLICIES = notebookPolicies().length;
const stackFile = (stack: string) => join(root, 'stacks', `Pulumi.${stack}.yaml`);
let dir: string;
let n = 0;
const fresh = () => {
  const path = join(dir, `m${n++}`);
  mkdirSync(path, { recursive: true });
  return path;
};
function synthTo(stack: string, config = readStackConfigFile(stackFile(stack))): string {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const out = fresh();
  writeManifests(synthesize(result.plan), out);
  return out;
}
/** `policy  message` of each violation line, whichever path printed it (file or stack prefix and URN dropped). */
const verdicts = (lines: string[]) => lines.filter((line) => !/: (ok|\d+ mandatory)/.test(line)).map((line) => {
  const [, policy, , message] = /^.*?: (\S+) {2}(\S+) {2}(.*)$/.exec(line)!;
  return `${policy}  ${message}`;
}).sort();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'np-check-manifests-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('on synth output of the example stacks', () => {
  it.each(['demo', 'team-b'])('%s: ok, exit 0, one summary line counting objects and files', async (stack) => {
    const out = synthTo(stack);
    const r = await cli('check', '--manifests', out);
    expect(r).toEqual({ code: 0, out: [expect.stringMatching(new RegExp(`^${out}: ok \\(\\d+ objects in \\d+ files, ${POLICIES} policies\\)$`))], err: [] });
  });

  it.each(['local', 'team-a'])('%s: the Kubernetes objects get the verdicts the Pulumi path gives them', async (stack) => {
    const manifests = await cli('check', '--manifests', synthTo(stack));
    const pulumi = await cli('check', stackFile(stack));
    // What only the Pulumi path has: AWS resources (team-a's EFS and backup plan). Without them
    // the manifests schedule no backup, which the advisory says.
    const notBackup = (line: string) => !line.startsWith('backup-scheduled  ');
    expect(verdicts(manifests.out).filter(notBackup)).toEqual(verdicts(pulumi.out).filter(notBackup));
    expect(manifests.code).toBe(pulumi.code);
  });

  it('each violation line names the file and document the object came from', async () => {
    const r = await cli('check', '--manifests', synthTo('local'));
    const line = r.out.find((l) => l.includes('allowed-image-registries') && l.includes('StatefulSet::nb-local/StatefulSet/analysis'))!;
    expect(line).toMatch(/\/session-analysis\.k8s\.yaml \(document \d+\): allowed-image-registries {2}urn:pulumi:manifests::notebook-platform::kubernetes:apps\/v1:StatefulSet::nb-local\/StatefulSet\/analysis {2}/);
  });
});

describe('what the rules catch on the GitOps path', () => {
  it('a sidecar a cdk8s user adds that runs as root', async () => {
    const app = new App({ outdir: fresh() });
    const config = readStackConfigFile(stackFile('demo')) as StackConfigInput;
    new NotebookPlatformChart(app, 'demo', {
      config,
      customizeSession: (session) => session.session.name === 'churn-model' && session.addSidecar({ name: 'debug', image: 'quay.io/jupyter/base-notebook:2024-12-02', securityContext: { runAsUser: 0 } }),
    });
    app.synth();
    const r = await cli('check', '--manifests', app.outdir);
    expect(r.code).toBe(1);
    expect(r.out).toEqual(expect.arrayContaining([expect.stringMatching(/demo\.k8s\.yaml \(document \d+\): pods-run-as-non-root {2}\S+StatefulSet::nb-demo\/StatefulSet\/churn-model {2}StatefulSet nb-demo\/churn-model: container "debug" runs as uid 0 \(root\)$/)]));
    expect(r.out.at(-1)).toMatch(/: 1 mandatory violation \(/);
  });

  it('a claim a GitOps sync could prune or delete', async () => {
    const out = synthTo('demo');
    const file = join(out, '00-team.k8s.yaml');
    const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS());
    const claim = documents.find((o) => o.kind === 'PersistentVolumeClaim');
    delete claim.metadata.annotations['kustomize.toolkit.fluxcd.io/prune'];
    claim.metadata.annotations['argocd.argoproj.io/sync-options'] = 'Prune=false';
    writeFileSync(file, documents.map((d) => stringify(d)).join('---\n'));
    const r = await cli('check', '--manifests', out);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => l.includes('data-retained-on-delete'))).toEqual([
      expect.stringContaining(
        `PersistentVolumeClaim nb-demo/${claim.metadata.name} says notebook-platform.io/retain-on-delete: "true" but a GitOps sync could delete it ` +
          '(argocd.argoproj.io/sync-options lacks Delete=false; kustomize.toolkit.fluxcd.io/prune is not "disabled")',
      ),
    ]);
  });

  it('a purged session\'s claim passes without the keep annotations', async () => {
    const config = readStackConfigFile(stackFile('team-a')) as { sessions: Record<string, unknown>[] };
    const purged = config.sessions[0].name;
    const r = await cli('check', '--manifests', synthTo('team-a', { ...config, sessions: config.sessions.map((s) => (s.name === purged ? { ...s, running: false, purge: true } : s)) }));
    expect(r.code).toBe(0);
  });

  it('with stack files too: each is checked and the exit code is the worst', async () => {
    const r = await cli('check', stackFile('demo'), '--manifests', synthTo('local'));
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/Pulumi\.demo\.yaml: ok \(/);
    expect(r.out.at(-1)).toMatch(/: 5 mandatory violations/);
  });
});

describe('manifests that cannot be used: exit 2, one line each, no stack trace', () => {
  const write = (files: Record<string, string>) => {
    const path = fresh();
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(path, name, '..'), { recursive: true });
      writeFileSync(join(path, name), text);
    }
    return path;
  };

  it.each([
    ['a missing path', () => join(dir, 'nope'), /: cannot read the manifests \(ENOENT\)$/],
    ['invalid YAML, with its position', () => write({ 'a.yaml': 'apiVersion: v1\nkind: [Pod\n' }), /a\.yaml:3:1: invalid YAML: /],
    ['a key twice', () => write({ 'a.yaml': 'apiVersion: v1\nkind: Pod\nkind: Service\n' }), /a\.yaml:3:1: invalid YAML: Map keys must be unique/],
    ['nesting past the limit', () => write({ 'a.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: ${'['.repeat(5000)}${']'.repeat(5000)}\n` }), /a\.yaml:4:\d+: invalid YAML: nested more than 64 levels deep \(Kubernetes objects nest far less\)$/],
    ['a document that is not an object', () => write({ 'a.yaml': '- a\n- b\n' }), /a\.yaml \(document 1\): is a list, not a Kubernetes object/],
    ['no object at all', () => write({ 'a.yaml': '# nothing\n', 'b.txt': 'kind: Pod' }), /: no Kubernetes objects \(read \*\.yaml, \*\.yml and \*\.json files\)$/],
  ])('%s', async (_what, path, message) => {
    const r = await cli('check', '--manifests', path());
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([expect.stringMatching(message)]);
    expect(r.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('a __proto__ key is data, not the prototype', async () => {
    const path = write({ 'a.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: nb-x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nb-x}\ndata:\n  __proto__: {polluted: "yes"}\n' });
    const r = await cli('check', '--manifests', path);
    // Read and checked (the bare namespace has violations of its own), nothing polluted.
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toMatch(/: \d+ mandatory violations \(2 objects in 1 file, /);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('manifestFiles', () => {
  it('every *.yaml, *.yml and *.json below the path, sorted; hidden entries and node_modules skipped; a link to a directory not followed', () => {
    const path = fresh();
    for (const name of ['b.yaml', 'a.yml', 'c.json', 'd.txt', 'sub/z.yaml', 'sub/deeper/y.yaml', '.git/x.yaml', 'node_modules/n.yaml', 'sub.yaml']) {
      mkdirSync(join(path, name, '..'), { recursive: true });
      writeFileSync(join(path, name), 'kind: Pod');
    }
    symlinkSync(path, join(path, 'loop'));
    symlinkSync(join(path, 'b.yaml'), join(path, 'link.yaml'));
    expect(manifestFiles(path).map((file) => file.slice(path.length + 1))).toEqual(['a.yml', 'b.yaml', 'c.json', 'link.yaml', 'sub/deeper/y.yaml', 'sub/z.yaml', 'sub.yaml']);
    expect(manifestFiles(join(path, 'b.yaml'))).toEqual([join(path, 'b.yaml')]);
  });
});

/**
 * Golden output of the example stacks (stacks/Pulumi.<stack>.yaml): what `notebook-platform
 * synth` writes (the cdk8s charts) and what the team program registers with Pulumi (every
 * resource, its inputs and options, as the policy pack sees them), compared byte for byte with
 * the files under test/golden/<stack>/. A change to either shows in the diff of those files.
 *
 * After an intended change: `npm run golden:update`, review `git diff test/golden`, commit.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readStackConfigFile } from '../../../components/config/load';
import { planFromConfig } from '../../../components/config/validate';
import { synthesize, toYaml } from '../../../components/manifests/synth';
import { runOffline, type RegisteredResource } from '../../../offline';

const ROOT = join(__dirname, '..', '..', '..');
const STACKS = join(ROOT, 'stacks');
const GOLDEN = join(ROOT, 'test', 'golden');
const UPDATE = process.env.GOLDEN_UPDATE === '1';

const stacks = readdirSync(STACKS)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .sort();

/** The synth files of a stack: file name -> bytes, as `notebook-platform synth --out` writes them. */
function synthFiles(config: Record<string, unknown>): Map<string, string> {
  return new Map(synthesize(planFromConfig(config)).map(({ file, objects }) => [file, toYaml(objects)]));
}

/**
 * Every registered resource as one YAML document, by URN: registration order and the order of
 * dependency lists follow the runtime's scheduling, which is not behaviour.
 */
function registrations(resources: readonly RegisteredResource[]): string {
  const byUrn = [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  const entries = byUrn.map((resource) => ({
    urn: resource.urn,
    custom: resource.custom,
    ...(resource.parent ? { parent: resource.parent } : {}),
    opts: { ...resource.opts, aliases: [...resource.opts.aliases].sort() },
    dependencies: [...resource.dependencies].sort(),
    propertyDependencies: Object.fromEntries(
      Object.keys(resource.propertyDependencies)
        .sort()
        .map((key) => [key, [...resource.propertyDependencies[key]].sort()]),
    ),
    secretPaths: [...resource.secretPaths].sort(),
    inputs: resource.inputs,
  }));
  return stringify(entries, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** `expected` (a golden file) equals `actual`; with GOLDEN_UPDATE=1 the file is rewritten instead. */
function compare(file: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run golden:update and commit it`);
  // toBe on whole files prints a diff that names the first differing lines.
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden output of the example stacks (update: npm run golden:update)', () => {
  it('covers every example stack', () => {
    expect(stacks).toEqual(expect.arrayContaining(['demo', 'local', 'team-a', 'team-b']));
    const goldenStacks = () => readdirSync(GOLDEN).filter((entry) => entry !== 'README.md').sort();
    // An update drops the files of a stack that no longer exists.
    if (UPDATE) for (const old of goldenStacks()) if (!stacks.includes(old)) rmSync(join(GOLDEN, old), { recursive: true });
    if (!UPDATE) expect(goldenStacks()).toEqual(stacks);
  });

  describe.each(stacks)('%s', (stack) => {
    const config = readStackConfigFile(join(STACKS, `Pulumi.${stack}.yaml`));
    const dir = join(GOLDEN, stack);

    it('synth: the same files with the same bytes', () => {
      const files = synthFiles(config);
      const synthDir = join(dir, 'synth');
      if (UPDATE) {
        // Rewritten whole, so a removed session's file goes too.
        rmSync(synthDir, { recursive: true, force: true });
        mkdirSync(synthDir, { recursive: true });
      } else {
        expect(existsSync(synthDir) ? readdirSync(synthDir).sort() : []).toEqual([...files.keys()].sort());
      }
      for (const [file, text] of files) compare(join(synthDir, file), text);
    });

    it('pulumi: the same registered resources, inputs and options', async () => {
      const resources = await runOffline(config, { stack });
      if (UPDATE) mkdirSync(dir, { recursive: true });
      compare(join(dir, 'pulumi.yaml'), registrations(resources));
    });
  });
});

/**
 * runOffline: the team program under Pulumi mocks, every registration recorded as the engine
 * would receive it (URN, parent, inputs, options), repeatable in one process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { readStackConfigFile } from '../../../components/config/load';
import { ConfigError, planFromConfig } from '../../../components/config/validate';
import { sessionStatefulSet } from '../../../components/manifests/session';
import { durationSeconds, engineUrn, runOffline, UNKNOWN, type RegisteredResource } from '../../../offline';

const STACKS = join(__dirname, '..', '..', '..', 'stacks');
const TEAMS = ['demo', 'team-a', 'team-b'] as const;
const load = (team: string) => readStackConfigFile(join(STACKS, `Pulumi.${team}.yaml`));
const byUrn = (resources: readonly RegisteredResource[]) => new Map(resources.map((r) => [r.urn, r]));
/** Registration order depends on the runtime's scheduling; compare runs by URN. */
const sorted = (resources: readonly RegisteredResource[]) => [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));

describe('runOffline', () => {
  const results: Record<string, RegisteredResource[]> = {};
  beforeAll(async () => {
    for (const team of TEAMS) results[team] = await runOffline(load(team), { stack: team });
  });

  it.each(TEAMS)('%s: the stack first, then a tree of uniquely named resources', (team) => {
    const resources = results[team];
    expect(resources[0]).toMatchObject({ type: 'pulumi:pulumi:Stack', name: `notebook-platform-${team}`, urn: `urn:pulumi:${team}::notebook-platform::pulumi:pulumi:Stack::notebook-platform-${team}`, parent: undefined });
    const urns = byUrn(resources);
    expect(urns.size).toBe(resources.length);
    for (const resource of resources.slice(1)) {
      expect(urns.has(resource.parent!)).toBe(true);
      expect(resource.opts.parent).toBe(resource.parent);
    }
  });

  it('builds URNs as the engine does: the root stack type is not part of its children\'s', () => {
    const platform = results['team-a'].find((r) => r.type === 'notebook-platform:index:NotebookPlatform')!;
    expect(platform.urn).toBe('urn:pulumi:team-a::notebook-platform::notebook-platform:index:NotebookPlatform::team-a');
    const claim = results['team-a'].find((r) => r.name === 'nb-team-a/PersistentVolumeClaim/workdir-imaging')!;
    expect(claim.urn).toBe(
      'urn:pulumi:team-a::notebook-platform::notebook-platform:index:NotebookPlatform$notebook-platform:index:NotebookSession$kubernetes:core/v1:PersistentVolumeClaim::nb-team-a/PersistentVolumeClaim/workdir-imaging',
    );
    expect(engineUrn('s', 'p', '', 'pulumi:pulumi:Stack', 'p-s')).toBe('urn:pulumi:s::p::pulumi:pulumi:Stack::p-s');
  });

  it('captures protect and retainOnDelete: the EFS file system is protected, nothing else is', () => {
    const resources = results['team-a'];
    const fileSystem = resources.find((r) => r.type === 'aws:efs/fileSystem:FileSystem')!;
    expect(fileSystem.opts).toMatchObject({ protect: true, retainOnDelete: true });
    expect(resources.filter((r) => r.opts.protect).map((r) => r.type)).toEqual(['aws:efs/fileSystem:FileSystem']);
    const retained = resources.filter((r) => r.opts.retainOnDelete).map((r) => r.type);
    expect(retained).toEqual(expect.arrayContaining(['kubernetes:core/v1:Namespace', 'kubernetes:core/v1:PersistentVolumeClaim', 'kubernetes:core/v1:PersistentVolume', 'aws:efs/accessPoint:AccessPoint']));
    expect(retained).not.toContain('kubernetes:apps/v1:StatefulSet');
  });

  it('records dependencies and property dependencies as URNs', () => {
    const resources = results['team-a'];
    const fileSystem = resources.find((r) => r.type === 'aws:efs/fileSystem:FileSystem')!;
    const backup = resources.find((r) => r.type === 'aws:efs/backupPolicy:BackupPolicy')!;
    expect(backup.propertyDependencies.fileSystemId).toEqual([fileSystem.urn]);
    expect(backup.dependencies).toContain(fileSystem.urn);
    const namespace = resources.find((r) => r.type === 'kubernetes:core/v1:Namespace')!;
    const statefulSet = resources.find((r) => r.type === 'kubernetes:apps/v1:StatefulSet')!;
    expect(statefulSet.dependencies).toContain(namespace.urn);
  });

  it('records inputs as the policy pack sees props: the objects the manifests build', () => {
    const config = load('team-a');
    const plan = planFromConfig(config);
    const session = plan.sessions.find((s) => s.name === 'imaging')!;
    const registered = results['team-a'].find((r) => r.name === `${plan.namespace}/StatefulSet/imaging`)!;
    expect(registered.inputs).toEqual(JSON.parse(JSON.stringify(sessionStatefulSet(plan, session))));
  });

  it('marks outputs of other resources unknown, as in a preview of a new stack', () => {
    const backup = results['team-a'].find((r) => r.type === 'aws:efs/backupPolicy:BackupPolicy')!;
    expect(backup.inputs.fileSystemId).toBe(UNKNOWN);
  });

  it('never keeps a secret value: the token Secret holds unknowns and says where secrets were', () => {
    for (const team of TEAMS) {
      const secrets = results[team].filter((r) => r.type === 'kubernetes:core/v1:Secret');
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        // The program generates a real token; what is recorded is the unknown sentinel.
        expect(secret.secretPaths).toEqual(['data']);
        expect(secret.inputs.data).toEqual({ token: UNKNOWN });
        expect(secret.opts.additionalSecretOutputs).toContain('data');
      }
    }
  });

  it('gives the same resources on every run and with the runtime untouched (fastPath: false)', async () => {
    const again = await runOffline(load('team-a'), { stack: 'team-a' });
    expect(sorted(again)).toEqual(sorted(results['team-a']));
    const plain = await runOffline(load('team-a'), { stack: 'team-a', fastPath: false });
    expect(sorted(plain)).toEqual(sorted(results['team-a']));
  });

  it('runs one at a time when called concurrently', async () => {
    const [a, b] = await Promise.all([runOffline(load('demo'), { stack: 'demo' }), runOffline(load('team-b'), { stack: 'team-b' })]);
    expect(sorted(a)).toEqual(sorted(results.demo));
    expect(sorted(b)).toEqual(sorted(results['team-b']));
  });

  it('puts the runtime back as it found it', async () => {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    const stackTrace = (pulumi.Resource as unknown as { stackTrace: unknown }).stackTrace;
    await runOffline(load('team-b'));
    expect(Error.stackTraceLimit).toBe(limit);
    expect(Error.prepareStackTrace).toBe(prepare);
    expect((pulumi.Resource as unknown as { stackTrace: unknown }).stackTrace).toBe(stackTrace);
  });

  it('rejects an invalid config with the program\'s ConfigError, and keeps working afterwards', async () => {
    await expect(runOffline({ ...load('team-b'), sessions: [{ name: 'x', owner: 'y', size: 'huge', environment: 'minimal' }] })).rejects.toThrow(ConfigError);
    expect(sorted(await runOffline(load('team-b'), { stack: 'team-b' }))).toEqual(sorted(results['team-b']));
  });

  it('registers exactly what the program in stacks/index.ts registers', async () => {
    // Config as the engine hands it to a program: namespaced keys, structured values as JSON.
    const document = parse(readFileSync(join(STACKS, 'Pulumi.team-a.yaml'), 'utf8')).config as Record<string, unknown>;
    const engineConfig = Object.fromEntries(Object.entries(document).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
    const viaProgram = await runOffline(undefined, {
      stack: 'team-a',
      program: () => {
        pulumi.runtime.setAllConfig(engineConfig);
        require('../../../stacks/index'); // eslint-disable-line @typescript-eslint/no-require-imports
      },
    });
    expect(sorted(viaProgram)).toEqual(sorted(results['team-a']));
  });

  it('reads custom timeouts as the analyzer does (seconds)', () => {
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('45s')).toBe(45);
    expect(durationSeconds('')).toBe(0);
  });
});

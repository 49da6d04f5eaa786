/**
 * The offline runner's shortcuts (offline/fast-path.ts) change how much the run costs,
 * never what it records: every example stack and a generated team give the same resources with
 * and without them, and the lazily made Outputs behave as the SDK's own, read before or after
 * the registration answers, with values, unknowns, secrets and errors. The shortcuts are on only
 * for the versions they were verified on; any other version runs the SDK untouched.
 */
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { readStackConfigFile } from '../../../components/config/load';
import { runOffline, UNKNOWN, type RegisteredResource } from '../../../offline';
import { installedVersions, installFastPath, SHORTCUT_NAMES } from '../../../offline/fast-path';
import * as debuggableModule from '@pulumi/pulumi/runtime/debuggable';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import * as rpcModule from '@pulumi/pulumi/runtime/rpc';
import { benchConfig } from '../../../bench/generate';

const STACKS = join(__dirname, '..', '..', '..', 'stacks');
const sorted = (resources: readonly RegisteredResource[]) => [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));

describe('fast path', () => {
  const configs: [string, unknown][] = [
    ...['demo', 'local', 'team-a', 'team-b'].map((team): [string, unknown] => [team, readStackConfigFile(join(STACKS, `Pulumi.${team}.yaml`))]),
    ['generated team of 25', benchConfig(25)],
  ];

  it('is on for every shortcut with the installed versions, so the comparisons below compare something', () => {
    const notes: string[] = [];
    const fastPath = installFastPath({ note: (line) => notes.push(line) });
    fastPath.restore();
    expect(fastPath.installed).toEqual(SHORTCUT_NAMES);
    expect(fastPath.skipped).toEqual([]);
    expect(notes).toEqual([]);
    expect(Object.keys(installedVersions()).sort()).toEqual(['@pulumi/pulumi', 'google-protobuf']);
  });

  it.each(configs)('%s: the same resources as the untouched runtime', async (_, config) => {
    const fast = await runOffline(config, { stack: 's' });
    const plain = await runOffline(config, { stack: 's', fastPath: false });
    expect(fast.length).toBeGreaterThan(10);
    expect(sorted(fast)).toEqual(sorted(plain));
  });

  /**
   * A program that reads a resource's outputs at every moment a program can: right after
   * construction, inside an apply that runs after the registration answered, for a property
   * that is a secret, and one that is unknown in a preview. What it read lands in a second
   * resource's inputs, where the recording shows it.
   */
  function readingProgram(): void {
    const source = new k8s.core.v1.ConfigMap('source', {
      metadata: { name: 'source', labels: { a: 'b' } },
      data: { key: 'value' },
      immutable: pulumi.secret(true),
    });
    const early = source.metadata;
    const late = source.urn.apply(() => source.data);
    new k8s.core.v1.ConfigMap('reader', {
      metadata: { name: 'reader', annotations: { early: early.apply((m) => JSON.stringify(m.labels)) } },
      data: {
        late: late.apply((d) => JSON.stringify(d)),
        kind: source.kind,
        binary: source.binaryData.apply((b) => `${b}`),
      },
      immutable: source.immutable,
    });
  }

  it('makes Outputs that resolve like the SDK\'s, read early or late, secret or unknown', async () => {
    const fast = await runOffline(undefined, { stack: 's', program: readingProgram });
    const plain = await runOffline(undefined, { stack: 's', program: readingProgram, fastPath: false });
    expect(sorted(fast)).toEqual(sorted(plain));
    const reader = fast.find((r) => r.name === 'reader')!;
    expect(reader.inputs.metadata).toMatchObject({ annotations: { early: '{"a":"b"}' } });
    expect(reader.inputs.data).toEqual({ late: '{"key":"value"}', kind: 'ConfigMap', binary: UNKNOWN });
    expect(reader.secretPaths).toContain('immutable');
    expect(reader.inputs.immutable).toBe(UNKNOWN);
    expect(reader.dependencies).toContain(fast.find((r) => r.name === 'source')!.urn);
  });

  describe('resolvers of lazily made Outputs', () => {
    let restore: () => void;
    const rpc = rpcModule as unknown as { transferProperties(onto: object, label: string, props: object): Record<string, (...args: unknown[]) => void> };
    beforeEach(() => {
      restore = installFastPath().restore;
    });
    afterEach(() => restore());
    const valueOf = (output: unknown) => (output as { promise(withUnknowns?: boolean): Promise<unknown> }).promise(true);
    const soon = <T>(promise: Promise<T>) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('still pending'), 50))]);

    it('a value: the same whether read before or after the answer', async () => {
      const onto: Record<string, unknown> = {};
      const resolvers = rpc.transferProperties(onto, 't', { early: 0, late: 0 });
      const early = onto.early;
      resolvers.early({ v: 1 }, true, false, []);
      resolvers.late('x', true, true, []);
      expect(await valueOf(early)).toEqual({ v: 1 });
      expect(await valueOf(onto.late)).toBe('x');
      expect(await (onto.late as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    });

    it('an error: rejected whether read before or after the answer', async () => {
      const onto: Record<string, unknown> = {};
      const resolvers = rpc.transferProperties(onto, 't', { early: 0, late: 0 });
      const early = onto.early;
      resolvers.early(undefined, true, false, [], new Error('registration failed'));
      resolvers.late(undefined, true, false, [], new Error('registration failed'));
      for (const output of [early, onto.late] as { isKnown: Promise<unknown>; isSecret: Promise<unknown>; allResources(): Promise<unknown> }[]) {
        // An Output's own derived promises reject too (as with the SDK's Outputs); nobody awaits them here.
        await Promise.allSettled([output.isKnown, output.isSecret, output.allResources()]);
        await expect(valueOf(output)).rejects.toThrow('registration failed');
      }
    });

    it('a gRPC error (the engine went away): left pending, as the SDK leaves it', async () => {
      const onto: Record<string, unknown> = {};
      const resolvers = rpc.transferProperties(onto, 't', { early: 0, late: 0 });
      const early = onto.early;
      const grpcError = Object.assign(new Error('unavailable'), { code: 14, details: 'gone', metadata: {} });
      resolvers.early(undefined, true, false, [], grpcError);
      resolvers.late(undefined, true, false, [], grpcError);
      expect(await soon(valueOf(early))).toBe('still pending');
      expect(await soon(valueOf(onto.late))).toBe('still pending');
    });
  });

  it('keeps a property that the resource\'s constructor assigns', () => {
    const { restore } = installFastPath();
    try {
      const rpc = rpcModule as unknown as { transferProperties(onto: object, label: string, props: object): Record<string, unknown> };
      const onto: Record<string, unknown> = {};
      rpc.transferProperties(onto, 'test', { a: 1, b: 2, id: 'x', urn: 'y' });
      expect(Object.keys(onto).sort()).toEqual(['a', 'b']);
      onto.a = 'assigned';
      expect(onto.a).toBe('assigned');
      expect(pulumi.Output.isInstance(onto.b)).toBe(true);
      expect(onto.b).toBe(onto.b); // made once
      expect(() => rpc.transferProperties(onto, 'test', { a: 3 })).toThrow("Property 'a' is already initialized on target 'test");
    } finally {
      restore();
    }
  });

  /** The function each shortcut replaces, read where the SDK reads it. */
  const targets: Record<string, () => unknown> = {
    'google-protobuf Struct.fromJavaScript': () => Struct.fromJavaScript,
    '@pulumi/pulumi/runtime/debuggable debuggablePromise': () => (debuggableModule as unknown as Record<string, unknown>).debuggablePromise,
    '@pulumi/pulumi Resource.stackTrace': () => (pulumi.Resource as unknown as { stackTrace: unknown }).stackTrace,
    '@pulumi/pulumi/runtime/rpc serializeResourceProperties': () => (rpcModule as unknown as Record<string, unknown>).serializeResourceProperties,
    '@pulumi/pulumi/runtime/rpc transferProperties': () => (rpcModule as unknown as Record<string, unknown>).transferProperties,
    '@pulumi/pulumi/runtime/rpc deserializeProperties': () => (rpcModule as unknown as Record<string, unknown>).deserializeProperties,
  };
  const current = () => SHORTCUT_NAMES.map((name) => targets[name]());

  it('replaces every function it names, and puts each back', () => {
    expect(Object.keys(targets).sort()).toEqual([...SHORTCUT_NAMES].sort());
    const before = current();
    const { restore } = installFastPath();
    current().forEach((fn, index) => expect([SHORTCUT_NAMES[index], fn]).not.toEqual([SHORTCUT_NAMES[index], before[index]]));
    restore();
    expect(current()).toEqual(before);
  });

  it('runs the SDK untouched on a @pulumi/pulumi version it was not verified on, with a one-line note', () => {
    const before = current();
    const notes: string[] = [];
    const fastPath = installFastPath({ versions: { ...installedVersions(), '@pulumi/pulumi': '3.260.0' }, note: (line) => notes.push(line) });
    expect(current()).toEqual(before);
    fastPath.restore();
    expect(fastPath.installed).toEqual([]);
    expect(fastPath.skipped.map((s) => s.name)).toEqual(SHORTCUT_NAMES);
    expect(notes).toHaveLength(1);
    expect(notes[0]).not.toContain('\n');
    expect(notes[0]).toContain('6 of 6 shortcuts off');
    expect(notes[0]).toContain('@pulumi/pulumi 3.260.0, verified on 3.259.0');
  });

  it('leaves only the protobuf shortcut off on another google-protobuf version', () => {
    const notes: string[] = [];
    const fastPath = installFastPath({ versions: { ...installedVersions(), 'google-protobuf': '3.21.5' }, note: (line) => notes.push(line) });
    try {
      expect(fastPath.skipped).toEqual([{ name: 'google-protobuf Struct.fromJavaScript', reason: 'google-protobuf 3.21.5, verified on 3.21.4' }]);
      expect(fastPath.installed).toEqual(SHORTCUT_NAMES.filter((name) => name !== 'google-protobuf Struct.fromJavaScript'));
      expect(targets['google-protobuf Struct.fromJavaScript']()).toBe(Struct.fromJavaScript);
    } finally {
      fastPath.restore();
    }
    expect(notes).toEqual(['note: offline fast path: 1 of 6 shortcuts off, the SDK\'s own functions run (slower, same result): google-protobuf 3.21.5, verified on 3.21.4']);
  });

  it('treats a version it cannot read as unverified', () => {
    const fastPath = installFastPath({ versions: {}, note: () => undefined });
    fastPath.restore();
    expect(fastPath.installed).toEqual([]);
    expect(fastPath.skipped[0].reason).toBe('@pulumi/pulumi (not found), verified on 3.259.0');
  });
});

/**
 * The offline runner's shortcuts (components/offline/fast-path.ts) change how much the run costs,
 * never what it records: every example stack and a generated team give the same resources with
 * and without them, and the lazily made Outputs behave as the SDK's own, read before or after
 * the registration answers, with values, unknowns, secrets and errors.
 */
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { readStackConfigFile } from '../../../components/config/load';
import { runOffline, UNKNOWN, type RegisteredResource } from '../../../components/offline';
import { installFastPath } from '../../../components/offline/fast-path';
import * as rpcModule from '@pulumi/pulumi/runtime/rpc';
import { benchConfig } from '../../../bench/generate';

const STACKS = join(__dirname, '..', '..', '..', 'stacks');
const sorted = (resources: readonly RegisteredResource[]) => [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));

describe('fast path', () => {
  const configs: [string, unknown][] = [
    ...['demo', 'team-a', 'team-b'].map((team): [string, unknown] => [team, readStackConfigFile(join(STACKS, `Pulumi.${team}.yaml`))]),
    ['generated team of 25', benchConfig(25)],
  ];

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
      restore = installFastPath();
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
    const restore = installFastPath();
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

  it('puts every replaced function back', () => {
    const rpc = rpcModule as unknown as Record<string, unknown>;
    const names = ['transferProperties', 'deserializeProperties', 'serializeResourceProperties'];
    const before = names.map((name) => rpc[name]);
    const restore = installFastPath();
    expect(names.map((name) => rpc[name])).not.toEqual(before);
    restore();
    expect(names.map((name) => rpc[name])).toEqual(before);
  });
});

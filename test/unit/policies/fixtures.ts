/**
 * Realistic policy inputs: the resources the example stacks register, as runOffline records them
 * (the shapes the runtime passes), copied fresh for every test to mutate. Rules run through
 * policies/evaluate.ts, the one helper that builds the runtime's arguments.
 */
import { join } from 'node:path';
import { readStackConfigFile } from '../../../components/config/load';
import { runOffline, type RegisteredResource } from '../../../offline';
import { evaluatePolicies, type PackConfig, type Violation } from '../../../policies/evaluate';
import type { Rule } from '../../../policies/rules';

/** Kubernetes objects are walked and mutated freely in tests: loosely typed on purpose. */
export type Loose = any;

export const TEAMS = ['demo', 'team-a', 'team-b'] as const;
export type Team = (typeof TEAMS)[number];

const STACKS = join(__dirname, '..', '..', '..', 'stacks');
const cache = new Map<string, Promise<RegisteredResource[]>>();

export function stackConfig(team: Team): Record<string, Loose> {
  return readStackConfigFile(join(STACKS, `Pulumi.${team}.yaml`)) as Record<string, Loose>;
}

/**
 * A deep copy made in the test's own realm. (structuredClone returns objects of Node's main realm,
 * which the runtime's unknown-checking proxy, using `instanceof Object`, would not wrap under jest.)
 */
export function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = clone(item);
  return copy as T;
}

/** The resources an example stack registers, deep-copied: mutate freely. */
export async function stackResources(team: Team): Promise<RegisteredResource[]> {
  if (!cache.has(team)) cache.set(team, runOffline(stackConfig(team), { stack: team }));
  return clone(await cache.get(team)!);
}

/** The resources of a config (not cached). */
export async function configResources(config: Record<string, unknown>, stack = 'test'): Promise<RegisteredResource[]> {
  return runOffline(config, { stack });
}

/** The one resource of a type (and Kubernetes name, when given). */
export function pick(resources: readonly RegisteredResource[], type: string, name?: string): RegisteredResource & { inputs: Record<string, Loose> } {
  const found = resources.filter((r) => r.type === type && (name === undefined || (r.inputs.metadata as { name?: string } | undefined)?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0] as RegisteredResource & { inputs: Record<string, Loose> };
}

export function all(resources: readonly RegisteredResource[], type: string): (RegisteredResource & { inputs: Record<string, Loose> })[] {
  return resources.filter((r) => r.type === type) as (RegisteredResource & { inputs: Record<string, Loose> })[];
}

export const TYPE = {
  statefulSet: 'kubernetes:apps/v1:StatefulSet',
  pod: 'kubernetes:core/v1:Pod',
  service: 'kubernetes:core/v1:Service',
  configMap: 'kubernetes:core/v1:ConfigMap',
  claim: 'kubernetes:core/v1:PersistentVolumeClaim',
  volume: 'kubernetes:core/v1:PersistentVolume',
  namespace: 'kubernetes:core/v1:Namespace',
  networkPolicy: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
  storageClass: 'kubernetes:storage.k8s.io/v1:StorageClass',
  fileSystem: 'aws:efs/fileSystem:FileSystem',
  backupPolicy: 'aws:efs/backupPolicy:BackupPolicy',
} as const;

/** The pod spec of a StatefulSet resource. */
export const podSpecOf = (resource: { inputs: Record<string, Loose> }) => resource.inputs.spec.template.spec;
/** A container of a StatefulSet's pod by name (init containers included). */
export function containerOf(resource: { inputs: Record<string, Loose> }, name: string): Record<string, Loose> {
  const spec = podSpecOf(resource);
  const container = [...(spec.initContainers ?? []), ...spec.containers].find((c: { name: string }) => c.name === name);
  if (!container) throw new Error(`no container ${name}`);
  return container;
}

export function violations(rule: Rule, resources: readonly RegisteredResource[], config: PackConfig = {}): Promise<Violation[]> {
  return evaluatePolicies([rule], resources, config);
}

/** The messages a rule reports over the resources. */
export async function messages(rule: Rule, resources: readonly RegisteredResource[], config: PackConfig = {}): Promise<string[]> {
  return (await violations(rule, resources, config)).map((v) => v.message);
}

/**
 * What every rule of the pack owes: its name, the mandatory level, and no violation on any
 * example team. `passes` titles the per-team test (`%s` is the team).
 */
export function describeMandatoryRules(rules: [string, () => Rule][], passes = 'passes %s'): void {
  describe.each(rules)('%s', (name, rule) => {
    it('is named and mandatory', () => {
      expect(rule()).toMatchObject({ name, enforcementLevel: 'mandatory' });
    });

    it.each(TEAMS)(passes, async (team) => {
      expect(await messages(rule(), await stackResources(team))).toEqual([]);
    });
  });
}

/**
 * registerObject skips the legacy aliases of some generated @pulumi/kubernetes classes (the
 * benchmark found them to cost a quarter of an evaluation): everything else it registers must be
 * what `new Class(name, object, opts)` registers. Under Pulumi mocks, every object of the example
 * stacks and of a generated team is registered both ways and compared: type token, name, inputs,
 * provider version, options; and the class's instance check still holds.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { readStackConfigFile } from '../../../components/config/load';
import { validateConfig } from '../../../components/config/validate';
import { teamObjects } from '../../../components/manifests/chart';
import { sessionObjects } from '../../../components/manifests/session';
import type { KubeObject } from '../../../components/manifests/objects';
import { registerObject, resourceName } from '../../../components/kubernetes/register';
import { benchConfig } from '../../../bench/generate';

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: unknown;
}

const registered = new Map<string, Registered>();

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.set(args.name, { type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    'notebook-platform',
    'bench',
    true,
  );
});

const CLASSES: Record<string, new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource> = {
  Namespace: k8s.core.v1.Namespace,
  ServiceAccount: k8s.core.v1.ServiceAccount,
  Service: k8s.core.v1.Service,
  ConfigMap: k8s.core.v1.ConfigMap,
  PersistentVolume: k8s.core.v1.PersistentVolume,
  PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim,
  ResourceQuota: k8s.core.v1.ResourceQuota,
  LimitRange: k8s.core.v1.LimitRange,
  StatefulSet: k8s.apps.v1.StatefulSet,
  Deployment: k8s.apps.v1.Deployment,
  CronJob: k8s.batch.v1.CronJob,
  NetworkPolicy: k8s.networking.v1.NetworkPolicy,
  Ingress: k8s.networking.v1.Ingress,
  Role: k8s.rbac.v1.Role,
  RoleBinding: k8s.rbac.v1.RoleBinding,
  StorageClass: k8s.storage.v1.StorageClass,
};

function allObjects(): KubeObject[] {
  const stacks = join(__dirname, '..', '..', '..', 'stacks');
  const configs: unknown[] = readdirSync(stacks)
    .filter((file) => /^Pulumi\..+\.yaml$/.test(file))
    .map((file) => readStackConfigFile(join(stacks, file)));
  configs.push(benchConfig(20));
  return configs.flatMap((config) => {
    const result = validateConfig(config);
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    const { plan } = result;
    return [...teamObjects(plan), ...plan.sessions.flatMap((session) => sessionObjects(plan, session))];
  });
}

const internals = (resource: pulumi.Resource) =>
  resource as unknown as { __pulumiType: string; __version?: string; __aliases: unknown[]; __protect?: boolean; __name: string };

describe('registerObject', () => {
  it('registers what the generated classes register, without their legacy aliases', async () => {
    const objects = allObjects();
    const kinds = new Set(objects.map((object) => object.kind));
    for (const kind of ['StatefulSet', 'Ingress', 'NetworkPolicy', 'Role', 'RoleBinding']) expect(kinds).toContain(kind);

    const pairs = objects.map((object, index) => {
      const name = `${index}/${resourceName(object)}`;
      const Class = CLASSES[object.kind];
      const opts: pulumi.CustomResourceOptions = { protect: index % 2 === 0, retainOnDelete: true };
      const ours = registerObject({ ...object, metadata: { ...object.metadata } }, opts);
      // Same object, registered under a name the resource name cannot collide with.
      const theirs = new Class(`typed:${name}`, { ...object } as never, opts);
      return { object, Class, ours, theirs };
    });
    // Let every registration reach the mocks.
    const settled = (resource: pulumi.CustomResource) => new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
    await Promise.all(pairs.flatMap(({ ours, theirs }) => [settled(ours), settled(theirs)]));

    for (const { object, Class, ours, theirs } of pairs) {
      const a = registered.get(resourceName(object));
      const b = registered.get(internals(theirs).__name);
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      expect(a!.type).toBe(b!.type);
      expect(a!.inputs).toEqual(b!.inputs);
      expect(internals(ours).__pulumiType).toBe(internals(theirs).__pulumiType);
      expect(internals(ours).__version).toBe(internals(theirs).__version);
      expect(internals(ours).__protect).toBe(internals(theirs).__protect);
      expect(ours).toBeInstanceOf(Class);
      expect((Class as unknown as { isInstance(value: unknown): boolean }).isInstance(ours)).toBe(true);
      expect(internals(ours).__aliases).toHaveLength(0);
    }
    expect(pairs.some(({ theirs }) => internals(theirs).__aliases.length > 0)).toBe(true);
  });
});

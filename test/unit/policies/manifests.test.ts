/**
 * Manifest documents as the resources the pack's rules see: the type tokens and names the Pulumi
 * path registers for the same objects, and every document that is not a Kubernetes object
 * reported together, naming the file, the document, the field and what is allowed.
 */
import * as k8s from '@pulumi/kubernetes';
import { ManifestError, manifestResources, type ManifestDocument } from '../../../policies/manifests';
import { TYPES } from '../../../policies/rules';
import { resourceName } from '../../../components/kubernetes/register';
import { kubeTypeToken } from '../../../shared/kube-resources';

const doc = (value: unknown, index = 1, file = 'a.yaml'): ManifestDocument => ({ file, index, value });
const claim = (name: string, namespace = 'nb-x') => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace } });

function problemsOf(documents: ManifestDocument[]): string[] {
  try {
    manifestResources(documents);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected a ManifestError');
}

describe('kubeTypeToken', () => {
  it.each([
    ['v1', 'Pod', k8s.core.v1.Pod],
    ['v1', 'PersistentVolumeClaim', k8s.core.v1.PersistentVolumeClaim],
    ['apps/v1', 'StatefulSet', k8s.apps.v1.StatefulSet],
    ['batch/v1', 'CronJob', k8s.batch.v1.CronJob],
    ['networking.k8s.io/v1', 'NetworkPolicy', k8s.networking.v1.NetworkPolicy],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', k8s.rbac.v1.RoleBinding],
    ['storage.k8s.io/v1', 'StorageClass', k8s.storage.v1.StorageClass],
  ])('%s %s is the type @pulumi/kubernetes registers', (apiVersion, kind, resourceClass) => {
    expect(kubeTypeToken(apiVersion, kind)).toBe((resourceClass as unknown as { __pulumiType: string }).__pulumiType);
  });
});

describe('manifestResources', () => {
  it('names each object as the components register it, with the object itself as its props', () => {
    const statefulSet = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'analysis', namespace: 'nb-x' }, spec: { replicas: 1 } };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nb-x' } };
    const { resources, sources } = manifestResources([doc(namespace, 1), doc(statefulSet, 2)]);
    expect(resources.map((r) => [r.type, r.name])).toEqual([
      [TYPES.namespace, resourceName(namespace as never)],
      [TYPES.statefulSet, resourceName(statefulSet as never)],
    ]);
    expect(resources[1].urn).toBe('urn:pulumi:manifests::notebook-platform::kubernetes:apps/v1:StatefulSet::nb-x/StatefulSet/analysis');
    expect(resources[1].inputs).toBe(statefulSet);
    expect(resources[1].opts).toMatchObject({ protect: false, gitOps: true });
    expect(sources.get(resources[1].urn)).toBe('a.yaml (document 2)');
  });

  it('skips empty documents (a trailing ---)', () => {
    expect(manifestResources([doc(null, 1), doc(claim('c'), 2), doc(undefined, 3)]).resources).toHaveLength(1);
  });

  it('reports every document that is not a Kubernetes object, and objects that appear twice, together', () => {
    const problems = problemsOf([
      doc(['a', 'b'], 1),
      doc('text', 2),
      doc({ apiVersion: 'apps/v1beta', kind: 'Deployment', metadata: { name: 'x' } }, 3),
      doc({ apiVersion: 'v1', kind: 'pod', metadata: { name: 'x' } }, 4),
      doc({ apiVersion: 'v1', kind: 'List', metadata: { name: 'x' }, items: [] }, 5),
      doc({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' } }, 6),
      doc({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a.b' } }, 7),
      doc({ apiVersion: 'v1', kind: 'Pod' }, 8),
      doc(claim('home'), 9),
      doc(claim('home'), 1, 'b.yaml'),
      doc(claim('home', 'nb-y'), 2, 'b.yaml'),
    ]);
    expect(problems).toEqual([
      'a.yaml (document 1): is a list, not a Kubernetes object (a map with apiVersion, kind and metadata.name)',
      'a.yaml (document 2): is a string, not a Kubernetes object (a map with apiVersion, kind and metadata.name)',
      'a.yaml (document 3): apiVersion "apps/v1beta" is not an API version ("v1" or "<group>/<version>", e.g. "apps/v1")',
      'a.yaml (document 4): kind "pod" is not a Kubernetes kind (a CamelCase name such as "StatefulSet")',
      'a.yaml (document 5): kind "List": lists are not checked; write each item as its own document',
      'a.yaml (document 6): metadata.name "Bad_Name" is not a Kubernetes object name (lowercase letters, digits, "-", "." and ":", at most 253)',
      'a.yaml (document 7): metadata.namespace "a.b" is not a namespace name (a DNS label: lowercase letters, digits and "-", at most 63)',
      'a.yaml (document 8): metadata undefined is not a map with a name',
      'b.yaml (document 1): PersistentVolumeClaim nb-x/PersistentVolumeClaim/home is also in a.yaml (document 9); an object may appear once',
    ]);
  });
});

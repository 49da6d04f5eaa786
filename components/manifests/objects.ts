/**
 * Plain Kubernetes objects. Builders in this folder return these; charts (chart.ts) wrap them in
 * cdk8s ApiObjects, the components register them as Pulumi resources. The type parameter lets a
 * builder take Pulumi Inputs (an EFS id that is an Output) without this folder importing Pulumi.
 */
import type { Labels } from '../config/plan';

export type { Labels };

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Labels;
  readonly annotations?: Labels;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** `apps/v1/StatefulSet/nb-team-a/analysis`: unique in a stack, stable, used as the resource name. */
export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return [object.apiVersion, object.kind, namespace, name].filter(Boolean).join('/');
}

export function meta(name: string, labels: Labels, namespace?: string, annotations?: Labels): ObjectMeta {
  const metadata: { name: string; namespace?: string; labels: Labels; annotations?: Labels } = { name, labels };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return metadata;
}

/** Annotations that tell the Pulumi Kubernetes provider not to wait where waiting cannot succeed. */
export const SKIP_AWAIT = { 'pulumi.com/skipAwait': 'true' } as const;

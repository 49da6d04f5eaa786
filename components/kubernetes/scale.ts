/**
 * Changing a StatefulSet's scale through its `scale` subresource, with the caller's own
 * kubeconfig credentials: what `notebook-platform sessions start|stop` does, and what an
 * owner's Role allows (statefulsets/scale, by name). The scale subresource changes replicas and
 * nothing else, and the stack leaves a running session's replicas to the cluster, so the next
 * `pulumi up` keeps what the owner chose.
 */
import { kubeApi, type KubeApiOptions } from './api-client';

/** The field manager the API server records for scale changes made by the CLI. */
export const SESSIONS_FIELD_MANAGER = 'notebook-platform-sessions';

export interface ScaleResult {
  readonly replicas: number;
}

/** Sets `replicas` of `namespace/name` (a merge patch of the scale subresource). */
export async function scaleStatefulSet(namespace: string, name: string, replicas: number, options: KubeApiOptions = {}): Promise<ScaleResult> {
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}/scale?fieldManager=${SESSIONS_FIELD_MANAGER}`;
  const scale = (await kubeApi(options).patch(path, { spec: { replicas } })) as { spec?: { replicas?: number } };
  return { replicas: scale.spec?.replicas ?? replicas };
}

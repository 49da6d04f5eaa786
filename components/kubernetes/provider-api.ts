/**
 * The cluster the kubernetes provider deploys to, for the checks that read it before anything
 * changes (the shrink check, the restore check), and whether there is one at all.
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import { kubeApi, kubeconfigFiles, type KubeApi } from './api-client';

/** A client for the cluster the kubernetes provider deploys to: its `kubeconfig` (a path or the text) and `context` settings, else KUBECONFIG. */
export function providerKubeApi(): KubeApi {
  const config = new pulumi.Config('kubernetes');
  const kubeconfig = config.get('kubeconfig');
  const files = kubeconfig === undefined ? kubeconfigFiles() : /[\n{]/.test(kubeconfig) ? [{ text: kubeconfig }] : [kubeconfig];
  return kubeApi({ files, context: config.get('context'), timeoutMs: 10_000 });
}

/** Whether the program runs under Pulumi mocks (tests, `notebook-platform check`): there is no cluster to read then. */
export function underMocks(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

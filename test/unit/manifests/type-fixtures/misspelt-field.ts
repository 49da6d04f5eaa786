// Must not compile: `contianers` is not a field of a pod spec (test/unit/manifests/kube-types.test.ts).
import type { StatefulSetManifest } from '../../../../components/manifests/kube';

export const statefulSet: StatefulSetManifest = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'analysis', namespace: 'nb-team-a' },
  spec: {
    serviceName: 'analysis',
    selector: { matchLabels: { app: 'analysis' } },
    template: {
      metadata: { labels: { app: 'analysis' } },
      spec: {
        contianers: [{ name: 'notebook', image: 'quay.io/jupyter/scipy-notebook:2025-12-01', ports: [{ containerPort: 8888 }], resources: { limits: { memory: '2Gi' } } }],
      },
    },
  },
};

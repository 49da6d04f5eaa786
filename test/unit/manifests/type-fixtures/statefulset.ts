// Compiles: the twin of misspelt-field.ts and wrong-type.ts, typed the way components/manifests builds its objects.
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
        containers: [{ name: 'notebook', image: 'quay.io/jupyter/scipy-notebook:2025-12-01', ports: [{ containerPort: 8888 }], resources: { limits: { memory: '2Gi' } } }],
      },
    },
  },
};

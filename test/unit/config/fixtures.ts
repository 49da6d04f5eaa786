/** A small valid team config to mutate in tests. Returns a fresh copy each call. */
export function baseConfig(): Record<string, any> {
  return {
    team: 'analytics',
    storage: { backend: 'nfs', server: '10.0.0.5', path: '/exports/notebooks' },
    shares: [
      { name: 'datasets', access: 'public', writers: ['alice'] },
      { name: 'scratch', access: 'team' },
      { name: 'payroll', access: 'restricted', readers: ['bob'] },
    ],
    sizes: { small: { cpu: '500m', memory: '2Gi' }, large: { cpu: '4', memory: '16Gi' } },
    environments: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } },
    sessions: [
      { name: 'churn', owner: 'alice', size: 'small', environment: 'scipy' },
      { name: 'forecast', owner: 'bob', size: 'large', environment: 'scipy', shares: ['payroll'] },
      { name: 'report', owner: 'carol', size: 'small', environment: 'scipy', running: false },
    ],
  };
}

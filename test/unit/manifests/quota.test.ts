// ResourceQuota and LimitRange come from the team's quota config and the plan's container limits.
import { join } from 'node:path';
import { HELPER_RESOURCES, readStackConfigFile, validateConfig, type Plan } from '../../../components/config';
import { limitRange, quotaObjects, resourceQuota, teamSecurityObjects, type KubeObject } from '../../../components/manifests';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const rawConfig = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`));
function planOf(raw: Record<string, unknown>): Plan {
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}

const hardOf = (quota: KubeObject) => (quota.spec as { hard: Record<string, string> }).hard;
/** The single Container item of a LimitRange. */
const containerLimitsOf = (range: KubeObject) => (range.spec as { limits: Record<string, Record<string, string>>[] }).limits[0];

describe('ResourceQuota', () => {
  it('team-a: every figure from the config', () => {
    const plan = planOf(rawConfig('team-a'));
    const quota = resourceQuota(plan);
    expect(quota.metadata).toEqual({ name: 'notebook-quota', namespace: 'nb-team-a', labels: plan.labels });
    expect(quota.spec).toEqual({
      hard: {
        'limits.ephemeral-storage': '200Gi',
        'limits.memory': '128Gi',
        persistentvolumeclaims: '100',
        pods: '50',
        'requests.cpu': '32',
        'requests.ephemeral-storage': '200Gi',
        'requests.memory': '128Gi',
        'requests.nvidia.com/gpu': '2',
        'requests.storage': '2Ti',
      },
    });
  });

  it('uses the configured counts and caps GPUs at 0 for a team without any', () => {
    const plan = planOf({ ...rawConfig('team-b'), quota: { cpu: '8', memory: '24Gi', storage: '500Gi', persistentVolumeClaims: 12, pods: 7 } });
    expect(hardOf(resourceQuota(plan))).toEqual({
      'limits.ephemeral-storage': '200Gi',
      'limits.memory': '24Gi',
      persistentvolumeclaims: '12',
      pods: '7',
      'requests.cpu': '8',
      'requests.ephemeral-storage': '200Gi',
      'requests.memory': '24Gi',
      'requests.nvidia.com/gpu': '0',
      'requests.storage': '500Gi',
    });
  });

  it('does not cap the sum of CPU limits (see quota.ts) and lists its keys sorted', () => {
    const hard = hardOf(resourceQuota(planOf(rawConfig('demo'))));
    expect(hard['limits.cpu']).toBeUndefined();
    expect(Object.keys(hard)).toEqual([...Object.keys(hard)].sort());
  });
});

describe('validation against the quota', () => {
  // team-a runs trial-analysis (16Gi, autosave sidecar 128Mi request / 256Mi limit) and imaging (32Gi).
  const withMemory = (memory: string) => validateConfig({ ...rawConfig('team-a'), quota: { ...(rawConfig('team-a').quota as object), memory } });

  it('rejects a memory quota that the requests fit but the limits (which the ResourceQuota caps too) do not', () => {
    const result = withMemory('49300Mi');
    expect(result.problems).toEqual([
      { path: 'notebook-platform:quota.memory', message: `running sessions' memory limits total 48.25Gi (autosave sidecars included); quota.memory caps limits too and is "49300Mi" (raise it or stop sessions)` },
    ]);
    expect(withMemory('49408Mi').ok).toBe(true);
  });

  it('reports requests over the quota once, not twice', () => {
    expect(withMemory('40Gi').problems.map((p) => p.message)).toEqual(['running sessions request 48.13Gi; quota.memory is "40Gi" (raise it or stop sessions)']);
  });
});

describe('LimitRange', () => {
  it.each(['demo', 'team-a', 'team-b'])('%s: container defaults from the helper resources, max from the largest size', (team) => {
    const plan = planOf(rawConfig(team));
    const range = limitRange(plan);
    expect(range.metadata).toEqual({ name: 'notebook-limits', namespace: plan.namespace, labels: plan.labels });
    expect(range.spec).toEqual({
      limits: [{ type: 'Container', default: { ...plan.limits.defaultContainer.limits }, defaultRequest: { ...plan.limits.defaultContainer.requests }, max: { ...plan.limits.maxContainer.limits } }],
    });
    expect(plan.limits.defaultContainer).toEqual(HELPER_RESOURCES);
  });

  it('team-a: max is the largest size (gpu: 4 CPUs requested, limit 8; 32Gi)', () => {
    const range = limitRange(planOf(rawConfig('team-a')));
    expect(containerLimitsOf(range).max).toEqual({ cpu: '8', 'ephemeral-storage': '10Gi', memory: '32Gi' });
    expect(containerLimitsOf(range).default).toEqual({ cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' });
    expect(containerLimitsOf(range).defaultRequest).toEqual({ cpu: '50m', 'ephemeral-storage': '64Mi', memory: '128Mi' });
  });
});

describe('LimitRange with tiny sizes', () => {
  it('keeps its max at or above the defaults, so the API accepts it and helper containers fit', () => {
    const plan = planOf({ ...rawConfig('team-b'), sizes: { small: { cpu: '100m', memory: '128Mi', ephemeralStorage: '100Mi' } } });
    const range = containerLimitsOf(limitRange(plan));
    expect(range.max).toEqual({ cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' });
    expect(range.default).toEqual({ cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' });
  });
});

describe('team security objects', () => {
  it('end with the quota and the limit range, all deterministic', () => {
    const plan = planOf(rawConfig('demo'));
    const objects = teamSecurityObjects(plan);
    expect(objects.slice(-2)).toEqual(quotaObjects(plan));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/nb-demo',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/notebook-ingress',
      'NetworkPolicy/notebook-egress',
      'Role/notebook-viewer',
      'RoleBinding/notebook-viewers',
      'RoleBinding/notebook-admins',
      'ResourceQuota/notebook-quota',
      'LimitRange/notebook-limits',
    ]);
    expect(JSON.stringify(teamSecurityObjects(planOf(rawConfig('demo'))))).toBe(JSON.stringify(objects));
  });

  it.each(['demo', 'team-a', 'team-b'])('%s: every object carries the team labels; the namespace enforces Pod Security restricted at a pinned version', (team) => {
    const plan = planOf(rawConfig(team));
    const objects = teamSecurityObjects(plan);
    for (const object of objects) expect(object.metadata.labels).toMatchObject(plan.labels);
    for (const object of objects.slice(1)) expect(object.metadata.namespace).toBe(plan.namespace);
    const namespace = objects[0];
    expect(namespace.metadata.labels).toEqual({
      ...plan.labels,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.33',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.33',
    });
  });
});

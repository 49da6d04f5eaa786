/**
 * Placement of the team's pods: the helpers (culler Deployment, snapshot and usage CronJobs)
 * follow the config's `helpers`, the notebooks their size's placement, and neither leaks into
 * the other.
 */
import { join } from 'node:path';
import { readStackConfigFile } from '../../../components/config';
import { sessionObjects } from '../../../components/manifests/session';
import { teamObjects } from '../../../components/manifests/team';
import type { KubeObject } from '../../../components/manifests/objects';
import { planOf, root } from './session-support';

const HELPERS = {
  nodeSelector: { 'kubernetes.io/arch': 'amd64', 'example.com/pool': 'platform' },
  tolerations: [
    { key: 'dedicated', operator: 'Equal', value: 'notebooks', effect: 'NoSchedule' },
    { key: 'example.com/spot' },
  ],
};

/** team-b (culler, CSI snapshot backups) with usage measured too, and `helpers` as given. */
function teamB(helpers?: unknown): Record<string, any> {
  const config = readStackConfigFile(join(root, 'stacks', 'Pulumi.team-b.yaml')) as Record<string, any>;
  config.usage = { schedule: '17 * * * *' };
  if (helpers !== undefined) config.helpers = helpers;
  return config;
}

/** Every pod spec of the objects, by "<kind>/<name>". */
function podSpecs(objects: readonly KubeObject[]): Map<string, Record<string, any>> {
  const specs = new Map<string, Record<string, any>>();
  for (const object of objects as readonly Record<string, any>[]) {
    const spec = object.spec?.jobTemplate?.spec?.template?.spec ?? object.spec?.template?.spec;
    if (spec) specs.set(`${object.kind}/${object.metadata.name}`, spec);
  }
  return specs;
}

function helperPods(config: Record<string, any>) {
  return podSpecs(teamObjects(planOf(config)));
}

describe('helpers: where the culler and the snapshot and usage Jobs run', () => {
  it('each helper pod gets the node selector (sorted by key) and the tolerations (in order, only the fields given)', () => {
    const pods = helperPods(teamB(HELPERS));
    expect([...pods.keys()].sort()).toEqual(['CronJob/notebook-snapshots', 'CronJob/notebook-usage', 'Deployment/notebook-culler']);
    for (const [name, spec] of pods) {
      expect({ name, nodeSelector: JSON.stringify(spec.nodeSelector) }).toEqual({ name, nodeSelector: JSON.stringify({ 'example.com/pool': 'platform', 'kubernetes.io/arch': 'amd64' }) });
      expect({ name, tolerations: spec.tolerations }).toEqual({
        name,
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'notebooks', effect: 'NoSchedule' },
          { key: 'example.com/spot', operator: 'Exists' },
        ],
      });
    }
  });

  it('without helpers, or with an empty block, no helper pod has a node selector or tolerations', () => {
    for (const helpers of [undefined, {}, { nodeSelector: {}, tolerations: [] }]) {
      for (const [name, spec] of helperPods(teamB(helpers))) {
        expect({ name, nodeSelector: spec.nodeSelector, tolerations: spec.tolerations }).toEqual({ name, nodeSelector: undefined, tolerations: undefined });
      }
    }
  });

  it("the notebooks keep their size's placement: helpers changes no session object", () => {
    const without = planOf(teamB());
    const withHelpers = planOf(teamB(HELPERS));
    for (const session of without.sessions) {
      const other = withHelpers.sessions.find((s) => s.name === session.name)!;
      expect(JSON.stringify(sessionObjects(withHelpers, other))).toBe(JSON.stringify(sessionObjects(without, session)));
    }
  });
});

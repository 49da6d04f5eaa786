/** node-disk-bounded over the example stacks and variants missing each bound. */
import { nodeDiskBoundedRule } from '../../../policies/rules';
import { all, containerOf, describeMandatoryRules, messages, pick, podSpecOf, stackResources, TYPE } from './fixtures';

const IMAGING = 'StatefulSet nb-team-a/imaging';

describeMandatoryRules([['node-disk-bounded', nodeDiskBoundedRule]], 'passes every workload and namespace of %s');

describe('node-disk-bounded', () => {
  it('fails containers without ephemeral-storage and emptyDirs without a sizeLimit', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    delete containerOf(statefulSet, 'notebook').resources.limits['ephemeral-storage'];
    delete containerOf(statefulSet, 'git-sync').resources.requests['ephemeral-storage'];
    delete containerOf(statefulSet, 'git-sync').resources.limits['ephemeral-storage'];
    const volumes = podSpecOf(statefulSet).volumes;
    delete volumes.find((v: { name: string }) => v.name === 'tmp').emptyDir.sizeLimit;
    delete volumes.find((v: { name: string }) => v.name === 'helper-tmp').emptyDir.sizeLimit;
    expect(await messages(nodeDiskBoundedRule(), resources)).toEqual([
      `${IMAGING}: init container "git-sync" has no requests.ephemeral-storage, limits.ephemeral-storage`,
      `${IMAGING}: container "notebook" has no limits.ephemeral-storage`,
      `${IMAGING}: emptyDir volume "helper-tmp" has no sizeLimit (in memory, it grows up to the pod's memory limit)`,
      `${IMAGING}: emptyDir volume "tmp" has no sizeLimit (it grows on the node's disk)`,
    ]);
  });

  it('fails a namespace whose quota does not cap ephemeral-storage and whose LimitRange does not default it', async () => {
    const resources = await stackResources('demo');
    const quota = pick(resources, 'kubernetes:core/v1:ResourceQuota');
    delete quota.inputs.spec.hard['limits.ephemeral-storage'];
    const range = pick(resources, 'kubernetes:core/v1:LimitRange');
    delete range.inputs.spec.limits[0].defaultRequest['ephemeral-storage'];
    expect(await messages(nodeDiskBoundedRule(), resources)).toEqual([
      'Namespace nb-demo has no ResourceQuota with requests.ephemeral-storage and limits.ephemeral-storage: its pods\' scratch files are not capped',
      'Namespace nb-demo has no LimitRange giving containers a default ephemeral-storage request and limit',
    ]);
  });

  it('fails a namespace without any quota or LimitRange', async () => {
    const resources = (await stackResources('demo')).filter((r) => r.type !== 'kubernetes:core/v1:ResourceQuota' && r.type !== 'kubernetes:core/v1:LimitRange');
    expect(all(resources, TYPE.namespace)).toHaveLength(1);
    expect(await messages(nodeDiskBoundedRule(), resources)).toHaveLength(2);
  });
});

/** fork-consent over the example stacks and forks across owners, read-write or into restricted data. */
import { forkConsentRule } from '../../../policies/rules';
import { containerOf, describeMandatoryRules, messages, pick, podSpecOf, stackResources, TYPE } from './fixtures';

const RETRY = 'StatefulSet nb-team-a/imaging-retry';
const OWNER = 'notebook-platform.io/owner';
const FORKABLE_BY = 'notebook-platform.io/forkable-by';

/** team-a, with imaging-retry (a fork of erin's imaging) owned by someone else. */
async function retryOwnedBy(owner: string) {
  const resources = await stackResources('team-a');
  const retry = pick(resources, TYPE.statefulSet, 'imaging-retry');
  retry.inputs.metadata.labels[OWNER] = owner;
  retry.inputs.spec.template.metadata.labels[OWNER] = owner;
  return { resources, retry, imaging: pick(resources, TYPE.statefulSet, 'imaging') };
}

describeMandatoryRules([['fork-consent', forkConsentRule]]);

describe('fork-consent', () => {
  it('fails a fork of another owner\'s session that does not allow it', async () => {
    const { resources } = await retryOwnedBy('dana');
    expect(await messages(forkConsentRule(), resources)).toEqual([
      `${RETRY}: init container "prepare-home" mounts the home of session imaging (owner erin), which does not allow forks by dana (${FORKABLE_BY}: none)`,
    ]);
  });

  it('passes it when the source lists the owner (dana also writes the restricted share imaging mounts)', async () => {
    const { resources, imaging } = await retryOwnedBy('dana');
    imaging.inputs.metadata.annotations = { [FORKABLE_BY]: 'dana' };
    expect(await messages(forkConsentRule(), resources)).toEqual([]);
  });

  it('fails a consented fork by an owner not entitled to a restricted share the source mounts', async () => {
    const { resources, imaging } = await retryOwnedBy('frank');
    imaging.inputs.metadata.annotations = { [FORKABLE_BY]: 'dana,frank' };
    expect(await messages(forkConsentRule(), resources)).toEqual([
      `${RETRY}: forks session imaging, whose home may hold copies of restricted share patients (mounted by imaging), but frank is not entitled (readers: erin; writers: dana)`,
    ]);
  });

  it('fails a fork source mounted read-write', async () => {
    const resources = await stackResources('team-a');
    const retry = pick(resources, TYPE.statefulSet, 'imaging-retry');
    delete podSpecOf(retry).volumes.find((v: { name: string }) => v.name === 'fork-source').persistentVolumeClaim.readOnly;
    delete containerOf(retry, 'prepare-home').volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/fork-source').readOnly;
    expect(await messages(forkConsentRule(), resources)).toEqual([
      `${RETRY}: init container "prepare-home" mounts the home of session imaging read-write; a fork source is read-only`,
    ]);
  });

  it('fails a notebook mounting another owner\'s home claim anywhere', async () => {
    const resources = await stackResources('team-a');
    const trial = pick(resources, TYPE.statefulSet, 'trial-analysis');
    podSpecOf(trial).volumes.push({ name: 'peek', persistentVolumeClaim: { claimName: 'workdir-imaging', readOnly: true } });
    containerOf(trial, 'notebook').volumeMounts.push({ name: 'peek', mountPath: '/mnt/peek', readOnly: true });
    expect(await messages(forkConsentRule(), resources)).toEqual([
      `StatefulSet nb-team-a/trial-analysis: container "notebook" mounts the home of session imaging (owner erin), which does not allow forks by dana (${FORKABLE_BY}: none)`,
    ]);
  });

  it('nfs: fails a mount of the whole homes claim, which holds every other session\'s home', async () => {
    const resources = await stackResources('demo');
    const statefulSets = resources.filter((r) => r.type === TYPE.statefulSet && (r.inputs.spec as any)?.template?.metadata?.labels?.[OWNER]);
    const first = statefulSets[0] as { inputs: Record<string, any> };
    const home = podSpecOf(first).volumes.find((v: { name: string }) => v.name === 'home');
    expect(home.persistentVolumeClaim.claimName).toBe('workdirs');
    containerOf(first, 'notebook').volumeMounts.push({ name: 'home', mountPath: '/mnt/all', readOnly: true });
    const found = await messages(forkConsentRule(), resources);
    const others = statefulSets.slice(1).map((s) => (s.inputs as any).metadata.name as string);
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const other of others) expect(found.some((m) => m.includes(`mounts the home of session ${other} `))).toBe(true);
  });
});

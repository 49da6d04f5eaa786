/**
 * Resizing claims under Pulumi mocks: a larger size is the same claim with a larger request, a
 * smaller one fails the program (a RunError naming the field) before the claim is registered;
 * claims bound to static volumes keep their first request.
 */
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { readStackConfigFile } from '../../../components/config';
import { planFromConfig } from '../../../components/config/validate';
import { NotebookPlatform } from '../../../components/platform';
import { assertNoShrink, claimSizeFields, claimSizes } from '../../../components/kubernetes/claim-sizes';
import { liveClaimSizes, sizesOf } from '../../../components/kubernetes/live-sizes';
import { underMocks } from '../../../components/kubernetes/provider-api';
import type { KubeApi, KubeListItem } from '../../../components/kubernetes/api-client';
import { runOffline, type RegisteredResource } from '../../../offline';

const stacks = join(__dirname, '..', '..', '..', 'stacks');
const load = (team: string) => readStackConfigFile(join(stacks, `Pulumi.${team}.yaml`)) as Record<string, any>;
/** A team with a claim per session on a storage class (team-b's shape). */
const team = (stateModel: 'session' | 'user') => ({
  team: 'team-b',
  storage: { backend: 'storageClass', storageClassName: 'cephfs' },
  stateModel,
  shares: [{ name: 'models', access: 'team', size: '100Gi' }],
  sizes: { small: { cpu: '500m', memory: '2Gi' } },
  environments: { minimal: { image: 'quay.io/jupyter/minimal-notebook:2025-12-01' } },
  sessions: [
    { name: 'etl', owner: 'frank', size: 'small', environment: 'minimal' },
    { name: 'etl-debug', owner: 'frank', size: 'small', environment: 'minimal', running: false },
    { name: 'reports', owner: 'grace', size: 'small', environment: 'minimal' },
  ],
});
const perSession = () => team('session');
const claims = (resources: RegisteredResource[]) =>
  Object.fromEntries(resources.filter((r) => r.type === 'kubernetes:core/v1:PersistentVolumeClaim').map((r) => [(r.inputs.metadata as { name: string }).name, r]));
const requested = (r: RegisteredResource) => (r.inputs.spec as { resources: { requests: { storage: string } } }).resources.requests.storage;

function run(config: Record<string, unknown>, previousClaimSizes: Record<string, string> | undefined) {
  const plan = planFromConfig(config);
  return runOffline(config, { program: (stack) => new NotebookPlatform(stack, { plan, previousClaimSizes }) });
}


describe('claim sizes', () => {
  it('names every claim with its size and the config field that sets it', () => {
    const demo = claimSizeFields(planFromConfig(load('demo')));
    expect(Object.fromEntries(demo)).toEqual({
      workdirs: { size: '200Gi', field: 'notebook-platform:storage.homesSize' },
      'share-datasets': { size: '200Gi', field: 'notebook-platform:shares (share "datasets").size' },
      'share-payroll': { size: '10Gi', field: 'notebook-platform:shares (share "payroll").size' },
      'share-scratch': { size: '50Gi', field: 'notebook-platform:shares (share "scratch").size' },
    });
    const b = planFromConfig({ ...perSession(), sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize: '15Gi' } } });
    expect(claimSizes(b)).toEqual({ 'share-models': '100Gi', 'workdir-etl': '15Gi', 'workdir-etl-debug': '15Gi', 'workdir-reports': '15Gi' });
    expect(claimSizeFields(b).get('workdir-etl')?.field).toBe('notebook-platform:sizes.small.workdirSize');
    const users = claimSizeFields(planFromConfig(team('user')));
    expect(users.get('home-frank')).toEqual({ size: '10Gi', field: "notebook-platform:sizes.small.workdirSize (the largest of frank's sessions)" });
  });
});

describe('resizing under mocks', () => {
  it('a larger workdirSize raises the request of the same claim (an update, never a new name)', async () => {
    const before = claims(await run(perSession(), undefined));
    const config = { ...perSession(), sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize: '25Gi' } } };
    const after = claims(await run(config, { 'workdir-etl': '10Gi', 'workdir-etl-debug': '10Gi', 'workdir-reports': '10Gi', 'share-models': '100Gi' }));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(requested(before['workdir-etl'])).toBe('10Gi');
    expect(requested(after['workdir-etl'])).toBe('25Gi');
    expect(after['workdir-etl'].urn).toBe(before['workdir-etl'].urn);
    // Dynamic claims are resized in place: no ignoreChanges and no replaceOnChanges on them.
    expect(after['workdir-etl'].opts.ignoreChanges).toEqual([]);
    expect(after['workdir-etl'].opts.replaceOnChanges).toEqual([]);
  });

  it('a smaller workdirSize is refused with a RunError naming the field and the claim', async () => {
    const plan = planFromConfig({ ...perSession(), sizes: { small: { cpu: '500m', memory: '2Gi', workdirSize: '5Gi' } } });
    const failure = assertNoShrink(plan, Promise.resolve({ 'workdir-etl': '10Gi', 'workdir-reports': '5Gi' }));
    await expect(failure).rejects.toBeInstanceOf(pulumi.RunError);
    await expect(failure).rejects.toThrow(
      'nothing was changed: a size shrinks\nnotebook-platform:sizes.small.workdirSize: "5Gi" is smaller than the 10Gi claim nb-team-b/workdir-etl already has; a claim can only grow (Kubernetes refuses a smaller request). Keep 10Gi or more',
    );
  });

  it('lists every shrink (a share too); equal, larger, unknown or absent previous sizes pass', async () => {
    const plan = planFromConfig(perSession());
    const failure = assertNoShrink(plan, { 'share-models': '200Gi', 'workdir-etl': '20Gi' });
    await expect(failure).rejects.toThrow(/^nothing was changed: 2 sizes shrink\n/);
    await expect(failure).rejects.toThrow('notebook-platform:shares (share "models").size: "100Gi" is smaller than the 200Gi claim nb-team-b/share-models');
    await expect(failure).rejects.toThrow('notebook-platform:sizes.small.workdirSize: "10Gi" is smaller than the 20Gi claim nb-team-b/workdir-etl');
    await expect(assertNoShrink(plan, { 'share-models': '102400Mi', 'workdir-etl': '5Gi', 'other-claim': '1Ti', 'workdir-reports': 'garbage' })).resolves.toBeUndefined();
    await expect(assertNoShrink(plan, undefined)).resolves.toBeUndefined();
    // Under mocks the platform registers everything when no size shrinks.
    const same = claims(await run(perSession(), { 'share-models': '102400Mi', 'workdir-etl': '10Gi' }));
    expect(requested(same['share-models'])).toBe('100Gi');
  });

  it('on nfs a smaller homesSize fails, and static claims keep their first request while the volume follows the config', async () => {
    const demo = load('demo');
    await expect(assertNoShrink(planFromConfig({ ...demo, storage: { ...demo.storage, homesSize: '100Gi' } }), { workdirs: '200Gi' })).rejects.toThrow(
      'notebook-platform:storage.homesSize: "100Gi" is smaller than the 200Gi claim nb-demo/workdirs',
    );
    const resources = await run({ ...demo, storage: { ...demo.storage, homesSize: '300Gi' } }, { workdirs: '200Gi' });
    const workdirs = claims(resources).workdirs;
    expect(workdirs.opts.ignoreChanges).toEqual(['spec.resources']);
    const volume = resources.find((r) => r.type === 'kubernetes:core/v1:PersistentVolume' && (r.inputs.metadata as { name: string }).name === 'nb-demo-workdirs')!;
    expect((volume.inputs.spec as { capacity: { storage: string } }).capacity.storage).toBe('300Gi');
  });

  it('the stack program reads no cluster under mocks', async () => {
    let mocked: boolean | undefined;
    await runOffline(load('demo'), { program: () => void (mocked = underMocks()) });
    expect(mocked).toBe(true);
  });
});

describe('live sizes', () => {
  const plan = planFromConfig(perSession());
  const claim = (name: string, request: string, capacity?: string, namespace = 'nb-team-b'): KubeListItem => ({
    metadata: { name, namespace },
    spec: { resources: { requests: { storage: request } } },
    status: capacity ? { phase: 'Bound', capacity: { storage: capacity } } : { phase: 'Pending' },
  });
  const volume = (name: string, claimName: string, capacity: string, namespace = 'nb-team-b'): KubeListItem => ({ metadata: { name }, spec: { capacity: { storage: capacity }, claimRef: { name: claimName, namespace } } });

  it('are the larger of the request and the team\'s own bound volume\'s capacity; a larger volume the claim happens to bind is not its size', () => {
    expect(sizesOf(plan, [claim('workdir-etl', '10Gi', '12Gi'), claim('share-models', '100Gi', '100Gi'), claim('workdir-x', '1Gi', undefined, 'nb-other')], [volume('pv-1', 'share-models', '150Gi'), volume('pv-2', 'workdir-y', '9Gi', 'nb-other')])).toEqual({
      'share-models': '150Gi',
      // Bound to a 12Gi volume (found on the real node: 1Gi claims on 2Gi local volumes); the config's 10Gi is no shrink.
      'workdir-etl': '10Gi',
    });
  });

  it('are listed by the team label in the team namespace', async () => {
    const calls: string[] = [];
    const api: KubeApi = {
      list: async (path, query) => {
        calls.push(`${path}?${new URLSearchParams(query).toString()}`);
        return path.includes('persistentvolumeclaims') ? [claim('workdir-etl', '20Gi', '20Gi')] : [];
      },
      get: async () => undefined,
      getText: async () => undefined,
    };
    expect(await liveClaimSizes(plan, api)).toEqual({ 'workdir-etl': '20Gi' });
    expect(calls).toEqual([
      '/api/v1/namespaces/nb-team-b/persistentvolumeclaims?labelSelector=notebook-platform.io%2Fteam%3Dteam-b',
      '/api/v1/persistentvolumes?labelSelector=notebook-platform.io%2Fteam%3Dteam-b',
    ]);
  });
});

/**
 * The GitOps path (synth, the cdk8s charts): the objects the Pulumi components register, except
 * that every claim and volume states its retention and tells Argo CD and Flux never to prune or
 * delete it; a purged session's claim says it is purged and is not kept.
 */
import { join } from 'node:path';
import { readStackConfigFile, synthesize } from '../../../components';
import { canonicalObject } from '../../../components/manifests/canonical';
import { forGitOps } from '../../../components/manifests/gitops';
import type { KubeObject } from '../../../components/manifests/objects';
import { sessionObjects } from '../../../components/manifests/session';
import { teamObjects } from '../../../components/manifests/team';
import { PURGE_ANNOTATION, RETAIN_ANNOTATION } from '../../../components/config/names';
import { ARGO_SYNC_OPTIONS_ANNOTATION, FLUX_PRUNE_ANNOTATION, gitOpsDeletionRoutes } from '../../../shared/gitops';
import { planOf, root } from './session-support';

const STACKS = ['demo', 'local', 'team-a', 'team-b'];
const KEEP = { [ARGO_SYNC_OPTIONS_ANNOTATION]: 'Prune=false,Delete=false', [FLUX_PRUNE_ANNOTATION]: 'disabled' };
const holdsData = (object: KubeObject) => object.kind === 'PersistentVolumeClaim' || object.kind === 'PersistentVolume';
const withoutAnnotations = (object: KubeObject, keys: string[]) => {
  const annotations = Object.fromEntries(Object.entries(object.metadata.annotations ?? {}).filter(([key]) => !keys.includes(key)));
  return canonicalObject({ ...object, metadata: { ...object.metadata, annotations } });
};

describe('gitOpsDeletionRoutes', () => {
  it('is empty when both tools keep the object, whatever else Argo CD is told and however it is spaced', () => {
    expect(gitOpsDeletionRoutes(KEEP)).toEqual([]);
    expect(gitOpsDeletionRoutes({ ...KEEP, [ARGO_SYNC_OPTIONS_ANNOTATION]: ' ServerSideApply=true , Delete=false,Prune=false ' })).toEqual([]);
  });

  it('names each way a sync could still delete it', () => {
    expect(gitOpsDeletionRoutes({})).toEqual([
      'argocd.argoproj.io/sync-options lacks Prune=false',
      'argocd.argoproj.io/sync-options lacks Delete=false',
      'kustomize.toolkit.fluxcd.io/prune is not "disabled"',
    ]);
    expect(gitOpsDeletionRoutes({ ...KEEP, [ARGO_SYNC_OPTIONS_ANNOTATION]: 'Prune=false' })).toEqual(['argocd.argoproj.io/sync-options lacks Delete=false']);
    expect(gitOpsDeletionRoutes({ ...KEEP, [ARGO_SYNC_OPTIONS_ANNOTATION]: 'Prune=confirm,Delete=false' })).toEqual(['argocd.argoproj.io/sync-options lacks Prune=false']);
    expect(gitOpsDeletionRoutes({ ...KEEP, [FLUX_PRUNE_ANNOTATION]: 'enabled' })).toEqual(['kustomize.toolkit.fluxcd.io/prune is not "disabled"']);
  });
});

describe('forGitOps', () => {
  const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'workdir-a', namespace: 'nb-x', annotations: { 'example.com/a': '1' } } };

  it('a kept claim: retained, kept by both tools, its own annotations untouched', () => {
    expect(forGitOps(claim, false).metadata.annotations).toEqual({ 'example.com/a': '1', [RETAIN_ANNOTATION]: 'true', ...KEEP });
  });

  it('a purged claim: not retained, marked purged, not kept', () => {
    expect(forGitOps(claim, true).metadata.annotations).toEqual({ 'example.com/a': '1', [RETAIN_ANNOTATION]: 'false', [PURGE_ANNOTATION]: 'true' });
  });

  it('an object holding no data is returned as it is', () => {
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'nb-x' } };
    expect(forGitOps(service, false)).toBe(service);
    expect(forGitOps(service, true)).toBe(service);
  });
});

describe.each(STACKS)('synth of %s', (stack) => {
  const plan = planOf(readStackConfigFile(join(root, 'stacks', `Pulumi.${stack}.yaml`)));
  const synthesized = synthesize(plan).flatMap((file) => file.objects);
  const registered = [...teamObjects(plan), ...plan.sessions.flatMap((session) => sessionObjects(plan, session))];

  it('keeps every claim and volume from GitOps pruning and deletion', () => {
    const data = synthesized.filter(holdsData);
    expect(data.length).toBeGreaterThan(0);
    for (const object of data) expect({ object: object.metadata.name, annotations: object.metadata.annotations }).toEqual({ object: object.metadata.name, annotations: expect.objectContaining({ ...KEEP, [RETAIN_ANNOTATION]: 'true' }) });
  });

  it('differs from what the Pulumi components register only there', () => {
    expect(synthesized.filter((object) => !holdsData(object)).some((object) => Object.keys(KEEP).some((key) => object.metadata.annotations?.[key] !== undefined))).toBe(false);
    const added = [...Object.keys(KEEP), RETAIN_ANNOTATION];
    expect(synthesized.map((object) => withoutAnnotations(object, added))).toEqual(registered.map((object) => withoutAnnotations(object, added)));
  });
});

it('a purged session\'s claim is not kept, so the sync after the purge deletes it', () => {
  const config = readStackConfigFile(join(root, 'stacks', 'Pulumi.team-a.yaml')) as { sessions: Record<string, unknown>[] };
  const sessions = config.sessions.map((session) => (session.name === 'imaging' ? { ...session, running: false, purge: true } : session));
  const plan = planOf({ ...config, sessions });
  const claim = synthesize(plan).flatMap((file) => file.objects).find((object) => object.kind === 'PersistentVolumeClaim' && object.metadata.name === 'workdir-imaging')!;
  expect(claim.metadata.annotations).toMatchObject({ [RETAIN_ANNOTATION]: 'false', [PURGE_ANNOTATION]: 'true' });
  expect(Object.keys(claim.metadata.annotations ?? {})).not.toEqual(expect.arrayContaining([ARGO_SYNC_OPTIONS_ANNOTATION]));
  expect(claim.metadata.annotations?.[FLUX_PRUNE_ANNOTATION]).toBeUndefined();
});

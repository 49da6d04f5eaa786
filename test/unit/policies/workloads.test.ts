/**
 * container-resources, no-host-access, allowed-image-registries and pinned-images over the
 * example stacks and unsafe variants of their sessions.
 */
import {
  allowedRegistriesRule, containerResourcesRule, DEFAULT_ALLOWED_REGISTRIES, fromAllowedRegistry, noHostAccessRule, parseImage, pinnedImagesRule,
} from '../../../policies/rules';
import { containerOf, messages, pick, podSpecOf, stackResources, TYPE, describeMandatoryRules } from './fixtures';

const IMAGING = 'StatefulSet nb-team-a/imaging';

describeMandatoryRules([
  ['container-resources', containerResourcesRule],
  ['no-host-access', noHostAccessRule],
  ['allowed-image-registries', allowedRegistriesRule],
  ['pinned-images', pinnedImagesRule],
], 'passes every workload of %s');

describe('container-resources', () => {
  it('fails an init container without limits and a container without a cpu request', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    delete containerOf(statefulSet, 'git-sync').resources.limits;
    delete containerOf(statefulSet, 'notebook').resources.requests.cpu;
    expect(await messages(containerResourcesRule(), resources)).toEqual([
      `${IMAGING}: init container "git-sync" has no limits.cpu, limits.memory`,
      `${IMAGING}: container "notebook" has no requests.cpu`,
    ]);
  });
});

describe('no-host-access', () => {
  it('fails host namespaces, hostPath volumes, privileged containers and host ports', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    Object.assign(podSpecOf(statefulSet), { hostNetwork: true, hostPID: true, hostIPC: true });
    podSpecOf(statefulSet).volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } });
    containerOf(statefulSet, 'notebook').securityContext.privileged = true;
    containerOf(statefulSet, 'notebook').ports[0].hostPort = 8888;
    expect(await messages(noHostAccessRule(), resources)).toEqual([
      `${IMAGING}: uses the host network (hostNetwork: true)`,
      `${IMAGING}: shares the host's process namespace (hostPID: true)`,
      `${IMAGING}: shares the host's IPC namespace (hostIPC: true)`,
      `${IMAGING}: volume "docker" mounts the node's /var/run/docker.sock (hostPath)`,
      `${IMAGING}: container "notebook" is privileged`,
      `${IMAGING}: container "notebook" binds host port 8888`,
    ]);
  });

  it('fails a PersistentVolume backed by a node directory', async () => {
    const resources = await stackResources('demo');
    const volume = pick(resources, TYPE.volume, 'nb-demo-share-datasets');
    delete volume.inputs.spec.nfs;
    volume.inputs.spec.hostPath = { path: '/data/datasets' };
    expect(await messages(noHostAccessRule(), resources)).toEqual(['PersistentVolume nb-demo-share-datasets is a hostPath volume (/data/datasets on a node)']);
  });
});

describe('allowed-image-registries', () => {
  it('fails an image from elsewhere, naming the allowed registries', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').image = 'docker.io/someone/notebook:1.0';
    expect(await messages(allowedRegistriesRule(), resources)).toEqual([
      `${IMAGING}: container "notebook" image docker.io/someone/notebook:1.0 is not from an allowed registry (quay.io/jupyter, docker.io/jupyter, registry.k8s.io/git-sync)`,
    ]);
  });

  it('takes the allowed registries from the policy config', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').image = 'registry.example.com/notebooks/scipy:2025-12-01';
    const config = { 'allowed-image-registries': { allowedRegistries: [...DEFAULT_ALLOWED_REGISTRIES, 'registry.example.com/notebooks'] } };
    expect(await messages(allowedRegistriesRule(), resources, config)).toEqual([]);
    const narrow = { 'allowed-image-registries': { allowedRegistries: ['registry.example.com'] } };
    const found = await messages(allowedRegistriesRule(), resources, narrow);
    expect(found).toContain(`${IMAGING}: init container "git-sync" image registry.k8s.io/git-sync/git-sync:v4.7.1 is not from an allowed registry (registry.example.com)`);
    expect(found).not.toContainEqual(expect.stringContaining('registry.example.com/notebooks/scipy'));
  });

  it('reads references as container runtimes do', () => {
    expect(parseImage('jupyter/scipy-notebook:2025-12-01')).toEqual({ registry: 'docker.io', repository: 'jupyter/scipy-notebook', tag: '2025-12-01' });
    expect(parseImage('busybox')).toEqual({ registry: 'docker.io', repository: 'library/busybox' });
    expect(parseImage('registry.example.com:5000/team/img@sha256:abc')).toEqual({ registry: 'registry.example.com:5000', repository: 'team/img', digest: 'sha256:abc' });
    expect(fromAllowedRegistry(parseImage('quay.io/jupyterhub/x:1'), ['quay.io/jupyter'])).toBe(false);
    expect(fromAllowedRegistry(parseImage('jupyter/base-notebook:1'), ['docker.io/jupyter'])).toBe(true);
    expect(fromAllowedRegistry(parseImage('quay.io/anything/x:1'), ['quay.io'])).toBe(true);
  });
});

describe('pinned-images', () => {
  it('fails :latest and untagged images, accepts digests', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    containerOf(statefulSet, 'notebook').image = 'quay.io/jupyter/scipy-notebook:latest';
    containerOf(statefulSet, 'prepare-home').image = 'quay.io/jupyter/scipy-notebook';
    containerOf(statefulSet, 'git-sync').image = 'registry.k8s.io/git-sync/git-sync:latest@sha256:0123';
    expect(await messages(pinnedImagesRule(), resources)).toEqual([
      `${IMAGING}: init container "prepare-home" image quay.io/jupyter/scipy-notebook has no tag (it means :latest); pin a version tag or a digest`,
      `${IMAGING}: container "notebook" image quay.io/jupyter/scipy-notebook:latest uses :latest; pin a version tag or a digest`,
    ]);
  });
});

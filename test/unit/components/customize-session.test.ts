/**
 * NotebookPlatform's customizeSession: the additions a program makes to a session reach the
 * registered objects exactly as NotebookPlatformChart renders the same additions in a cdk8s app,
 * other sessions are untouched, and a refused addition stops the program with a RunError.
 */
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { Testing } from 'cdk8s';
import { readStackConfigFile, type StackConfigInput } from '../../../components/config';
import { NotebookPlatform } from '../../../components/platform';
import { NotebookPlatformChart } from '../../../components/manifests/constructs';
import type { SessionCustomization } from '../../../components/manifests/customize';
import { runOffline, type RegisteredResource } from '../../../offline';

const config = readStackConfigFile(join(__dirname, '..', '..', '..', 'stacks', 'Pulumi.demo.yaml')) as StackConfigInput;
const ADDITIONS: SessionCustomization = {
  labels: { 'example.com/cost-center': 'research' },
  sidecars: [{ name: 'log-shipper', image: 'example.com/log-shipper:1.0', resources: { limits: { memory: '64Mi' } } }],
  volumes: [{ volume: { name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } }, mountPath: '/datasets', readOnly: true }],
};

describe('NotebookPlatform customizeSession', () => {
  const target = (config.sessions ?? [])[0].name;
  let resources: RegisteredResource[];
  beforeAll(async () => {
    resources = await runOffline(undefined, {
      stack: 'demo',
      program: () => {
        new NotebookPlatform('demo', { config, customizeSession: (session) => (session.name === target ? ADDITIONS : undefined) });
      },
    });
  });

  const statefulSets = () => resources.filter((r) => r.type === 'kubernetes:apps/v1:StatefulSet');

  it("registers the session's StatefulSet exactly as the cdk8s chart renders the same additions", () => {
    const chart = new NotebookPlatformChart(Testing.app(), 'demo', {
      config,
      customizeSession: (session) => {
        if (session.session.name !== target) return;
        for (const [key, value] of Object.entries(ADDITIONS.labels!)) session.addLabel(key, value);
        for (const sidecar of ADDITIONS.sidecars!) session.addSidecar(sidecar);
        for (const { volume, ...mount } of ADDITIONS.volumes!) session.addVolume(volume, mount);
      },
    });
    const rendered = Testing.synth(chart).filter((o) => o.kind === 'StatefulSet');
    expect(statefulSets().length).toBe(rendered.length);
    for (const registered of statefulSets()) {
      const name = (registered.inputs.metadata as { name: string }).name;
      expect(registered.inputs).toEqual(rendered.find((o) => o.metadata.name === name));
    }
    const customized = statefulSets().find((r) => (r.inputs.metadata as { name: string }).name === target)!;
    expect(JSON.stringify(customized.inputs)).toContain('log-shipper');
    expect(statefulSets().filter((r) => JSON.stringify(r.inputs).includes('log-shipper'))).toHaveLength(1);
  });

  it('labels every registered object of that session and of no other', () => {
    const labelled = resources.filter((r) => (r.inputs.metadata as { labels?: Record<string, string> } | undefined)?.labels?.['example.com/cost-center'] === 'research');
    expect(labelled.length).toBeGreaterThanOrEqual(4);
    for (const r of labelled) expect((r.inputs.metadata as { labels: Record<string, string> }).labels['notebook-platform.io/session']).toBe(target);
  });
});

describe('a refused addition', () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: () => ({ id: undefined, state: {} }), call: () => ({}) }, 'notebook-platform', 'demo', true);
  });

  /** What constructing the platform throws; the test fails if it throws nothing. */
  function thrown(customizeSession: () => SessionCustomization): Error {
    try {
      new NotebookPlatform('demo', { config, customizeSession });
    } catch (error) {
      return error as Error;
    }
    throw new Error('the program went on to register its resources although an addition is refused');
  }

  it('stops the program with a RunError (no stack trace) naming the session and the value', () => {
    const label = thrown(() => ({ labels: { 'notebook-platform.io/owner': 'mallory' } }));
    expect(pulumi.RunError.isInstance(label)).toBe(true);
    expect(label.message).toMatch(/^session \S+: label notebook-platform.io\/owner is set by the platform/);
    const sidecar = thrown(() => ({ sidecars: [{ name: 'notebook', image: 'x' }] }));
    expect(pulumi.RunError.isInstance(sidecar)).toBe(true);
    expect(sidecar.message).toMatch(/^session \S+: sidecar name notebook is taken/);
  });
});

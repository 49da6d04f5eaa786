/**
 * The cdk8s constructs: NotebookPlatformChart renders exactly what `synth` writes for the same
 * config, and a session's additions (labels, sidecars, volumes) land where they should, keep the
 * platform's defaults and never replace what the platform set.
 */
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ConfigError, readStackConfigFile, synthesize, type Plan, type StackConfigInput } from '../../../components';
import { NotebookPlatformChart, NotebookSessionConstruct } from '../../../components/manifests/constructs';
import { customizeSessionObjects } from '../../../components/manifests/customize';
import { canonicalObject } from '../../../components/manifests/canonical';
import type { KubeObject } from '../../../components/manifests/objects';
import { sessionObjects } from '../../../components/manifests/session';
import { planOf, root, sessionOf, stackPlan } from './session-support';

type Json = Record<string, any>;

const STACKS = ['demo', 'local', 'team-a', 'team-b'] as const;
const stackConfig = (stack: string) => readStackConfigFile(join(root, 'stacks', `Pulumi.${stack}.yaml`)) as StackConfigInput;
const synthObjects = (plan: Plan) => JSON.parse(JSON.stringify(synthesize(plan).flatMap((file) => file.objects)));

const chartOf = (plan: Plan, customizeSession?: (session: NotebookSessionConstruct) => void) => new NotebookPlatformChart(Testing.app(), plan.team, { plan, customizeSession });
const statefulSetOf = (objects: Json[], name: string) => objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)!;
const podOf = (objects: Json[], name: string) => statefulSetOf(objects, name).spec.template.spec;

describe('NotebookPlatformChart', () => {
  it.each(STACKS)('%s: the chart holds exactly the objects synth writes, in the same order, from the config as written', (stack) => {
    const config = stackConfig(stack);
    const chart = new NotebookPlatformChart(Testing.app(), stack, { config });
    expect(Testing.synth(chart)).toEqual(synthObjects(planOf(config)));
    expect(chart.sessions.map((session) => session.node.id)).toEqual(chart.plan.sessions.map((session) => session.name));
  });

  it('two teams in one App do not collide, and each chart is its own file', () => {
    const app = Testing.app();
    new NotebookPlatformChart(app, 'team-a', { config: stackConfig('team-a') });
    new NotebookPlatformChart(app, 'team-b', { config: stackConfig('team-b') });
    app.synth();
    expect(app.charts.map((chart) => chart.node.id)).toEqual(['team-a', 'team-b']);
  });

  it('takes config or plan, exactly one, and refuses an invalid config listing every problem with its path', () => {
    const plan = stackPlan('demo');
    expect(() => new NotebookPlatformChart(Testing.app(), 'x', { plan, config: stackConfig('demo') })).toThrow('NotebookPlatformChart takes config or plan, not both');
    expect(() => new NotebookPlatformChart(Testing.app(), 'x', {})).toThrow('NotebookPlatformChart needs config (the notebook-platform:* stack config) or plan');
    const invalid = { ...stackConfig('demo'), team: 'Team A', sessions: [{ name: 'Bad_Name', owner: 'alice', size: 'small', environment: 'scipy' }] };
    let error: unknown;
    try {
      new NotebookPlatformChart(Testing.app(), 'x', { config: invalid as never });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['notebook-platform:team', 'notebook-platform:sessions[0].name']));
    for (const path of paths) expect((error as Error).message).toContain(`  ${path}: `);
  });

  it('session(name) finds a session, and names the sessions there are when it does not exist', () => {
    const chart = chartOf(stackPlan('team-a'));
    expect(chart.session('imaging').session.name).toBe('imaging');
    expect(() => chart.session('nope')).toThrow('team-a: no session named "nope" (sessions: imaging, imaging-retry, trial-analysis)');
  });
});

describe('a session\'s additions', () => {
  const plan = stackPlan('team-a');

  it('a label goes on every object of the session and its pod template, never on selectors or other sessions', () => {
    const objects = Testing.synth(chartOf(plan, (session) => session.session.name === 'imaging' && session.addLabel('example.com/cost-center', 'c42')));
    const labelled = objects.filter((o) => o.metadata.labels?.['example.com/cost-center'] === 'c42');
    expect(labelled.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(sessionObjects(plan, sessionOf(plan, 'imaging')).map((o) => `${o.kind}/${o.metadata.name}`).sort());
    const statefulSet = statefulSetOf(objects, 'imaging');
    expect(statefulSet.spec.template.metadata.labels['example.com/cost-center']).toBe('c42');
    expect(statefulSet.spec.selector.matchLabels['example.com/cost-center']).toBeUndefined();
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === statefulSet.spec.serviceName)!;
    expect(service.spec.selector['example.com/cost-center']).toBeUndefined();
  });

  it('a sidecar runs after the platform\'s containers with the platform\'s secure defaults; fields it sets override one by one', () => {
    const chart = chartOf(plan);
    chart.session('imaging').addSidecar({ name: 'proxy', image: 'example.com/proxy:1.0', ports: [{ containerPort: 9000 }] });
    chart.session('imaging').addSidecar({ name: 'metrics', image: 'example.com/metrics:1.0', securityContext: { readOnlyRootFilesystem: false }, resources: { limits: { memory: '64Mi' } } });
    const containers: Json[] = podOf(Testing.synth(chart), 'imaging').containers;
    expect(containers.map((c) => c.name)).toEqual(['notebook', 'proxy', 'metrics']);
    expect(containers[1].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(containers[1].resources).toEqual({ requests: { cpu: '50m', 'ephemeral-storage': '64Mi', memory: '128Mi' }, limits: { cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' } });
    expect(containers[2].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: false, runAsNonRoot: true });
    expect(containers[2].resources).toEqual({ limits: { memory: '64Mi' } });
  });

  it('a volume is added after the platform\'s, and mounted in the notebook in mount-path order when asked', () => {
    const chart = chartOf(plan);
    chart.session('imaging').addVolume({ name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } }, { mountPath: '/home/jovyan/datasets', readOnly: true });
    chart.session('imaging').addVolume({ name: 'sidecar-scratch', emptyDir: { sizeLimit: '1Gi' } });
    const pod = podOf(Testing.synth(chart), 'imaging');
    expect(pod.volumes.slice(-2)).toEqual([
      { name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } },
      { name: 'sidecar-scratch', emptyDir: { sizeLimit: '1Gi' } },
    ]);
    const paths: string[] = pod.containers[0].volumeMounts.map((mount: Json) => mount.mountPath);
    expect(paths).toEqual([...paths].sort());
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'datasets', mountPath: '/home/jovyan/datasets', readOnly: true });
    expect(pod.containers[0].volumeMounts.find((mount: Json) => mount.name === 'sidecar-scratch')).toBeUndefined();
  });

  it('additions made after the chart is built count, and what the construct renders is what customizeSessionObjects makes', () => {
    const chart = chartOf(plan);
    const session = chart.session('trial-analysis');
    session.addLabel('example.com/team-budget', 'b7').addSidecar({ name: 'proxy', image: 'example.com/proxy:1.0' }).addVolume({ name: 'extra', emptyDir: {} }, { mountPath: '/extra' });
    const expected = customizeSessionObjects(session.session, sessionObjects(plan, session.session), {
      labels: { 'example.com/team-budget': 'b7' },
      sidecars: [{ name: 'proxy', image: 'example.com/proxy:1.0' }],
      volumes: [{ volume: { name: 'extra', emptyDir: {} }, mountPath: '/extra' }],
    });
    const rendered = Testing.synth(chart).filter((o) => o.metadata.labels?.['notebook-platform.io/session'] === 'trial-analysis' && o.kind !== 'PersistentVolumeClaim');
    const canonical = (objects: readonly KubeObject[]) => JSON.parse(JSON.stringify(objects.filter((o) => o.kind !== 'PersistentVolumeClaim').map(canonicalObject)));
    expect(rendered).toEqual(canonical(expected));
    expect(canonical(session.objects)).toEqual(canonical(expected));
  });

  it('the initial customization of the props is the same as the add methods', () => {
    const session = sessionOf(plan, 'imaging');
    const viaProps = new NotebookSessionConstruct(Testing.chart(), 'imaging', { plan, session, customization: { labels: { tier: 'gold' }, sidecars: [{ name: 'proxy', image: 'p:1' }], volumes: [{ volume: { name: 'v', emptyDir: {} }, mountPath: '/v' }] } });
    const viaMethods = new NotebookSessionConstruct(Testing.chart(), 'imaging', { plan, session }).addLabel('tier', 'gold').addSidecar({ name: 'proxy', image: 'p:1' }).addVolume({ name: 'v', emptyDir: {} }, { mountPath: '/v' });
    expect(viaProps.objects).toEqual(viaMethods.objects);
  });

  it('refuses what would replace the platform\'s settings, naming the session, the value and what is allowed, and changes nothing', () => {
    const chart = chartOf(plan);
    const session = chart.session('imaging');
    const before = Testing.synth(chart);
    expect(() => session.addLabel('notebook-platform.io/owner', 'mallory')).toThrow(
      "session imaging: label notebook-platform.io/owner is set by the platform (selectors, policies and tools read it); add a label under your own key (allowed: any key outside notebook-platform.io/ that the session's objects do not carry yet)",
    );
    expect(() => session.addLabel('notebook-platform.io/anything', 'x')).toThrow('label notebook-platform.io/anything is set by the platform');
    expect(() => session.addLabel('app.kubernetes.io/instance', 'x')).toThrow('label app.kubernetes.io/instance is set by the platform');
    expect(() => session.addLabel('bad key', 'x')).toThrow('session imaging: label key "bad key" is not a Kubernetes label key');
    expect(() => session.addLabel('tier', 'not valid!')).toThrow('session imaging: label tier: value "not valid!" is not a Kubernetes label value');
    expect(() => session.addSidecar({ name: 'notebook', image: 'x' })).toThrow('session imaging: sidecar name notebook is taken (the pod\'s containers: prepare-home, git-sync, notebook); choose another name');
    expect(() => session.addSidecar({ name: 'Proxy', image: 'x' })).toThrow('session imaging: sidecar name "Proxy" is not a DNS label');
    expect(() => session.addVolume({ name: 'home', emptyDir: {} })).toThrow(/^session imaging: volume name home is taken \(the pod's volumes: .*home.*\); choose another name$/);
    expect(() => session.addVolume({ name: 'data', emptyDir: {} }, { mountPath: '/home/jovyan/' })).toThrow('session imaging: volume data: mountPath /home/jovyan/ is where the notebook mounts home; choose a path no other mount uses');
    expect(() => session.addVolume({ name: 'data', emptyDir: {} }, { mountPath: 'data' })).toThrow('session imaging: volume data: mountPath "data" must be an absolute path without \'..\'');
    expect(Testing.synth(chart)).toEqual(before);
  });

  it('with no additions the objects are the platform\'s, unchanged', () => {
    const session = sessionOf(plan, 'imaging');
    const objects = sessionObjects(plan, session);
    const result = customizeSessionObjects(session, objects, {});
    expect(result).toEqual(objects);
    result.forEach((object, index) => expect(object).toBe(objects[index]));
  });
});

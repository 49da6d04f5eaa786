/**
 * Pod Security rules over the sessions the example stacks register, and over variants made
 * unsafe one field at a time (and over other workload kinds built from the same pod template).
 */
import { dropAllCapabilitiesRule, noPrivilegeEscalationRule, runAsNonRootRule, seccompRule } from '../../../policies/rules';
import { clone, containerOf, messages, pick, podSpecOf, stackResources, TYPE, describeMandatoryRules } from './fixtures';

const IMAGING = 'StatefulSet nb-team-a/imaging';
const TRIAL = 'StatefulSet nb-team-a/trial-analysis';

describeMandatoryRules([
  ['pods-run-as-non-root', runAsNonRootRule],
  ['no-privilege-escalation', noPrivilegeEscalationRule],
  ['drop-all-capabilities', dropAllCapabilitiesRule],
  ['seccomp-runtime-default', seccompRule],
], 'passes every workload of %s');

describe('pods-run-as-non-root', () => {
  it('fails a container that may run as root', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'git-sync').securityContext.runAsNonRoot = false;
    expect(await messages(runAsNonRootRule(), resources)).toEqual([`${IMAGING}: init container "git-sync" may run as root: runAsNonRoot is not true on the pod or the container`]);
  });

  it('fails uid 0 even with runAsNonRoot on the pod', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').securityContext.runAsUser = 0;
    expect(await messages(runAsNonRootRule(), resources)).toEqual([`${IMAGING}: container "notebook" runs as uid 0 (root)`]);
  });

  it('takes the pod-level setting when a container says nothing', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    for (const container of [...podSpecOf(statefulSet).initContainers, ...podSpecOf(statefulSet).containers]) delete container.securityContext.runAsNonRoot;
    expect(await messages(runAsNonRootRule(), resources)).toEqual([]);
    delete podSpecOf(statefulSet).securityContext.runAsNonRoot;
    expect(await messages(runAsNonRootRule(), resources)).toEqual([
      `${IMAGING}: init container "prepare-home" may run as root: runAsNonRoot is not true on the pod or the container`,
      `${IMAGING}: init container "git-sync" may run as root: runAsNonRoot is not true on the pod or the container`,
      `${IMAGING}: container "notebook" may run as root: runAsNonRoot is not true on the pod or the container`,
    ]);
  });

  it('applies to every workload kind: a CronJob and a bare Pod with the same template', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    const template = clone(statefulSet.inputs.spec.template);
    delete template.spec.securityContext;
    for (const container of [...template.spec.initContainers, ...template.spec.containers]) delete container.securityContext;
    const metadata = { name: 'nightly', namespace: 'nb-team-a' };
    const cronJob = { ...statefulSet, type: 'kubernetes:batch/v1:CronJob', urn: 'urn:cron', inputs: { apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } } };
    const pod = { ...statefulSet, type: TYPE.pod, urn: 'urn:pod', inputs: { apiVersion: 'v1', kind: 'Pod', metadata, spec: template.spec } };
    const found = await messages(runAsNonRootRule(), [cronJob, pod]);
    expect(found).toHaveLength(6);
    expect(found).toContain('CronJob nb-team-a/nightly: container "notebook" may run as root: runAsNonRoot is not true on the pod or the container');
    expect(found).toContain('Pod nb-team-a/nightly: init container "git-sync" may run as root: runAsNonRoot is not true on the pod or the container');
  });
});

describe('no-privilege-escalation', () => {
  it('fails a container that does not forbid escalation, the autosave sidecar included', async () => {
    const resources = await stackResources('team-a');
    delete containerOf(pick(resources, TYPE.statefulSet, 'trial-analysis'), 'autosave').securityContext.allowPrivilegeEscalation;
    expect(await messages(noPrivilegeEscalationRule(), resources)).toEqual([
      `${TRIAL}: container "autosave" allows privilege escalation: securityContext.allowPrivilegeEscalation is not false`,
    ]);
  });
});

describe('drop-all-capabilities', () => {
  it('fails a container that keeps capabilities', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'prepare-home').securityContext.capabilities = { drop: ['NET_RAW'] };
    expect(await messages(dropAllCapabilitiesRule(), resources)).toEqual([`${IMAGING}: init container "prepare-home" does not drop ALL capabilities`]);
  });

  it('fails a container that adds one back, except NET_BIND_SERVICE', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN'];
    expect(await messages(dropAllCapabilitiesRule(), resources)).toEqual([
      `${IMAGING}: container "notebook" adds capabilities SYS_ADMIN (only NET_BIND_SERVICE may be added)`,
    ]);
  });
});

describe('seccomp-runtime-default', () => {
  it('fails every container when the pod has no profile', async () => {
    const resources = await stackResources('demo');
    delete podSpecOf(pick(resources, TYPE.statefulSet, 'forecasting')).securityContext.seccompProfile;
    expect(await messages(seccompRule(), resources)).toEqual([
      'StatefulSet nb-demo/forecasting: init container "prepare-home" has seccomp profile (none); set securityContext.seccompProfile.type: RuntimeDefault on the pod',
      'StatefulSet nb-demo/forecasting: container "notebook" has seccomp profile (none); set securityContext.seccompProfile.type: RuntimeDefault on the pod',
    ]);
  });

  it('fails a container that opts out with Unconfined', async () => {
    const resources = await stackResources('demo');
    containerOf(pick(resources, TYPE.statefulSet, 'forecasting'), 'notebook').securityContext.seccompProfile = { type: 'Unconfined' };
    expect(await messages(seccompRule(), resources)).toEqual([
      'StatefulSet nb-demo/forecasting: container "notebook" has seccomp profile Unconfined; set securityContext.seccompProfile.type: RuntimeDefault on the pod',
    ]);
  });
});

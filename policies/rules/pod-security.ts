/**
 * Pod Security `restricted`, checked on every workload the stack declares (the namespace label
 * enforces it too, but a preview should fail before the API server refuses a pod): non-root,
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault. Each applies to
 * every container: init, regular and ephemeral.
 */
import { containersOf, describeContainer, type PodTemplate } from './kube';
import { workloadRule, type ResourceRule } from './policy';

/** Capabilities Pod Security `restricted` lets a container add back. */
export const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ['NET_BIND_SERVICE'];

export function checkRunAsNonRoot(template: PodTemplate): string[] {
  const pod = template.spec.securityContext ?? {};
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    const security = container.securityContext ?? {};
    const nonRoot = security.runAsNonRoot ?? pod.runAsNonRoot;
    const uid = security.runAsUser ?? pod.runAsUser;
    if (uid === 0) problems.push(`${describeContainer(kind, container)} runs as uid 0 (root)`);
    else if (nonRoot !== true) problems.push(`${describeContainer(kind, container)} may run as root: runAsNonRoot is not true on the pod or the container`);
  }
  return problems;
}

export function checkNoPrivilegeEscalation(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    if (container.securityContext?.allowPrivilegeEscalation !== false) {
      problems.push(`${describeContainer(kind, container)} allows privilege escalation: securityContext.allowPrivilegeEscalation is not false`);
    }
  }
  return problems;
}

export function checkCapabilitiesDropped(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    const capabilities = container.securityContext?.capabilities ?? {};
    if (!(capabilities.drop ?? []).includes('ALL')) problems.push(`${describeContainer(kind, container)} does not drop ALL capabilities`);
    const added = (capabilities.add ?? []).filter((capability) => !ALLOWED_ADDED_CAPABILITIES.includes(capability));
    if (added.length > 0) problems.push(`${describeContainer(kind, container)} adds capabilities ${added.join(', ')} (only ${ALLOWED_ADDED_CAPABILITIES.join(', ')} may be added)`);
  }
  return problems;
}

export function checkSeccomp(template: PodTemplate): string[] {
  const podProfile = template.spec.securityContext?.seccompProfile?.type;
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    const profile = container.securityContext?.seccompProfile?.type ?? podProfile;
    if (profile !== 'RuntimeDefault' && profile !== 'Localhost') {
      problems.push(`${describeContainer(kind, container)} has seccomp profile ${profile ?? '(none)'}; set securityContext.seccompProfile.type: RuntimeDefault on the pod`);
    }
  }
  return problems;
}

export function runAsNonRootRule(): ResourceRule {
  return workloadRule(
    {
      name: 'pods-run-as-non-root',
      description: 'Every container of every pod runs as a non-root user (Pod Security restricted).',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Set securityContext.runAsNonRoot: true and a non-zero runAsUser (the notebook user is 1000) on the pod, and do not override them with uid 0 in a container.',
    },
    checkRunAsNonRoot,
  );
}

export function noPrivilegeEscalationRule(): ResourceRule {
  return workloadRule(
    {
      name: 'no-privilege-escalation',
      description: 'Every container sets allowPrivilegeEscalation: false (Pod Security restricted).',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Set securityContext.allowPrivilegeEscalation: false on every container, init containers included (containerSecurity() in components/manifests/containers.ts does).',
    },
    checkNoPrivilegeEscalation,
  );
}

export function dropAllCapabilitiesRule(): ResourceRule {
  return workloadRule(
    {
      name: 'drop-all-capabilities',
      description: 'Every container drops ALL Linux capabilities and adds back at most NET_BIND_SERVICE (Pod Security restricted).',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Set securityContext.capabilities.drop: ["ALL"] on every container and remove other entries from capabilities.add.',
    },
    checkCapabilitiesDropped,
  );
}

export function seccompRule(): ResourceRule {
  return workloadRule(
    {
      name: 'seccomp-runtime-default',
      description: 'Every container runs with the RuntimeDefault (or a Localhost) seccomp profile (Pod Security restricted).',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod and do not set Unconfined on a container.',
    },
    checkSeccomp,
  );
}

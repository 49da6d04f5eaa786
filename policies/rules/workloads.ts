/**
 * Workload hygiene: every container states its requests and limits (the quota and the scheduler
 * depend on them), and nothing reaches into the node (host paths, host namespaces, privileged
 * containers, host ports).
 */
import { containersOf, describeContainer, TYPES, type PodTemplate } from './kube';
import { resourceRule, workloadRule, type ResourceRule } from './policy';

/** The resources every container must request and be limited to. */
export const REQUIRED_RESOURCES: readonly string[] = ['cpu', 'memory'];

export function checkContainerResources(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    if (kind === 'ephemeral container') continue; // the API does not allow resources on them
    const missing: string[] = [];
    for (const section of ['requests', 'limits'] as const) {
      const values = (container.resources?.[section] ?? {}) as Record<string, string | undefined>;
      for (const resource of REQUIRED_RESOURCES) if (!values[resource]) missing.push(`${section}.${resource}`);
    }
    if (missing.length > 0) problems.push(`${describeContainer(kind, container)} has no ${missing.join(', ')}`);
  }
  return problems;
}

export function checkNoHostAccess(template: PodTemplate): string[] {
  const spec = template.spec;
  const problems: string[] = [];
  if (spec.hostNetwork) problems.push('uses the host network (hostNetwork: true)');
  if (spec.hostPID) problems.push("shares the host's process namespace (hostPID: true)");
  if (spec.hostIPC) problems.push("shares the host's IPC namespace (hostIPC: true)");
  for (const volume of spec.volumes ?? []) {
    if (volume.hostPath) problems.push(`volume "${volume.name}" mounts the node's ${volume.hostPath.path ?? 'file system'} (hostPath)`);
  }
  for (const { container, kind } of containersOf(spec)) {
    if (container.securityContext?.privileged) problems.push(`${describeContainer(kind, container)} is privileged`);
    for (const port of container.ports ?? []) {
      if (port.hostPort) problems.push(`${describeContainer(kind, container)} binds host port ${port.hostPort}`);
    }
  }
  return problems;
}

/** A PersistentVolume backed by a directory of a node. */
export function checkVolumeNotHostPath(props: Record<string, unknown>): string[] {
  const spec = props.spec as { hostPath?: { path?: string }; local?: { path?: string } } | undefined;
  const name = (props.metadata as { name?: string } | undefined)?.name ?? '?';
  if (spec?.hostPath) return [`PersistentVolume ${name} is a hostPath volume (${spec.hostPath.path ?? '?'} on a node)`];
  return [];
}

export function containerResourcesRule(): ResourceRule {
  return workloadRule(
    {
      name: 'container-resources',
      description: 'Every container, init containers included, sets cpu and memory requests and limits.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Give every container resources.requests and resources.limits for cpu and memory (session sizes come from the team config; helpers use HELPER_RESOURCES).',
    },
    checkContainerResources,
  );
}

export function noHostAccessRule(): ResourceRule {
  const workloads = workloadRule(
    {
      name: 'no-host-access',
      description: 'No hostPath volumes, host network, PID or IPC namespaces, host ports or privileged containers.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Remove hostPath volumes (use a PersistentVolumeClaim), hostNetwork/hostPID/hostIPC, hostPort and privileged: true.',
    },
    checkNoHostAccess,
  );
  const volumes = resourceRule(workloads, [TYPES.persistentVolume], (props) => checkVolumeNotHostPath(props));
  return {
    ...workloads,
    validateResource: async (args, reportViolation) => {
      await workloads.validateResource(args, reportViolation);
      await volumes.validateResource(args, reportViolation);
    },
  };
}

/**
 * The offline resource monitor: Pulumi's mock monitor (`pulumi.runtime.setMocks`) with its
 * registration calls answered here, so that every registration is recorded exactly as the
 * engine would receive it (type, name, parent, inputs, and the options the analyzer sees) and
 * answered the way the engine answers a preview of a new stack: the inputs come back as outputs,
 * ids and provider-computed values are unknown.
 *
 * Why not `mocks.newResource`: it sees type, name and inputs only, never the options (protect,
 * retainOnDelete, dependencies). Why not a resource transform: the mock monitor does not run
 * transforms. The RegisterResourceRequest has everything, so the monitor is where to look.
 */
import * as pulumi from '@pulumi/pulumi';
import { RegisterResourceResponse } from '@pulumi/pulumi/proto/resource_pb';
import type { RegisterResourceRequest } from '@pulumi/pulumi/proto/resource_pb';

/** The root resource's type; the engine leaves it out of its children's URNs. */
export const ROOT_STACK_TYPE = 'pulumi:pulumi:Stack';

/** A registration as the monitor received it; turned into a RegisteredResource by run.ts. */
export interface Registration {
  readonly urn: string;
  readonly request: RegisterResourceRequest;
}

/** Turns a registration into whatever the caller keeps; called as each registration arrives. */
export type RegistrationSink = (registration: Registration) => void;

type Callback<T> = (error: Error | null, response?: T) => void;

/** The parts of the SDK's MockMonitor this module replaces (see @pulumi/pulumi/runtime/mocks.js). */
interface MockMonitorLike {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): void;
  registerResourceOutputs(request: unknown, callback: Callback<unknown>): void;
}

/**
 * A URN as the engine builds it: `urn:pulumi:<stack>::<project>::<parent types$>type::name`, where
 * the parent's qualified type is carried over except for the root stack's.
 */
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  let qualifiedType = type;
  if (parentUrn) {
    const parentType = parentUrn.split('::')[2];
    if (parentType !== ROOT_STACK_TYPE) qualifiedType = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/**
 * Installs Pulumi mocks for one offline run and records every registration into `sink`.
 * Registrations are answered synchronously with the request's own inputs (no serialization
 * round trip): per resource, this costs a couple of property reads.
 */
export async function installOfflineMonitor(project: string, stack: string, sink: RegistrationSink): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      // Reached only by `Resource.get` and invokes, which the team program does not use.
      newResource: () => ({ id: undefined, state: {} }),
      call: () => ({}),
    },
    project,
    stack,
    /* preview: */ true,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike | undefined;
  if (!monitor || typeof monitor.registerResource !== 'function') {
    throw new Error('offline: @pulumi/pulumi did not install its mock monitor; has setMocks changed?');
  }
  monitor.newUrn = (parent, type, name) => engineUrn(stack, project, parent, type, name);
  monitor.registerResource = (request, callback) => {
    try {
      const urn = engineUrn(stack, project, request.getParent(), request.getType(), request.getName());
      sink({ urn, request });
      const response = new RegisterResourceResponse();
      response.setUrn(urn);
      // A preview of a create: no id yet; outputs are the inputs (anything else stays unknown).
      response.setId('');
      const inputs = request.getObject();
      if (inputs) response.setObject(inputs);
      callback(null, response);
    } catch (error) {
      callback(error as Error);
    }
  };
  monitor.registerResourceOutputs = (_request, callback) => callback(null, {});
}

/**
 * One session's objects: StatefulSet, Service, ServiceAccount, Jupyter ConfigMap, home claim and
 * optional Ingress. The token Secret holds a generated value, so the Pulumi component creates it;
 * `synth` users supply it (see README).
 */
import type { Plan, SessionPlan } from '../config/plan';
import { meta, type KubeObject } from './objects';
import { homeClaim } from './storage';

export function serviceAccount(plan: Plan, session: SessionPlan): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(session.names.serviceAccount, session.labels, plan.namespace),
    automountServiceAccountToken: false,
  };
}

export function sessionObjects(plan: Plan, session: SessionPlan): KubeObject[] {
  const objects = [serviceAccount(plan, session)];
  if (session.ownsHomeClaim) objects.push(homeClaim(plan, session.home));
  return objects;
}

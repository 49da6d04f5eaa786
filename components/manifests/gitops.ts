/**
 * The team's objects as the GitOps path renders them (`synth`, the cdk8s charts and constructs):
 * the objects the Pulumi components register, with each claim and volume stating what a Pulumi
 * registration states through `retainOnDelete` — retained, unless its session is purged — and
 * telling Argo CD and Flux never to prune or delete it (shared/gitops.ts). A purged session's
 * claim carries the purge and no keep annotations, so the sync that follows deletes it.
 */
import type { Plan, SessionPlan } from '../config/plan';
import { GITOPS_KEEP_ANNOTATIONS } from '../../shared/gitops';
import type { KubeObject } from './objects';
import { sessionObjects } from './session';
import { holdsData, retentionAnnotations } from './storage';
import { teamObjects } from './team';

/** `object` with its retention stated for a GitOps tool; objects that hold no data are returned as they are. */
export function forGitOps(object: KubeObject, purge: boolean): KubeObject {
  if (!holdsData(object)) return object;
  const annotations = { ...object.metadata.annotations, ...retentionAnnotations(!purge, purge), ...(purge ? {} : GITOPS_KEEP_ANNOTATIONS) };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** The team chart's objects on the GitOps path. */
export function gitOpsTeamObjects(plan: Plan): KubeObject[] {
  return teamObjects(plan).map((object) => forGitOps(object, false));
}

/** A session chart's objects on the GitOps path. */
export function gitOpsSessionObjects(plan: Plan, session: SessionPlan): KubeObject[] {
  return sessionObjects(plan, session).map((object) => forGitOps(object, session.purge));
}

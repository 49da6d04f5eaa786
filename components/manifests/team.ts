/**
 * The team chart's objects and the chart ids, without cdk8s: `synth` and the Pulumi components
 * read them here, the cdk8s charts (chart.ts, constructs.ts) place the same objects in an App.
 */
import type { Plan, SessionPlan } from '../config/plan';
import type { KubeObject } from './objects';
import { teamSecurityObjects } from './security';
import { teamStorageObjects } from './storage';
import { teamScriptObjects } from './scripts';
import { cullerObjects } from './culler';
import { snapshotObjects } from './snapshots';
import { usageObjects } from './usage';

/** Every team-level object, in apply order: security (the namespace first), scripts, storage, culler, snapshots, usage. */
export function teamObjects(plan: Plan): KubeObject[] {
  return [...teamSecurityObjects(plan), ...teamScriptObjects(plan), ...teamStorageObjects(plan), ...cullerObjects(plan), ...snapshotObjects(plan), ...usageObjects(plan)];
}

/** Chart ids: also the names of the manifest files `synth` writes (synth.ts). */
export const TEAM_CHART_ID = 'team';
export const sessionChartId = (session: SessionPlan): string => `session-${session.name}`;

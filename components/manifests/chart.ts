/**
 * cdk8s charts built from the plan: one TeamChart (namespace, security, storage, scripts) and one
 * SessionChart per session. The objects are built as plain values by the modules of this folder;
 * the charts only give them a place in a cdk8s App, so `synth` and the Pulumi components read
 * the same objects (on this GitOps path claims and volumes also carry the keep annotations of
 * ./gitops.ts, where a Pulumi stack uses retainOnDelete).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Plan, SessionPlan } from '../config/plan';
import { objectKey, type KubeObject } from './objects';
import { gitOpsSessionObjects, gitOpsTeamObjects } from './gitops';
import { sessionChartId, TEAM_CHART_ID, teamObjects } from './team';

export { sessionChartId, TEAM_CHART_ID, teamObjects };

/** A chart holding prepared objects. Construct ids are the objects' keys: stable, never positional. */
export class ObjectsChart extends Chart {
  constructor(scope: Construct, id: string, readonly objects: readonly KubeObject[]) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const object of objects) new ApiObject(this, objectKey(object), object);
  }
}

export class TeamChart extends ObjectsChart {
  constructor(scope: Construct, plan: Plan) {
    super(scope, TEAM_CHART_ID, gitOpsTeamObjects(plan));
  }
}

export class SessionChart extends ObjectsChart {
  constructor(scope: Construct, plan: Plan, session: SessionPlan) {
    super(scope, sessionChartId(session), gitOpsSessionObjects(plan, session));
  }
}

/** The whole team as a cdk8s App: the team chart first, then one chart per session by name. */
export function teamApp(plan: Plan): App {
  const app = new App({ outdir: 'dist/manifests' });
  new TeamChart(app, plan);
  for (const session of plan.sessions) new SessionChart(app, plan, session);
  return app;
}

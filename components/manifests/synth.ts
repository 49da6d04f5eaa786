/**
 * Rendering: the team's charts as YAML documents, one file per chart, deterministic (same plan,
 * same bytes).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../config/plan';
import { objectKey, type KubeObject } from './objects';
import { gitOpsSessionObjects, gitOpsTeamObjects } from './gitops';
import { sessionChartId, TEAM_CHART_ID } from './team';
import { canonicalObject } from './canonical';
import { objectToYaml } from './yaml';

export interface ManifestFile {
  /** File name inside the output directory. */
  readonly file: string;
  readonly objects: readonly KubeObject[];
}

/**
 * The team's manifests by chart: `00-team.k8s.yaml` (the namespace first), then
 * `session-<name>.k8s.yaml` per session. File names sort in apply order, because
 * `kubectl apply -f DIR` reads a directory alphabetically.
 *
 * Claims and volumes carry their retention and the GitOps tools' keep annotations (./gitops.ts):
 * whatever syncs these files must not delete a home when its session leaves the config.
 *
 * The files hold exactly what the cdk8s App of chart.ts (`teamApp`) renders, object for object
 * and byte for byte (a test compares them), built from the same object builders without the
 * construct tree: cdk8s resolves every value through its token resolvers, which made rendering
 * cost more than building at 1000 sessions.
 */
export function synthesize(plan: Plan): ManifestFile[] {
  const files: ManifestFile[] = [manifestFile(manifestFileName(TEAM_CHART_ID), gitOpsTeamObjects(plan))];
  for (const session of plan.sessions) files.push(manifestFile(manifestFileName(sessionChartId(session)), gitOpsSessionObjects(plan, session)));
  return files;
}

/** A chart's file: `00-team.k8s.yaml` for the team chart (the namespace is applied first), else `<chart id>.k8s.yaml`. */
export function manifestFileName(chartId: string): string {
  return chartId === TEAM_CHART_ID ? '00-team.k8s.yaml' : `${chartId}.k8s.yaml`;
}

/** One chart's objects in canonical form; two objects with one key would be one construct id twice in cdk8s. */
export function manifestFile(file: string, objects: readonly KubeObject[]): ManifestFile {
  const keys = new Set<string>();
  for (const object of objects) {
    const key = objectKey(object);
    if (keys.has(key)) throw new Error(`${file}: two objects are both ${key}`);
    keys.add(key);
  }
  return { file, objects: objects.map(canonicalObject) };
}

/** The objects as one YAML stream. Same bytes as `yaml`'s stringify (lineWidth 0, no aliases), written by ./yaml.ts for speed. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map(objectToYaml).join('---\n');
}

/** Writes the manifests into `dir`, replacing earlier `*.k8s.yaml` files so removed sessions disappear. */
export function writeManifests(files: readonly ManifestFile[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  for (const existing of readdirSync(dir)) if (existing.endsWith('.k8s.yaml')) rmSync(join(dir, existing));
  for (const { file, objects } of files) writeFileSync(join(dir, file), toYaml(objects));
  return files.map(({ file }) => file);
}

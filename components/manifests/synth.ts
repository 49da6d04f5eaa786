/**
 * Rendering: the team's charts as YAML documents, one file per chart, deterministic (same plan,
 * same bytes).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../config/plan';
import type { KubeObject } from './objects';
import { ApiObject } from 'cdk8s';
import { teamApp } from './chart';
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
 */
export function synthesize(plan: Plan): ManifestFile[] {
  const app = teamApp(plan);
  // Objects are resolved one by one: Chart.toJson() validates the whole App on every call, which
  // makes rendering quadratic in the number of sessions (3.7 s instead of 0.04 s at 1000).
  return app.node.children.map((chart) => ({
    file: chart.node.id === 'team' ? '00-team.k8s.yaml' : `${chart.node.id}.k8s.yaml`,
    objects: chart.node.children.filter(ApiObject.isApiObject).map((object) => object.toJson() as KubeObject),
  }));
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

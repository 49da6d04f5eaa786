/**
 * The team's scripts ConfigMap: the shell the session pods run (home preparation, autosave, the
 * git credentials both use) and the welcome notebook, shared by every session of the team
 * instead of copied into each. The files are real files in `assets/`, read once at module load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../config/plan';
import { names, paths } from '../config/names';
import { meta, type KubeObject } from './objects';
import type { ConfigMapManifest } from './kube';

/** The files of the scripts ConfigMap, as mounted under /opt/notebook-platform. */
export const SCRIPT_FILES = ['autosave.sh', 'git-auth.sh', 'prepare-home.sh', 'welcome.ipynb'] as const;
export type ScriptFile = (typeof SCRIPT_FILES)[number];

const ASSETS_FROM_ROOT = join('components', 'manifests', 'assets');

/**
 * The assets directory. Sources live in `components/manifests/assets/`; the build compiles this
 * module to `dist/components/manifests/` without copying assets, so walk up from here to the
 * first directory holding `components/manifests/assets` (the package root in both cases).
 */
export function assetsDirectory(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, ASSETS_FROM_ROOT);
    if (existsSync(join(candidate, SCRIPT_FILES[0]))) return candidate;
    if (dirname(dir) === dir) throw new Error(`notebook-platform: cannot find ${ASSETS_FROM_ROOT} above ${from}; is the package installed completely?`);
  }
}

/** Where a script file is in the repository (tests run the real files). */
export function assetPath(file: ScriptFile): string {
  return join(assetsDirectory(), file);
}

const CONTENTS: Readonly<Record<ScriptFile, string>> = Object.fromEntries(
  SCRIPT_FILES.map((file) => [file, readFileSync(join(assetsDirectory(), file), 'utf8')]),
) as Record<ScriptFile, string>;

/** A script file's text, as the ConfigMap carries it. */
export function scriptText(file: ScriptFile): string {
  return CONTENTS[file];
}

/** Where a script is inside a pod (the ConfigMap's mount). */
export function scriptPathInPod(file: ScriptFile): string {
  return `${paths.scripts}/${file}`;
}

/** The team's scripts ConfigMap; keys sorted, so the text is the same on every run. */
export function scriptsConfigMap(plan: Plan): ConfigMapManifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(names.scriptsConfigMap(), plan.labels, plan.namespace),
    data: Object.fromEntries(SCRIPT_FILES.map((file) => [file, CONTENTS[file]])),
  };
}

/** Team-level script objects: the scripts ConfigMap when the team has sessions, else nothing. */
export function teamScriptObjects(plan: Plan): KubeObject[] {
  if (plan.sessions.length === 0) return [];
  return [scriptsConfigMap(plan)];
}

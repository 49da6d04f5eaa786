/**
 * `synthesize` renders the objects itself (components/manifests/canonical.ts) instead of through
 * the cdk8s App; these tests hold it to exactly what the App renders: the same files, the same
 * objects in the same order, the same key order, for every example stack and a generated team,
 * and for hand-made objects with the values cdk8s drops or keeps.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { readStackConfigFile } from '../../../components/config/load';
import type { Plan } from '../../../components/config';
import { teamApp } from '../../../components/manifests/chart';
import { canonicalObject } from '../../../components/manifests/canonical';
import { manifestFile, manifestFileName, synthesize, toYaml } from '../../../components/manifests/synth';
import type { KubeObject } from '../../../components/manifests/objects';
import { benchConfig } from '../../../bench/generate';
import { planOf } from './session-support';

const STACKS = join(__dirname, '..', '..', '..', 'stacks');

function plans(): [string, Plan][] {
  const configs: [string, Record<string, unknown>][] = readdirSync(STACKS)
    .filter((file) => /^Pulumi\..+\.yaml$/.test(file))
    .map((file) => [file, readStackConfigFile(join(STACKS, file))]);
  configs.push(['generated team of 60', benchConfig(60)]);
  return configs.map(([name, config]) => [name, planOf(config)]);
}

/** What cdk8s renders: each chart of the App, each ApiObject's toJson(). */
function cdk8sRendering(plan: Plan): { file: string; objects: unknown[] }[] {
  return teamApp(plan).node.children.map((chart) => ({
    file: manifestFileName(chart.node.id),
    objects: chart.node.children.filter(ApiObject.isApiObject).map((object) => object.toJson()),
  }));
}

/** toJson() of one object in a chart of its own. */
function viaCdk8s(object: KubeObject): unknown {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  return new ApiObject(chart, 'o', object).toJson();
}

describe('synthesize', () => {
  it.each(plans())('%s: the same files, objects, key order and YAML bytes as the cdk8s App', (_, plan) => {
    const ours = synthesize(plan);
    const theirs = cdk8sRendering(plan);
    expect(ours.map((f) => f.file)).toEqual(theirs.map((f) => f.file));
    ours.forEach((file, i) => {
      // JSON text compares key order too, which toEqual does not.
      expect(JSON.stringify(file.objects)).toBe(JSON.stringify(theirs[i].objects));
      expect(toYaml(file.objects)).toBe(toYaml(theirs[i].objects as KubeObject[]));
    });
  });

  it('refuses two objects with the same key in one file, as the construct tree refuses the same id twice', () => {
    const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } };
    const other: KubeObject = { ...object, metadata: { name: 'y', namespace: 'n' } };
    expect(manifestFile('f.k8s.yaml', [object, other]).objects).toHaveLength(2);
    expect(() => manifestFile('f.k8s.yaml', [object, other, object])).toThrow('f.k8s.yaml: two objects are both v1/ConfigMap/n/x');
    const chart = new Chart(new App(), 'c');
    new ApiObject(chart, 'v1/ConfigMap/n/x', object);
    expect(() => new ApiObject(chart, 'v1/ConfigMap/n/x', object)).toThrow(/already a Construct/);
  });
});

describe('canonicalObject', () => {
  const cases: [string, KubeObject][] = [
    ['sorted keys at every depth, top-level order apiVersion/kind/metadata', {
      spec: { z: 1, a: { y: [{ d: 1, c: 2 }], b: 'x' } },
      metadata: { name: 'n', labels: { z: 'z', a: 'a' }, namespace: 'ns' },
      kind: 'ConfigMap',
      apiVersion: 'v1',
      data: { b: '2', a: '1' },
    }],
    ['null and undefined dropped from maps, kept out of the result', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { a: null, b: undefined, c: { d: null, e: 0, f: false, g: '' } },
    }],
    ['empty maps and lists kept in the body, dropped from metadata', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: {}, annotations: {} },
      spec: { volumes: [], nodeSelector: {}, containers: [{ name: 'c', args: [], env: [{}] }] },
    }],
    ['metadata maps with only null values vanish', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: undefined as unknown as string } },
    }],
    ['lists keep their order and their null elements', {
      apiVersion: 'v1', kind: 'List', metadata: { name: 'l' }, items: [3, 1, 2, null, 'x'],
    }],
  ];

  it.each(cases)('%s', (_, object) => {
    expect(JSON.stringify(canonicalObject(object))).toBe(JSON.stringify(viaCdk8s(object)));
  });

  it('refuses values that are not plain data, as cdk8s does', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { when: new Date(0) } };
    expect(() => viaCdk8s(object)).toThrow(/non-simple object of type 'Date'/);
    expect(() => canonicalObject(object)).toThrow(/non-simple object of type 'Date'/);
  });
});

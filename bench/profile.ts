/**
 * Where the time of a measurement goes: a summary of V8 CPU profiles (`.cpuprofile`, as written
 * by `node --cpu-prof`, or by `BENCH_PROFILE=DIR npm run bench` for every child).
 *
 *   node dist/bench/profile.js DIR/synth-*.cpuprofile [--top 25]
 *
 * Prints, per profile: self time by package (our files by path), the functions with the most
 * self time, and the functions with the most inclusive time (time spent in them and below,
 * each counted once per sample however deep the recursion).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byPackage: readonly [string, number][];
  readonly self: readonly [string, number][];
  readonly inclusive: readonly [string, number][];
}

/** `@pulumi/pulumi/runtime/rpc.js`, `yaml`, `ours:components/manifests/yaml.js`, `node-internal`, or a V8 pseudo-frame like `(garbage collector)`. */
export function packageOf(url: string, functionName: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(url);
  if (inModules) return inModules[1] === '@pulumi/pulumi' ? `@pulumi/pulumi${inModules[2] ?? ''}` : inModules[1];
  if (url.startsWith('node:')) return 'node-internal';
  const ours = /\/dist\/(.*)$/.exec(url);
  if (ours) return `ours:${ours[1]}`;
  return url ? url : functionName || '(anonymous)';
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

export function summarise(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfById = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    selfById.set(id, (selfById.get(id) ?? 0) + delta);
    total += delta;
  });
  const byPackage = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);
  for (const [id, time] of selfById) {
    const node = byId.get(id)!;
    add(byPackage, packageOf(node.callFrame.url, node.callFrame.functionName), time);
    add(self, frameName(node), time);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = frameName(byId.get(current)!);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, time);
      }
    }
  }
  const ms = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, time]) => [name, Math.round(time / 100) / 10] as [string, number]);
  return { totalMs: Math.round(total / 1000), byPackage: ms(byPackage, top), self: ms(self, top), inclusive: ms(inclusive, top * 2) };
}

function print(file: string, summary: ProfileSummary): string {
  const lines = (rows: readonly [string, number][]) => rows.map(([name, time]) => `${time.toFixed(0).padStart(8)} ms  ${name}`);
  return [
    `${file}: ${summary.totalMs} ms sampled`,
    '  self time by package:',
    ...lines(summary.byPackage),
    '  self time by function:',
    ...lines(summary.self),
    '  inclusive time by function:',
    ...lines(summary.inclusive),
  ].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
  if (args.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile... [--top N]\n');
    process.exitCode = 2;
    return;
  }
  for (const file of args) process.stdout.write(`${print(file, summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top))}\n\n`);
}

if (require.main === module) main();

/**
 * The Node.js lines the package supports: package.json `engines` starts at the oldest line CI
 * tests (scripts/node-lts, the npm registry's node packages), and every dependency that states
 * its own Node range accepts each of those lines.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
const tested = execFileSync(join(ROOT, 'scripts', 'node-lts'), ['versions'], { encoding: 'utf8' }).trim().split('\n').map(Number);

/** The lower bound of a range written `>=N` or `>= N.x.y` (the only form these packages use). */
function lowerBound(range: string): number {
  const match = /^>=\s*(\d+)(\.\d+)*$/.exec(range.trim());
  if (!match) throw new Error(`engines range "${range}" is not of the form >=N`);
  return Number(match[1]);
}

describe('supported Node lines', () => {
  it('CI tests at least two LTS lines, even majors', () => {
    expect(tested.length).toBeGreaterThanOrEqual(2);
    for (const major of tested) expect(major % 2).toBe(0);
  });

  it('engines starts at the oldest tested line', () => {
    expect(lowerBound(pkg.engines.node)).toBe(Math.min(...tested));
  });

  it('every dependency stating a Node range accepts every tested line', () => {
    const stated = Object.keys(pkg.dependencies)
      .map((name) => [name, (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node] as const)
      .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string');
    expect(stated.map(([name]) => name)).toContain('@pulumi/pulumi');
    for (const [name, range] of stated) {
      for (const major of tested) expect(`${name} ${range}: ${major >= lowerBound(range)}`).toBe(`${name} ${range}: true`);
    }
  });
});

/**
 * Validation judges the config, normalisation builds the plan from a valid one: cross-checks.ts
 * (and everything it imports) must not import the normaliser, so a check can never depend on a
 * value only the plan computes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const CONFIG = join(__dirname, '..', '..', '..', 'components', 'config');

/** Every module `file` reaches through value imports (type-only imports vanish at run time). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, typeOnly, specifier] of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)) {
    if (!typeOnly) reachable(`${resolve(dirname(file), specifier)}.ts`, seen);
  }
  return seen;
}

describe('module boundaries of components/config', () => {
  it('cross-checks.ts does not import the normaliser', () => {
    const modules = [...reachable(join(CONFIG, 'cross-checks.ts'))].map((file) => file.slice(CONFIG.length + 1));
    expect(modules).toContain('share-entitlements.ts');
    expect(modules).not.toContain('normalise.ts');
  });

  it('the normaliser is reached from validate.ts (the test above can see it)', () => {
    expect([...reachable(join(CONFIG, 'validate.ts'))].map((file) => file.slice(CONFIG.length + 1))).toContain('normalise.ts');
  });
});

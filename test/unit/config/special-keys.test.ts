import { parseStackConfig, validateConfig, type Problem } from '../../../components/config';
import { configFromPulumi } from '../../../components/config/pulumi-config';
import { baseConfig } from './fixtures';

/** Problems of the base config after `mutate`, or [] when it validates. */
function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

/** Sets `key` as an own property, as a YAML or JSON parser does (plain assignment would set the prototype). */
function own(target: Record<string, any>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

const message = (key: string) => `key "${key}" is not allowed: JavaScript treats __proto__, constructor and prototype specially; rename it`;

describe('keys JavaScript treats specially', () => {
  it('a stack file key notebook-platform:__proto__ never moves the stack to another namespace', () => {
    const raw = parseStackConfig(
      'config:\n  notebook-platform:__proto__: {namespace: kube-system}\n  notebook-platform:team: analytics\n',
      'Pulumi.analytics.yaml',
    );
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
    expect((raw as { namespace?: unknown }).namespace).toBeUndefined();
    const result = validateConfig({ ...baseConfig(), ...raw });
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual({ path: 'notebook-platform:__proto__', message: message('__proto__') });
  });

  it('the Pulumi runtime path (configFromPulumi) keeps __proto__ as a plain key too', () => {
    const raw = configFromPulumi({ 'notebook-platform:__proto__': '{"namespace":"kube-system"}', 'notebook-platform:team': 'analytics' });
    expect((raw as { namespace?: unknown }).namespace).toBeUndefined();
    expect(validateConfig({ ...baseConfig(), ...raw }).problems).toContainEqual({ path: 'notebook-platform:__proto__', message: message('__proto__') });
  });

  // [description, mutation, path, key]
  const cases: [string, (c: Record<string, any>) => void, string, string][] = [
    ['top-level constructor', (c) => own(c, 'constructor', { namespace: 'kube-system' }), 'notebook-platform:constructor', 'constructor'],
    ['top-level prototype', (c) => own(c, 'prototype', {}), 'notebook-platform:prototype', 'prototype'],
    ['a size named __proto__', (c) => own(c.sizes, '__proto__', { cpu: '1', memory: '1Gi' }), 'notebook-platform:sizes.__proto__', '__proto__'],
    ['a size named constructor', (c) => own(c.sizes, 'constructor', { cpu: '1', memory: '1Gi' }), 'notebook-platform:sizes.constructor', 'constructor'],
    ['an environment named prototype', (c) => own(c.environments, 'prototype', { image: 'quay.io/a/b:1' }), 'notebook-platform:environments.prototype', 'prototype'],
    ['a node selector key', (c) => own(c.sizes.small, 'nodeSelector', Object.defineProperty({}, '__proto__', { value: 'x', enumerable: true })), 'notebook-platform:sizes.small.nodeSelector.__proto__', '__proto__'],
    ['an EFS tag', (c) => { c.storage = { backend: 'efs', fileSystemId: 'fs-0123456789abcdef0', tags: {} }; own(c.storage.tags, 'constructor', 'x'); }, 'notebook-platform:storage.tags.constructor', 'constructor'],
    ['namespace labels of an egress rule', (c) => { c.network = { egress: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'git' }, ports: [22] }] }; own(c.network.egress[0].namespaceLabels, '__proto__', 'x'); }, 'notebook-platform:network.egress[0].namespaceLabels.__proto__', '__proto__'],
    ['a key inside a session', (c) => own(c.sessions[1], '__proto__', { size: 'large' }), 'notebook-platform:sessions[1].__proto__', '__proto__'],
  ];

  it.each(cases)('rejects %s', (_description, mutate, path, key) => {
    expect(problemsOf(mutate)).toContainEqual({ path, message: message(key) });
  });

  it('a session whose size or environment is an Object.prototype member is not a defined one', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const problems = problemsOf((c) => {
        c.sessions[0].size = name;
        c.sessions[1].environment = name;
      });
      expect(problems).toContainEqual({ path: 'notebook-platform:sessions[0].size', message: `"${name}" is not a defined size; allowed: small, large` });
      expect(problems).toContainEqual({ path: 'notebook-platform:sessions[1].environment', message: `"${name}" is not a defined environment; allowed: scipy` });
    }
  });

  it('keys that only look like the special ones are ordinary keys', () => {
    // EFS tags: a free-form map (label maps also hold keys to the label grammar).
    expect(problemsOf((c) => (c.storage = { backend: 'efs', fileSystemId: 'fs-0123456789abcdef0', tags: { 'example.com/constructor': 'x', __proto: 'y', 'ｃonstructor': 'z' } }))).toEqual([]);
  });
});

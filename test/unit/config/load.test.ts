import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStackConfig, readStackConfigFile, SECURE_VALUE, StackFileError } from '../../../components/config';
import { configFromPulumi } from '../../../components/config/pulumi-config';

describe('reading stack config files', () => {
  it('keeps only notebook-platform keys and strips the namespace', () => {
    const config = parseStackConfig('config:\n  aws:region: eu-west-1\n  notebook-platform:team: a\n', 'f.yaml');
    expect(config).toEqual({ team: 'a' });
  });

  it('accepts secure values as present but opaque', () => {
    const config = parseStackConfig('config:\n  notebook-platform:platformEndpoint:\n    secure: v1:abcdef\n', 'f.yaml');
    expect(config).toEqual({ platformEndpoint: SECURE_VALUE });
  });

  it('reports unreadable YAML with line and column', () => {
    expect(() => parseStackConfig('config:\n  notebook-platform:team: [a\n', 'bad.yaml')).toThrow(/^bad\.yaml:3:1: invalid YAML: /);
  });

  it('reports an undefined alias as invalid YAML at the alias, not as a crash', () => {
    expect(() => parseStackConfig('config:\n  notebook-platform:team: *nope\n', 'bad.yaml')).toThrow(
      new StackFileError('bad.yaml:2:27: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope'),
    );
  });

  it('rejects a file without a config map', () => {
    expect(() => parseStackConfig('encryptionsalt: x\n', 'f.yaml')).toThrow(new StackFileError('f.yaml: no "config:" map; a Pulumi stack config has "config:" with keys like "notebook-platform:team"'));
  });

  it('names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-'));
    expect(() => readStackConfigFile(join(dir, 'nope.yaml'))).toThrow(`${join(dir, 'nope.yaml')}: no such file`);
    writeFileSync(join(dir, 'ok.yaml'), 'config:\n  notebook-platform:team: x\n');
    expect(readStackConfigFile(join(dir, 'ok.yaml'))).toEqual({ team: 'x' });
  });

  it('decodes config as the Pulumi runtime passes it (structured values as JSON)', () => {
    expect(configFromPulumi({ 'notebook-platform:team': 'a', 'notebook-platform:sizes': '{"s":{"cpu":"1"}}', 'aws:region': 'x' })).toEqual({
      team: 'a',
      sizes: { s: { cpu: '1' } },
    });
  });
});

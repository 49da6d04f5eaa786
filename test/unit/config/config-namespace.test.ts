import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig, validateConfig } from '../../../components/config';
import { configFromPulumi } from '../../../components/config/pulumi-config';
import { runOffline } from '../../../offline';
import { baseConfig } from './fixtures';

const misspelt = (key: string) => {
  const namespace = key.slice(0, key.indexOf(':'));
  return {
    path: key,
    message: `the namespace ${JSON.stringify(namespace)} is not "notebook-platform": Pulumi hands this key to no part of the program, so the stack would run without it (did you mean "notebook-platform:${key.slice(key.indexOf(':') + 1)}"?)`,
  };
};

/** Problems of the base config with `lines` added to its stack file. */
function problemsWith(lines: string): unknown[] {
  const raw = parseStackConfig(`config:\n${lines}`, 'Pulumi.analytics.yaml');
  const result = validateConfig({ ...baseConfig(), ...raw });
  return result.ok ? [] : [...result.problems];
}

describe('a near miss of the notebook-platform config namespace', () => {
  it.each([
    'notebook:sessions',
    'notebookplatform:team',
    'notebook-platfrom:sessions',
    'notebook_platform:sessions',
    'Notebook-Platform:sessions',
    'notebook-platform :sessions',
    'notebooks-platform:shares',
    'notebok-platform:sessions',
    'nоtebook-platform:sessions', // Cyrillic о
    'notebook‐platform:sessions', // U+2010 hyphen
    'ｎｏｔｅｂｏｏｋ-platform:sessions', // fullwidth letters
    'platform:sessions',
  ])('%s is an error with a did-you-mean', (key) => {
    expect(problemsWith(`  ${JSON.stringify(key)}: []\n`)).toEqual([misspelt(key)]);
  });

  it('is an error through the Pulumi runtime path too, alongside every other problem', () => {
    const raw = configFromPulumi({ 'notebook:sessions': '[]', 'notebook-platform:team': 'Analytics' });
    const result = validateConfig({ ...baseConfig(), ...raw });
    expect(result.problems).toContainEqual(misspelt('notebook:sessions'));
    expect(result.problems.map((p) => p.path)).toContain('notebook-platform:team');
  });

  it('leaves other projects\' namespaces alone', () => {
    expect(problemsWith('  aws:region: eu-west-1\n  kubernetes:context: kind\n  pulumi:tags: {a: b}\n  gcp:project: x\n  nb:x: 1\n  notebook-platform:team: analytics\n')).toEqual([]);
  });
});

describe('a stack without sessions', () => {
  it('is called out as a warning when the program runs (preview and up)', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      await runOffline({ ...baseConfig(), sessions: [] });
      expect(warn).toHaveBeenCalledWith(
        'notebook-platform:sessions is empty: this update deletes every session the stack has (their homes are retained); if that is not intended, check the key in Pulumi.<stack>.yaml',
        expect.anything(),
      );
      warn.mockClear();
      await runOffline(baseConfig());
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

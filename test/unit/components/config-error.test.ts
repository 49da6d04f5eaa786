/**
 * A bad stack config inside a Pulumi program (under mocks): a pulumi.RunError, which the engine
 * prints without a stack trace, holding exactly the lines `notebook-platform validate` prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse, stringify } from 'yaml';
import { NotebookPlatform, NotebookPlatformConfigError } from '../../../components/platform';
import { planFromConfig } from '../../../components/config/validate';
import { cli, demo, tempFile } from '../cli/support';

/** The demo stack file with two sessions broken (an unknown size, an unknown environment) and an unknown key. */
function brokenDemo(): { file: string; engineConfig: Record<string, string> } {
  const document = parse(readFileSync(demo, 'utf8')) as { config: Record<string, any> };
  const sessions = document.config['notebook-platform:sessions'];
  sessions[0].size = 'huge';
  sessions[1].environment = 'r';
  sessions[2].runing = false;
  const file = tempFile(stringify(document), 'Pulumi.demo.yaml');
  // As the engine hands config to a program: namespaced keys, structured values as JSON.
  const engineConfig = Object.fromEntries(Object.entries(document.config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  return { file, engineConfig };
}

/** What `program` throws; the test fails if it throws nothing. */
function thrown(program: () => unknown): Error {
  try {
    program();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the program went on to register its resources although the config is invalid');
}

describe('an invalid config inside a Pulumi program', () => {
  const { file, engineConfig } = brokenDemo();
  let error: Error;
  let validateLines: string[];
  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: () => ({ id: undefined, state: {} }), call: () => ({}) }, 'notebook-platform', 'demo', true);
    // The team program itself (stacks/index.ts), reading the stack's config as the engine gives it.
    pulumi.runtime.setAllConfig(engineConfig);
    error = thrown(() => require('../../../stacks/index')); // eslint-disable-line @typescript-eslint/no-require-imports
    const validated = await cli('validate', file);
    expect(validated.code).toBe(1);
    validateLines = validated.out;
  });

  it('is a pulumi.RunError, so the engine prints its message and no stack trace', () => {
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(NotebookPlatformConfigError);
    expect(error.message).not.toMatch(/^\s+at /m);
  });

  it('says how many problems, then one line per problem exactly as validate prints them', () => {
    expect(validateLines).toHaveLength(3);
    const [header, ...lines] = error.message.split('\n');
    expect(header).toBe('invalid notebook-platform config (3 problems):');
    expect(lines).toEqual(validateLines.map((line) => line.slice(`${file}: `.length)));
    expect(lines.every((line) => line.startsWith('notebook-platform:sessions['))).toBe(true);
    expect((error as NotebookPlatformConfigError).problems.map((p) => p.path)).toEqual(lines.map((line) => line.slice(0, line.indexOf(': '))));
  });

  it('says "1 problem" for one', () => {
    const single = thrown(() => new NotebookPlatform('x', { config: { ...readDemo(), team: 'Bad_Team' } }));
    expect(single.message.split('\n')[0]).toBe('invalid notebook-platform config (1 problem):');
    expect(single.message.split('\n')).toHaveLength(2);
    expect(single.message).toContain('notebook-platform:team: ');
  });

  it('refuses neither config nor plan, and both, with a RunError', () => {
    const neither = thrown(() => new NotebookPlatform('x', {}));
    expect(pulumi.RunError.isInstance(neither)).toBe(true);
    expect(neither.message).toBe('NotebookPlatform needs config (the notebook-platform:* stack config) or plan');
    const config = readDemo();
    const both = thrown(() => new NotebookPlatform('x', { config, plan: planFromConfig(config) }));
    expect(pulumi.RunError.isInstance(both)).toBe(true);
    expect(both.message).toBe('NotebookPlatform takes config or plan, not both');
  });
});

function readDemo() {
  const document = parse(readFileSync(join(__dirname, '..', '..', '..', 'stacks', 'Pulumi.demo.yaml'), 'utf8')) as { config: Record<string, any> };
  return Object.fromEntries(Object.entries(document.config).map(([key, value]) => [key.slice('notebook-platform:'.length), value])) as any;
}

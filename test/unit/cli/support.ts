/**
 * Running the CLI in-process for tests: its exit code and the lines it wrote to stdout and
 * stderr, and throwaway stack files to run it on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main';

export const root = join(__dirname, '..', '..', '..');
export const demo = join(root, 'stacks', 'Pulumi.demo.yaml');

export async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** `text` in a new temporary directory as `name` (default Pulumi.x.yaml); returns its path. */
export function tempFile(text: string, name = 'Pulumi.x.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'np-cli-')), name);
  writeFileSync(file, text);
  return file;
}

import { readStackConfigFile, StackFileError } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import { parseArgs, UsageError, type Io } from './io';

/**
 * `validate FILE...`: every problem of every file, one line each, prefixed by the file. A file
 * that cannot be used (missing, not YAML) is reported on stderr and the next file still checked;
 * the exit code is the worst: 2 for such a file, 1 for problems, 0 when all are valid.
 */
export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { positional: files } = parseArgs(args, []);
  if (files.length === 0) throw new UsageError('validate needs at least one stack config file (stacks/Pulumi.<team>.yaml)');
  let worst = 0;
  for (const file of files) {
    let raw: Record<string, unknown>;
    try {
      raw = readStackConfigFile(file);
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      io.err(`notebook-platform validate: ${error.message}`);
      worst = 2;
      continue;
    }
    const result = validateConfig(raw);
    if (result.ok) {
      io.out(`${file}: ok (${result.plan.sessions.length} sessions, ${result.plan.shares.length} shares)`);
    } else {
      worst = Math.max(worst, 1);
      for (const problem of result.problems) io.out(`${file}: ${formatProblem(problem)}`);
    }
  }
  return worst;
}

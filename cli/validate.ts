import { readStackConfigFile } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import { parseArgs, UsageError, type Io } from './io';

/** `validate FILE...`: every problem of every file, one line each, prefixed by the file. */
export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { positional: files } = parseArgs(args, []);
  if (files.length === 0) throw new UsageError('validate needs at least one stack config file (stacks/Pulumi.<team>.yaml)');
  let failed = false;
  for (const file of files) {
    const result = validateConfig(readStackConfigFile(file));
    if (result.ok) {
      io.out(`${file}: ok (${result.plan.sessions.length} sessions, ${result.plan.shares.length} shares)`);
    } else {
      failed = true;
      for (const problem of result.problems) io.out(`${file}: ${formatProblem(problem)}`);
    }
  }
  return failed ? 1 : 0;
}

import { readStackConfigFile } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import { efsNeedsOutputs } from '../components/manifests/storage';
import { synthesize, writeManifests } from '../components/manifests/synth';
import { parseArgs, UsageError, type Io } from './io';

/** `synth FILE --out DIR`: the team's manifests, one file per chart. */
export async function synthCommand(args: string[], io: Io): Promise<number> {
  const { positional, options } = parseArgs(args, ['out']);
  if (positional.length !== 1) throw new UsageError('synth needs exactly one stack config file');
  if (!options.out) throw new UsageError('synth needs --out DIR');
  const result = validateConfig(readStackConfigFile(positional[0]));
  if (!result.ok) {
    for (const problem of result.problems) io.out(`${positional[0]}: ${formatProblem(problem)}`);
    return 1;
  }
  const written = writeManifests(synthesize(result.plan), options.out);
  io.out(`${options.out}: wrote ${written.length} files`);
  if (efsNeedsOutputs(result.plan)) {
    io.err('note: the EFS StorageClass and share volumes need ids that exist only after `pulumi up` (set storage.fileSystemId and shares[].accessPointId to render them)');
  }
  io.err('note: each session reads its Jupyter token from the Secret <session>-token (key "token"); GitOps users provide it (sealed or external secrets)');
  return 0;
}

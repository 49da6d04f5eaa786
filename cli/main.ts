/**
 * The `notebook-platform` command: validate, synth, check. Exit codes: 0 ok, 1 problems found,
 * 2 usage errors (bad arguments, missing or unreadable files). User errors never print a stack
 * trace.
 */
import { StackFileError } from '../components/config/load';
import { validateCommand } from './validate';
import { synthCommand } from './synth';
import { checkCommand } from './check';
import { orphansCommand } from './orphans';
import { usageCommand } from './usage';
import { sessionsCommand } from './sessions';
import { UsageError, type Io } from './io';

const USAGE = `usage: notebook-platform <command> [options]

commands:
  validate FILE...            check Pulumi.<team>.yaml stack configs; one line per problem
  synth FILE --out DIR        write the team's Kubernetes manifests (one file per chart)
  check FILE...               run the policy pack offline over what the stack would register
        [--manifests PATH]    and over the Kubernetes manifests under PATH (cdk8s, GitOps)
  orphans FILE [--json]       claims and volumes of the team the config no longer references
                              (current kubeconfig; --context NAME), and how to purge each
  usage FILE [--json]         used bytes of every home and share, as last measured
  sessions list|start|stop [SESSION] --stack TEAM
                              an owner starts or stops their own session (current
                              kubeconfig; --config FILE, --context NAME, --json for list)

exit codes: 0 ok, 1 problems found, 2 usage error`;

type Command = (args: string[], io: Io) => Promise<number>;
const COMMANDS: Record<string, Command> = { validate: validateCommand, synth: synthCommand, check: checkCommand, orphans: orphansCommand, usage: usageCommand, sessions: sessionsCommand };

export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`notebook-platform: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof StackFileError) {
      io.err(`notebook-platform ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function processIo(): Io {
  return { out: (line) => process.stdout.write(line + '\n'), err: (line) => process.stderr.write(line + '\n') };
}

/** Where a command writes; tests pass collectors, the binary passes stdout and stderr. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** Wrong arguments: exit 2 with the message, no stack trace. */
export class UsageError extends Error {}

/** Splits `--flag value` options from positional arguments; unknown flags are usage errors. */
export function parseArgs(args: readonly string[], flags: readonly string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const [flag, inline] = arg.slice(2).split('=', 2);
      if (!flags.includes(flag)) throw new UsageError(`unknown option --${flag}; allowed: ${flags.map((f) => `--${f}`).join(', ') || '(none)'}`);
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${flag} needs a value`);
      options[flag] = value;
    } else positional.push(arg);
  }
  return { positional, options };
}

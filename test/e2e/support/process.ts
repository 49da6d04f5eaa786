/**
 * Runs a program to completion and collects its output: the one place the e2e helpers (kubectl,
 * the control-plane script, pulumi, the demo script) spawn children. Never rejects for a non-zero
 * exit; rejects only when the program cannot be started.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ProcessResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** Stop the program after this long. @default no limit */
  timeoutMs?: number;
  /**
   * The signal sent at the timeout: SIGTERM lets a script run its EXIT trap, SIGINT lets the
   * Pulumi engine cancel and release its lock. @default SIGKILL
   */
  timeoutSignal?: NodeJS.Signals;
  /** After the timeout signal, SIGKILL if the program is still running this much later. @default 15 s */
  killAfterMs?: number;
  /** Called with each chunk of stderr as it arrives (progress logs). */
  onStderr?: (chunk: string) => void;
}

export function runProcess(command: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Both are pipes (stdio above), so never null.
    const [out, err] = [child.stdout!, child.stderr!];
    out.setEncoding('utf8');
    err.setEncoding('utf8');
    out.on('data', (d: string) => (stdout += d));
    err.on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(d);
    });
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const signal = opts.timeoutSignal ?? 'SIGKILL';
        child.kill(signal);
        if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 15_000).unref();
      }, opts.timeoutMs);
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, durationMs: Date.now() - started });
    });
    if (child.stdin) {
      // The program may exit before reading its input.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

export interface RunningProcess {
  pid: number;
  /** The executable's file name (from /proc/PID/exe). */
  exe: string;
  cmd: string;
}

/**
 * Processes that carry `entry` (NAME=VALUE) in their environment: a unique marker a test gives
 * the program it starts is inherited by everything that program starts, plugins included.
 */
export function processesWith(entry: string): RunningProcess[] {
  const found: RunningProcess[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) continue;
      // A zombie is gone already (only its exit status waits for its parent).
      if (/^\S+ \(.*\) Z /.test(fs.readFileSync(`/proc/${name}/stat`, 'utf8'))) continue;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let exe = '';
      try {
        exe = path.basename(fs.readlinkSync(`/proc/${name}/exe`));
      } catch {
        /* a kernel thread or not ours to read */
      }
      found.push({ pid: Number(name), exe, cmd });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { childEnv, describeMissing } from './env.js';
import { createRedactor } from './redact.js';
import { OutputTail } from './tail.js';

/** One command, fully resolved (parameters already substituted as whole argv elements). */
export interface CommandSpec {
  /** The catalog's name for it, used in every message. */
  name: string;
  argv: string[];
  cwd?: string;
  /** Child variable → worker variable holding the value. */
  env: Record<string, string>;
  timeout: number;
}

export interface RunOptions {
  /** The worker's environment, where the mapped values come from. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Receives the redacted output lines new since its last call (each line once), at most once per `progressInterval`. */
  progress?: (text: string) => void;
  progressInterval?: number;
  /** Between SIGTERM and SIGKILL of the process group on timeout or abort. */
  killGrace?: number;
  /** Called with the child's pid (= its process group id) once it runs. */
  onStart?: (pid: number) => void | Promise<void>;
  /** Plain settings for the child (TF_WORKSPACE, TF_IN_AUTOMATION), never secrets: they are not redacted. */
  fixedEnv?: Record<string, string>;
  /** Keep stdout whole in the result (machine-readable output such as `terraform show -json`); the tail then holds stderr only. */
  captureStdout?: boolean;
}

export type CommandResult =
  | { outcome: 'exited'; exitCode: number | null; signal: string | null; durationMs: number; tail: string[]; stdout?: string }
  | { outcome: 'timeout'; durationMs: number; tail: string[]; killedWith: 'SIGTERM' | 'SIGKILL' }
  | { outcome: 'not-started'; reason: string };

const PROGRESS_LINES = 8;

/** Signals a whole process group; it may already be gone. */
function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pid: number): boolean {
  return killGroup(pid, 0);
}

/** How an exited command ended, for messages: `exited with code 2` or `was killed by SIGKILL`. */
export function howItEnded(result: { exitCode: number | null; signal: string | null }): string {
  return result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
}

/** `a 'b c'` for messages only: the command never goes through a shell. */
export function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs argv without a shell in its own process group (detached), so a timeout or an abort can kill
 * everything it started: SIGTERM to the group, SIGKILL after `killGrace`. Output (stdout and stderr)
 * is kept as a tail with the mapped env values redacted. Rejects only when `signal` aborts.
 */
export function runCommand(spec: CommandSpec, opts: RunOptions): Promise<CommandResult> {
  const resolved = childEnv(spec.env, opts.env);
  if ('missing' in resolved) return Promise.resolve({ outcome: 'not-started', reason: describeMissing(resolved.missing, spec.name) });
  if (spec.cwd && !statSync(spec.cwd, { throwIfNoEntry: false })?.isDirectory()) {
    return Promise.resolve({
      outcome: 'not-started',
      reason: `working directory ${spec.cwd} does not exist on the worker: fix cwd of ${spec.name} in the catalog`,
    });
  }
  const redact = createRedactor(resolved.secrets);
  const tail = new OutputTail();
  const killGrace = opts.killGrace ?? 10_000;
  const progressInterval = opts.progressInterval ?? 5_000;
  opts.signal.throwIfAborted();

  return new Promise<CommandResult>((resolve, reject) => {
    const started = Date.now();
    const [program, ...args] = spec.argv;
    const child = spawn(program!, args, {
      cwd: spec.cwd,
      env: { ...opts.fixedEnv, ...resolved.env },
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut: 'SIGTERM' | 'SIGKILL' | undefined;
    let aborted = false;
    let lastProgress = 0;
    /** Complete output lines already passed to progress (or skipped). */
    let posted = 0;
    let progressTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const redactedTail = (n?: number) => tail.last(n).map(redact);
    /** Only the lines since the last post, so the thread shows each line once; `final` adds an unfinished last line. */
    const emitProgress = (final = false) => {
      progressTimer = undefined;
      lastProgress = Date.now();
      const fresh = tail.since(posted, final);
      posted = fresh.seen;
      const hidden = fresh.skipped + Math.max(0, fresh.lines.length - PROGRESS_LINES);
      const lines = fresh.lines.slice(-PROGRESS_LINES).map(redact);
      if (lines.length) opts.progress?.([...(hidden ? [`(${hidden} line${hidden === 1 ? '' : 's'} not shown)`] : []), ...lines].join('\n'));
    };
    const onOutput = (chunk: Buffer) => {
      tail.push(chunk.toString('utf8'));
      if (!opts.progress || progressTimer) return;
      const wait = lastProgress + progressInterval - Date.now();
      progressTimer = setTimeout(emitProgress, Math.max(0, wait));
    };
    const captured: Buffer[] = [];
    child.stdout.on('data', opts.captureStdout ? (chunk: Buffer) => captured.push(chunk) : onOutput);
    child.stderr.on('data', onOutput);

    const stop = () => {
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (child.pid !== undefined && killGroup(child.pid, 'SIGKILL') && timedOut) timedOut = 'SIGKILL';
      }, killGrace);
    };
    const timer = setTimeout(() => {
      timedOut = 'SIGTERM';
      stop();
    }, spec.timeout);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (progressTimer) clearTimeout(progressTimer);
      // The last lines matter most: flush what was not posted yet rather than drop it.
      if (opts.progress) emitProgress(true);
      opts.signal.removeEventListener('abort', onAbort);
    };

    child.once('spawn', () => {
      if (child.pid !== undefined) void opts.onStart?.(child.pid);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish();
      const why =
        error.code === 'ENOENT'
          ? `${program} is not installed on the worker (not found on its PATH, or relative to cwd); install it in the worker image or use an absolute path in argv`
          : error.code === 'EACCES'
            ? `${program} is not executable (chmod +x it)`
            : `${program} could not start: ${error.code ?? error.message}`;
      resolve({ outcome: 'not-started', reason: why });
    });
    child.once('close', (exitCode, signal) => {
      finish();
      // Leftovers in the group (a backgrounded child) would outlive the step; the group is the step's.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      const durationMs = Date.now() - started;
      if (aborted) return reject(opts.signal.reason);
      if (timedOut) return resolve({ outcome: 'timeout', durationMs, tail: redactedTail(), killedWith: timedOut });
      const stdout = opts.captureStdout ? { stdout: Buffer.concat(captured).toString('utf8') } : {};
      resolve({ outcome: 'exited', exitCode, signal, durationMs, tail: redactedTail(), ...stdout });
    });
  });
}

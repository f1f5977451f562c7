import type { SmokeCheckConfig } from '../config/checks.js';
import { formatDuration } from '../domain/duration.js';
import { displayArgv, runCommand } from '../exec/run.js';
import type { CheckResult } from './http.js';
import { pause } from './wait.js';

const TAIL_LINES = 5;

/** `npm run test:smoke`: run like a runbook step (argv, no shell, own process group, redacted output). */
export async function checkSmoke(
  cfg: SmokeCheckConfig,
  ctx: { env: NodeJS.ProcessEnv; signal: AbortSignal; progress?: (line: string) => void; killGrace?: number },
): Promise<CheckResult> {
  const command = `\`${displayArgv(cfg.argv)}\``;
  let last = '';
  for (let attempt = 1; attempt <= cfg.attempts; attempt++) {
    if (attempt > 1) await pause(cfg.interval, ctx.signal);
    const result = await runCommand(
      { name: cfg.name ?? 'smoke test', argv: cfg.argv, cwd: cfg.cwd, env: cfg.env, timeout: cfg.timeout },
      { env: ctx.env, signal: ctx.signal, progress: ctx.progress, killGrace: ctx.killGrace },
    );
    if (result.outcome === 'not-started') return { ok: false, summary: `${command} did not start: ${result.reason}` };
    const tail = result.tail.slice(-TAIL_LINES).join('\n');
    if (result.outcome === 'timeout') {
      last = `${command} did not finish within ${formatDuration(cfg.timeout)} (process group killed)${tail ? `:\n${tail}` : ''}`;
      continue;
    }
    if (result.exitCode === 0) return { ok: true, summary: `${command} passed in ${formatDuration(result.durationMs)}` };
    last = `${command} ${result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`} after ${formatDuration(result.durationMs)}${tail ? `:\n${tail}` : ''}`;
  }
  return { ok: false, summary: `${last}${cfg.attempts > 1 ? `\n(after ${cfg.attempts} attempts)` : ''}` };
}

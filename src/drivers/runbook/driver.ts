import { hostname } from 'node:os';
import { formatDuration } from '../../domain/duration.js';
import type { DriverInstance, StepContext } from '../driver.js';
import { StepFailed } from '../errors.js';
import { planRunbook, type RunbookStepInput } from './plan.js';
import type { RunbookPlanData } from './plan-data.js';
import { replanRunbook } from './replan.js';
import { displayArgv, groupAlive, howItEnded, runCommand } from '../../exec/run.js';
import type { RunbookTarget } from './target.js';

export interface RunbookDriverDeps {
  /** The worker's environment; catalog `env` mappings read from it. */
  env: NodeJS.ProcessEnv;
  /** How often output is passed to ctx.progress (default 5 s). */
  progressInterval?: number;
}

const TAIL_IN_HINT = 10;

/** formatDuration rounds to seconds; sub-second timeouts (tests, quick checks) still read right. */
const span = (ms: number) => (ms < 1000 ? `${ms}ms` : formatDuration(ms));

function readInput(ctx: StepContext<RunbookTarget>): RunbookStepInput {
  const input = ctx.step.input as Partial<RunbookStepInput> | undefined;
  if (!input?.name || !Array.isArray(input.argv) || typeof input.timeout !== 'number') {
    throw new StepFailed('PlanDataMissing', `Step ${ctx.step.id} has no command.`, 'ask for a new plan; this one was made by another Rewind version');
  }
  return { env: {}, repeatable: false, ...input } as RunbookStepInput;
}

/**
 * For a command of a sequence: which commands finished before it, that none after it ran, and the
 * two ways on (the rest as a new request that skips what finished, or by hand).
 */
function sequenceHint(input: RunbookStepInput, rollbackId: string): string {
  const seq = input.sequence;
  if (!seq) return '';
  const ran = seq.ran.length ? `Finished before it: ${seq.ran.join(', ')} (not repeated).` : 'Nothing ran before it in this rollback.';
  const rest = seq.rest.length ? ` Not run: ${seq.rest.join(', ')}.` : '';
  return `\n${ran}${rest} Once fixed, run the rest from this command with \`/rollback retry ${rollbackId}\` (or \`${seq.resume}\`)${seq.rest.length ? ', or finish by hand in this order' : ''}.`;
}

/** One attempt at the command, journaled before it starts: where and when. */
type Attempt = { startedAt: string; host: string; pid: number | null };

/**
 * A command that ran (or may still run) in an earlier attempt cannot be adopted like an AWS resource:
 * run it again only if the catalog says that is safe and nothing of an earlier run is still alive here.
 */
function guardRepeat(input: RunbookStepInput, earlier: Attempt[], ctx: StepContext<RunbookTarget>): void {
  const [first] = earlier;
  if (!first) return;
  const alive = earlier.find((a) => a.pid !== null && a.host === hostname() && groupAlive(a.pid));
  if (alive) {
    throw new StepFailed(
      'RunbookStillRunning',
      `${input.name} from an earlier attempt (started ${alive.startedAt}) is still running as process group ${alive.pid} on ${hostname()}.`,
      `wait for it or stop it (kill -TERM -${alive.pid}), check its effect, then retry`,
      false,
    );
  }
  if (!input.repeatable) {
    throw new StepFailed(
      'OutcomeUnknown',
      `${input.name} was started at ${first.startedAt} by an earlier attempt that stopped before it finished, so its outcome is unknown. Rewind does not run it twice.`,
      `check its effect by hand (e.g. the migrations table), finish by hand if needed; mark the step \`repeatable: true\` in the catalog if running it twice is safe${sequenceHint(input, ctx.rollbackId)}`,
    );
  }
  ctx.progress(`${input.name} was interrupted in an earlier attempt; it is repeatable, running it again`);
}

/**
 * Journals this attempt as `attempt-<n>` before the command starts, n being the first number no
 * earlier attempt took (checkpoint hands back what an earlier attempt journaled, so counting up
 * finds them in order), once the guard has seen the earlier ones. Each attempt's pid follows as
 * `attempt-<n>-pid`; an attempt that died before reporting one can no longer write it (its writes
 * are fenced), so reading it journals null for good.
 */
async function journalAttempt(input: RunbookStepInput, ctx: StepContext<RunbookTarget>): Promise<number> {
  const earlier: Attempt[] = [];
  for (let n = 1; ; n++) {
    let ours = false;
    const attempt = await ctx.checkpoint(`attempt-${n}`, async () => {
      guardRepeat(input, earlier, ctx);
      ours = true;
      return { startedAt: new Date().toISOString(), host: hostname() };
    });
    if (ours) return n;
    earlier.push({ ...attempt, pid: await ctx.checkpoint(`attempt-${n}-pid`, async (): Promise<number | null> => null) });
  }
}

/** Runs the catalog's argv steps (migrations, Terraform state, rollback.sh): never text from Slack, only validated parameters. */
export function createRunbookDriver(deps: RunbookDriverDeps): DriverInstance<RunbookTarget, RunbookPlanData> {
  return {
    plan: async (request) => planRunbook(request, deps.env),
    drift: async () => undefined,
    replan: replanRunbook,
    steps: {
      // `run-<step>` (one command) or `run-<step>-<command>` (a sequence, in plan order).
      async run(ctx) {
        const input = readInput(ctx);
        const attempt = await journalAttempt(input, ctx);
        const result = await runCommand(input, {
          env: deps.env,
          signal: ctx.signal,
          progress: ctx.progress,
          progressInterval: deps.progressInterval,
          killGrace: ctx.target.killGrace,
          onStart: async (pid) => void (await ctx.checkpoint(`attempt-${attempt}-pid`, async () => pid)),
        });
        const command = `\`${displayArgv(input.argv)}\`${input.cwd ? ` in ${input.cwd}` : ''}`;
        switch (result.outcome) {
          case 'not-started':
            throw new StepFailed(
              'RunbookNotStarted',
              `${input.name} did not start: ${result.reason}.`,
              `fix the worker or the catalog, then retry; nothing ran${sequenceHint(input, ctx.rollbackId)}`,
            );
          case 'timeout':
            ctx.log.warn({ step: input.name, durationMs: result.durationMs, killedWith: result.killedWith }, 'runbook step timed out');
            throw new StepFailed(
              'RunbookTimeout',
              `${input.name} ran longer than its ${span(input.timeout)} timeout; Rewind killed its process group (${result.killedWith === 'SIGKILL' ? 'SIGTERM, then SIGKILL' : 'SIGTERM'}).`,
              `It may have stopped half-way: check its effect by hand. Last output:\n${result.tail.slice(-TAIL_IN_HINT).join('\n') || '(none)'}\nRaise \`timeout\` in the catalog if it needs longer; the command was ${command}.${sequenceHint(input, ctx.rollbackId)}`,
            );
          case 'exited': {
            const record = { step: input.name, exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, tail: result.tail.join('\n') };
            ctx.log.info({ step: input.name, exitCode: result.exitCode, durationMs: result.durationMs }, 'runbook step finished');
            if (result.exitCode === 0) return record;
            throw new StepFailed(
              'RunbookFailed',
              `${input.name} ${howItEnded(result)} after ${span(result.durationMs)}.`,
              `Last output:\n${result.tail.slice(-TAIL_IN_HINT).join('\n') || '(none)'}\nFix the cause, then retry, or run it by hand: ${command}.${sequenceHint(input, ctx.rollbackId)}`,
            );
          }
        }
      },
    },
  };
}

import { formatDuration } from '../domain/duration.js';
import type { RollbackError } from '../domain/rollback.js';
import type { StepRecord } from '../domain/timeline.js';
import type { StepBase } from '../drivers/driver.js';
import { StepFailed } from '../drivers/errors.js';
import { failpoint } from '../failpoint.js';
import { FenceLost } from '../store/fence.js';
import { checkpointer } from './checkpoint.js';
import type { WorkerServices } from './context.js';
import type { Part } from './parts.js';
import { throttledProgress } from './progress.js';
import type { RollbackScope } from './scope.js';

/** A step hit a temporary error and the job has attempts left: the run ends here and is retried from the journal. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export interface PartRun {
  x: WorkerServices;
  r: RollbackScope;
  signal: AbortSignal;
  attempt: number;
  of: number;
  /** The journal as this run found it. */
  journal: Record<string, StepRecord>;
  /** Called before the part's first verify step (a plain rollback enters `verifying` there). */
  beforeVerify?: () => Promise<void>;
}

/** A part's journal key for one step: stack components keep theirs apart by name. */
export function journalKey(part: Part, stepId: string): string {
  return part.name ? `${part.name}/${stepId}` : stepId;
}

/**
 * Runs one part's steps in order from the journal: a completed step is never run again, an
 * interrupted one is repeated (drivers make each step idempotent). Returns how the part failed for
 * good, or undefined when every step is done. Throws when the run must stop (shutdown, lost fence)
 * or retry later; the next run resumes from the journal.
 */
export async function runPart(part: Part, run: PartRun): Promise<RollbackError | undefined> {
  const { x, r, signal } = run;
  const say = (text: string) => (part.name ? `*${part.name}* · ${text}` : text);
  for (const step of part.plan.steps) {
    const key = journalKey(part, step.id);
    const previous = run.journal[key];
    if (previous?.status === 'done') continue;
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new FenceLost(r.id);
    const isVerify = step.driver === 'verify';
    if (isVerify) await run.beforeVerify?.();
    const driverStep = step.driver === part.driver.kind ? part.prepared.step(step.id) : undefined;
    if (!isVerify && !driverStep) {
      const error =
        step.driver === part.driver.kind
          ? { name: 'UnknownStep', message: `the ${part.driver.kind} driver has no step "${step.id}"; the plan was made by another Rewind version` }
          : { name: 'NotConfigured', message: `no ${step.driver} driver in this worker for step "${step.title}"` };
      return { ...error, hint: `Ask for a new plan: \`${part.driver.replan(part.record)}\`.`, stepId: key };
    }
    const record = await x.journal.start(r.id, key, previous, r.fence);
    await r.note(
      { type: 'step_started', stepId: key, message: say(step.title) },
      say(`:hourglass_flowing_sand: ${step.title}${previous ? ' (again, after an interruption)' : ''}`),
    );
    await r.refreshCard();
    failpoint('step-started', key);
    const progress = throttledProgress((text) => r.thread(say(`:small_blue_diamond: ${text}`)), x.progressIntervalMs);
    const began = Date.now();
    try {
      const context: StepBase = {
        rollbackId: r.id,
        plan: part.plan,
        step,
        signal,
        log: r.log.child({ step: step.id, ...(part.name ? { component: part.name } : {}) }),
        firstStartedAt: new Date(record.startedAt),
        checkpoint: checkpointer(
          () => record.output,
          (entry) => x.journal.checkpoint(r.id, key, record, entry, r.fence),
        ),
        progress: (text) => progress.push(text),
      };
      const output = driverStep
        ? await driverStep(context)
        : await x.verify.run({ ...context, target: part.target, next: part.driver.nextSteps(part.record, 'unhealthy') });
      await progress.flush();
      await x.journal.finish(r.id, key, record, 'done', output ? { output: { ...record.output, ...output } } : {}, r.fence);
      x.metrics.stepDone(part.driver.kind, step.id, Date.now() - began);
    } catch (error) {
      await progress.flush();
      // Shutting down or superseded: leave the step open; the next run resumes it from the journal.
      if (signal.aborted || error instanceof FenceLost) throw error;
      const e = error as Error;
      if (!(error instanceof StepFailed && error.permanent) && run.attempt < run.of) {
        await r.thread(say(`:warning: ${step.title} hit a temporary error (${e.name}: ${e.message}); retrying (attempt ${run.attempt + 1} of ${run.of}).`));
        throw new RetryLater(`${step.title}: ${e.message}`, { cause: error });
      }
      await x.journal.finish(r.id, key, record, 'failed', { error: `${e.name}: ${e.message}` }, r.fence);
      await r.note({ type: 'step_failed', stepId: key, message: say(`${step.title}: ${e.name}: ${e.message}`) });
      return {
        name: e.name || 'Error',
        message: e.message,
        hint:
          error instanceof StepFailed
            ? error.hint
            : 'Check the worker logs for this rollback id, then retry with a new /rollback or continue by hand from the runbook.',
        stepId: key,
      };
    }
    const took = formatDuration(Date.now() - began);
    await r.note({ type: 'step_succeeded', stepId: key, message: say(`${step.title} (${took})`) }, say(`:white_check_mark: ${step.title} (${took})`));
    await r.refreshCard();
  }
  return undefined;
}

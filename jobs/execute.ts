import { UnrecoverableError } from 'bullmq';
import { targetOf } from '../src/config/catalog.js';
import { formatDuration } from '../src/domain/duration.js';
import { isTerminal, type Rollback, type RollbackError } from '../src/domain/rollback.js';
import { StepFailed } from '../src/drivers/errors.js';
import { approvalsStillHold } from '../src/service/authority.js';
import { refreshCard, threadLine } from '../src/service/cards.js';
import { announceOutcome } from './outcome.js';
import type { WorkerServices } from './context.js';
import { throttledProgress } from './progress.js';

/** While executing, the target lock lives this long and is renewed at a third of it. */
export const EXECUTION_LOCK_TTL_MS = 90_000;

export interface Attempt {
  /** 1-based attempt number of this job run, and how many BullMQ allows. */
  number: number;
  of: number;
}

/**
 * Runs an approved plan step by step from the journal: a completed step is never run again,
 * an interrupted one is repeated (drivers make each step idempotent). Ends in succeeded or failed.
 */
export async function executeJob(x: WorkerServices, id: string, signal: AbortSignal, attempt: Attempt): Promise<void> {
  let rb = await x.store.get(id);
  if (!rb) return;
  if (isTerminal(rb.state)) return announceOutcome(x, rb);
  if (!['approved', 'running', 'verifying'].includes(rb.state) || !rb.plan) return;
  const log = x.log.child({ rollback: id, job: 'execute', attempt: attempt.number });
  const target = targetOf(x.catalog, rb.service, rb.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver) return fail(x, rb, { name: 'NotConfigured', message: `${rb.target} is no longer in the catalog or its driver is not loaded in this worker`, hint: 'Restore the catalog entry and ask for a new rollback.' });

  const lock = await x.locks.acquire(rb.target, id, EXECUTION_LOCK_TTL_MS);
  if (!lock.ok) return fail(x, rb, { name: 'TargetLocked', message: `${lock.holder} holds ${rb.target}`, hint: `Wait for ${lock.holder} to finish (\`/rollback status ${lock.holder}\`), then ask again.` });
  const lost = new AbortController();
  const renewal = setInterval(() => {
    x.locks.renew(rb!.target, id, EXECUTION_LOCK_TTL_MS).then(
      (held) => held || lost.abort(new Error(`lost the lock on ${rb!.target}`)),
      (error: unknown) => log.warn({ err: error }, 'could not renew the target lock'),
    );
    // Keeps the card's RTO clock moving through long steps (one coalesced update per tick).
    refreshCard(x, id).catch((error: unknown) => log.warn({ err: error }, 'card refresh failed'));
  }, EXECUTION_LOCK_TTL_MS / 3);
  const stepSignal = AbortSignal.any([signal, lost.signal]);

  try {
    const journal = await x.journal.all(id);
    if (rb.state === 'approved') {
      const refusal = await recheck(x, rb, Object.keys(journal).length === 0, stepSignal);
      if (refusal) return await fail(x, rb, refusal);
      rb = (await x.store.transition(id, 'running', { from: ['approved'], patch: { startedAt: x.now().toISOString() }, message: 'Execution started' })).rollback;
      await threadLine(x, rb, `:arrow_forward: Rolling back *${rb.service} ${rb.environment}*: \`${rb.plan!.current}\` → \`${rb.plan!.target}\``);
    }

    for (const step of rb.plan!.steps) {
      const previous = journal[step.id];
      if (previous?.status === 'done') continue;
      if (step.driver === 'verify' && rb.state === 'running') {
        rb = (await x.store.transition(id, 'verifying', { from: ['running'], message: 'Verifying' })).rollback;
      }
      const stepDriver = x.drivers[step.driver];
      if (!stepDriver) return await fail(x, rb, { name: 'NotConfigured', message: `no ${step.driver} driver in this worker for step "${step.title}"`, stepId: step.id });
      const record = await x.journal.start(id, step.id, previous);
      await x.store.note(id, { type: 'step_started', stepId: step.id, message: step.title });
      await threadLine(x, rb, `:hourglass_flowing_sand: ${step.title}${previous ? ' (again, after an interruption)' : ''}`);
      void refreshCard(x, id).catch((error: unknown) => log.warn({ err: error }, 'card refresh failed'));
      const current = rb;
      const progress = throttledProgress((line) => threadLine(x, current, `:small_blue_diamond: ${line}`), x.progressIntervalMs);
      const began = Date.now();
      try {
        const output = await stepDriver.runStep({
          rollbackId: id,
          plan: rb.plan!,
          step,
          target,
          signal: stepSignal,
          log: log.child({ step: step.id }),
          firstStartedAt: new Date(record.startedAt),
          checkpoint: record.output,
          saveCheckpoint: (out) => x.journal.checkpoint(id, step.id, record, out),
          progress: (line) => progress.push(line),
        });
        await progress.flush();
        await x.journal.finish(id, step.id, record, 'done', output ? { output: { ...record.output, ...output } } : {});
      } catch (error) {
        await progress.flush();
        // Shutting down: leave the step open; the job resumes on another worker once its lock lapses.
        if (signal.aborted) throw error;
        const retryable = !(error instanceof StepFailed && error.permanent) && attempt.number < attempt.of && !lost.signal.aborted;
        const e = error as Error;
        if (retryable) {
          await threadLine(x, rb, `:warning: ${step.title} hit a temporary error (${e.name}: ${e.message}); retrying (attempt ${attempt.number + 1} of ${attempt.of}).`);
          throw error;
        }
        await x.journal.finish(id, step.id, record, 'failed', { error: `${e.name}: ${e.message}` });
        await x.store.note(id, { type: 'step_failed', stepId: step.id, message: `${step.title}: ${e.name}: ${e.message}` });
        await fail(x, rb, {
          name: e.name || 'Error',
          message: e.message,
          hint: error instanceof StepFailed ? error.hint : 'Check the worker logs for this rollback id, then retry with a new /rollback or continue by hand from the runbook.',
          stepId: step.id,
        });
        throw new UnrecoverableError(`${id} failed at ${step.id}: ${e.message}`);
      }
      await x.store.note(id, { type: 'step_succeeded', stepId: step.id, message: `${step.title} (${formatDuration(Date.now() - began)})` });
      await threadLine(x, rb, `:white_check_mark: ${step.title} (${formatDuration(Date.now() - began)})`);
      void refreshCard(x, id).catch((error: unknown) => log.warn({ err: error }, 'card refresh failed'));
    }

    if (rb.state === 'running') rb = (await x.store.transition(id, 'verifying', { from: ['running'], message: 'No checks configured' })).rollback;
    rb = (await x.store.transition(id, 'succeeded', { from: ['verifying'], patch: { finishedAt: x.now().toISOString() }, message: 'Rollback succeeded' })).rollback;
    await announceOutcome(x, rb);
  } finally {
    clearInterval(renewal);
  }
}

/**
 * Before the first step: approvals still hold (roles re-read now, not at the click), and the live
 * state is still what was approved. Returns why not to run, or undefined.
 */
async function recheck(x: WorkerServices, rb: Rollback, checkDrift: boolean, signal: AbortSignal): Promise<RollbackError | undefined> {
  const target = targetOf(x.catalog, rb.service, rb.environment)!;
  const withdrawn = await approvalsStillHold(x, rb);
  if (withdrawn) return { name: 'ApprovalWithdrawn', message: withdrawn, hint: `Ask again with /rollback ${rb.service} ${rb.environment}.` };
  if (!checkDrift) return undefined;
  const drift = await x.drivers[target.driver]!.drift(rb.plan!, target, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]), log: x.log.child({ rollback: rb.id, check: 'drift' }) });
  if (drift) {
    return { name: 'PlanDrift', message: `The live state changed since this plan was approved: ${drift}`, hint: `Nothing was changed. Ask for a new plan: \`/rollback ${rb.service} ${rb.environment}\`.` };
  }
  return undefined;
}

async function fail(x: WorkerServices, rb: Rollback, error: RollbackError): Promise<void> {
  const res = await x.store.transition(rb.id, 'failed', {
    from: ['approved', 'running', 'verifying'],
    patch: { error, finishedAt: x.now().toISOString() },
    message: `Failed: ${error.name}: ${error.message}`,
  });
  await announceOutcome(x, res.rollback);
}

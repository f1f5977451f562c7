import { targetOf } from '../config/catalog.js';
import { formatDuration } from '../domain/duration.js';
import { isTerminal, lockTargets, type Rollback, type RollbackError } from '../domain/rollback.js';
import { sourcesOf } from '../domain/state-machine.js';
import type { PreparedPlan } from '../drivers/define.js';
import type { StepBase } from '../drivers/driver.js';
import { StepFailed } from '../drivers/errors.js';
import { failpoint } from '../failpoint.js';
import { approvalsStillHold } from '../policy/resolve.js';
import { FenceLost, type Fence } from '../store/fence.js';
import { runOwner } from '../store/locks.js';
import { checkpointer } from './checkpoint.js';
import type { WorkerServices } from './context.js';
import { afterOutcome, finish } from './finish.js';
import { throttledProgress } from './progress.js';
import { line } from '../warroom/card.js';
import { scopeOf, type RollbackScope } from './scope.js';

export interface Run {
  /** The BullMQ job token: the execution lock is held as `id#token`, fencing this run's writes. */
  token: string;
  /** Aborted on shutdown or when BullMQ reports the job's lock lost. */
  signal: AbortSignal;
  /** 1-based attempt number of this job run, and how many BullMQ allows. */
  attempt: number;
  of: number;
}

/** Another run of the same rollback still holds the target (it stalled, or lost its lock a moment ago). */
export class RunElsewhere extends Error {
  override name = 'RunElsewhere';
}

/** A step failed for good: the rollback is failed and announced; the job must not be retried. */
export class ExecutionFailed extends Error {
  override name = 'ExecutionFailed';
}

/** Where an execution may (still) be: the states `fail` accepts. */
const ACTIVE = sourcesOf('fail');

/**
 * Runs an approved plan step by step from the journal: a completed step is never run again, an
 * interrupted one is repeated (drivers make each step idempotent). Every write is fenced by the
 * run's hold on the target lock, so a run that lost it stops before its next side effect. Ends in
 * succeeded or failed; the war room hears about it through the outbox, never waited for.
 */
export async function executeRollback(x: WorkerServices, id: string, run: Run): Promise<void> {
  let rb = await x.store.get(id);
  if (!rb) return;
  if (isTerminal(rb.state)) return afterOutcome(x, rb);
  if (!ACTIVE.includes(rb.state) || !rb.plan) return;
  const target = targetOf(x.catalog, rb.service, rb.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver) {
    return void (await fail(x, rb, { name: 'NotConfigured', message: `${rb.target} is no longer in the catalog or its driver is not loaded in this worker`, hint: 'Nothing was changed. Restore the catalog entry and ask for a new rollback.' }));
  }
  // Plan.data is read once, through the driver's schema: drift and every step get it typed.
  const prepared = driver.prepare(rb.plan, target);
  if ('invalid' in prepared) {
    return void (await fail(x, rb, {
      name: 'PlanDataInvalid',
      message: `The stored ${driver.kind} plan is incomplete (${prepared.invalid.join(', ')}), so Rewind will not act on it`,
      hint: `Nothing was changed. Ask for a new plan: \`${driver.replan(rb)}\`.`,
    }));
  }

  const claim = await x.locks.claimRun(lockTargets(rb), id, run.token, x.executionLockMs);
  if (!claim.ok) {
    if (claim.holder.startsWith(`${id}#`)) throw new RunElsewhere(`an earlier run of ${id} still holds ${rb.target}`);
    const holder = claim.holder.split('#')[0];
    return void (await fail(x, rb, { name: 'TargetLocked', message: `${holder} holds ${rb.target}`, hint: `Nothing was changed. Wait for ${holder} to finish (\`/rollback status ${holder}\`), then ask again.` }));
  }
  const fence: Fence = { key: x.locks.key(rb.target), value: runOwner(id, run.token) };
  const r = scopeOf(x, id, { fence, bindings: { job: 'execute', attempt: run.attempt } });
  const { log } = r;
  const lost = new AbortController();
  const renewal = setInterval(() => {
    x.locks.renew(lockTargets(rb!), fence.value, x.executionLockMs).then(
      (held) => held || lost.abort(new FenceLost(id)),
      (error: unknown) => log.warn({ err: error }, 'could not renew the target lock'),
    );
    // Keeps the card's RTO clock moving through long steps.
    r.refreshCard().catch((error: unknown) => log.warn({ err: error }, 'card refresh failed'));
  }, x.executionLockMs / 3);
  const signal = AbortSignal.any([run.signal, lost.signal]);
  const stopIfLost = () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new FenceLost(id);
  };

  try {
    const journal = await x.journal.all(id);
    if (rb.state === 'approved') {
      const refusal = await recheck(x, r, rb, Object.keys(journal).length === 0 ? prepared : undefined, signal);
      stopIfLost();
      if (refusal) return void (await fail(x, rb, refusal, fence));
      const started = await x.store.transition(id, 'start', {
        patch: { startedAt: x.now().toISOString() },
        message: 'Execution started',
        say: (next) => [line(x, `:arrow_forward: Rolling back *${next.service} ${next.environment}*: \`${next.plan!.current}\` → \`${next.plan!.target}\``)],
        fence,
      });
      // Cancelled between the approval and now: nothing ran, nothing to do.
      if (!started.changed) return void (await afterOutcome(x, started.rollback));
      rb = started.rollback;
    }

    for (const step of rb.plan!.steps) {
      const previous = journal[step.id];
      if (previous?.status === 'done') continue;
      stopIfLost();
      const isVerify = step.driver === 'verify';
      if (isVerify && rb.state === 'running') {
        rb = (await x.store.transition(id, 'verify', { message: 'Verifying', fence })).rollback;
      }
      const driverStep = step.driver === driver.kind ? prepared.step(step.id) : undefined;
      if (!isVerify && !driverStep) {
        const error =
          step.driver === driver.kind
            ? { name: 'UnknownStep', message: `the ${driver.kind} driver has no step "${step.id}"; the plan was made by another Rewind version` }
            : { name: 'NotConfigured', message: `no ${step.driver} driver in this worker for step "${step.title}"` };
        return void (await fail(x, rb, { ...error, hint: `Ask for a new plan: \`${driver.replan(rb)}\`.`, stepId: step.id }, fence));
      }
      const record = await x.journal.start(id, step.id, previous, fence);
      await r.note({ type: 'step_started', stepId: step.id, message: step.title }, `:hourglass_flowing_sand: ${step.title}${previous ? ' (again, after an interruption)' : ''}`);
      await r.refreshCard();
      failpoint('step-started', step.id);
      const progress = throttledProgress((text) => r.thread(`:small_blue_diamond: ${text}`), x.progressIntervalMs);
      const began = Date.now();
      try {
        const context: StepBase = {
          rollbackId: id,
          plan: rb.plan!,
          step,
          signal,
          log: log.child({ step: step.id }),
          firstStartedAt: new Date(record.startedAt),
          checkpoint: checkpointer(
            () => record.output,
            (entry) => x.journal.checkpoint(id, step.id, record, entry, fence),
          ),
          progress: (text) => progress.push(text),
        };
        const output = driverStep ? await driverStep(context) : await x.verify.run({ ...context, target, next: driver.nextSteps(rb, 'unhealthy') });
        await progress.flush();
        await x.journal.finish(id, step.id, record, 'done', output ? { output: { ...record.output, ...output } } : {}, fence);
      } catch (error) {
        await progress.flush();
        // Shutting down or superseded: leave the step open; the next run resumes it from the journal.
        if (signal.aborted || error instanceof FenceLost) throw error;
        const retryable = !(error instanceof StepFailed && error.permanent) && run.attempt < run.of;
        const e = error as Error;
        if (retryable) {
          await r.thread(`:warning: ${step.title} hit a temporary error (${e.name}: ${e.message}); retrying (attempt ${run.attempt + 1} of ${run.of}).`);
          throw error;
        }
        await x.journal.finish(id, step.id, record, 'failed', { error: `${e.name}: ${e.message}` }, fence);
        await r.note({ type: 'step_failed', stepId: step.id, message: `${step.title}: ${e.name}: ${e.message}` });
        await fail(
          x,
          rb,
          {
            name: e.name || 'Error',
            message: e.message,
            hint: error instanceof StepFailed ? error.hint : 'Check the worker logs for this rollback id, then retry with a new /rollback or continue by hand from the runbook.',
            stepId: step.id,
          },
          fence,
        );
        throw new ExecutionFailed(`${id} failed at ${step.id}: ${e.message}`);
      }
      const took = formatDuration(Date.now() - began);
      await r.note({ type: 'step_succeeded', stepId: step.id, message: `${step.title} (${took})` }, `:white_check_mark: ${step.title} (${took})`);
      await r.refreshCard();
    }

    stopIfLost();
    if (rb.state === 'running') rb = (await x.store.transition(id, 'verify', { message: 'No checks configured', fence })).rollback;
    await finish(x, rb, 'succeed', { message: 'Rollback succeeded', fence });
  } finally {
    clearInterval(renewal);
    // Handing over (shutdown, lost job lock): free the target for the next run at once rather than after its TTL.
    if (signal.aborted) await x.locks.releaseRun(lockTargets(rb), fence.value).catch(() => undefined);
  }
}

/**
 * Before the first step: approvals still hold (roles re-read now, not at the click), and the live
 * state is still what was approved. Returns why not to run, or undefined.
 */
async function recheck(x: WorkerServices, r: RollbackScope, rb: Rollback, drifted: PreparedPlan | undefined, signal: AbortSignal): Promise<RollbackError | undefined> {
  const withdrawn = await approvalsStillHold(x, rb);
  if (withdrawn) return { name: 'ApprovalWithdrawn', message: withdrawn, hint: `Nothing was changed. Ask again with \`${replanHint(x, rb)}\`.` };
  if (!drifted) return undefined;
  const drift = await drifted.drift({ signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]), log: r.log.child({ check: 'drift' }) });
  if (drift) {
    return { name: 'PlanDrift', message: `The live state changed since this plan was approved: ${drift}`, hint: `Nothing was changed. Ask for a new plan: \`${replanHint(x, rb)}\`.` };
  }
  return undefined;
}

/** The slash command that asks for this rollback again, in its driver's grammar. */
function replanHint(x: WorkerServices, rb: Rollback): string {
  const target = targetOf(x.catalog, rb.service, rb.environment);
  return (target && x.drivers[target.driver]?.replan(rb)) ?? `/rollback ${rb.service} ${rb.environment}`;
}

function fail(x: WorkerServices, rb: Rollback, error: RollbackError, fence?: Fence): Promise<Rollback> {
  return finish(x, rb, 'fail', { error, message: `Failed: ${error.name}: ${error.message}`, fence });
}

/**
 * The job itself failed for good outside any step (Redis or Slack trouble, a bug): the rollback
 * must not stay "Rolling back" forever. Says what finished, so the engineer knows where it stands.
 */
export async function failOutsideSteps(x: WorkerServices, id: string, error: Error): Promise<void> {
  const rb = await x.store.get(id);
  if (!rb || !ACTIVE.includes(rb.state)) return;
  const journal = await x.journal.all(id);
  const done = rb.plan?.steps.filter((s) => journal[s.id]?.status === 'done').map((s) => s.title) ?? [];
  const where = done.length ? `Finished before it stopped: ${done.join('; ')}.` : 'Nothing was changed.';
  await fail(x, rb, {
    name: error.name || 'Error',
    message: `Rewind could not carry on (${error.message}). ${where}`,
    hint: `Check ${rb.service} ${rb.environment} on the platform, then ask again with \`${replanHint(x, rb)}\` or finish by hand from the runbook.`,
  });
}

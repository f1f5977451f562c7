import { isTerminal, lockTargets, type Rollback, type RollbackError } from '../domain/rollback.js';
import { sourcesOf } from '../domain/state-machine.js';
import { approvalsStillHold } from '../policy/resolve.js';
import { FenceLost, type Fence } from '../store/fence.js';
import { runOwner } from '../store/locks.js';
import { startedText } from '../warroom/announce.js';
import { line } from '../warroom/card.js';
import { startNotices } from '../warroom/notices.js';
import type { WorkerServices } from './context.js';
import { afterOutcome, finish } from './finish.js';
import { prepareParts, replanOf, type Part } from './parts.js';
import { runPart, type PartRun } from './run-part.js';
import { scopeOf, type RollbackScope } from './scope.js';
import { runStack, stackFailure } from './stack.js';

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
 * Runs an approved rollback from the journal: a plain rollback's steps in order, or a stack's
 * components in parallel as `after` allows. Every write is fenced by the run's hold on its
 * targets, so a run that lost them stops before its next side effect. Ends in succeeded or
 * failed; the war room hears about it through the outbox, never waited for.
 */
export async function executeRollback(x: WorkerServices, id: string, run: Run): Promise<void> {
  let rb = await x.store.get(id);
  if (!rb) return;
  if (isTerminal(rb.state)) return afterOutcome(x, rb);
  if (!ACTIVE.includes(rb.state) || !rb.plan) return;
  // Plan.data is read once, through each driver's schema: drift and every step get it typed.
  const parts = prepareParts(x, rb);
  if (!Array.isArray(parts)) return void (await fail(x, rb, parts));

  const claim = await x.locks.claimRun(lockTargets(rb), id, run.token, x.executionLockMs);
  if (!claim.ok) {
    if (claim.holder.startsWith(`${id}#`)) throw new RunElsewhere(`an earlier run of ${id} still holds ${rb.target}`);
    const holder = claim.holder.split('#')[0];
    return void (await fail(x, rb, {
      name: 'TargetLocked',
      message: `${holder} holds a target of ${rb.id}`,
      hint: `Nothing was changed. Wait for ${holder} to finish (\`/rollback status ${holder}\`), then ask again.`,
    }));
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
      const refusal = await recheck(x, r, rb, Object.keys(journal).length === 0 ? parts : [], signal);
      stopIfLost();
      if (refusal) return void (await fail(x, rb, refusal, fence));
      const started = await x.store.transition(id, 'start', {
        patch: { startedAt: x.now().toISOString() },
        message: 'Execution started',
        say: (next) => {
          const started = line(x, startedText(x, next));
          return [started, ...startNotices(x, started.at)];
        },
        fence,
      });
      // Cancelled between the approval and now: nothing ran, nothing to do.
      if (!started.changed) return void (await afterOutcome(x, started.rollback));
      rb = started.rollback;
    }
    const partRun: PartRun = { x, r, signal, attempt: run.attempt, of: run.of, journal };

    if (!rb.stack) {
      const enterVerifying = async () => {
        if (rb!.state === 'running') rb = (await x.store.transition(id, 'verify', { message: 'Verifying', fence })).rollback;
      };
      const failed = await runPart(parts[0]!, { ...partRun, beforeVerify: enterVerifying });
      if (failed) {
        await fail(x, rb, failed, fence);
        throw new ExecutionFailed(`${id} failed at ${failed.stepId}: ${failed.message}`);
      }
      stopIfLost();
      if (rb.state === 'running') rb = (await x.store.transition(id, 'verify', { message: 'No checks configured', fence })).rollback;
      return void (await finish(x, rb, 'succeed', { message: 'Rollback succeeded', fence }));
    }

    const states = await runStack(parts, rb, partRun);
    stopIfLost();
    rb =
      rb.state === 'running' ? (await x.store.transition(id, 'verify', { message: 'Every component ended', fence })).rollback : ((await x.store.get(id)) ?? rb);
    const failed = stackFailure(rb, states, replanOf(x, rb));
    if (!failed) return void (await finish(x, rb, 'succeed', { message: 'Stack rollback succeeded', fence }));
    await fail(x, rb, failed, fence);
    throw new ExecutionFailed(`${id}: ${failed.message}`);
  } finally {
    clearInterval(renewal);
    // Handing over (shutdown, lost job lock): free the targets for the next run at once rather than after their TTL.
    if (signal.aborted) await x.locks.releaseRun(lockTargets(rb), fence.value).catch(() => undefined);
  }
}

/**
 * Before the first step: approvals still hold (roles re-read now, not at the click), and the live
 * state is still what was approved. Returns why not to run, or undefined.
 */
async function recheck(x: WorkerServices, r: RollbackScope, rb: Rollback, unstarted: Part[], signal: AbortSignal): Promise<RollbackError | undefined> {
  const withdrawn = await approvalsStillHold(x, rb);
  if (withdrawn) return { name: 'ApprovalWithdrawn', message: withdrawn, hint: `Nothing was changed. Ask again with \`${replanOf(x, rb)}\`.` };
  const within = AbortSignal.any([signal, AbortSignal.timeout(30_000)]);
  const drifts = await Promise.all(
    unstarted.map(async (p) => ({
      p,
      drift: await p.prepared.drift({ signal: within, log: r.log.child({ check: 'drift', ...(p.name ? { component: p.name } : {}) }) }),
    })),
  );
  const moved = drifts.filter((d) => d.drift).map((d) => (d.p.name ? `${d.p.name}: ${d.drift}` : d.drift));
  if (moved.length) {
    return {
      name: 'PlanDrift',
      message: `The live state changed since this plan was approved: ${moved.join('; ')}`,
      hint: `Nothing was changed. Ask for a new plan: \`${replanOf(x, rb)}\`.`,
    };
  }
  return undefined;
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
    hint: `Check ${rb.service} ${rb.environment} on the platform, then ask again with \`${replanOf(x, rb)}\` or finish by hand from the runbook.`,
  });
}

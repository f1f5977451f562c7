import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { z } from 'zod';
import type { WorkerServices } from '../src/rollbacks/context.js';
import { ExecutionFailed, executeRollback, failOutsideSteps, RunElsewhere } from '../src/rollbacks/execute.js';
import { expire } from '../src/rollbacks/expire.js';
import { followUp, FollowUpFailed } from '../src/rollbacks/follow-up.js';
import { planRollback } from '../src/rollbacks/plan.js';
import { reconcile } from '../src/rollbacks/reconcile.js';
import { remind } from '../src/rollbacks/remind.js';
import {
  EXECUTE_QUEUE,
  followUpPayload,
  INTERACTIVE_QUEUE,
  jobPayload,
  readyPayload,
  requestPayload,
  retryPayload,
  alertPayload,
  versionsPayload,
  versionTablePayload,
  type JobPayload,
} from './queue.js';
import { readyJob } from './ready.js';
import { readinessSummary } from '../src/rollbacks/readiness-summary.js';
import { killStuckJob, requestFailed, requestJob, retryJob } from './request.js';
import { versionTableJob } from './version-table.js';
import { suggestRollback } from '../src/rollbacks/suggest.js';
import { versionsJob } from './versions.js';

export interface WorkerOptions {
  /** Concurrent executions per process. */
  concurrency: number;
  /** Concurrent interactive jobs (plans, version lists, expiry...) per process. */
  interactiveConcurrency?: number;
  lockDurationMs: number;
}

/** The job's data checked against its schema; a malformed payload would fail every retry too. */
function payload<T>(schema: z.ZodType<T>, job: Job<JobPayload>): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  return parsed.data;
}

function rollbackId(job: Job<JobPayload>): string {
  return payload(jobPayload, job).id;
}

/** The worker role: one BullMQ worker per queue, both handing their jobs back on shutdown. */
export function startWorker(x: WorkerServices, connection: ConnectionOptions, opts: WorkerOptions) {
  const shutdown = new AbortController();
  const common = {
    connection,
    prefix: `${x.prefix}:bull`,
    lockDuration: opts.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(opts.lockDurationMs / 2)),
    maxStalledCount: 5,
  };

  /** Shutting down: hand the job back untouched (no attempt used); the journal lets any worker resume it. */
  async function handBack(job: Job, token: string | undefined, delayMs = 0): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  const interactive = new Worker<JobPayload, unknown, string>(
    INTERACTIVE_QUEUE,
    async function processInteractiveJob(job: Job<JobPayload, unknown, string>, token?: string, signal?: AbortSignal) {
      const stop = AbortSignal.any([shutdown.signal, ...(signal ? [signal] : [])]);
      try {
        switch (job.name) {
          case 'versions':
            return await versionsJob(x, payload(versionsPayload, job), stop);
          case 'alert':
            return await suggestRollback(x, payload(alertPayload, job), job.id ?? job.name, stop);
          case 'version-table':
            return await versionTableJob(x, payload(versionTablePayload, job), stop);
          case 'ready':
            return await readyJob(x, payload(readyPayload, job), stop);
          case 'readiness-summary':
            return await readinessSummary(x, stop);
          case 'request': {
            const request = payload(requestPayload, job);
            try {
              return await requestJob(x, request, stop);
            } catch (error) {
              if (!shutdown.signal.aborted && job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
                await requestFailed(x, request, error as Error).catch(() => undefined);
              throw error;
            }
          }
          case 'retry':
            return await retryJob(x, payload(retryPayload, job), stop);
          case 'kill-stuck':
            return await killStuckJob(x, payload(retryPayload, job), stop);
          case 'follow-up':
            return await followUp(x, payload(followUpPayload, job)).catch((error: unknown) => {
              // Told to the presser already; dropped (not retried) so a later press can try again.
              throw error instanceof FollowUpFailed ? new UnrecoverableError(error.message) : error;
            });
          case 'plan':
            return await planRollback(x, rollbackId(job), stop);
          case 'expire':
            return void (await expire(x, rollbackId(job)));
          case 'remind':
            return await remind(x, rollbackId(job));
          case 'reconcile':
            return await reconcile(x);
          default:
            throw new UnrecoverableError(`unknown job ${job.name}`);
        }
      } catch (error) {
        if (shutdown.signal.aborted) return handBack(job, token);
        throw error;
      }
    },
    { ...common, concurrency: opts.interactiveConcurrency ?? 8 },
  );

  const execution = new Worker<JobPayload, unknown, string>(
    EXECUTE_QUEUE,
    async function processExecuteJob(job: Job<JobPayload, unknown, string>, token?: string, signal?: AbortSignal) {
      const id = rollbackId(job);
      const run = {
        token: token ?? job.id ?? id,
        signal: AbortSignal.any([shutdown.signal, ...(signal ? [signal] : [])]),
        attempt: job.attemptsMade + 1,
        of: job.opts.attempts ?? 1,
      };
      try {
        return await executeRollback(x, id, run);
      } catch (error) {
        // Failed and announced already: a retry would only find it finished.
        if (error instanceof ExecutionFailed) throw new UnrecoverableError(error.message);
        if (shutdown.signal.aborted) return handBack(job, token);
        // A run that lost its job lock has been replaced already: nothing of it may act any more.
        if (run.signal.aborted) throw error;
        if (error instanceof RunElsewhere) return handBack(job, token, Math.ceil(x.executionLockMs / 3));
        if (error instanceof UnrecoverableError || run.attempt >= run.of) {
          await failOutsideSteps(x, id, error as Error);
          throw error instanceof UnrecoverableError ? error : new UnrecoverableError((error as Error).message);
        }
        throw error;
      }
    },
    { ...common, concurrency: opts.concurrency },
  );

  for (const worker of [interactive, execution]) {
    // BullMQ could not extend the job's lock (Redis away, or the job was moved on): stop that run
    // through its own signal before its next side effect; the stalled-job check gives it to a fresh run.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) worker.cancelJob(jobId, 'lost its BullMQ lock');
      x.log.warn({ jobs: jobIds, queue: worker.name }, 'job lock lost; stopping those runs');
    });
    // How long the job waited for a worker (rewind_queue_wait_seconds), as it starts.
    worker.on('active', (job) => x.metrics.jobStarted(worker.name, job));
    worker.on('failed', (job, error) => x.log.warn({ job: job?.id, queue: worker.name, err: error }, 'job failed'));
    worker.on('error', (error) => x.log.error({ err: error, queue: worker.name }, 'worker error'));
  }

  return {
    /** Aborts running steps and hands their jobs back to the queue, so a restart (or another worker) resumes them from the journal. */
    async close() {
      shutdown.abort(new Error('worker shutting down'));
      await Promise.all([interactive.close(), execution.close()]);
    },
  };
}

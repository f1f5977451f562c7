import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { expire } from '../src/service/requests.js';
import { refreshCard, threadLine } from '../src/service/cards.js';
import type { WorkerServices } from './context.js';
import { executeJob } from './execute.js';
import { planJob } from './plan.js';
import { remindJob } from './remind.js';
import { jobPayload, QUEUE_NAME, versionsPayload, type JobName, type JobPayload } from './queue.js';
import { versionsJob } from './versions.js';

/** The worker role: one BullMQ worker that dispatches on the job name. */
export function startWorker(x: WorkerServices, connection: ConnectionOptions, opts: { concurrency: number; lockDurationMs: number }) {
  const controller = new AbortController();
  async function dispatch(job: Job<JobPayload, unknown, JobName>): Promise<void> {
    if (job.name === 'versions') {
      const query = versionsPayload.safeParse(job.data);
      if (!query.success) throw new UnrecoverableError(`bad job payload: ${query.error.message}`);
      return versionsJob(x, query.data, controller.signal);
    }
    const parsed = jobPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
    const { id } = parsed.data;
    switch (job.name) {
      case 'plan':
        return planJob(x, id, controller.signal);
      case 'execute':
        return executeJob(x, id, controller.signal, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 });
      case 'expire': {
        const rb = await expire(x, id);
        if (rb) {
          await threadLine(x, rb, `:alarm_clock: ${id} expired: nobody approved it within ${Math.round(x.catalog.approvalTimeout / 60_000)} min. The target is unlocked; ask again if it is still needed.`);
          await refreshCard(x, id);
        }
        return;
      }
      case 'remind':
        return remindJob(x, id);
    }
  }

  const worker = new Worker<JobPayload, unknown, JobName>(
    QUEUE_NAME,
    async function processRollbackJob(job: Job<JobPayload, unknown, JobName>, token?: string) {
      try {
        return await dispatch(job);
      } catch (error) {
        // Shutting down: hand the job back untouched (no attempt used); the journal lets any worker resume it.
        if (controller.signal.aborted) {
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        throw error;
      }
    },
    {
      connection,
      prefix: `${x.prefix}:bull`,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(opts.lockDurationMs / 2)),
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, error) => x.log.warn({ job: job?.id, err: error }, 'job failed'));
  worker.on('error', (error) => x.log.error({ err: error }, 'worker error'));
  return {
    worker,
    /** Aborts running steps and hands their jobs back to the queue, so a restart (or another worker) resumes them from the journal. */
    async close() {
      controller.abort(new Error('worker shutting down'));
      await worker.close();
    },
  };
}

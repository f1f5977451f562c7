import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const QUEUE_NAME = 'rollbacks';

/**
 * plan: read live state and post the card; execute: run the approved plan; expire: close an
 * unanswered request; versions: answer `/rollback history <service> <env>` from the driver;
 * remind: nudge the thread before the post-mortem deadline.
 */
export const JOB_NAMES = ['plan', 'execute', 'expire', 'versions', 'remind'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export const jobPayload = z.object({ id: z.string().regex(/^RB-\d+$/) });
export const versionsPayload = z.object({
  service: z.string(),
  environment: z.string(),
  user: z.string(),
  channel: z.string(),
  responseUrl: z.url().optional(),
  /** Asked by the open request form: fill its version field (views.update with this hash) instead of replying. */
  view: z.object({ id: z.string(), hash: z.string() }).optional(),
});
export type VersionsQuery = z.infer<typeof versionsPayload>;
export type JobPayload = z.infer<typeof jobPayload> | VersionsQuery;

/** The enqueue API handlers use. Job ids are derived from the rollback id, so repeats collapse into one job. */
export class RollbackJobs {
  constructor(readonly queue: Queue<JobPayload, unknown, JobName>) {}

  static open(connection: ConnectionOptions, prefix: string): RollbackJobs {
    return new RollbackJobs(
      new Queue<JobPayload, unknown, JobName>(QUEUE_NAME, {
        connection,
        prefix: `${prefix}:bull`,
        defaultJobOptions: { removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
      }),
    );
  }

  plan(id: string) {
    return this.queue.add('plan', { id }, { jobId: `plan-${id}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  }

  execute(id: string) {
    return this.queue.add('execute', { id }, { jobId: `execute-${id}`, attempts: 3, backoff: { type: 'exponential', delay: 2000 } });
  }

  expireAfter(id: string, delayMs: number) {
    return this.queue.add('expire', { id }, { jobId: `expire-${id}`, delay: delayMs, attempts: 3 });
  }

  /** One reminder per rollback, however often the outcome is announced. */
  remindAfter(id: string, delayMs: number) {
    return this.queue.add('remind', { id }, { jobId: `remind-${id}`, delay: Math.max(0, delayMs), attempts: 3, backoff: { type: 'exponential', delay: 5000 } });
  }

  /** Read-only and cheap: no job id, so asking twice answers twice. */
  versions(query: VersionsQuery) {
    return this.queue.add('versions', query, { attempts: 2, removeOnComplete: true });
  }

  close() {
    return this.queue.close();
  }
}

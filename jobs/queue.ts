import { Queue, type ConnectionOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ROLLBACK_ID } from '../src/domain/rollback.js';

/**
 * Two queues, so nothing interactive waits behind a long rollout:
 * interactive: request (a parsed `/rollback`: record, lock, reply, plan), retry (the same for what a failed rollback left), plan (read live state,
 * post the card), follow-up (user notification, status page), versions (`/rollback history`), version-table (`/rollback versions <env>`), ready (`/rollback ready`), readiness-summary (daily, catalog `readiness.daily`), expire (an
 * unanswered request), remind (post-mortem deadline), reconcile (periodic: no rollback without an
 * owner), alert (correlate an alert with its target's last change and post or update a suggested rollback); execute: approved plans.
 */
export const INTERACTIVE_QUEUE = 'interactive';
export const EXECUTE_QUEUE = 'execute';

export const jobPayload = z.object({ id: z.string().regex(ROLLBACK_ID) });
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
/** `/rollback versions <env>`: the version table, answered to the person who asked. */
export const versionTablePayload = z.object({ environment: z.string(), user: z.string(), channel: z.string(), responseUrl: z.url().optional() });
export type VersionTableQuery = z.infer<typeof versionTablePayload>;
/** `/rollback ready <service|stack> <env>`, validated against the catalog by the web role. */
export const readyPayload = z.object({
  service: z.string(),
  environment: z.string(),
  stack: z.literal(true).optional(),
  user: z.string(),
  channel: z.string(),
  responseUrl: z.url().optional(),
});
export type ReadyQuery = z.infer<typeof readyPayload>;
/** A `/rollback` already parsed and validated against the catalog by the web role. */
export const requestPayload = z.object({
  service: z.string(),
  environment: z.string(),
  version: z.string().optional(),
  options: z.record(z.string(), z.string()).optional(),
  reason: z.string(),
  classification: z.object({ severity: z.string().optional(), scenario: z.string().optional(), override: z.string().optional() }).optional(),
  /** `service` names a stack. */
  stack: z.literal(true).optional(),
  user: z.string(),
  channel: z.string(),
  responseUrl: z.url().optional(),
});
export type RequestJob = z.infer<typeof requestPayload>;
/** `/rollback retry RB-n [reason]` and `/rollback kill-stuck RB-n [reason]`: who asked, where to answer. */
export const retryPayload = z.object({
  id: z.string().regex(ROLLBACK_ID),
  reason: z.string(),
  user: z.string(),
  channel: z.string(),
  responseUrl: z.url().optional(),
});
export type RetryJob = z.infer<typeof retryPayload>;
/** A follow-up button the web role authorized: who clicked, where to answer. */
export const followUpPayload = z.object({
  id: z.string().regex(ROLLBACK_ID),
  kind: z.enum(['userNotified', 'investigating', 'statusPage']),
  user: z.string(),
  channel: z.string(),
});
export type FollowUpJob = z.infer<typeof followUpPayload>;
/** An alert the intake authenticated and matched to one catalog target. */
export const alertPayload = z.object({
  service: z.string(),
  environment: z.string(),
  alert: z.object({
    source: z.enum(['alertmanager', 'cloudwatch', 'generic']),
    key: z.string(),
    name: z.string(),
    status: z.enum(['firing', 'resolved']),
    startsAt: z.string(),
    endsAt: z.string().optional(),
    summary: z.string().optional(),
    url: z.string().optional(),
  }),
});
export type AlertJob = z.infer<typeof alertPayload>;
export type JobPayload =
  z.infer<typeof jobPayload> | VersionsQuery | VersionTableQuery | ReadyQuery | RequestJob | RetryJob | FollowUpJob | AlertJob | Record<string, never>;

const ACTIVE_JOB_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/** The enqueue API handlers and jobs use. Job ids are derived from the rollback id, so repeats collapse into one job. */
export class RollbackJobs {
  constructor(
    readonly interactive: Queue<JobPayload, unknown, string>,
    readonly execution: Queue<JobPayload, unknown, string>,
  ) {}

  /** `onError` hears connection trouble (BullMQ would print it to the console otherwise; ioredis reconnects by itself). */
  static open(connection: ConnectionOptions, prefix: string, onError: (error: Error) => void): RollbackJobs {
    const opts = { connection, prefix: `${prefix}:bull`, defaultJobOptions: { removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } } };
    const jobs = new RollbackJobs(new Queue(INTERACTIVE_QUEUE, opts), new Queue(EXECUTE_QUEUE, opts));
    for (const queue of [jobs.interactive, jobs.execution]) queue.on('error', onError);
    return jobs;
  }

  /**
   * The web role's whole share of a `/rollback`: one enqueue after ack. The job id is Slack's
   * trigger_id, unique per invocation, so a retried delivery of the same command collapses into it.
   */
  request(triggerId: string, request: RequestJob) {
    return this.interactive.add('request', request, { jobId: `request-${triggerId}`, attempts: 2, backoff: { type: 'exponential', delay: 500 } });
  }

  /** Like `request`: one job per slash command invocation, so Slack's retried delivery is one retry. */
  retry(triggerId: string, retry: RetryJob) {
    return this.interactive.add('retry', retry, { jobId: `retry-${triggerId}`, attempts: 2, backoff: { type: 'exponential', delay: 500 } });
  }

  /** `/rollback kill-stuck RB-n` or its button: one job per invocation (Slack's trigger_id), like `retry`. */
  killStuck(triggerId: string, q: RetryJob) {
    return this.interactive.add('kill-stuck', q, { jobId: `kill-stuck-${triggerId}`, attempts: 2, backoff: { type: 'exponential', delay: 500 } });
  }

  /** One job per follow-up and rollback, however often it is clicked; a failed one is dropped so a click can retry. */
  followUp(q: FollowUpJob) {
    return this.interactive.add('follow-up', q, { jobId: `followup-${q.kind}-${q.id}`, attempts: 1, removeOnFail: true });
  }

  plan(id: string) {
    return this.interactive.add('plan', { id }, { jobId: `plan-${id}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  }

  execute(id: string) {
    return this.execution.add('execute', { id }, { jobId: `execute-${id}`, attempts: 3, backoff: { type: 'exponential', delay: 2000 } });
  }

  expireAfter(id: string, delayMs: number) {
    return this.interactive.add('expire', { id }, { jobId: `expire-${id}`, delay: Math.max(0, delayMs), attempts: 3 });
  }

  /** One reminder per rollback, however often the outcome is announced. */
  remindAfter(id: string, delayMs: number) {
    return this.interactive.add(
      'remind',
      { id },
      { jobId: `remind-${id}`, delay: Math.max(0, delayMs), attempts: 3, backoff: { type: 'exponential', delay: 5000 } },
    );
  }

  /** Read-only and cheap: no job id, so asking twice answers twice. */
  versions(query: VersionsQuery) {
    return this.interactive.add('versions', query, { attempts: 2, removeOnComplete: true });
  }

  /**
   * One job per alert state change and target: a redelivery (Alertmanager repeats, SNS retries) has the same
   * id and collapses into the job already there; the suggestion store dedupes what arrives later.
   */
  alert(routed: AlertJob) {
    const { service, environment, alert } = routed;
    const id = createHash('sha256')
      .update(JSON.stringify([service, environment, alert.source, alert.key, alert.status, alert.startsAt, alert.endsAt ?? '']))
      .digest('hex')
      .slice(0, 32);
    return this.interactive.add('alert', routed, {
      jobId: `alert-${id}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
    });
  }

  /** Read-only like `versions`. */
  versionTable(query: VersionTableQuery) {
    return this.interactive.add('version-table', query, { attempts: 2, removeOnComplete: true });
  }

  /** Read-only like `versions`: asking twice answers twice. */
  ready(query: ReadyQuery) {
    return this.interactive.add('ready', query, { attempts: 1, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } });
  }

  /**
   * The daily readiness summary at `at` (HH:MM UTC, catalog `readiness.daily`), or none: removing
   * the setting removes the schedule at the next start.
   */
  async scheduleReadinessSummary(at: string | undefined) {
    if (!at) return this.interactive.removeJobScheduler('readiness-summary');
    const [hh, mm] = at.split(':').map(Number);
    await this.interactive.upsertJobScheduler(
      'readiness-summary',
      { pattern: `${mm} ${hh} * * *`, tz: 'UTC' },
      { name: 'readiness-summary', data: {}, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true } },
    );
    return true;
  }

  /** The periodic reconciler (BullMQ's own job scheduler), plus one run now (start-up). */
  async scheduleReconcile(everyMs: number) {
    await this.interactive.upsertJobScheduler(
      'reconcile',
      { every: everyMs },
      { name: 'reconcile', data: {}, opts: { removeOnComplete: true, removeOnFail: true } },
    );
    await this.interactive.add('reconcile', {}, { removeOnComplete: true, removeOnFail: true });
  }

  /**
   * Makes sure rollback `id` has its `name` job waiting or running: adds it when missing, and
   * replaces one that already ended while the record still needs it. Returns true if it (re)added.
   */
  async ensure(name: 'plan' | 'execute', id: string): Promise<boolean> {
    const queue = name === 'execute' ? this.execution : this.interactive;
    const job = await queue.getJob(`${name}-${id}`);
    if (job && ACTIVE_JOB_STATES.has(await job.getState())) return false;
    await job?.remove().catch(() => undefined); // locked by a worker that is finishing it: the next pass sees it
    const added = name === 'execute' ? await this.execute(id) : await this.plan(id);
    return Boolean(added);
  }

  /** True when the rollback has a delayed or waiting expiry. */
  async hasExpiry(id: string): Promise<boolean> {
    const job = await this.interactive.getJob(`expire-${id}`);
    return Boolean(job && ACTIVE_JOB_STATES.has(await job.getState()));
  }

  close() {
    return Promise.all([this.interactive.close(), this.execution.close()]);
  }
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isTerminal, TERMINAL_STATES, type Rollback } from './domain/rollback.js';

/**
 * Rewind's Prometheus metrics, one registry per started Rewind (tests run several in one process;
 * each has its own). Names follow Prometheus conventions: `_total` counters, `_seconds`
 * durations. Labels are bounded sets only: driver kinds, terminal states, step-id prefixes, queue
 * names, Slack method names, AWS service ids. Never a rollback id, a user id or free text.
 *
 * Counters count what this process did: sum them across pods. `rewind_queue_jobs` is read from
 * Redis at scrape time and is the same in every process: take its `max` across pods.
 */
export const METRICS = {
  rollbacks: {
    name: 'rewind_rollbacks_total',
    type: 'counter',
    labels: ['driver', 'outcome'],
    help: 'Rollbacks that ended, by driver and terminal state (succeeded, failed, cancelled, rejected, expired); counted once, by the process whose write ended it.',
  },
  rollbackDuration: {
    name: 'rewind_rollback_duration_seconds',
    type: 'histogram',
    labels: ['driver', 'outcome'],
    help: 'Time from request to the terminal state.',
  },
  timeToApproval: {
    name: 'rewind_time_to_approval_seconds',
    type: 'histogram',
    labels: ['driver'],
    help: 'Time from request to the approval that met the rule.',
  },
  rtoBreaches: {
    name: 'rewind_rto_breaches_total',
    type: 'counter',
    labels: ['driver'],
    help: 'Rollbacks that ran (succeeded or failed) and ended later than the catalog RTO after the request.',
  },
  stepDuration: {
    name: 'rewind_step_duration_seconds',
    type: 'histogram',
    labels: ['driver', 'step'],
    help: 'Duration of a completed plan step; step is the first word of the step id (update-service: update).',
  },
  queueJobs: {
    name: 'rewind_queue_jobs',
    type: 'gauge',
    labels: ['queue', 'state'],
    help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed), read from Redis at scrape time; the same in every process.',
  },
  queueWait: {
    name: 'rewind_queue_wait_seconds',
    type: 'histogram',
    labels: ['queue'],
    help: 'Time a job waited for a worker: from enqueue (or the end of its delay) to the start of its first attempt.',
  },
  slackCalls: {
    name: 'rewind_slack_api_calls_total',
    type: 'counter',
    labels: ['method', 'outcome'],
    help: "Slack Web API calls by method and outcome (ok, platform_error, rate_limited, http_error, request_error, error), after the client's own retries.",
  },
  slackRateLimited: {
    name: 'rewind_slack_rate_limited_total',
    type: 'counter',
    labels: [],
    help: 'HTTP 429 answers from Slack (each one is waited out and retried by the client).',
  },
  platformErrors: {
    name: 'rewind_platform_api_errors_total',
    type: 'counter',
    labels: ['service'],
    help: "AWS SDK calls that failed after the SDK's retries, by service id (ECS, S3, CloudFront...).",
  },
  alerts: {
    name: 'rewind_alerts_received_total',
    type: 'counter',
    labels: ['source', 'outcome'],
    help: 'Alert deliveries to the intake by source (alertmanager, generic, cloudwatch) and outcome (accepted: at least one alert matched a target; unmatched; unauthorized; invalid).',
  },
  suggestions: {
    name: 'rewind_suggestions_total',
    type: 'counter',
    labels: ['action'],
    help: 'Suggested rollbacks posted in the war room (one per target and incident) and re-rendered as their alerts resolve or fire again (updated).',
  },
  freezeApi: {
    name: 'rewind_freeze_api_requests_total',
    type: 'counter',
    labels: ['status'],
    help: 'Answers of the deploy freeze API (GET /api/v1/freeze/...) by HTTP status: 200 not frozen, 423 frozen, 401 bad token, 404 unknown target, 503 Redis away.',
  },
} as const satisfies Record<string, { name: string; type: 'counter' | 'gauge' | 'histogram'; labels: readonly string[]; help: string }>;

/** Prefix of prom-client's default process and Node.js metrics (rewind_process_cpu_seconds_total...). */
export const DEFAULT_METRICS_PREFIX = 'rewind_';

export const ALERT_SOURCES = ['alertmanager', 'generic', 'cloudwatch'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
export const ALERT_OUTCOMES = ['accepted', 'unmatched', 'unauthorized', 'invalid'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];
export const SUGGESTION_ACTIONS = ['posted', 'updated'] as const;
/** The statuses the freeze API answers with; anything else is counted as `other`. */
export const FREEZE_STATUSES = ['200', '401', '404', '423', '503'] as const;

/** Queue job states reported by `rewind_queue_jobs`. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** Longest a scrape waits for Redis to count a queue's jobs; after that the gauge is left out of that scrape. */
export const QUEUE_COUNT_TIMEOUT_MS = 1000;

export interface CountedQueue {
  name: string;
  getJobCounts(...states: QueueState[]): Promise<Partial<Record<string, number>>>;
}

/** What BullMQ's Job tells about its wait (a subset of bullmq's Job, so this module needs no BullMQ import). */
export interface StartedJob {
  timestamp: number;
  processedOn?: number;
  delay?: number;
  attemptsStarted?: number;
}

export interface MetricsOptions {
  /** The bounded driver label of a rollback: its plan's driver, 'stack', or its catalog target's driver before it is planned. */
  driverOf: (rb: Rollback) => string;
  /** The catalog's recovery time objective, in ms. */
  rtoMs: number;
  /** prom-client's default process metrics (prefix `rewind_`); default true. */
  defaultMetrics?: boolean;
}

/** Step ids like `redeploy-2`, `run-migrate-down` or `verify-1-error-rate` → `redeploy`, `run`, `verify`: bounded, whatever the catalog names. */
export function stepLabel(stepId: string): string {
  return /^[a-z]+/i.exec(stepId)?.[0]?.toLowerCase() ?? 'other';
}

const seconds = (fromIso: string | undefined, toIso: string | undefined): number | undefined => {
  const from = Date.parse(fromIso ?? '');
  const to = Date.parse(toIso ?? '');
  return Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, (to - from) / 1000) : undefined;
};

const defineHistogram = (registry: Registry, spec: { name: string; labels: readonly string[]; help: string }, buckets: number[]) =>
  new Histogram({ name: spec.name, help: spec.help, labelNames: [...spec.labels], buckets, registers: [registry] });
const defineCounter = (registry: Registry, spec: { name: string; labels: readonly string[]; help: string }) =>
  new Counter({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] });

export class Metrics {
  readonly registry = new Registry();
  private readonly rollbacks: Counter;
  private readonly rollbackDuration: Histogram;
  private readonly timeToApproval: Histogram;
  private readonly rtoBreaches: Counter;
  private readonly stepDuration: Histogram;
  private readonly queueWait: Histogram;
  private readonly slackCalls: Counter;
  private readonly slackRateLimited: Counter;
  private readonly platformErrors: Counter;
  private readonly alerts: Counter;
  private readonly suggestions: Counter;
  private readonly freezeApi: Counter;
  private queues: { list: CountedQueue[]; ready: () => boolean } = { list: [], ready: () => false };

  constructor(private readonly opts: MetricsOptions) {
    const r = this.registry;
    this.rollbacks = defineCounter(r, METRICS.rollbacks);
    this.rollbackDuration = defineHistogram(r, METRICS.rollbackDuration, [10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200]);
    this.timeToApproval = defineHistogram(r, METRICS.timeToApproval, [10, 30, 60, 120, 300, 600, 900, 1800, 3600]);
    this.rtoBreaches = defineCounter(r, METRICS.rtoBreaches);
    this.stepDuration = defineHistogram(r, METRICS.stepDuration, [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800]);
    this.queueWait = defineHistogram(r, METRICS.queueWait, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]);
    this.slackCalls = defineCounter(r, METRICS.slackCalls);
    this.slackRateLimited = defineCounter(r, METRICS.slackRateLimited);
    this.platformErrors = defineCounter(r, METRICS.platformErrors);
    this.alerts = defineCounter(r, METRICS.alerts);
    this.suggestions = defineCounter(r, METRICS.suggestions);
    this.freezeApi = defineCounter(r, METRICS.freezeApi);
    // Every series starts at 0, so the first alert or freeze answer is a visible step for increase().
    for (const source of ALERT_SOURCES) for (const outcome of ALERT_OUTCOMES) this.alerts.inc({ source, outcome }, 0);
    for (const action of SUGGESTION_ACTIONS) this.suggestions.inc({ action }, 0);
    for (const status of FREEZE_STATUSES) this.freezeApi.inc({ status }, 0);
    const queues = () => this.queues;
    new Gauge({
      name: METRICS.queueJobs.name,
      help: METRICS.queueJobs.help,
      labelNames: [...METRICS.queueJobs.labels],
      registers: [r],
      // Read at scrape time, bounded: a slow or absent Redis leaves the gauge out of this scrape rather than hanging it.
      async collect() {
        this.reset();
        const { list, ready } = queues();
        if (!ready()) return;
        await Promise.all(
          list.map(async (queue) => {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), QUEUE_COUNT_TIMEOUT_MS)));
            const counts = await Promise.race([queue.getJobCounts(...QUEUE_STATES).catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
            if (!counts) return;
            for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: r, prefix: DEFAULT_METRICS_PREFIX });
  }

  /**
   * Starts the outcome counters at 0 for every driver the catalog uses (and 'stack'), so the first
   * rollback or RTO breach is a visible 0 → 1 step for `increase()` and alerts, not a new series.
   */
  initDrivers(drivers: Iterable<string>): void {
    for (const driver of drivers) {
      for (const outcome of TERMINAL_STATES) this.rollbacks.inc({ driver, outcome }, 0);
      this.rtoBreaches.inc({ driver }, 0);
    }
  }

  /** The queues `rewind_queue_jobs` counts; `ready` says whether their Redis connection is up (no count is asked of a reconnecting client). */
  watchQueues(list: CountedQueue[], ready: () => boolean): void {
    this.queues = { list, ready };
  }

  /**
   * Told after every record write that changed it (the store's compare-and-set succeeded, so a
   * transition is seen exactly once across all processes, however often the code that fires it runs).
   */
  rollbackChanged(before: Rollback, after: Rollback): void {
    if (before.state === after.state) return;
    const driver = this.opts.driverOf(after);
    if (after.state === 'approved') {
      const waited = seconds(after.createdAt, after.approvedAt ?? after.updatedAt);
      if (waited !== undefined) this.timeToApproval.observe({ driver }, waited);
    }
    if (isTerminal(after.state) && !isTerminal(before.state)) {
      const outcome = after.state;
      this.rollbacks.inc({ driver, outcome });
      const took = seconds(after.createdAt, after.finishedAt ?? after.updatedAt);
      if (took === undefined) return;
      this.rollbackDuration.observe({ driver, outcome }, took);
      if ((outcome === 'succeeded' || outcome === 'failed') && after.startedAt && took * 1000 > this.opts.rtoMs) this.rtoBreaches.inc({ driver });
    }
  }

  /** A plan step completed (journaled done) after `ms`. */
  stepDone(driver: string, stepId: string, ms: number): void {
    this.stepDuration.observe({ driver, step: stepLabel(stepId) }, Math.max(0, ms) / 1000);
  }

  /** A worker took `job` from `queue`: its wait, on its first attempt only (a retry's wait would include the earlier attempts and the backoff). */
  jobStarted(queue: string, job: StartedJob, now = Date.now()): void {
    if ((job.attemptsStarted ?? 1) > 1) return;
    const waited = (job.processedOn ?? now) - job.timestamp - (job.delay ?? 0);
    this.queueWait.observe({ queue }, Math.max(0, waited) / 1000);
  }

  slackCall(method: string, outcome: string): void {
    this.slackCalls.inc({ method, outcome });
  }

  slackRateLimit(): void {
    this.slackRateLimited.inc();
  }

  platformError(service: string): void {
    this.platformErrors.inc({ service });
  }

  /** One delivery to the alert intake and what became of it. */
  alertReceived(source: AlertSource, outcome: AlertOutcome): void {
    this.alerts.inc({ source, outcome });
  }

  suggestion(action: (typeof SUGGESTION_ACTIONS)[number]): void {
    this.suggestions.inc({ action });
  }

  freezeAnswered(status: number): void {
    const label = String(status);
    this.freezeApi.inc({ status: (FREEZE_STATUSES as readonly string[]).includes(label) ? label : 'other' });
  }

  /** The Prometheus text exposition of this registry. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Every series name a scrape can contain from the metrics above: a histogram's `_bucket`, `_sum`
 * and `_count`, and the default process metrics (read from a throwaway registry). The dashboard
 * and alert rules under deploy/ may only reference these (test/unit/deploy-observability.test.ts).
 */
export async function exportedSeries(): Promise<Map<string, readonly string[]>> {
  const series = new Map<string, readonly string[]>();
  for (const spec of Object.values(METRICS)) {
    if (spec.type === 'histogram') {
      series.set(`${spec.name}_bucket`, [...spec.labels, 'le']);
      series.set(`${spec.name}_sum`, spec.labels);
      series.set(`${spec.name}_count`, spec.labels);
    } else series.set(spec.name, spec.labels);
  }
  const probe = new Registry();
  collectDefaultMetrics({ register: probe, prefix: DEFAULT_METRICS_PREFIX });
  for (const m of await probe.getMetricsAsJSON()) {
    const labels = m.values.flatMap((v) => Object.keys(v.labels));
    const names = String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
    for (const name of names) series.set(name, [...new Set(labels)]);
  }
  probe.clear();
  return series;
}

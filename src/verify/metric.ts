import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricCheckConfig, MetricQueryConfig } from '../config/checks.js';
import { formatDuration } from '../domain/duration.js';
import type { CheckResult } from './http.js';
import { num, pause } from './wait.js';

/** The id of the value the threshold applies to; user metric ids start lowercase, so no clash. */
const RESULT_ID = 'rewind_value';

export interface MetricCheckContext {
  cloudwatch: CloudWatchClient;
  signal: AbortSignal;
  now?: () => Date;
  /** CloudWatch needs a minute or two before the newest datapoints are complete; the window ends this long ago. */
  lag?: number;
  progress?: (line: string) => void;
}

function stat(id: string, q: MetricQueryConfig, periodSec: number, returnData: boolean): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: q.namespace, MetricName: q.name, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
      Period: periodSec,
      Stat: q.stat,
    },
    ReturnData: returnData,
  };
}

/** One period covering the whole window, so Average / p95 / Sum are over the window, not averaged averages. */
export function metricQueries(cfg: MetricCheckConfig): MetricDataQuery[] {
  const period = cfg.window / 1000;
  if (cfg.metric) return [stat(RESULT_ID, cfg.metric, period, true)];
  return [...Object.entries(cfg.metrics ?? {}).map(([id, q]) => stat(id, q, period, false)), { Id: RESULT_ID, Expression: cfg.expression, ReturnData: true }];
}

const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * The runbooks' "error rate < 0.1 %", "latency < 500 ms average", "p95 < 200 ms": GetMetricData over
 * the last `window` (ending `lag` ago, whole minutes), every datapoint must pass. Retried `attempts`
 * times, since late datapoints and a settling service are normal right after a rollback.
 */
export async function checkMetric(cfg: MetricCheckConfig, ctx: MetricCheckContext): Promise<CheckResult> {
  const now = ctx.now ?? (() => new Date());
  const lag = ctx.lag ?? 60_000;
  const unit = cfg.unit ? (cfg.unit === '%' ? ' %' : ` ${cfg.unit}`) : '';
  const threshold = cfg.below !== undefined ? `< ${num(cfg.below)}${unit}` : `> ${num(cfg.above!)}${unit}`;
  let last = '';
  for (let attempt = 1; attempt <= cfg.attempts; attempt++) {
    if (attempt > 1) await pause(cfg.interval, ctx.signal);
    const end = new Date(minute(now().getTime() - lag));
    const start = new Date(end.getTime() - cfg.window);
    const span = `${hhmm(start)}–${hhmm(end)} UTC`;
    let values: number[];
    try {
      const out = await ctx.cloudwatch.send(
        new GetMetricDataCommand({ StartTime: start, EndTime: end, MetricDataQueries: metricQueries(cfg), ScanBy: 'TimestampDescending' }),
        { abortSignal: AbortSignal.any([ctx.signal, AbortSignal.timeout(cfg.timeout)]) },
      );
      values = out.MetricDataResults?.find((r) => r.Id === RESULT_ID)?.Values ?? [];
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
      last = `CloudWatch GetMetricData failed: ${e.name}: ${e.message}`;
      const denied = e.$fault === 'client' && !/Throttl|LimitExceeded/.test(e.name);
      if (denied) return { ok: false, summary: `${last} (check cloudwatch:GetMetricData in Rewind's role: docs/drivers/database.md, IAM)` };
      continue;
    }
    if (values.length === 0) {
      last = `${cfg.name}: no datapoints ${span} (no traffic, or the metric/dimensions are wrong)`;
      if (cfg.missing === 'pass') return { ok: true, summary: `${last}; passing as configured (missing: pass)` };
      ctx.progress?.(`${last}; attempt ${attempt} of ${cfg.attempts}`);
      continue;
    }
    const worst = cfg.below !== undefined ? Math.max(...values) : Math.min(...values);
    const ok = cfg.below !== undefined ? worst < cfg.below : worst > cfg.above!;
    const over = `over ${formatDuration(cfg.window)} (${span})`;
    last = ok ? `${cfg.name} ${num(worst)}${unit} ${threshold} ${over}` : `${cfg.name} ${num(worst)}${unit}, limit ${threshold}, ${over}`;
    if (ok) return { ok: true, summary: last };
    ctx.progress?.(`${last}; attempt ${attempt} of ${cfg.attempts}`);
  }
  return { ok: false, summary: `${last} after ${cfg.attempts} attempt${cfg.attempts === 1 ? '' : 's'}` };
}

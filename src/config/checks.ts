import { z } from 'zod';
import { commandFields } from '../drivers/runbook/target.js';
import { duration, healthCheck, text } from './fields.js';

/**
 * Post-rollback checks for an environment (the runbooks' "Rollback Verification"): the catalog's
 * top-level `checks: { production: [...] }` runs after every rollback in that environment.
 */

const attempts = (fallback: number) => z.number().int().min(1).max(20).default(fallback);

/** `curl -s .../health | jq` with an expected JSON field: `{ field: status, equals: healthy }`. */
const jsonExpectation = z.strictObject({
  field: z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, { error: 'must be a dotted path such as status or checks.database.status' }),
  equals: z.union([z.string(), z.number(), z.boolean()], { error: 'must be the expected text, number or true/false' }),
});

export const httpCheck = z.strictObject({
  type: z.literal('http'),
  name: text('a short label for the thread, e.g. API health').optional(),
  ...healthCheck.shape,
  json: jsonExpectation.optional(),
});

/** `npm run test:smoke`: a command run like a runbook step (argv, no shell, own process group). */
export const smokeCheck = z.strictObject({
  type: z.literal('smoke'),
  name: text('a short label for the thread, e.g. smoke tests').optional(),
  ...commandFields,
  timeout: duration('how long the smoke command may run').default(5 * 60_000),
  attempts: attempts(1),
  interval: duration('the pause between attempts').default(30_000),
});

const cloudwatchStat = z.string().regex(/^(Average|Sum|Minimum|Maximum|SampleCount|[pP]\d{1,2}(\.\d+)?|[tT][mMcCsS]\d{1,2}(\.\d+)?|IQM)$/, {
  error: 'must be a CloudWatch statistic: Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p95',
});

export const metricQuery = z.strictObject({
  namespace: text('the CloudWatch namespace, e.g. AWS/ApplicationELB'),
  name: text('the metric name, e.g. TargetResponseTime'),
  dimensions: z.record(z.string().min(1), z.string().min(1)).default({}),
  stat: cloudwatchStat.default('Average'),
});
export type MetricQueryConfig = z.infer<typeof metricQuery>;

const metricId = z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, { error: 'must start with a lowercase letter (CloudWatch metric ids), e.g. errors' });

/**
 * A threshold over the window after the rollback: one `metric`, or several `metrics` combined by a
 * CloudWatch metric-math `expression` (error rate: `100 * errors / requests`).
 */
export const metricCheck = z
  .strictObject({
    type: z.literal('metric'),
    name: text('what is measured, e.g. error rate or p95 latency'),
    metric: metricQuery.optional(),
    metrics: z.record(metricId, metricQuery).optional(),
    expression: text('a CloudWatch metric math expression over the metrics ids, e.g. 100 * errors / requests').optional(),
    below: z.number().optional(),
    above: z.number().optional(),
    unit: z.string().max(10).optional(),
    window: duration('how long after the rollback to measure').default(5 * 60_000),
    /** No datapoints (no traffic yet): fail by default, since silence is not proof of recovery. */
    missing: z.enum(['fail', 'pass']).default('fail'),
    timeout: duration('how long one GetMetricData call may take').default(30_000),
    attempts: attempts(3),
    interval: duration('the pause between attempts (late datapoints arrive)').default(60_000),
  })
  .superRefine((check, ctx) => {
    if (!check.metric === !check.metrics) {
      ctx.addIssue({ code: 'custom', message: 'set either `metric` (one metric) or `metrics` with an `expression` (e.g. an error rate), not both or neither' });
    }
    if (check.metrics && !check.expression) {
      ctx.addIssue({ code: 'custom', path: ['expression'], message: 'missing: `metrics` are combined by an expression, e.g. 100 * errors / requests' });
    }
    if (check.expression && !check.metrics) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics'],
        message: 'missing: name the metrics the expression uses, e.g. metrics: { errors: {...}, requests: {...} }',
      });
    }
    if ((check.below === undefined) === (check.above === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one threshold: `below: 0.1` (error rate, latency) or `above: 1` (healthy hosts)' });
    }
    if (check.window < 60_000 || check.window % 60_000 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'must be whole minutes (CloudWatch periods), e.g. 5m' });
    }
  });
export type MetricCheckConfig = z.infer<typeof metricCheck>;

export const checkSchema = z.discriminatedUnion('type', [httpCheck, smokeCheck, metricCheck], {
  error: (iss) => (iss.code === 'invalid_union' ? 'type must be one of: http, smoke, metric' : undefined),
});
export type CheckConfig = z.infer<typeof checkSchema>;
export type HttpCheckConfig = z.infer<typeof httpCheck>;
export type SmokeCheckConfig = z.infer<typeof smokeCheck>;

/** The catalog's `checks:` key: environment name → checks run after every rollback there. */
export const environmentChecks = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be an environment name used under services, e.g. production' }),
  z.array(checkSchema),
);

/** The catalog's `escalation:` key: role names, in order, named when verification fails. */
export const escalationList = z.array(text('a role name from `roles`, e.g. cto'));

import { z } from 'zod';
import { duration, text } from './fields.js';
import { own } from './own.js';

/**
 * The catalog's `alerts:`: which alerts point at which target, per environment. A matching alert
 * makes Rewind post a suggested rollback (never a rollback) in the war room.
 *
 *   alerts:
 *     changeWindow: 2h                  # a change this long before the alert is called a likely cause
 *     snsTopics: [arn:aws:sns:us-east-1:123456789012:distrocv-alarms]
 *     targets:
 *       production:
 *         api:                          # a service or flag of that environment
 *           labels: { service: api, env: production }   # Alertmanager: every label must match
 *           alarms: [distrocv-api-5xx]  # CloudWatch alarm names (via SNS)
 *         web: {}                       # generic JSON alerts only (`"target": "web"`)
 */

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a Prometheus label name: letters, digits and _, not starting with a digit' });

const route = z.strictObject({
  /** Alertmanager: the alert's labels must include all of these. */
  labels: z
    .record(labelName, text('the label value to match'))
    .refine((l) => Object.keys(l).length > 0, { error: 'is empty: name at least one label, e.g. { service: api }, or leave `labels` out' })
    .optional(),
  /** CloudWatch alarm names delivered through SNS. */
  alarms: z.array(text('a CloudWatch alarm name, e.g. distrocv-api-5xx')).min(1, { error: 'is empty: list alarm names or leave `alarms` out' }).optional(),
});
export type AlertRoute = z.infer<typeof route>;

const snsTopicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/, {
  error: 'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:distrocv-alarms',
});

export const alertsSchema = z.strictObject({
  changeWindow: duration('how long before an alert a change counts as its likely cause').default(2 * 3600_000),
  /** SNS topics whose CloudWatch alarm notifications (and subscription confirmations) Rewind accepts; others get 403. */
  snsTopics: z.array(snsTopicArn).default([]),
  targets: z.record(z.string(), z.record(z.string(), route)),
});
export type AlertsConfig = z.infer<typeof alertsSchema>;

/** What the checks read (structural, so catalog.ts can call them while defining its schema). */
interface AlertsCatalog {
  services: Record<string, Record<string, unknown>>;
  flags?: Record<string, Record<string, unknown>>;
  alerts?: AlertsConfig;
}

/** Every route must name a target that exists in its environment. */
export function alertIssues(catalog: AlertsCatalog): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [environment, targets] of Object.entries(catalog.alerts?.targets ?? {})) {
    const here = [...Object.entries(catalog.services), ...Object.entries(catalog.flags ?? {})].filter(([, envs]) => own(envs, environment)).map(([n]) => n);
    if (here.length === 0) {
      issues.push({ path: ['alerts', 'targets', environment], message: `no service or flag has an environment "${environment}": use one the services define` });
      continue;
    }
    for (const name of Object.keys(targets)) {
      if (!here.includes(name))
        issues.push({
          path: ['alerts', 'targets', environment, name],
          message: `"${name}" is not a service or flag with a ${environment} environment: use one of ${here.join(', ')}`,
        });
    }
  }
  return issues;
}

/** The targets an Alertmanager alert's labels point at: every route whose labels are all present with the same value. */
export function targetsForLabels(alerts: AlertsConfig | undefined, labels: Record<string, string>): { service: string; environment: string }[] {
  return routes(alerts)
    .filter(({ route: r }) => r.labels && Object.entries(r.labels).every(([k, v]) => own(labels, k) === v))
    .map(({ service, environment }) => ({ service, environment }));
}

/** The targets a CloudWatch alarm name points at. */
export function targetsForAlarm(alerts: AlertsConfig | undefined, alarmName: string): { service: string; environment: string }[] {
  return routes(alerts)
    .filter(({ route: r }) => r.alarms?.includes(alarmName))
    .map(({ service, environment }) => ({ service, environment }));
}

/** A generic alert's `target`/`environment`, if the catalog routes alerts to it. */
export function routedTarget(alerts: AlertsConfig | undefined, service: string, environment: string): boolean {
  return own(own(alerts?.targets, environment), service) !== undefined;
}

function routes(alerts: AlertsConfig | undefined) {
  return Object.entries(alerts?.targets ?? {}).flatMap(([environment, targets]) =>
    Object.entries(targets).map(([service, r]) => ({ service, environment, route: r })),
  );
}

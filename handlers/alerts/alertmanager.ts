import { createHash } from 'node:crypto';
import { z } from 'zod';
import { targetsForLabels } from '../../src/config/alerts.js';
import type { Catalog } from '../../src/config/catalog.js';
import type { RoutedAlert } from '../../src/domain/alert.js';
import { firstIssue, isoTime } from './parse.js';

/** One alert of an Alertmanager webhook (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: isoTime,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().max(200).optional(),
});

const webhook = z.object({
  version: z.literal('4', { error: 'version must be "4": Rewind reads Alertmanager webhook payload version 4' }),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(webhookAlert).max(1000),
});

/** Alertmanager's "no end yet". */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16);
}

/** A version 4 webhook → one routed alert per (alert, target) the catalog's `labels` match; alerts no route matches are dropped. */
export function parseAlertmanager(body: unknown, catalog: Catalog): { routed: RoutedAlert[] } | { error: string } {
  const parsed = webhook.safeParse(body);
  if (!parsed.success) return { error: `not an Alertmanager webhook: ${firstIssue(parsed.error)}` };
  const routed = parsed.data.alerts.flatMap((a) => {
    const endsAt =
      a.status === 'resolved' && a.endsAt && a.endsAt !== ZERO_TIME && !Number.isNaN(Date.parse(a.endsAt)) ? new Date(a.endsAt).toISOString() : undefined;
    const alert = {
      source: 'alertmanager' as const,
      key: a.fingerprint ?? fingerprintOf(a.labels),
      name: a.labels.alertname ?? 'unnamed alert',
      status: a.status,
      startsAt: a.startsAt,
      ...(endsAt ? { endsAt } : {}),
      ...((a.annotations.summary ?? a.annotations.description) ? { summary: a.annotations.summary ?? a.annotations.description } : {}),
      ...(a.generatorURL ? { url: a.generatorURL } : {}),
    };
    return targetsForLabels(catalog.alerts, a.labels).map((t) => ({ ...t, alert }));
  });
  return { routed };
}

import type { Catalog } from '../src/config/catalog.js';

/** A target the catalog's `alerts:` routes by Alertmanager labels: what the page's "Fire alert" can fire. */
export interface AlertTarget {
  target: string;
  environment: string;
  labels: Record<string, string>;
}

/** The catalog's label routes, in catalog order. */
export function alertTargets(catalog: Catalog): AlertTarget[] {
  return Object.entries(catalog.alerts?.targets ?? {}).flatMap(([environment, targets]) =>
    Object.entries(targets).flatMap(([target, route]) => (route.labels ? [{ target, environment, labels: route.labels }] : [])),
  );
}

/**
 * The webhook Alertmanager would send for one alert on `t` (version 4): firing since `startsAt`,
 * or resolved at `endsAt`. The same fingerprint and start for both, as for one incident.
 */
export function alertmanagerWebhook(t: AlertTarget, startsAt: string, endsAt?: string) {
  const status = endsAt ? 'resolved' : 'firing';
  const labels = { alertname: 'HighErrorRate', severity: 'page', ...t.labels };
  return {
    version: '4',
    groupKey: `{}:{alertname="HighErrorRate"}`,
    receiver: 'rewind',
    status,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.sandbox',
    truncatedAlerts: 0,
    alerts: [
      {
        status,
        labels,
        annotations: { summary: `5xx rate of ${t.target} ${t.environment} above 1% for 5 minutes (fired from the sandbox page)` },
        startsAt,
        endsAt: endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.sandbox/graph',
        fingerprint: Buffer.from(`${t.target}/${t.environment}`).toString('hex').slice(0, 16).padEnd(16, '0'),
      },
    ],
  };
}

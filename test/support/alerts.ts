import { createHmac } from 'node:crypto';

export const ALERTS_TOKEN = 'alertmanager-test-token-0123456789';
export const ALERTS_HMAC_SECRET = 'generic-alerts-test-secret-0123456789';
export const SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:distrocv-alarms';

/** The `alerts:` block appended to the harness catalog: api by Alertmanager labels and a CloudWatch alarm, web by labels, the flag generic only. */
export const ALERTS_YAML = `
alerts:
  changeWindow: 1h
  snsTopics: [${SNS_TOPIC}]
  targets:
    production:
      api:
        labels: { service: api, env: production }
        alarms: [distrocv-api-5xx]
      web:
        labels: { app: skillancer-web }
      NewMatchingAlgorithm: {}
`;

export const ALERTS_ENV = { REWIND_ALERTS_TOKEN: ALERTS_TOKEN, REWIND_ALERTS_HMAC_SECRET: ALERTS_HMAC_SECRET };

/** An Alertmanager v4 webhook with one alert. */
export function alertmanagerBody(opts: {
  status?: 'firing' | 'resolved';
  startsAt: string;
  endsAt?: string;
  fingerprint?: string;
  labels?: Record<string, string>;
}) {
  const status = opts.status ?? 'firing';
  return {
    version: '4',
    groupKey: '{}:{alertname="ApiErrorRate"}',
    receiver: 'rewind',
    status,
    groupLabels: { alertname: 'ApiErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    truncatedAlerts: 0,
    alerts: [
      {
        status,
        labels: opts.labels ?? { alertname: 'ApiErrorRate', service: 'api', env: 'production', severity: 'page' },
        annotations: { summary: 'API 5xx rate above 1% for 5 minutes' },
        startsAt: opts.startsAt,
        endsAt: opts.endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example.com/graph?g0.expr=api_5xx',
        fingerprint: opts.fingerprint ?? 'a1b2c3d4e5f60718',
      },
    ],
  };
}

export function postAlertmanager(baseUrl: string, body: unknown, token = ALERTS_TOKEN): Promise<Response> {
  return fetch(`${baseUrl}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

export function postGeneric(baseUrl: string, body: unknown, secret = ALERTS_HMAC_SECRET): Promise<Response> {
  const raw = JSON.stringify(body);
  const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  return fetch(`${baseUrl}/alerts/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-rewind-signature': signature }, body: raw });
}

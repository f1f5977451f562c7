import { describe, expect, it } from 'vitest';
import { parseAlertmanager } from '../../handlers/alerts/alertmanager.js';
import { parseAlarm } from '../../handlers/alerts/cloudwatch.js';
import { parseGeneric, validHmac } from '../../handlers/alerts/generic.js';
import { targetsForAlarm, targetsForLabels } from '../../src/config/alerts.js';
import { parseCatalog } from '../../src/config/catalog.js';
import { mergeAlert } from '../../src/store/suggestions.js';
import type { Alert } from '../../src/domain/alert.js';
import { ALERTS_YAML, alertmanagerBody } from '../support/alerts.js';
import { CATALOG_YAML } from '../support/harness.js';
import { createHmac } from 'node:crypto';

const catalog = parseCatalog(CATALOG_YAML('http://127.0.0.1/health') + ALERTS_YAML, 'test.yaml');
const catalogError = (alerts: string) => {
  try {
    parseCatalog(CATALOG_YAML('http://127.0.0.1/health') + alerts, 'rewind.config.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  return 'parsed';
};

describe('catalog alerts:', () => {
  it('maps Alertmanager labels (all must match) and CloudWatch alarm names to targets per environment', () => {
    expect(targetsForLabels(catalog.alerts, { alertname: 'X', service: 'api', env: 'production' })).toEqual([
      expect.objectContaining({ service: 'api', environment: 'production' }),
    ]);
    expect(targetsForLabels(catalog.alerts, { service: 'api', env: 'staging' })).toEqual([]);
    expect(targetsForLabels(catalog.alerts, { app: 'skillancer-web', toString: 'x' })).toEqual([expect.objectContaining({ service: 'web' })]);
    expect(targetsForAlarm(catalog.alerts, 'distrocv-api-5xx')).toEqual([expect.objectContaining({ service: 'api', environment: 'production' })]);
    expect(targetsForAlarm(catalog.alerts, 'constructor')).toEqual([]);
    expect(catalog.alerts?.changeWindow).toBe(3600_000);
  });

  it('fails fast naming the key and the fix', () => {
    expect(catalogError('alerts:\n  targets:\n    production:\n      apii: { labels: { service: api } }\n')).toContain(
      'alerts.targets.production.apii: "apii" is not a service or flag with a production environment: use one of api, web, NewMatchingAlgorithm',
    );
    expect(catalogError('alerts:\n  targets:\n    prod:\n      api: {}\n')).toContain(
      'alerts.targets.prod: no service or flag has an environment "prod": use one the services define',
    );
    expect(catalogError('alerts:\n  targets:\n    production:\n      api: { labels: {} }\n')).toContain(
      'alerts.targets.production.api.labels: is empty: name at least one label',
    );
    expect(catalogError('alerts:\n  snsTopics: [distrocv-alarms]\n  targets: {}\n')).toContain('alerts.snsTopics.0: must be an SNS topic ARN such as');
    expect(catalogError('alerts:\n  targets:\n    production:\n      api: { labelz: { a: b } }\n')).toContain(
      'alerts.targets.production.api: unknown key "labelz": remove it or fix the spelling',
    );
  });
});

describe('Alertmanager webhook', () => {
  it('reads a v4 webhook into routed alerts; resolved ones carry endsAt, unmatched ones are dropped', () => {
    const firing = parseAlertmanager(alertmanagerBody({ startsAt: '2026-01-22T10:00:00Z' }), catalog);
    expect(firing).toEqual({
      routed: [
        {
          service: 'api',
          environment: 'production',
          alert: {
            source: 'alertmanager',
            key: 'a1b2c3d4e5f60718',
            name: 'ApiErrorRate',
            status: 'firing',
            startsAt: '2026-01-22T10:00:00.000Z',
            summary: 'API 5xx rate above 1% for 5 minutes',
            url: 'http://prometheus.example.com/graph?g0.expr=api_5xx',
          },
        },
      ],
    });
    const resolved = parseAlertmanager(alertmanagerBody({ status: 'resolved', startsAt: '2026-01-22T10:00:00Z', endsAt: '2026-01-22T10:07:00Z' }), catalog);
    expect('routed' in resolved && resolved.routed[0]?.alert).toMatchObject({ status: 'resolved', endsAt: '2026-01-22T10:07:00.000Z' });
    expect(parseAlertmanager(alertmanagerBody({ startsAt: '2026-01-22T10:00:00Z', labels: { alertname: 'Other', service: 'billing' } }), catalog)).toEqual({
      routed: [],
    });
  });

  it('names what is wrong with a body that is not one', () => {
    expect(parseAlertmanager({ ...alertmanagerBody({ startsAt: '2026-01-22T10:00:00Z' }), version: '3' }, catalog)).toEqual({
      error: 'not an Alertmanager webhook: version: version must be "4": Rewind reads Alertmanager webhook payload version 4',
    });
    expect(parseAlertmanager(alertmanagerBody({ startsAt: 'yesterday' }), catalog)).toEqual({
      error: 'not an Alertmanager webhook: alerts.0.startsAt: must be an ISO 8601 time such as 2026-01-22T10:00:00Z',
    });
    expect(parseAlertmanager(undefined, catalog)).toMatchObject({ error: expect.stringContaining('not an Alertmanager webhook') });
  });
});

describe('CloudWatch alarm via SNS', () => {
  const message = (state: string) =>
    JSON.stringify({
      AlarmName: 'distrocv-api-5xx',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:distrocv-api-5xx',
      NewStateValue: state,
      NewStateReason: 'Threshold crossed',
      StateChangeTime: '2026-01-22T10:00:00.000+0000',
      Region: 'US East (N. Virginia)',
    });

  it('ALARM fires, OK resolves, INSUFFICIENT_DATA says nothing', () => {
    expect(parseAlarm(message('ALARM'), catalog)).toMatchObject({
      routed: [
        {
          service: 'api',
          environment: 'production',
          alert: {
            source: 'cloudwatch',
            name: 'distrocv-api-5xx',
            status: 'firing',
            startsAt: '2026-01-22T10:00:00.000Z',
            summary: 'Threshold crossed',
            url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/distrocv-api-5xx',
          },
        },
      ],
    });
    expect(parseAlarm(message('OK'), catalog)).toMatchObject({ routed: [{ alert: { status: 'resolved', endsAt: '2026-01-22T10:00:00.000Z' } }] });
    expect(parseAlarm(message('INSUFFICIENT_DATA'), catalog)).toEqual({ routed: [] });
    // Without the ARN the alarm's region is unknown: no console link rather than one to the wrong region.
    const withoutArn = parseAlarm(JSON.stringify({ ...JSON.parse(message('ALARM')), AlarmArn: undefined }), catalog);
    const [routed] = 'routed' in withoutArn ? withoutArn.routed : [];
    expect(routed?.alert.name).toBe('distrocv-api-5xx');
    expect(routed?.alert).not.toHaveProperty('url');
    expect(parseAlarm('{not json', catalog)).toEqual({ error: 'the SNS Message is not JSON: subscribe Rewind to the topic your CloudWatch alarms notify' });
  });
});

describe('generic JSON alert', () => {
  const now = new Date('2026-01-22T10:00:00Z');
  it('checks the HMAC in constant time over the raw body', () => {
    const body = Buffer.from('{"a":1}');
    const good = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
    expect(validHmac('s3cret', body, good)).toBe(true);
    expect(validHmac('s3cret', Buffer.from('{"a":2}'), good)).toBe(false);
    expect(validHmac('other', body, good)).toBe(false);
    expect(validHmac('s3cret', body, undefined)).toBe(false);
    expect(validHmac('s3cret', body, 'sha256=abc')).toBe(false);
  });

  it('routes a target listed under alerts.targets, and refuses one that is not', () => {
    expect(parseGeneric({ target: 'NewMatchingAlgorithm', environment: 'production', name: 'MatchDrop' }, catalog, now)).toEqual({
      routed: [
        {
          service: 'NewMatchingAlgorithm',
          environment: 'production',
          alert: { source: 'generic', key: 'MatchDrop', name: 'MatchDrop', status: 'firing', startsAt: '2026-01-22T10:00:00.000Z' },
        },
      ],
    });
    expect(parseGeneric({ target: 'api', environment: 'staging', name: 'X' }, catalog, now)).toEqual({
      error: 'api staging is not under alerts.targets in the Rewind catalog: add it there to receive its alerts',
    });
    expect(parseGeneric({ target: 'api', environment: 'production', name: 'X', extra: 1 }, catalog, now)).toMatchObject({
      error: expect.stringContaining('extra'),
    });
  });
});

describe('one suggestion follows an alert through its states', () => {
  const firing: Alert = { source: 'alertmanager', key: 'k', name: 'A', status: 'firing', startsAt: '2026-01-22T10:00:00.000Z' };
  it('keeps the first firing, resolves it, ignores repeats and stale news, and takes a refire', () => {
    expect(mergeAlert(undefined, firing)).toEqual(firing);
    expect(mergeAlert(firing, firing)).toBeUndefined();
    const resolved = mergeAlert(firing, { ...firing, status: 'resolved', endsAt: '2026-01-22T10:05:00.000Z' });
    expect(resolved).toEqual({ ...firing, status: 'resolved', endsAt: '2026-01-22T10:05:00.000Z' });
    expect(mergeAlert(resolved, { ...firing, status: 'resolved', endsAt: '2026-01-22T10:05:00.000Z' })).toBeUndefined();
    // A late duplicate of the firing that already resolved is old news.
    expect(mergeAlert(resolved, firing)).toBeUndefined();
    const refire = { ...firing, startsAt: '2026-01-22T10:30:00.000Z' };
    expect(mergeAlert(resolved, refire)).toEqual(refire);
  });
});

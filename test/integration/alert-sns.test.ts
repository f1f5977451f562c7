import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ALERTS_ENV, ALERTS_YAML, SNS_TOPIC } from '../support/alerts.js';
import { eventually, readable, startHarness, WAR_ROOM, type Harness } from '../support/harness.js';
import { signedSns, SNS_CA, startCertHost, type CertHost } from '../support/sns.js';

let host: CertHost;
let h: Harness;
beforeAll(async () => {
  host = await startCertHost();
});
afterAll(() => host.close());
beforeEach(async () => {
  h = await startHarness({ catalog: (yaml) => yaml + ALERTS_YAML, env: ALERTS_ENV, sns: { certHost: /^localhost$/, ca: SNS_CA } });
});
afterEach(async () => {
  await h.close();
});

const deliver = (body: unknown) =>
  fetch(`${h.rewind.url}/alerts/sns`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(body) });
const alarm = (state: 'ALARM' | 'OK', at: string) =>
  JSON.stringify({ AlarmName: 'distrocv-api-5xx', NewStateValue: state, NewStateReason: 'Threshold Crossed: 5xx > 1%', StateChangeTime: at });

it('confirms a subscription to a listed topic by fetching its SubscribeURL, and refuses other topics', async () => {
  const confirm = (topic: string) =>
    signedSns(
      {
        Type: 'SubscriptionConfirmation',
        Message: 'You have chosen to subscribe',
        TopicArn: topic,
        SubscribeURL: `${host.origin}/confirm?t=${encodeURIComponent(topic)}`,
        Token: 'tok',
      },
      host.origin,
    );
  const other = 'arn:aws:sns:us-east-1:999999999999:someone-else';
  const refused = await deliver(confirm(other));
  expect(refused.status).toBe(403);
  expect(host.requests.some((p) => p.startsWith('/confirm'))).toBe(false);
  const res = await deliver(confirm(SNS_TOPIC));
  expect(res.status).toBe(200);
  expect(host.requests.filter((p) => p.startsWith('/confirm'))).toEqual([`/confirm?t=${encodeURIComponent(SNS_TOPIC)}`]);
});

it('a CloudWatch ALARM via SNS posts a suggestion, OK resolves it; a forged notification gets 401 and changes nothing', async () => {
  const firedAt = new Date().toISOString();
  const genuine = signedSns(
    { Type: 'Notification', Subject: 'ALARM: distrocv-api-5xx', Message: alarm('ALARM', firedAt), TopicArn: SNS_TOPIC },
    host.origin,
    '1',
  );
  const forged = await deliver({ ...genuine, Message: alarm('ALARM', firedAt).replace('5xx > 1%', '5xx > 2%') });
  expect(forged.status).toBe(401);
  const unsigned = await deliver({ ...genuine, Signature: '' });
  expect(unsigned.status).toBe(401);
  expect(h.slack.callsTo('chat.postMessage')).toEqual([]);

  expect((await deliver(genuine)).status).toBe(202);
  const posted = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => m.text?.startsWith('Suggested rollback of api production')), 'the suggestion');
  expect(readable(posted)).toContain('distrocv-api-5xx');
  expect(readable(posted)).toContain('Threshold Crossed: 5xx > 1%');

  const ok = signedSns({ Type: 'Notification', Message: alarm('OK', new Date(Date.parse(firedAt) + 1000).toISOString()), TopicArn: SNS_TOPIC }, host.origin);
  expect((await deliver(ok)).status).toBe(202);
  const resolved = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => m.ts === posted.ts && m.text?.startsWith('Resolved:')), 'the resolve');
  expect(readable(resolved)).toContain('distrocv-api-5xx* resolved at');
});

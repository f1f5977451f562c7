import { WebClient } from '@slack/web-api';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { INTERACTIVE_QUEUE } from '../../jobs/queue.js';
import { ALERTS_ENV, ALERTS_YAML, alertmanagerBody, postAlertmanager, postGeneric } from '../support/alerts.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ catalog: (yaml) => yaml + ALERTS_YAML, env: ALERTS_ENV });
});
afterEach(async () => {
  await h.close();
});

const suggestions = () => h.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts && m.text?.includes('Suggested rollback'));
/** A counter's value in this Rewind's registry, as /metrics would show it. */
async function counted(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await h.rewind.services.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

const posts = () => h.slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes('Suggested rollback'));

it('an Alertmanager alert gives one suggestion naming what fired, the change just before it and the plan; nothing is changed', async () => {
  const startsAt = new Date().toISOString();
  const res = await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt }));
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ accepted: 1 });
  const [message] = await eventually(() => (suggestions().length ? suggestions() : undefined), 'the suggestion');
  const text = readable(message!);
  expect(text).toContain('Suggested rollback of api production');
  expect(text).toContain('ApiErrorRate');
  expect(text).toContain(`firing since ${startsAt.slice(0, 16).replace('T', ' ')} UTC`);
  expect(text).toContain('API 5xx rate above 1% for 5 minutes');
  // The seeded deploy of v2.0.1 happened seconds before the alert: named as the likely cause, from what to what.
  expect(text).toMatch(/`distrocv-api:2 \(api:v2\.0\.0\)` → `distrocv-api:3 \(api:v2\.0\.1\)` at [^,]+, \*\d+s before\* the alert fired: a likely cause/);
  expect(text).toContain('The plan it would make*: `distrocv-api:3 (api:v2.0.1)` → `distrocv-api:2 (api:v2.0.0)`');
  expect(text).toContain('suggestion_request_rollback');
  // Read-only: no record, no lock, the service untouched.
  expect(await h.rewind.services.store.recent(10)).toEqual([]);
  expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  expect(h.ecs.service('distrocv-prod', 'api')).toMatchObject({ taskDefinition: expect.stringContaining('distrocv-api:3') });
});

it('100 concurrent deliveries of the same alert, and 20 different alerts for the same target, give one suggestion', async () => {
  const startsAt = new Date().toISOString();
  const same = await Promise.all(Array.from({ length: 100 }, () => postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt }))));
  expect(same.map((r) => r.status)).toEqual(Array(100).fill(202));
  const others = await Promise.all(
    Array.from({ length: 20 }, (_, i) => postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt, fingerprint: `f${i}`.padEnd(16, '0') }))),
  );
  expect(others.map((r) => r.status)).toEqual(Array(20).fill(202));
  await eventually(() => suggestions().length === 1, 'the suggestion');
  // Every job has run: the queue is empty, and still one post.
  await eventually(() => queueIdle(h), 'the alert jobs to finish');
  await h.rewind.services.poster.idle();
  expect(posts()).toHaveLength(1);
  expect(suggestions()).toHaveLength(1);
  expect(await counted('rewind_alerts_received_total', { source: 'alertmanager', outcome: 'accepted' })).toBe(120);
  expect(await counted('rewind_suggestions_total', { action: 'posted' })).toBe(1);
});

it('a resolve updates the suggestion in place, and a refire marks it firing again', async () => {
  const startsAt = new Date().toISOString();
  await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt }));
  const [posted] = await eventually(() => (suggestions().length ? suggestions() : undefined), 'the suggestion');
  const endsAt = new Date(Date.parse(startsAt) + 60_000).toISOString();
  expect((await postAlertmanager(h.rewind.url!, alertmanagerBody({ status: 'resolved', startsAt, endsAt }))).status).toBe(202);
  const resolved = await eventually(() => suggestions().find((m) => m.text?.startsWith('Resolved:')), 'the resolved suggestion');
  expect(resolved.ts).toBe(posted!.ts);
  expect(readable(resolved)).toContain(`ApiErrorRate>* resolved at ${endsAt.slice(0, 16).replace('T', ' ')} UTC`);
  expect(readable(resolved)).toContain('The alert resolved. Nothing was changed');

  const again = new Date(Date.parse(endsAt) + 60_000).toISOString();
  await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt: again }));
  const refired = await eventually(() => suggestions().find((m) => m.ts === posted!.ts && !m.text?.startsWith('Resolved:')), 'the refired suggestion');
  expect(readable(refired)).toContain(`firing since ${again.slice(0, 16).replace('T', ' ')} UTC`);
  expect(posts()).toHaveLength(1);
  expect(h.slack.callsTo('chat.update').length).toBeGreaterThanOrEqual(2);
  expect(await counted('rewind_suggestions_total', { action: 'posted' })).toBe(1);
  expect(await counted('rewind_suggestions_total', { action: 'updated' })).toBe(2);
});

it('"Request rollback" files a normal request as the clicker, which still needs another approver', async () => {
  await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt: new Date().toISOString() }));
  const [message] = await eventually(() => (suggestions().length ? suggestions() : undefined), 'the suggestion');
  const button = (message!.blocks as { elements?: { action_id?: string; value?: string }[] }[])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'suggestion_request_rollback');
  await h.slack.clickButton(h.eventsUrl, {
    user_id: USERS.oncall,
    action_id: 'suggestion_request_rollback',
    value: button!.value!,
    channel: WAR_ROOM,
    message_ts: message!.ts,
  });
  const rb = await waitForState(h, 'RB-1', ['awaiting_approval']);
  expect(rb).toMatchObject({ service: 'api', environment: 'production', requestedBy: USERS.oncall, approvals: [] });
  expect(rb.reason).toBe("Alert ApiErrorRate fired (requested from Rewind's suggestion)");
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
  // The clicker is the requester: their approval is refused, the rollback waits for someone else.
  await h.slack.clickButton(h.eventsUrl, {
    user_id: USERS.oncall,
    action_id: 'rollback_approve',
    value: `RB-1:${rb.nonce}`,
    channel: WAR_ROOM,
    message_ts: card.ts,
  });
  await eventually(
    () =>
      h.slack
        .messages(WAR_ROOM)
        .find((m) => m.ephemeralTo === USERS.oncall && (m.text ?? '').includes('You requested this rollback, so you cannot approve it.')),
    'the refusal',
  );
  expect((await h.rewind.services.store.get('RB-1'))?.state).toBe('awaiting_approval');
});

it('a generic alert with a forged or missing HMAC gets 401 and nothing is posted; a signed one is accepted', async () => {
  const body = { target: 'NewMatchingAlgorithm', environment: 'production', name: 'MatchQualityDrop', summary: 'match rate halved' };
  expect((await postGeneric(h.rewind.url!, body, 'not-the-secret-at-all-0123456789')).status).toBe(401);
  const unsigned = await fetch(`${h.rewind.url}/alerts/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(unsigned.status).toBe(401);
  expect((await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt: new Date().toISOString() }), 'wrong-token')).status).toBe(401);
  expect(await queueIdle(h)).toBe(true);
  expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  expect(suggestions()).toEqual([]);
  expect(await counted('rewind_alerts_received_total', { source: 'generic', outcome: 'unauthorized' })).toBe(2);
  expect(await counted('rewind_alerts_received_total', { source: 'alertmanager', outcome: 'unauthorized' })).toBe(1);

  const ok = await postGeneric(h.rewind.url!, body);
  expect(ok.status).toBe(202);
  const [message] = await eventually(() => (suggestions().length ? suggestions() : undefined), 'the suggestion');
  expect(readable(message!)).toContain('Suggested rollback of NewMatchingAlgorithm production');
  const sections = (message!.blocks as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').join('\n');
  expect(sections).toMatch(/:warning: `1: "false" on [^`]*` → `2: "true" on [^`]*` at [^,]+, \*\d+s before\* the alert fired/);
  expect(sections).toMatch(/The plan it would make\*: `"true"[^`]*` → `"false"[^`]*`/);
});

it('a generic alert for a target the catalog does not route is refused with the fix', async () => {
  const res = await postGeneric(h.rewind.url!, { target: 'api', environment: 'staging', name: 'X' });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ error: 'api staging is not under alerts.targets in the Rewind catalog: add it there to receive its alerts' });
  expect(await counted('rewind_alerts_received_total', { source: 'generic', outcome: 'invalid' })).toBe(1);
  expect(await counted('rewind_alerts_received_total', { source: 'generic', outcome: 'accepted' })).toBe(0);
});

/** No alert job waiting, delayed or running on the interactive queue. */
async function queueIdle(h: Harness): Promise<boolean> {
  const queue = new Queue(INTERACTIVE_QUEUE, { connection: { url: h.env.REDIS_URL }, prefix: `${h.prefix}:bull` });
  try {
    // The reconciler's schedule is always delayed: only alert jobs count.
    return (await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'])).every((job) => job.name !== 'alert');
  } finally {
    await queue.close();
  }
}

it('a suggestion posted by a job that died before recording it is found in Slack and updated, not posted again', async () => {
  const startsAt = new Date().toISOString();
  const key = `${h.prefix}:suggestion:api/production`;
  const died = Date.now() - 5 * 60_000;
  // What the dead job left: its claim and post attempt in Redis, its message in the channel.
  const orphan = await new WebClient('xoxb-test-token', { slackApiUrl: h.slack.url }).chat.postMessage({
    channel: WAR_ROOM,
    text: 'Suggested rollback of api production: ApiErrorRate firing',
    metadata: { event_type: 'rewind_suggestion', event_payload: { target: 'api/production' } },
  });
  const body = { versions: { service: 'api', environment: 'production', driver: 'ecs', rows: [{ current: 'distrocv-api:3', previous: 'distrocv-api:2' }] } };
  await h.rewind.services.redis.hset(key, { claim: `alert-dead|${died}`, postingAt: String(died + 1000), body: JSON.stringify(body) });

  await postAlertmanager(h.rewind.url!, alertmanagerBody({ startsAt }));
  await eventually(async () => (await h.rewind.services.redis.hget(key, 'ts')) === orphan.ts, 'the orphan recorded as the suggestion');
  const updated = await eventually(() => suggestions().find((m) => m.ts === orphan.ts && readable(m).includes('suggestion_request_rollback')), 'the update');
  expect(readable(updated)).toContain(`firing since ${startsAt.slice(0, 16).replace('T', ' ')} UTC`);
  expect(suggestions()).toHaveLength(1);
  expect(posts()).toHaveLength(1); // the dead job's own post, nothing since
});

import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const PARAM = '/distrocv/prod/FeatureFlags/NewMatchingAlgorithm';

it('turns a feature flag off through the same plan → approve → execute path, with its lighter rule', async () => {
  await h.slack.slashCommand(h.eventsUrl, {
    text: 'flag NewMatchingAlgorithm off production matching returns garbage',
    user_id: USERS.requester,
    channel_id: 'C0DEVCHAT',
  });
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the flag card');
  expect(readable(card)).toMatch(/true.*→.*false/);
  expect(readable(card)).toContain('*Needs*: 1 from oncall (NewMatchingAlgorithm production rule), never the requester');

  // The lead may approve service rollbacks but this flag's rule names only on-call.
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.lead, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  await eventually(() => h.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === USERS.lead), 'the refusal to the lead');
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  const rb = await eventually(async () => {
    const r = await h.rewind.services.store.get('RB-1');
    return r && ['succeeded', 'failed'].includes(r.state) ? r : undefined;
  }, 'the flag change to finish');
  expect(rb.error).toBeUndefined();
  expect(h.ssm.parameter(PARAM)?.Value).toBe('false');
  expect(h.ssm.history(PARAM)).toHaveLength(3);
  expect(await h.rewind.services.locks.holder('NewMatchingAlgorithm/production')).toBeNull();
});

it('refuses an unknown flag with the list of known flags', async () => {
  const res = await h.slack.slashCommand(h.eventsUrl, { text: 'flag NewMatchingAlgo off production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
  const reply = await eventually(() => h.slack.responses.map((r) => String(r.body.text)).join('\n') || undefined, 'the reply');
  expect(reply).toMatch(/NewMatchingAlgorithm/);
  expect(await h.rewind.services.store.recent(5)).toEqual([]);
});

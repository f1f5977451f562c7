import { afterEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { dropPrefix } from '../support/redis.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const card = (id: string) =>
  eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id} `) && readable(m).includes('rollback_approve')),
    `the ${id} card`,
  );
const ephemeralTo = (user: string, text: RegExp) =>
  eventually(() => h.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === user && text.test(m.text ?? '')), `an ephemeral to ${user}`);

it('never lets a card left from lost Redis data approve the newer rollback that reuses its id', async () => {
  h = await startHarness();
  await h.slack.slashCommand(h.eventsUrl, { text: 'api production before the data loss', user_id: USERS.requester, channel_id: 'C0DEV' });
  const old = await card('RB-1');
  await eventually(
    () =>
      h.slack.thread(WAR_ROOM, old.ts).some((m) => m.text?.includes('ROLLBACK REQUESTED')) &&
      h.slack.responses.some((r) => String(r.body.text).includes('waiting for approval')),
    'RB-1 to settle',
  );
  // Redis loses everything: ids start again at RB-1.
  await dropPrefix(h.prefix);
  await h.slack.slashCommand(h.eventsUrl, { text: 'api production after the data loss', user_id: USERS.requester, channel_id: 'C0DEV' });
  const fresh = await eventually(
    () =>
      h.slack
        .messages(WAR_ROOM)
        .find((m) => !m.thread_ts && m.ts !== old.ts && readable(m).includes('Rollback RB-1 ') && readable(m).includes('rollback_approve')),
    'the new RB-1 card',
  );
  expect(fresh.ts).not.toBe(old.ts);

  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: old.ts });
  await ephemeralTo(USERS.oncall, /no record of the rollback this card shows \(RB-1\)/);
  const rb = await h.rewind.services.store.get('RB-1');
  expect(rb?.reason).toBe('after the data loss');
  expect(rb?.state).toBe('awaiting_approval');
  expect(rb?.approvals).toEqual([]);
  expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
});

it('cancels an approved rollback that has not started yet, and then never runs it', async () => {
  h = await startHarness();
  await h.slack.slashCommand(h.eventsUrl, { text: 'api production cancel drill', user_id: USERS.requester, channel_id: 'C0DEV' });
  const posted = await card('RB-1');
  // A slow ECS keeps the rollback in its pre-start checks (drift) after the approval.
  h.ecs.latencyMs = 1500;
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
  await eventually(async () => (await h.rewind.services.store.get('RB-1'))?.state === 'approved', 'RB-1 approved');
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.requester, action_id: 'rollback_cancel', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
  await eventually(async () => (await h.rewind.services.store.get('RB-1'))?.state === 'cancelled', 'RB-1 cancelled');
  h.ecs.latencyMs = 0;
  // The pre-start checks finish, find it cancelled and change nothing.
  await eventually(() => h.ecs.callsTo('DescribeServices').length >= 2 || undefined, 'the drift check to return');
  await new Promise((r) => setTimeout(r, 2000));
  expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
  expect((await h.rewind.services.store.get('RB-1'))?.state).toBe('cancelled');
  expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  const thread = await eventually(() => {
    const text = h.slack
      .thread(WAR_ROOM, posted.ts)
      .map((m) => m.text ?? '')
      .join('\n');
    return text.includes('cancelled RB-1') ? text : undefined;
  }, 'the cancellation in the thread');
  expect(thread).not.toMatch(/Rolling back/);
});

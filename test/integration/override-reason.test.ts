import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

it('a P2 `<reason> override <why>` keeps both: on the record, the card, the announcement and the internal notification', async () => {
  await h.slack.slashCommand(h.eventsUrl, {
    text: 'api production sev P2 checkout errors since v2.0.1 override the fix needs a schema migration',
    user_id: USERS.requester,
    channel_id: 'C0DEVCHAT',
  });
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
  const rb = await h.rewind.services.store.get('RB-1');
  expect(rb?.reason).toBe('checkout errors since v2.0.1');
  expect(rb?.policy?.override).toBe('the fix needs a schema migration');
  expect(readable(card)).toContain('*Reason*\\ncheckout errors since v2.0.1');
  expect(readable(card)).toContain('*Override* of the fix-forward advice: the fix needs a schema migration');
  const request = await eventually(() => h.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('ROLLBACK REQUESTED')), 'the request');
  expect(request.text).toContain(`Requested by <@${USERS.requester}>: checkout errors since v2.0.1`);
  expect(request.text).toContain('*Override* of the fix-forward advice');

  // P2's row needs on-call alone.
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  expect((await waitForState(h, 'RB-1', ['succeeded', 'failed'])).state).toBe('succeeded');
  const notification = await eventually(() => h.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('*Internal notification*')), 'the notification');
  expect(notification.text).toContain('- Reason: checkout errors since v2.0.1 (override of the fix-forward advice: the fix needs a schema migration)');
});

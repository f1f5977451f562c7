import { afterEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

it('an unanswered request expires: the channel hears it (not only the thread), the target frees and the card turns Expired', async () => {
  h = await startHarness({ catalog: (yaml) => yaml.replace('approvalTimeout: 30m', 'approvalTimeout: 2s') });
  await h.slack.slashCommand(h.eventsUrl, { text: 'api production error spike', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const rb = await eventually(async () => {
    const r = await h.rewind.services.store.get('RB-1');
    return r?.state === 'expired' ? r : undefined;
  }, 'RB-1 to expire');
  expect(rb.finishedAt).toBeDefined();
  const expiry = await eventually(() => h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('RB-1 expired')), 'the expiry line');
  expect(expiry.args.reply_broadcast).toBe('true');
  expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Expired')), 'the card to show Expired');
  expect(readable(card)).not.toContain('rollback_approve');
});

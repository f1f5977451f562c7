import { afterEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

/**
 * Poster: "an urgent post (an outcome) takes a slot without waiting"; OutboxPoster: "everything up
 * to an announcement or outcome goes out without waiting for the pace". Here the war room's burst is
 * spent and the pace is one post a minute: a thread line already waiting for its slot when the
 * outcome is written must not hold the outcome back for that minute.
 */
let h: Harness;
afterEach(async () => {
  await h.close();
});

it(
  'an outcome written while an earlier line of the same rollback waits for its Slack slot is posted at once, after that line',
  { timeout: 30_000 },
  async () => {
    h = await startHarness({ slackMinIntervalMs: 60_000 });
    h.ssm.latencyMs = 300; // the flag flip takes a second or so: its outcome comes after the "approved" line is queued
    // Two cards and their announcements (urgent) spend the burst of four.
    await h.slack.slashCommand(h.eventsUrl, { text: 'api production spend the burst', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-1 ')), 'the RB-1 card');
    await h.slack.slashCommand(h.eventsUrl, {
      text: 'flag NewMatchingAlgorithm off production matching returns garbage',
      user_id: USERS.requester,
      channel_id: 'C0DEVCHAT',
    });
    const card = await eventually(
      () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-2 ') && readable(m).includes('rollback_approve')),
      'the RB-2 card',
    );
    await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-2', channel: WAR_ROOM, message_ts: card.ts });
    await eventually(async () => (await h.rewind.services.store.get('RB-2'))?.state === 'succeeded', 'RB-2 to succeed');
    const thread = () => h.slack.thread(WAR_ROOM, card.ts).map((m) => m.text ?? '');
    await eventually(() => thread().some((l) => l.includes('RB-2 succeeded')), 'the RB-2 outcome', 10_000);
    const lines = thread();
    expect(lines.findIndex((l) => l.includes('approved'))).toBeLessThan(lines.findIndex((l) => l.includes('RB-2 succeeded')));
  },
);

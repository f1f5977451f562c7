import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scopeOf } from '../../src/rollbacks/scope.js';
import { refreshCard } from '../../src/warroom/card.js';
import type { RecordedCall } from '../fakes/slack.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const services = () => h.rewind.services;

async function awaitingCard() {
  await h.slack.slashCommand(h.eventsUrl, { text: 'api production Error rate spiked', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await h.slack.waitFor(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), {
    what: 'the card with its buttons',
  });
  const id = /Rollback (RB-\d+)/.exec(readable(card))![1]!;
  // Let the plan job's own posts settle so the burst below is the only traffic.
  await eventually(
    async () =>
      (await services().store.get(id))?.state === 'awaiting_approval' && h.slack.thread(WAR_ROOM, card.ts).some((m) => m.text?.includes('ROLLBACK REQUESTED')),
    'the announcement',
  );
  return { id, ts: card.ts };
}

/** Every rate-limited call was retried no sooner than its Retry-After (1 s). */
function expectRetryAfterHonoured(calls: RecordedCall[]) {
  const limited = calls.filter((c) => c.error === 'ratelimited');
  for (const call of limited) {
    const next = calls.find((c) => c.method === call.method && c.at > call.at && c !== call);
    expect(next, `a retry of ${call.method}`).toBeDefined();
    expect(next!.at - call.at).toBeGreaterThanOrEqual(950);
  }
  return limited.map((c) => c.method).sort();
}

describe('posting within Slack limits', () => {
  it('coalesces a burst of card updates, keeps thread order through 429s and never drops the final status', async () => {
    const { id, ts } = await awaitingCard();
    const rb = (await services().store.get(id))!;
    const mark = h.slack.calls.length;
    h.slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 });
    h.slack.failNext('chat.update', { status: 429, retryAfterSec: 1 });
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => scopeOf(services(), rb.id).thread(`burst line ${i}`)),
      ...Array.from({ length: 20 }, () => refreshCard(services(), id)),
    ]);
    // Stored, not yet posted: the outbox poster delivers them, waiting out the 429s.
    const burstText = () =>
      h.slack
        .thread(WAR_ROOM, ts)
        .map((m) => m.text ?? '')
        .join('\n');
    await eventually(
      () => burstText().includes('burst line 19') && h.slack.callsTo('chat.update').slice(-1)[0]?.error === undefined && h.slack.calls.length > mark + 3,
      'the burst delivered',
    );
    const burst = h.slack.calls.slice(mark);
    expect(expectRetryAfterHonoured(burst)).toEqual(['chat.postMessage', 'chat.update']);
    // Twenty refreshes: the rate-limited one, its retry, and one more with the latest state.
    const updates = burst.filter((c) => c.method === 'chat.update');
    expect(updates.length).toBeLessThanOrEqual(3);
    // In order, each once, though several lines may share one message.
    expect([...burstText().matchAll(/burst line (\d+)/g)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i));

    // Rate limited again while the rollback runs and finishes: the final status and card still land.
    const before = h.slack.calls.length;
    h.slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 });
    h.slack.failNext('chat.update', { status: 429, retryAfterSec: 1 });
    await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: ts });
    await eventually(async () => (await services().store.get(id))?.state === 'succeeded', `${id} to succeed`);
    await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, ts).find((m) => m.text?.includes(`${id} succeeded`)), { what: 'the final status' });
    await h.slack.waitFor(() => readable(h.slack.messages(WAR_ROOM).find((m) => m.ts === ts)!).includes('Succeeded') || undefined, { what: 'the final card' });
    expect(expectRetryAfterHonoured(h.slack.calls.slice(before))).toEqual(['chat.postMessage', 'chat.update']);
    const finalCard = readable(h.slack.messages(WAR_ROOM).find((m) => m.ts === ts)!);
    expect(finalCard).not.toContain('rollback_approve');
    expect(finalCard).toMatch(/:white_check_mark: 3\. Health check/);
  });

  it('sends the newer card state when an update fails while another is waiting', async () => {
    const { id, ts } = await awaitingCard();
    let version = 0;
    const poster = services().poster;
    const render = async () => ({ channel: WAR_ROOM, ts, message: { text: `card v${++version}` } });
    h.slack.failNext('chat.update', { error: 'internal_error' });
    const first = poster.update(`probe:${id}`, render);
    const second = poster.update(`probe:${id}`, render);
    await Promise.all([first, second]);
    expect(
      h.slack
        .callsTo('chat.update')
        .filter((c) => c.args.ts === ts)
        .map((c) => [c.args.text, c.error ?? 'ok']),
    ).toEqual(
      expect.arrayContaining([
        ['card v1', 'internal_error'],
        ['card v2', 'ok'],
      ]),
    );
    expect(h.slack.messages(WAR_ROOM).find((m) => m.ts === ts)?.text).toBe('card v2');

    // Alone, a failed update is reported to the caller, who can retry.
    h.slack.failNext('chat.update', { error: 'internal_error' });
    await expect(poster.update(`probe:${id}`, render)).rejects.toThrow(/internal_error/);
  });
});

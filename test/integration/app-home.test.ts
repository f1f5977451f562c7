import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness, waitForState } from '../support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

type Block = { type: string; text?: { text?: string } };

/** The mrkdwn of the home section that starts with `title` (`*In flight*`, `*Recent outcomes*`...). */
function sectionText(user: string, title: string): string {
  const blocks = (h.slack.homeView(user)?.view.blocks ?? []) as Block[];
  return blocks.find((b) => b.type === 'section' && b.text?.text?.startsWith(title))?.text?.text ?? '';
}

/** Everything the in-flight part of the home shows: from its heading to the next divider. */
function inFlight(user: string): string {
  const blocks = (h.slack.homeView(user)?.view.blocks ?? []) as Block[];
  const from = blocks.findIndex((b) => b.text?.text?.startsWith('*In flight*'));
  const to = blocks.findIndex((b, i) => i > from && b.type === 'divider');
  return blocks
    .slice(from, to)
    .map((b) => b.text?.text ?? '')
    .join('\n');
}

const waitState = (id: string, states: string[]) => waitForState(h, id, states);

describe('App Home', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('shows what is in flight and who it waits for, what you may approve, and follows the rollback to its outcome', async () => {
    await h.slack.slashCommand(h.eventsUrl, { text: 'api production Error rate spiked after deploy', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    await waitState('RB-1', ['awaiting_approval']);
    const card = await eventually(async () => (await h.rewind.services.store.get('RB-1'))?.card, 'the card to be posted');

    // Another tab publishes nothing; the Home tab publishes the lead's view.
    const other = await h.slack.appHomeOpened(h.eventsUrl, { user_id: USERS.lead, tab: 'messages' });
    expect(other.status).toBe(200);
    const opened = await h.slack.appHomeOpened(h.eventsUrl, { user_id: USERS.lead });
    expect(opened.status).toBe(200);
    expect(opened.elapsedMs).toBeLessThan(3000);
    const view = await h.slack.waitFor(() => h.slack.homeView(USERS.lead), { what: "the lead's home view" });
    expect(h.slack.callsTo('views.publish').every((c) => c.args.user_id === USERS.lead)).toBe(true);
    expect(view.view.type).toBe('home');
    // Who opened it is remembered under the store's prefix, for a while only.
    const ttl = await h.rewind.services.redis.pttl(`${h.prefix}:home:viewers`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);

    const flight = inFlight(USERS.lead);
    expect(flight).toContain('*In flight* (1)');
    expect(flight).toContain('*RB-1* · api production');
    expect(flight).toContain(':raised_hand: Awaiting approval');
    expect(flight).toMatch(/RTO clock: .* of 15m 00s RTO \(within\)/);
    expect(flight).toContain('Needs 1 more from oncall or lead');
    expect(flight).toContain(`<@${USERS.lead}>`);
    expect(flight).toContain(`<@${USERS.oncallViaGroup}>`);
    expect(flight).not.toContain(`may approve: <@${USERS.requester}>`);
    expect(flight).toContain('You can approve this one');
    // The card's link is Slack's own permalink, asked once and kept on the record.
    const permalink = `${h.slack.origin}/archives/${WAR_ROOM}/p${card.ts.replace('.', '')}`;
    expect(flight).toContain(`<${permalink}|Open the card>`);
    expect((await h.rewind.services.store.get('RB-1'))?.card?.permalink).toBe(permalink);

    // The lead approves api and web production (oncall or lead), not what only oncall approves.
    const mine = sectionText(USERS.lead, '*You may approve*');
    expect(mine).toContain('• api production');
    expect(mine).toContain('• web production');
    expect(mine).not.toContain('api staging');
    expect(mine).not.toContain('NewMatchingAlgorithm');
    expect(sectionText(USERS.lead, '*Recent outcomes*')).toContain('None yet');
    expect(sectionText(USERS.lead, '*Commands*')).toContain('/rollback status RB-12');

    // Someone outside every role may approve nothing, and is not told they can approve RB-1.
    await h.slack.appHomeOpened(h.eventsUrl, { user_id: USERS.outsider });
    await h.slack.waitFor(() => h.slack.homeView(USERS.outsider), { what: "the outsider's home view" });
    expect(sectionText(USERS.outsider, '*You may approve*')).toContain('Nothing');
    expect(inFlight(USERS.outsider)).not.toContain('You can approve this one');

    // On-call approves; the rollback runs and succeeds; the lead's home follows without reopening it.
    await h.slack.clickButton(h.eventsUrl, {
      user_id: USERS.oncallViaGroup,
      action_id: 'rollback_approve',
      value: 'RB-1',
      channel: WAR_ROOM,
      message_ts: card.ts,
    });
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    const outcomes = await eventually(() => {
      const text = sectionText(USERS.lead, '*Recent outcomes*');
      return text.includes('RB-1') ? text : undefined;
    }, "the lead's home to show RB-1 under recent outcomes");
    expect(outcomes).toMatch(/RB-1>? · api production · :large_green_circle: Succeeded · \d+s · <!date\^\d+\^/);
    expect(inFlight(USERS.lead)).toContain('*In flight* (0)');
    expect(inFlight(USERS.lead)).toContain('Nothing in flight');
    // Republished in place: the same view, never a second one.
    expect(h.slack.homeView(USERS.lead)?.id).toBe(view.id);
    // The outsider opened it too, so theirs follows as well.
    await eventually(() => sectionText(USERS.outsider, '*Recent outcomes*').includes('RB-1'), "the outsider's home to follow");
    expect(readable({ blocks: h.slack.homeView(USERS.lead)?.view.blocks as unknown[] })).not.toContain('xoxb-');
    // Every render since used the kept permalink: Slack was asked for it once.
    expect(outcomes).toContain(`<${permalink}|RB-1>`);
    expect(h.slack.callsTo('views.publish').length).toBeGreaterThan(3);
    expect(h.slack.callsTo('chat.getPermalink')).toHaveLength(1);
  });
});

describe('App Home over Socket Mode', () => {
  beforeEach(async () => {
    h = await startHarness({ socketMode: true });
  });

  it('acks the events_api envelope at once and publishes the home', async () => {
    await h.slack.waitFor(() => h.slack.socketConnections() > 0 || undefined, { what: 'the app to connect' });
    const res = await h.slack.socketAppHomeOpened({ user_id: USERS.oncall });
    expect(res.ack).toEqual({});
    expect(res.elapsedMs).toBeLessThan(3000);
    await h.slack.waitFor(() => h.slack.homeView(USERS.oncall), { what: "on-call's home view" });
    const mine = sectionText(USERS.oncall, '*You may approve*');
    for (const target of ['api production', 'api staging', 'web production', 'NewMatchingAlgorithm production']) expect(mine).toContain(`• ${target}`);
    expect(inFlight(USERS.oncall)).toContain('Nothing in flight');
  });
});

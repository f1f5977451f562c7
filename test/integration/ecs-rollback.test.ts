import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness, waitForState } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const card = (id: string) =>
  h.slack.waitFor(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`)), { what: `the card of ${id}` });

const record = (id: string) => h.rewind.services.store.get(id);

async function request(text: string, user = USERS.requester) {
  const res = await h.slack.slashCommand(h.eventsUrl, { text, user_id: user, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
  return res;
}

/** The latest ephemeral reply the requester got through response_url. */
function lastReply(): string {
  const r = h.slack.responses.at(-1);
  return String(r?.body.text ?? '');
}

const waitState = (id: string, states: string[]) => waitForState(h, id, states);

describe('ECS rollback from /rollback to a verified, announced recovery', () => {
  it('plans, enforces who may approve, executes once, verifies and announces', async () => {
    await request('api production Error rate spiked after deploy');
    await h.slack.waitFor(() => h.slack.responses.length > 0 || undefined, { what: 'the acknowledgement' });
    expect(lastReply()).toMatch(/RB-1: reading the live state of api production/);

    await waitState('RB-1', ['awaiting_approval']);
    const posted = await eventually(async () => {
      const c = await card('RB-1');
      return readable(c).includes('rollback_approve') ? c : undefined;
    }, 'the card with its buttons');
    const text = readable(posted);
    expect(text).toContain('distrocv-api:3');
    expect(text).toContain('distrocv-api:2');
    expect(text).toMatch(/v2\.0\.1.*v2\.0\.0/);
    expect(text).toContain('Error rate spiked after deploy');
    expect(text).toContain(`<@${USERS.requester}>`);
    expect(text).toContain('of 15m 00s RTO');
    for (const action of ['rollback_approve', 'rollback_reject', 'rollback_cancel']) expect(text).toContain(action);
    const announcement = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('ROLLBACK REQUESTED')), {
      what: 'the approval request',
    });
    expect(announcement.text).toContain(`<@${USERS.oncallViaGroup}>`);

    // The requester cannot approve; an outsider is told who may.
    const click = (user: string) =>
      h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
    await click(USERS.requester);
    await click(USERS.outsider);
    const ephemerals = await h.slack.waitFor(
      () => {
        const list = h.slack.messages(WAR_ROOM).filter((m) => m.ephemeralTo);
        return list.length >= 2 ? list : undefined;
      },
      { what: 'two refusals' },
    );
    expect(ephemerals.find((m) => m.ephemeralTo === USERS.requester)?.text).toMatch(/cannot approve/);
    expect(ephemerals.find((m) => m.ephemeralTo === USERS.outsider)?.text).toMatch(/Only oncall or lead may approve/);
    expect((await record('RB-1'))?.state).toBe('awaiting_approval');

    // A double click and a second approver at once: exactly one execution.
    await Promise.all([click(USERS.oncallViaGroup), click(USERS.oncallViaGroup), click(USERS.lead)]);
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(h.ecs.callsTo('UpdateService')[0]!.input).toMatchObject({ cluster: 'distrocv-prod', service: 'api', forceNewDeployment: true });
    expect(String(h.ecs.service('distrocv-prod', 'api').taskDefinition)).toMatch(/distrocv-api:2$/);

    const thread = await h.slack.waitFor(
      () => {
        const t = h.slack.thread(WAR_ROOM, posted.ts);
        return t.some((m) => m.text?.includes('Internal notification')) ? t : undefined;
      },
      { what: 'the internal notification' },
    );
    const lines = thread.map((m) => m.text ?? '');
    for (const step of ['Update service', 'Wait until', 'Health check']) {
      expect(lines.some((l) => l.includes(':hourglass_flowing_sand:') && l.includes(step))).toBe(true);
      expect(lines.some((l) => l.includes(':white_check_mark:') && l.includes(step))).toBe(true);
    }
    const replies = thread.filter((m) => m.ts !== posted.ts).map((m) => m.text ?? '');
    expect(replies.filter((l) => !/^`\d\d:\d\d:\d\d`/.test(l))).toEqual([]);
    // Initiated only once approved, and told to the whole channel (the Skillancer checklist gets approval first).
    const initiated = h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('ROLLBACK INITIATED'));
    expect(initiated?.args.reply_broadcast).toBe('true');
    expect(String(initiated?.args.text)).toContain(`Approved by <@${USERS.oncallViaGroup}>`);
    expect(lines.findIndex((l) => l.includes('ROLLBACK REQUESTED'))).toBeLessThan(lines.findIndex((l) => l.includes('ROLLBACK INITIATED')));
    const final = lines.find((l) => l.includes('RB-1 succeeded'))!;
    expect(final).toMatch(/Total \d+s, within the 15m 00s RTO/);
    const notification = lines.find((l) => l.includes('Internal notification'))!;
    expect(notification).toContain('Subject: [ROLLBACK] DistroCV distrocv-api:3');
    expect(notification).toContain('Rolled back to: distrocv-api:2');
    expect(notification).toContain('Reason: Error rate spiked after deploy');
    expect(notification).toContain('Current Status: completed');

    // The card is re-rendered from the record (coalesced, so it may land after the thread): final state, no buttons, every step ticked.
    const finalCard = await eventually(async () => {
      const text = readable(await card('RB-1'));
      return text.includes('Succeeded') ? text : undefined;
    }, 'the card to show Succeeded');
    expect(finalCard).not.toContain('rollback_approve');
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
    const approvers = (await record('RB-1'))!.approvals.map((a) => a.user).sort();
    expect(approvers).toEqual([USERS.oncallViaGroup]);
  });
});

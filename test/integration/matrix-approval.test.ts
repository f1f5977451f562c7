import { afterEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

const CTO = 'U0CTO';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The harness catalog with a CTO, and optionally a default rule that combines with the matrix row. */
function start(combine: boolean): Promise<Harness> {
  return startHarness({
    catalog: (yaml) =>
      yaml.replace('  lead: { users: [U0LEAD] }', `  lead: { users: [U0LEAD] }\n  cto: { users: [${CTO}] }`) +
      (combine ? 'approval: { from: [oncall, lead], count: 1, matrix: combine }\n' : ''),
  });
}

async function requestCard(harness: Harness, text: string) {
  await harness.slack.slashCommand(harness.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  return eventually(() => harness.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
}

const approve = (harness: Harness, user: string, ts: string) =>
  harness.slack.clickButton(harness.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: ts });

it('a data-corruption request needs the CTO, as the runbook says, instead of the service rule', async () => {
  h = await start(false);
  const card = await requestCard(h, 'api production sev data-corruption orders table rewritten by v2.0.1');
  expect(readable(card)).toContain('*Needs*: 1 from cto (P0 · Data corruption detected row, in place of the api production rule), never the requester');

  // On-call alone (the service rule) is no longer enough, and does not count.
  await approve(h, USERS.oncall, card.ts);
  const refused = await eventually(() => h!.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === USERS.oncall), 'the on-call refused');
  expect(refused.text).toMatch(/Only cto may approve/);
  expect((await h.rewind.services.store.get('RB-1'))?.state).toBe('awaiting_approval');

  await approve(h, CTO, card.ts);
  const rb = await waitForState(h, 'RB-1', ['succeeded', 'failed']);
  expect(rb.state).toBe('succeeded');
  expect(rb.approvals.map((a) => a.user)).toEqual([CTO]);
});

it('`approval.matrix: combine` keeps the service rule beside the row: the CTO and on-call or the lead', async () => {
  h = await start(true);
  const card = await requestCard(h, 'api production sev data-corruption orders table rewritten by v2.0.1');
  expect(readable(card)).toContain(
    '*Needs*: 1 from oncall or lead (api production rule); and 1 from cto (P0 · Data corruption detected row), never the requester',
  );

  await approve(h, CTO, card.ts);
  await eventually(async () => (await h!.rewind.services.store.get('RB-1'))?.approvals.length === 1, 'the CTO approval recorded');
  await eventually(
    () => h!.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('1 more from oncall or lead')),
    'the thread naming who is still needed',
  );
  expect((await h.rewind.services.store.get('RB-1'))?.state).toBe('awaiting_approval');

  await approve(h, USERS.lead, card.ts);
  const rb = await waitForState(h, 'RB-1', ['succeeded', 'failed']);
  expect(rb.state).toBe('succeeded');
  expect(rb.approvals.map((a) => a.user)).toEqual([CTO, USERS.lead]);
});

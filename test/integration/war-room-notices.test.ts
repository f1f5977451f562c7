import { afterEach, describe, expect, it } from 'vitest';
import { checklistOf, SUPPORT_ITEM } from '../../src/policy/checklist.js';
import { startFakeStatusPage, type FakeStatusPage } from '../fakes/status-page.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

/**
 * What the war room does beyond its thread when a rollback starts and ends: the status page
 * (catalog `statusPage.mode`), the Support notice (`supportChannel`), flag and maintenance wording,
 * and thread times that follow posting order.
 */

const SUPPORT = 'C0SUPPORT';
const MAINTENANCE_PARAM = '/distrocv/prod/FeatureFlags/MaintenanceMode';

let h: Harness | undefined;
let statusPage: FakeStatusPage | undefined;
afterEach(async () => {
  await h?.close();
  await statusPage?.close();
  h = statusPage = undefined;
});

async function start(mode: 'auto' | 'button') {
  const page = (statusPage = await startFakeStatusPage());
  h = await startHarness({
    catalog: (yaml) => `${yaml}
  MaintenanceMode:
    production:
      driver: flag
      store: ssm
      parameter: ${MAINTENANCE_PARAM}
      approval: { from: [oncall], count: 1 }
maintenance: MaintenanceMode
supportChannel: ${SUPPORT}
statusPage: { url: "${page.url}", mode: ${mode} }
`,
  });
  h.ssm.putParameter(MAINTENANCE_PARAM, 'false');
  return h;
}

const store = () => h!.rewind.services.store;

/** Asks for rollback `id`, approves as on-call (and the lead when the rule needs both), waits for the end; returns the card ts. */
async function rollBack(text: string, approvers = [USERS.oncall], id = 'RB-1', outcome: 'succeeded' | 'failed' = 'succeeded') {
  await h!.slack.slashCommand(h!.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  await eventually(() => store().get(id), `the request ${id}`);
  const card = await h!.slack.waitFor(
    () => h!.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    { what: 'the card' },
  );
  for (const user of approvers)
    await h!.slack.clickButton(h!.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: card.ts });
  const rb = await waitForState(h!, id, ['succeeded', 'failed']);
  expect(rb.state).toBe(outcome);
  await h!.slack.waitFor(() => h!.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes(`${id} ${outcome}`)), { what: `${id}'s outcome in the thread` });
  return { id, ts: card.ts };
}

const thread = (ts: string) => h!.slack.thread(WAR_ROOM, ts);
/** The replies under the card (not the card itself), as read. */
const threadText = (ts: string) =>
  thread(ts)
    .filter((m) => m.ts !== ts)
    .map((m) => readable(m))
    .join('\n');
const nextSteps = (ts: string, id: string) => h!.slack.waitFor(() => thread(ts).find((m) => m.text?.includes(`Next steps for ${id}`)), { what: 'next steps' });

/** The `HH:MM:SS` each thread post starts with, in posting order. */
const stamps = (ts: string) => thread(ts).flatMap((m) => /^`(\d\d:\d\d:\d\d)`/.exec(m.text ?? '')?.[1] ?? []);

describe('status page and Support, automatic', () => {
  it('posts "Investigating" and the Support notice once at the start, "Resolved" once at the end, and says so in the thread', async () => {
    await start('auto');
    const { id, ts } = await rollBack('api production sev P1 Checkout errors after deploy', [USERS.oncall, USERS.lead]);
    const steps = await nextSteps(ts, id);
    await h!.slack.waitFor(() => thread(ts).find((m) => m.text?.includes('Post-mortem draft for')), { what: 'the post-mortem' });

    expect(statusPage!.updates.map((u) => [u.status, u.rollback])).toEqual([
      ['investigating', id],
      ['resolved', id],
    ]);
    expect(statusPage!.updates[0]!.message).toBe('Investigating issues, remediation in progress.');
    expect(statusPage!.updates[1]!.message).toMatch(/^Resolved: we rolled back a faulty change to DistroCV/);
    expect(statusPage!.requests).toBe(2);

    const support = h!.slack.messages(SUPPORT);
    expect(support).toHaveLength(1);
    expect(support[0]!.text).toContain('Please pause customer responses about DistroCV');
    expect(support[0]!.text).toContain(`rollback ${id} of api production is under way`);

    const text = threadText(ts);
    expect(text.match(/Status page updated \(investigating\)/g)).toHaveLength(1);
    expect(text.match(/Status page updated \(resolved\)/g)).toHaveLength(1);
    expect(text.match(new RegExp(`Support asked in <#${SUPPORT}> to pause customer responses`, 'g'))).toHaveLength(1);
    // In order: started, investigating, support... outcome, resolved, next steps.
    const order = [
      'Rolling back *api production*',
      'Status page updated (investigating)',
      'Support asked in',
      `${id} succeeded`,
      'Status page updated (resolved)',
    ];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);

    // Done by Rewind: nothing left to press for the status page.
    expect(readable(steps)).toContain('Status page resolved by Rewind');
    expect(readable(steps)).not.toContain('rollback_status_page');
    const notes = (await store().timeline(id)).map((e) => e.message);
    expect(notes.filter((n) => n.startsWith('Status page updated automatically'))).toHaveLength(2);
    expect(notes).toContain(`Support asked in <#${SUPPORT}> to pause customer responses`);
  });

  it('reports a failing status page in the thread with what to do, and the rollback still succeeds', async () => {
    await start('auto');
    statusPage!.failWith = 503;
    const { id, ts } = await rollBack('api production sev P1 Latency spike', [USERS.oncall, USERS.lead]);
    const steps = await nextSteps(ts, id);
    const rb = await store().get(id);
    expect(rb?.state).toBe('succeeded');
    const text = threadText(ts);
    expect(text).toMatch(
      /Status page not updated \(investigating\): The status page at 127\.0\.0\.1:\d+ answered 503.*The rollback is not affected\. Post "Investigating"/,
    );
    expect(text).toMatch(/Status page not updated \(resolved\):.*Press \*Update status page\*/);
    expect(statusPage!.updates).toEqual([]);
    // The end's update is still one press away once the status page is back.
    expect(readable(steps)).toContain('rollback_status_page');
    statusPage!.failWith = undefined;
    await h!.slack.clickButton(h!.eventsUrl, { user_id: USERS.lead, action_id: 'rollback_status_page', value: id, channel: WAR_ROOM, message_ts: steps.ts });
    await h!.slack.waitFor(() => readable(thread(ts).find((m) => m.ts === steps.ts)!).includes(`Status page resolved by <@${USERS.lead}>`) || undefined, {
      what: 'the next steps to show the status page resolved',
    });
    expect(statusPage!.updates.map((u) => u.status)).toEqual(['resolved']);
  });

  it('keeps the Support item out of the checklist the requester confirms', async () => {
    await start('auto');
    expect(checklistOf(h!.rewind.services.catalog)).not.toContain(SUPPORT_ITEM);
    expect(checklistOf({})).toContain(SUPPORT_ITEM);
  });
});

describe('status page by button', () => {
  it('offers "Investigating" as a button when the rollback starts; it posts once, and not once the rollback succeeded', async () => {
    await start('button');
    // A rollback that fails its health check: the status page should say "Investigating" and stay so.
    h!.health.status = 503;
    const { id, ts } = await rollBack('api production sev P1 Latency spike', [USERS.oncall, USERS.lead], 'RB-1', 'failed');
    const ask = await h!.slack.waitFor(() => thread(ts).find((m) => readable(m).includes('rollback_status_investigating')), {
      what: 'the investigating button',
    });
    expect(statusPage!.updates).toEqual([]);
    const press = (rollback: string, message_ts: string) =>
      h!.slack.clickButton(h!.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_status_investigating', value: rollback, channel: WAR_ROOM, message_ts });
    await press(id, ask.ts);
    await h!.slack.waitFor(() => thread(ts).find((m) => m.text?.includes(`<@${USERS.oncall}> updated the status page: Investigating issues`)), {
      what: 'the status-page line',
    });
    await press(id, ask.ts);
    await h!.slack.waitFor(() => h!.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === USERS.oncall && /told "Investigating".*by <@/.test(m.text ?? '')), {
      what: 'the already-done reply',
    });
    expect(statusPage!.updates.map((u) => [u.status, u.rollback])).toEqual([['investigating', id]]);
    // The failed rollback's next steps say the status page is on "Investigating", with nothing more to press for it.
    const steps = (await nextSteps(ts, id)).ts;
    const shown = await h!.slack.waitFor(
      () => thread(ts).find((m) => m.ts === steps && readable(m).includes(`Status page says "Investigating" by <@${USERS.oncall}>`)),
      { what: 'the next steps to show the status page' },
    );
    expect(readable(shown)).not.toContain('rollback_status_page');

    // Once a rollback succeeded, "Investigating" is refused; the next steps' button posts "Resolved".
    h!.health.status = 200;
    const second = await rollBack('api production sev P1 Latency spike again', [USERS.oncall, USERS.lead], 'RB-2');
    const ask2 = await h!.slack.waitFor(() => thread(second.ts).find((m) => readable(m).includes('rollback_status_investigating')), { what: 'its button' });
    await press('RB-2', ask2.ts);
    await h!.slack.waitFor(() => h!.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === USERS.oncall && m.text?.includes('RB-2 has succeeded')), {
      what: 'the refusal',
    });
    expect(readable(await nextSteps(second.ts, 'RB-2'))).toContain('rollback_status_page');
    expect(statusPage!.updates).toHaveLength(1);
  });
});

describe('flag flips and maintenance switches', () => {
  it('announces a flag flip as FLAG OFF and a maintenance switch as MAINTENANCE ON, never as a rollback', async () => {
    await start('auto');
    const flag = await rollBack('flag NewMatchingAlgorithm off production matching returns garbage');
    const flagText = threadText(flag.ts);
    expect(flagText).toMatch(/\*FLAG OFF REQUESTED\* RB-1: \*NewMatchingAlgorithm production\* `"true" \(version 2\)` → `"false"`/);
    expect(flagText).toMatch(/\*FLAG OFF\* RB-1: \*NewMatchingAlgorithm production\*/);
    expect(flagText).toContain(':arrow_forward: Turning flag off: *NewMatchingAlgorithm production*');

    const maintenance = await rollBack('maintenance on production deploy gone wrong', [USERS.oncall], 'RB-2');
    const text = threadText(maintenance.ts);
    expect(text).toMatch(/\*MAINTENANCE ON\* RB-2: \*production \(MaintenanceMode\)\* `"false" \(version 1\)` → `"true"`/);
    expect(text).toContain(':arrow_forward: Switching maintenance on: *production (MaintenanceMode)*');
    for (const t of [flagText, text]) expect(t).not.toMatch(/ROLLBACK (REQUESTED|INITIATED)|Rolling back/);
  });
});

describe('thread times', () => {
  it('follow posting order, even for an entry written with an earlier time than the one before it', async () => {
    await start('auto');
    const { id, ts } = await rollBack('api production sev P1 Latency spike', [USERS.oncall, USERS.lead]);
    await h!.slack.waitFor(() => thread(ts).find((m) => m.text?.includes('Post-mortem draft for')), { what: 'the post-mortem' });
    // Written in this order but stamped the other way round (a slow writer, a worker's clock behind another's).
    const later = new Date(Date.now() + 120_000).toISOString();
    const earlier = new Date(Date.now() - 120_000).toISOString();
    await store().note(id, undefined, {
      say: [
        { kind: 'line', text: 'written first', at: later },
        { kind: 'line', text: 'stamped early', at: earlier },
      ],
    });
    const posted = await h!.slack.waitFor(() => thread(ts).find((m) => m.text?.includes('stamped early')), { what: 'the two lines' });
    expect(posted.text).toBe(`\`${later.slice(11, 19)}\` written first\n\`${later.slice(11, 19)}\` stamped early`);
    const shown = stamps(ts);
    expect(shown.length).toBeGreaterThan(8);
    expect(shown).toEqual([...shown].sort());
  });
});

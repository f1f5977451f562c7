import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKLIST } from '../../src/policy/checklist.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness, waitForState } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DEV = 'C0DEVCHAT';
const store = () => h.rewind.services.store;

/** The latest ephemeral reply through a slash command's response_url. */
const lastReply = () => String(h.slack.responses.at(-1)?.body.text ?? '');

async function openForm(user = USERS.requester) {
  const res = await h.slack.slashCommand(h.eventsUrl, { text: '', user_id: user, channel_id: DEV });
  expect(res.status).toBe(200);
  const [modal] = await h.slack.waitFor(() => h.slack.views(user).length > 0 && h.slack.views(user), { what: 'the rollback form' });
  return modal!;
}

/** state.values as Slack sends them for the request form. */
function values(f: { target?: string; scenario?: string; severity?: string; reason?: string; override?: string; version?: string; checked?: number[] }) {
  const select = (v?: string) => ({ type: 'static_select', selected_option: v ? { text: { type: 'plain_text', text: v }, value: v } : null });
  const input = (v?: string) => ({ type: 'plain_text_input', value: v ?? null });
  return {
    target: { target: select(f.target) },
    scenario: { scenario: select(f.scenario) },
    severity: { severity: select(f.severity) },
    reason: { reason: input(f.reason) },
    override: { override: input(f.override) },
    version: { version: input(f.version) },
    checklist: { checklist: { type: 'checkboxes', selected_options: (f.checked ?? []).map((i) => ({ value: String(i) })) } },
  };
}
const ALL = DEFAULT_CHECKLIST.map((_, i) => i);

function submit(view: { id: string }, f: Parameters<typeof values>[0], user = USERS.requester) {
  return h.slack.submitView(h.eventsUrl, { user_id: user, view: { id: view.id, state: { values: values(f) } } });
}

/** The card once it carries the approval buttons. */
const card = (id: string) =>
  h.slack.waitFor(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    { what: `the card of ${id} with its buttons` },
  );

const waitState = (id: string, states: string[]) => waitForState(h, id, states);

describe('/rollback with no arguments: the rollback form', () => {
  it('opens with views.open, returns validation errors into the form, and submits through the same plan path', async () => {
    const modal = await openForm();
    expect(modal.view.callback_id).toBe('rollback_request');
    const opened = h.slack.callsTo('views.open');
    expect(opened).toHaveLength(1);
    const form = JSON.stringify(modal.view.blocks);
    expect(form).toContain('api production');
    expect(form).toContain('Complete platform outage / full regression (P0)');
    expect(form).toContain('Frontend only, ~5m 00s');
    for (const item of DEFAULT_CHECKLIST) expect(form).toContain(item);

    // Everything wrong at once: each problem lands on its own field, nothing is created.
    const bad = await submit(modal, { target: 'api/production', version: '../../etc/passwd', checked: [0] });
    expect(bad.json).toMatchObject({ response_action: 'errors' });
    expect(Object.keys(h.slack.views(USERS.requester)[0]!.errors ?? {}).sort()).toEqual(['checklist', 'reason', 'scenario', 'version']);
    expect(h.slack.views(USERS.requester)[0]!.errors?.checklist).toMatch(/quick fix \(<10 min\)/);

    // A fix-forward severity without an override reason is refused on the override field.
    const p3 = await submit(modal, { target: 'api/production', scenario: 'ui-bug', reason: 'button misaligned', checked: ALL });
    expect(p3.json).toMatchObject({
      response_action: 'errors',
      errors: { override: expect.stringMatching(/P3 · UI bug: the decision matrix says fix forward/) },
    });
    expect(await store().recent(10)).toEqual([]);

    // A P0 outage: the form closes, the requester is told, the card and announcement show the matrix's authority.
    const ok = await submit(modal, { target: 'api/production', scenario: 'outage', reason: 'All API calls fail with 502', checked: ALL });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('');
    expect(h.slack.views(USERS.requester)).toEqual([]);
    const [rb] = await store().recent(1);
    expect(rb).toMatchObject({
      id: expect.stringMatching(/^RB-\d+$/),
      service: 'api',
      environment: 'production',
      reason: 'All API calls fail with 502',
      origin: { channel: DEV },
      policy: {
        severity: { id: 'P0', label: 'Critical', advice: 'rollback' },
        scenario: { id: 'outage', rollbackType: 'Full stack', estimateMs: 45 * 60_000 },
        checklist: [...DEFAULT_CHECKLIST],
      },
    });
    const id = rb!.id;
    await h.slack.waitFor(() => h.slack.messages(DEV).some((m) => m.ephemeralTo === USERS.requester && m.text?.includes(`${id}: reading the live state`)), {
      what: 'the private acknowledgement',
    });

    await waitState(id, ['awaiting_approval']);
    const posted = await card(id);
    expect(readable(posted)).toContain('*Severity* P0 Critical · Complete platform outage / full regression · recommended: Full stack, ~45m 00s');
    expect(readable(posted)).toContain(
      '*Needs*: 1 from oncall and 1 from lead (different people) (P0 · Complete platform outage / full regression row, in place of the api production rule)',
    );
    const announcement = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('ROLLBACK REQUESTED')), {
      what: 'the approval request',
    });
    expect(announcement.text).toContain(`On-call: <@${USERS.oncall}> <@${USERS.oncallViaGroup}>`);
    expect(announcement.text).toContain(`1 from oncall (<@${USERS.oncall}> <@${USERS.oncallViaGroup}>) and 1 from lead (<@${USERS.lead}>)`);

    // On-call alone is not enough for a P0; on-call + lead is.
    const click = (user: string) =>
      h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: posted.ts });
    await click(USERS.oncall);
    await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('still needed: 1 more from lead')), {
      what: 'the partial approval',
    });
    expect((await store().get(id))?.state).toBe('awaiting_approval');
    await click(USERS.lead);
    const done = await waitState(id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(done.approvals.map((a) => a.user)).toEqual([USERS.oncall, USERS.lead]);

    // The audit trail shows the checklist, both approvals and the outcome.
    await h.slack.slashCommand(h.eventsUrl, { text: `status ${id}`, user_id: USERS.outsider, channel_id: DEV });
    await h.slack.waitFor(() => lastReply().includes(`*${id}*`) || undefined, { what: 'the status reply' });
    const status = lastReply();
    expect(status).toContain('Severity: P0 Critical');
    expect(status).toContain(`Pre-rollback checklist confirmed by <@${USERS.requester}>`);
    expect(status).toContain(`Approved by <@${USERS.oncall}> (1 more from lead needed)`);
    expect(status).toContain(`Approved by <@${USERS.lead}>: approval rule met`);
    expect(status).toContain('Rollback succeeded');

    await h.slack.slashCommand(h.eventsUrl, { text: 'history api', user_id: USERS.outsider, channel_id: DEV });
    await h.slack.waitFor(() => lastReply().includes('Recent rollbacks') || undefined, { what: 'the history reply' });
    expect(lastReply()).toMatch(
      new RegExp(
        `\\*${id}\\* .* api production · :large_green_circle: Succeeded · \\d+s · P0 · \`distrocv-api:3 \\(api:v2.0.1\\)\` → \`distrocv-api:2 \\(api:v2.0.0\\)\``,
      ),
    );
  });

  it("keeps a chosen severity over the issue type's, and reports a busy target on the form", async () => {
    const first = await openForm();
    await submit(first, { target: 'api/production', scenario: 'api-bug', severity: 'P1', reason: 'orders 500', checked: ALL });
    const [rb] = await store().recent(1);
    expect(rb?.policy?.severity?.id).toBe('P1');
    const second = await openForm(USERS.oncall);
    const busy = await submit(second, { target: 'api/production', scenario: 'outage', reason: 'also broken', checked: ALL }, USERS.oncall);
    expect(busy.json).toMatchObject({
      response_action: 'errors',
      errors: { target: expect.stringMatching(new RegExp(`already being rolled back by ${rb!.id}`)) },
    });
    expect(await store().recent(10)).toHaveLength(1);
  });

  it('shows the decision matrix from the catalog', async () => {
    await h.slack.slashCommand(h.eventsUrl, { text: 'matrix', user_id: USERS.requester, channel_id: DEV });
    await h.slack.waitFor(() => lastReply().includes('Rollback decision matrix') || undefined, { what: 'the matrix' });
    expect(lastReply()).toContain('• *P0* Critical: roll back · approve: oncall + lead');
    expect(lastReply()).toContain('`security-breach` Security breach confirmed · *P0* · approve: cto + security · Full + secrets rotation, ~1h 00m');
    expect(lastReply()).toContain('_needs role `cto`, `security`, not in the catalog_');
  });
});

describe('reject asks for a reason', () => {
  it('opens a reason form for approvers only, records the reason in the audit trail and frees the target', async () => {
    await h.slack.slashCommand(h.eventsUrl, {
      text: 'api production sev P3 override checkout button broken for all EU users',
      user_id: USERS.requester,
      channel_id: DEV,
    });
    const id = (await eventually(async () => (await store().recent(1))[0], 'the request')).id;
    expect((await store().get(id))?.policy).toMatchObject({ severity: { id: 'P3' }, override: 'checkout button broken for all EU users' });
    await waitState(id, ['awaiting_approval']);
    const posted = await card(id);
    expect(readable(posted)).toContain('*Override* of the fix-forward advice: checkout button broken for all EU users');
    const reject = (user: string) =>
      h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_reject', value: id, channel: WAR_ROOM, message_ts: posted.ts });

    await reject(USERS.requester);
    await reject(USERS.outsider);
    await h.slack.waitFor(() => h.slack.messages(WAR_ROOM).filter((m) => m.ephemeralTo).length >= 2 || undefined, { what: 'two refusals' });
    const refusals = h.slack.messages(WAR_ROOM).filter((m) => m.ephemeralTo);
    expect(refusals.find((m) => m.ephemeralTo === USERS.requester)?.text).toMatch(/use Cancel/);
    expect(refusals.find((m) => m.ephemeralTo === USERS.outsider)?.text).toMatch(/Only oncall may reject/);
    expect(h.slack.views()).toEqual([]);

    // A P3 row needs on-call alone (it replaces the service rule), so on-call, not the lead, may reject.
    await reject(USERS.oncall);
    const [modal] = await h.slack.waitFor(() => h.slack.views(USERS.oncall).length > 0 && h.slack.views(USERS.oncall), { what: 'the reason form' });
    expect(modal!.view.callback_id).toBe('rollback_reject_reason');
    const answer = (reason: string | null) =>
      h.slack.submitView(h.eventsUrl, {
        user_id: USERS.oncall,
        view: { id: modal!.id, state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } } },
      });
    expect((await answer('  ')).json).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/Say why/) } });
    expect((await store().get(id))?.state).toBe('awaiting_approval');
    expect((await answer('A fix-forward patch is already deploying')).body).toBe('');

    const rejected = await waitState(id, ['rejected']);
    expect(rejected.finishedAt).toBeDefined();
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
    const timeline = await store().timeline(id);
    expect(timeline.find((e) => e.message.startsWith('Override by'))).toMatchObject({
      user: USERS.requester,
      message: `Override by <@${USERS.requester}> (P3 advises fix forward): checkout button broken for all EU users`,
    });
    expect(timeline.at(-1)).toMatchObject({
      type: 'state',
      user: USERS.oncall,
      message: `Rejected by <@${USERS.oncall}>: A fix-forward patch is already deploying`,
    });
    await h.slack.waitFor(
      () => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes(`<@${USERS.oncall}> rejected ${id}: A fix-forward patch is already deploying`)),
      { what: 'the rejection in the thread' },
    );
    await h.slack.waitFor(() => readable(h.slack.messages(WAR_ROOM).find((m) => m.ts === posted.ts)!).includes('Rejected') || undefined, {
      what: 'the rejected card',
    });
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
  });
});

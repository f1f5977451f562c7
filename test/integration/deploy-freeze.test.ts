import { DISTROCV_STACK } from '../support/catalogs.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freezeAfterSuccess, unfreeze } from '../../src/rollbacks/freeze.js';
import { Freezes } from '../../src/store/freezes.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

const TOKEN = 'freeze-token-0123456789abcdef0123';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: { REWIND_FREEZE_TOKEN: TOKEN }, catalog: (yaml) => yaml + DISTROCV_STACK });
});
afterEach(async () => {
  await h.close();
});

/** GET the freeze API; `token` null sends no Authorization header. */
async function freezeApi(path: string, token: string | null = TOKEN) {
  const res = await fetch(`${h.rewind.url}/api/v1/freeze/${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

async function slash(text: string, user: string) {
  const before = h.slack.responses.length;
  const res = await h.slack.slashCommand(h.eventsUrl, { text, user_id: user, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
  const reply = await h.slack.waitFor(() => h.slack.responses.slice(before).find((r) => String(r.body.text ?? '') !== ''), { what: `the reply to ${text}` });
  return String(reply.body.text);
}

const card = (id: string) =>
  h.slack.waitFor(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`)), { what: `the card of ${id}` });

/** The "Deploy freezes" section of `user`'s published App Home. */
function freezesOnHome(user: string): string {
  const blocks = (h.slack.homeView(user)?.view.blocks ?? []) as { type: string; text?: { text?: string } }[];
  return blocks.find((b) => b.type === 'section' && b.text?.text?.startsWith('*Deploy freezes*'))?.text?.text ?? '';
}

/** Requests `/rollback <text>` as RB-1, has `approver` approve it and waits for it to finish; returns the finished rollback and its card. */
async function requestAndApprove(text: string, approver: string = USERS.lead, timeoutMs?: number) {
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  await waitForState(h, 'RB-1', ['awaiting_approval']);
  const posted = await eventually(async () => {
    const c = await card('RB-1');
    return readable(c).includes('rollback_approve') ? c : undefined;
  }, 'the card with its buttons');
  await h.slack.clickButton(h.eventsUrl, { user_id: approver, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
  return { done: await waitForState(h, 'RB-1', ['succeeded', 'failed'], timeoutMs), posted };
}

/** Rolls api production back (approved by the lead) and waits for the success. */
async function rollBackApi(): Promise<string> {
  const { done, posted } = await requestAndApprove('api production Error rate spiked after deploy');
  expect(done.state).toBe('succeeded');
  return posted.ts;
}

describe('deploy freeze after a rollback', () => {
  it('freezes the target on success, answers CI with 423 until an approver lifts it, and tells the war room', async () => {
    // Before any rollback: not frozen.
    expect(await freezeApi('api/production')).toEqual({
      status: 200,
      text: `${JSON.stringify({ frozen: false, service: 'api', environment: 'production' })}\n`,
    });

    const ts = await rollBackApi();

    const frozen = await eventually(async () => {
      const res = await freezeApi('api/production');
      return res.status === 423 ? (JSON.parse(res.text) as Record<string, unknown>) : undefined;
    }, 'the freeze API to answer 423');
    expect(frozen).toMatchObject({ frozen: true, by: USERS.requester, reason: 'Error rate spiked after deploy', rollback: 'RB-1' });
    const rb = await h.rewind.services.store.get('RB-1');
    expect(frozen.since).toBe(rb!.finishedAt);
    // Only the rolled-back target is held.
    expect((await freezeApi('api/staging')).status).toBe(200);

    // Missing or forged token: 401 and nothing about the freeze, whatever the target.
    for (const [path, token] of [
      ['api/production', null],
      ['api/production', 'not-the-token-0123456789abcdef'],
      ['api/production', `${TOKEN}x`],
      ['nosuch/production', 'wrong'],
    ] as const) {
      const res = await freezeApi(path, token);
      expect(res.status, `${path} with ${token ?? 'no token'}`).toBe(401);
      expect(res.text).not.toMatch(/RB-1|Error rate|frozen|U0REQ/);
    }

    // Unknown targets: 404 naming what exists.
    const unknown = await freezeApi('nosuch/production');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toMatch(/Unknown service \\"nosuch\\": use one of api, web, NewMatchingAlgorithm/);
    const noEnv = await freezeApi('api/qa');
    expect(noEnv.status).toBe(404);
    expect(noEnv.text).toMatch(/api has no environment \\"qa\\": use one of production, staging/);
    expect((await freezeApi('api')).status).toBe(404);
    const answered = (await h.rewind.services.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rewind_freeze_api_requests_total')!;
    const byStatus = Object.fromEntries(answered.values.map((v) => [v.labels.status, v.value]));
    expect(byStatus).toMatchObject({ '401': 4, '404': 3, '423': 1, '503': 0 });
    expect(byStatus['200']).toBeGreaterThanOrEqual(2);

    // The war room hears that deploys are held, once; the card and the App Home show it.
    const held = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, ts).filter((m) => m.text?.includes('Deploys held')), { what: 'the freeze line' });
    expect(held).toHaveLength(1);
    expect(held[0]!.text).toContain('/rollback unfreeze api production <reason>');
    const heldCard = await eventually(async () => {
      const text = readable(await card('RB-1'));
      return text.includes('Succeeded') && text.includes('Deploys held') ? text : undefined;
    }, 'the card to show the freeze');
    expect(heldCard).toContain('/rollback unfreeze api production');
    expect((await h.slack.appHomeOpened(h.eventsUrl, { user_id: USERS.lead })).status).toBe(200);
    const home = await eventually(() => freezesOnHome(USERS.lead).includes('api production') && freezesOnHome(USERS.lead), 'the freeze on the App Home');
    expect(home).toMatch(/:ice_cube: \*api production\* · held since .* by RB-1 \(<@U0REQ>\) · lift: `\/rollback unfreeze api production <reason>`/);

    // The post-mortem draft records the freeze.
    const upload = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, ts).find((m) => m.files?.length), { what: 'the post-mortem upload' });
    expect(upload.files![0]!.content).toMatch(/## Deploy Freeze\n\n- Deploys to api production held since .* UTC \(fix forward first\)/);

    // Someone without an approval role of api production is refused; the freeze stays.
    expect(await slash('unfreeze api production we are fine', USERS.requester)).toMatch(
      /Only someone who may approve rollbacks of api production \(1 from oncall or lead\)/,
    );
    expect(await slash('unfreeze api production', USERS.lead)).toMatch(/Say why deploys may resume/);
    expect((await freezeApi('api/production')).status).toBe(423);

    // An on-call engineer (through the user group) lifts it: announced in the war room, CI may deploy again.
    expect(await slash('unfreeze api production fix v2.0.2 is ready', USERS.oncallViaGroup)).toMatch(/Deploys to api production may resume/);
    expect(await freezeApi('api/production')).toMatchObject({ status: 200 });
    const lifted = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, ts).find((m) => m.text?.includes('lifted the deploy freeze')), {
      what: 'the unfreeze announcement',
    });
    expect(lifted.text).toMatch(
      new RegExp(
        `^\`\\d\\d:\\d\\d:\\d\\d\` :unlock: <@${USERS.oncallViaGroup}> lifted the deploy freeze on \\*api production\\* \\(set by RB-1\\): fix v2\\.0\\.2 is ready$`,
      ),
    );
    const broadcast = h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('lifted the deploy freeze'));
    expect(broadcast?.args.reply_broadcast).toBe('true');
    const timeline = await h.rewind.services.store.timeline('RB-1');
    expect(timeline.at(-1)).toMatchObject({ type: 'note', user: USERS.oncallViaGroup, message: 'Deploy freeze on api production lifted: fix v2.0.2 is ready' });
    await eventually(async () => readable(await card('RB-1')).includes(`lifted by <@${USERS.oncallViaGroup}>`), 'the card to show the lifted freeze');
    // The lead's open App Home follows the lift.
    await eventually(() => freezesOnHome(USERS.lead).includes('No deploys are held'), 'the App Home to drop the freeze');

    // Lifted means lifted: asking again says so, and a repeated after-outcome pass does not freeze it again.
    expect(await slash('unfreeze api production again', USERS.lead)).toMatch(/api production is not frozen/);
    await freezeAfterSuccess(h.rewind.services, (await h.rewind.services.store.get('RB-1'))!);
    expect((await freezeApi('api/production')).status).toBe(200);
    expect(h.slack.thread(WAR_ROOM, ts).filter((m) => m.text?.includes('lifted the deploy freeze'))).toHaveLength(1);
  });

  it('two approvers lifting at once: one lift, one announcement', async () => {
    const ts = await rollBackApi();
    await eventually(async () => (await freezeApi('api/production')).status === 423, 'the freeze');
    const results = await Promise.all(
      [USERS.lead, USERS.oncall].map((user) => unfreeze(h.rewind.services, { service: 'api', environment: 'production', user, reason: `fixed, says ${user}` })),
    );
    expect(results.filter((r) => 'lifted' in r)).toHaveLength(1);
    expect(results.filter((r) => 'none' in r)).toHaveLength(1);
    await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, ts).find((m) => m.text?.includes('lifted the deploy freeze')), { what: 'the announcement' });
    await eventually(async () => readable(await card('RB-1')).includes('lifted by'), 'the card to show the lift');
    expect(h.slack.thread(WAR_ROOM, ts).filter((m) => m.text?.includes('lifted the deploy freeze'))).toHaveLength(1);
    expect((await h.rewind.services.store.timeline('RB-1')).filter((e) => e.message.startsWith('Deploy freeze on api production lifted'))).toHaveLength(1);
  });

  it('a flag switch is not a deploy: it freezes nothing', async () => {
    const { done, posted } = await requestAndApprove('flag NewMatchingAlgorithm off production matching is wrong', USERS.oncall);
    expect(done.state).toBe('succeeded');
    await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('Internal notification')), { what: 'the outcome' });
    expect(h.slack.thread(WAR_ROOM, posted.ts).filter((m) => m.text?.includes('Deploys held'))).toEqual([]);
    expect((await freezeApi('NewMatchingAlgorithm/production')).status).toBe(200);
    expect(await new Freezes(h.rewind.services.redis, h.prefix).list()).toEqual([]);
  });

  it('freezes nothing when the rollback fails', async () => {
    h.health.status = 503;
    const { done, posted } = await requestAndApprove('api production broken');
    expect(done.state).toBe('failed');
    await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('RB-1 failed')), { what: 'the failure' });
    expect(await freezeApi('api/production')).toMatchObject({ status: 200 });
  });

  it('a stack freezes every component it changed, not the one that was already there', async () => {
    h.ssm.putParameter('/distrocv/prod/FeatureFlags/NewMatchingAlgorithm', 'false');
    const { done, posted } = await requestAndApprove('stack distrocv production Full regression', USERS.oncall, 30_000);
    expect(done.componentStates).toMatchObject({ matching: { state: 'unchanged' }, api: { state: 'succeeded' }, web: { state: 'succeeded' } });

    await eventually(async () => (await freezeApi('web/production')).status === 423, 'web production to be frozen');
    expect(JSON.parse((await freezeApi('api/production')).text)).toMatchObject({ frozen: true, rollback: 'RB-1', reason: 'Full regression' });
    expect(JSON.parse((await freezeApi('NewMatchingAlgorithm/production')).text)).toEqual({
      frozen: false,
      service: 'NewMatchingAlgorithm',
      environment: 'production',
    });
    const held = await h.slack.waitFor(() => h.slack.thread(WAR_ROOM, posted.ts).find((m) => m.text?.includes('Deploys held')), { what: 'the freeze line' });
    expect(held.text).toContain('*api production*, *web production*');
    expect(held.text).not.toContain('NewMatchingAlgorithm');

    // Lifting one leaves the other held; the card says which is which.
    expect(await slash('unfreeze web production hotfix deployed', USERS.lead)).toMatch(/Deploys to web production may resume/);
    expect((await freezeApi('web/production')).status).toBe(200);
    expect((await freezeApi('api/production')).status).toBe(423);
    const text = await eventually(async () => {
      const t = readable(await card('RB-1'));
      return t.includes('lifted by') ? t : undefined;
    }, 'the card to show the lifted freeze');
    expect(text).toMatch(/Deploy freeze on \*web production\* lifted by <@U0LEAD>.*hotfix deployed/);
    expect(text).toMatch(/Deploys held\* to \*api production\*/);
  });
});

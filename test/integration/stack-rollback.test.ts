import { DISTROCV_STACK } from '../support/catalogs.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness, waitForState } from '../support/harness.js';

/**
 * The runbooks' "Full stack" rollback as one request: a flag, an ECS service and a Kubernetes
 * app behind one card and one approval, run in parallel where `after` allows, on the real SDK
 * clients against the wire-level fakes.
 */

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function request(text: string) {
  const res = await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
}

const waitState = (id: string, states: string[]) => waitForState(h, id, states, 30_000);

async function cardWithButtons(id: string) {
  return eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    `the card of ${id}`,
  );
}

function approve(ts: string, user: string) {
  return h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: ts });
}

async function outcome(ts: string, id: string) {
  return eventually(
    () => h.slack.thread(WAR_ROOM, ts).find((m) => m.text?.includes(`${id} succeeded`) || m.text?.includes(`${id} failed`)),
    `the outcome of ${id}`,
    30_000,
  );
}

describe('stack rollback', () => {
  it('one card, one approval, every component once, in the order `after` asks, one outcome naming where each is', async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    await request('stack distrocv production Full regression after the 2.1 release');
    await waitState('RB-1', ['awaiting_approval']);
    const card = await cardWithButtons('RB-1');
    const text = readable(card);
    for (const part of ['*matching* (NewMatchingAlgorithm)', '*api* (api)', '*web* (web)', 'after matching', 'distrocv-api:3', 'distrocv-api:2'])
      expect(text).toContain(part);
    // The strictest component rule: the flag's `oncall` alone implies the services' `oncall or lead`.
    expect(text).toMatch(/1 from oncall/);
    expect(h.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts)).toHaveLength(1);

    await Promise.all([approve(card.ts, USERS.oncall), approve(card.ts, USERS.oncall)]);
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.componentStates).toMatchObject({ matching: { state: 'succeeded' }, api: { state: 'succeeded' }, web: { state: 'succeeded' } });

    // Each platform call exactly once; api only after the flag was off.
    const puts = h.ssm.callsTo('PutParameter');
    const updates = h.ecs.callsTo('UpdateService');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.input).toMatchObject({ Name: '/distrocv/prod/FeatureFlags/NewMatchingAlgorithm', Value: 'false' });
    expect(updates).toHaveLength(1);
    expect(updates[0]!.at).toBeGreaterThanOrEqual(puts[0]!.at);
    expect(String(h.ecs.service('distrocv-prod', 'api').taskDefinition)).toMatch(/distrocv-api:2$/);
    expect(h.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/deployments/skillancer-web'))).toHaveLength(1);

    const final = await outcome(card.ts, 'RB-1');
    expect(final.text).toContain('stack distrocv production is rolled back');
    for (const line of ['matching (NewMatchingAlgorithm): rolled back', 'api (api): rolled back, on distrocv-api:2', 'web (web): rolled back'])
      expect(final.text).toContain(line);
    // The undo renumbered web's revision: its line names the live one, as kubectl does, not the plan's.
    const webPlan = done.stack?.components.find((c) => c.name === 'web')?.plan;
    const webLive = done.componentStates?.web?.liveTarget;
    expect(webPlan?.target).toMatch(/^skillancer-web revision 2 /);
    expect(webLive).toMatch(/^skillancer-web revision 4 /);
    expect(final.text).toContain(`web (web): rolled back, on ${webLive}`);
    expect(final.text).not.toContain(webPlan?.target);
    // The card is re-rendered after the outcome (coalesced), so it may arrive a moment later.
    await eventually(
      () => readable(h.slack.messages(WAR_ROOM).find((m) => m.ts === card.ts)!).includes(`now \`${webLive}\``),
      'the card naming the live revision',
    );
    const thread = h.slack.thread(WAR_ROOM, card.ts).map((m) => m.text ?? '');
    for (const part of ['matching', 'api', 'web']) expect(thread.some((l) => l.includes(`*${part}* · :white_check_mark:`))).toBe(true);
    expect(thread.filter((l) => l.includes('RB-1 succeeded'))).toHaveLength(1);
    for (const target of ['distrocv/production', 'api/production', 'web/production', 'NewMatchingAlgorithm/production']) {
      expect(await h.rewind.services.locks.holder(target)).toBeNull();
    }
  });

  it('warns on the card when a component would move forward (api already rolled back by hand)', async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    h.ecs.deployNow('distrocv-prod', 'api', 'distrocv-api:2');
    await request('stack distrocv production Full regression');
    await waitState('RB-1', ['awaiting_approval']);
    const text = readable(await cardWithButtons('RB-1'));
    expect(text).toContain(
      'api: distrocv-api:3 is newer than the live distrocv-api:2: this moves api forward, not back (was it already rolled back by hand?). Reject it and ask with `to <revision>` unless that is intended.',
    );
    // The other components go back as usual and are not flagged.
    expect(text).not.toMatch(/(web|matching): .*moves .* forward/);
  });

  it('a failing component does not stop independent ones; its dependents are skipped and said so', async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    h.ssm.failNext('PutParameter', { code: 'AccessDeniedException', status: 400, message: 'not authorized to perform ssm:PutParameter' }, 5);
    await request('stack distrocv production Full regression');
    const card = await cardWithButtons('RB-1');
    await approve(card.ts, USERS.oncall);
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.state).toBe('failed');
    expect(done.componentStates).toMatchObject({ matching: { state: 'failed' }, api: { state: 'skipped' }, web: { state: 'succeeded' } });
    expect(done.error).toMatchObject({ name: 'StackIncomplete' });
    expect(done.error?.message).toMatch(/matching failed \(AccessDeniedException.*api skipped\. Rolled back: web\./);
    expect(done.error?.hint).toContain('/rollback stack distrocv production');

    // api never moved; web did.
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
    expect(String(h.ecs.service('distrocv-prod', 'api').taskDefinition)).toMatch(/distrocv-api:3$/);
    expect(h.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/deployments/skillancer-web'))).toHaveLength(1);

    const final = await outcome(card.ts, 'RB-1');
    expect(final.text).toContain('Where each component is now');
    expect(final.text).toContain('api (api): skipped, still on distrocv-api:3');
    expect(final.text).toContain('web (web): rolled back');
    expect(final.text).toMatch(/matching \(NewMatchingAlgorithm\): FAILED/);
    const thread = h.slack.thread(WAR_ROOM, card.ts).map((m) => m.text ?? '');
    expect(thread.some((l) => l.includes('*api* · :fast_forward: skipped: it runs after matching, which did not succeed'))).toBe(true);
    for (const target of ['distrocv/production', 'api/production', 'web/production', 'NewMatchingAlgorithm/production']) {
      expect(await h.rewind.services.locks.holder(target)).toBeNull();
    }
  });

  it('a component busy in another rollback refuses the whole stack and points at the holder', async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    await request('api production Error rate spiked');
    await waitState('RB-1', ['awaiting_approval']);
    await request('stack distrocv production Full regression');
    const reply = await eventually(
      () => h.slack.responses.map((r) => String(r.body.text ?? '')).find((t) => t.includes('already being rolled back')),
      'the busy reply',
    );
    expect(reply).toMatch(/api production is already being rolled back by RB-1/);
    expect(await h.rewind.services.locks.holder('web/production')).toBeNull();
    expect(await h.rewind.services.locks.holder('distrocv/production')).toBeNull();
  });
});

describe('retrying a stack', () => {
  it('re-runs only what did not succeed, under the same approval while it is fresh', { timeout: 60_000 }, async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    h.ssm.failNext('PutParameter', { code: 'AccessDeniedException', status: 400, message: 'not authorized to perform ssm:PutParameter' });
    await request('stack distrocv production Full regression');
    const card = await cardWithButtons('RB-1');
    await approve(card.ts, USERS.oncall);
    expect((await waitState('RB-1', ['succeeded', 'failed'])).state).toBe('failed');

    await request('retry RB-1 IAM fixed');
    const retried = await waitState('RB-2', ['succeeded', 'failed']);
    expect(retried.state).toBe('succeeded');
    expect(retried.retryOf).toBe('RB-1');
    expect(retried.reason).toBe('Retry of RB-1 (matching, api): IAM fixed');
    expect(retried.stack?.components.map((c) => c.name)).toEqual(['matching', 'api']);
    expect(retried.approvals.map((a) => a.user)).toEqual([USERS.oncall]);
    // web succeeded the first time and is not touched again; the flag and api run once each now.
    expect(h.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/deployments/skillancer-web'))).toHaveLength(1);
    expect(h.ssm.callsTo('PutParameter').filter((c) => !c.error)).toHaveLength(1);
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    const retryCard = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-2')), 'the card of RB-2');
    const thread = await eventually(() => {
      const t = h.slack.thread(WAR_ROOM, retryCard.ts).map((m) => m.text ?? '');
      return t.some((l) => l.includes('RB-2 succeeded')) ? t : undefined;
    }, 'the outcome of RB-2');
    expect(thread.some((l) => l.includes(`Approved by <@${USERS.oncall}> on RB-1, still within the approval window`))).toBe(true);

    await request('retry RB-2');
    const refused = await eventually(
      () => h.slack.responses.map((r) => String(r.body.text ?? '')).find((t) => t.includes('only a rollback that failed')),
      'the refusal',
    );
    expect(refused).toMatch(/RB-2 is succeeded: only a rollback that failed while running can be retried/);
  });
});

describe('a component already where the stack would take it', () => {
  it('is planned as unchanged and the rest of the stack runs (a flag switched off by hand first)', async () => {
    h = await startHarness({ catalog: (yaml) => yaml + DISTROCV_STACK });
    h.ssm.putParameter('/distrocv/prod/FeatureFlags/NewMatchingAlgorithm', 'false');
    await request('stack distrocv production Full regression');
    const card = await cardWithButtons('RB-1');
    expect(readable(card)).toMatch(/\*matching\* \(NewMatchingAlgorithm\) · :white_check_mark: unchanged/);
    expect(readable(card)).toContain('already');
    await approve(card.ts, USERS.oncall);
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(done.componentStates).toMatchObject({ matching: { state: 'unchanged' }, api: { state: 'succeeded' }, web: { state: 'succeeded' } });
    expect(h.ssm.callsTo('PutParameter')).toHaveLength(0);
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    expect((await outcome(card.ts, 'RB-1')).text).toMatch(/matching \(NewMatchingAlgorithm\): already there, nothing to change/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const IMAGE = (tag: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/distrocv-api:${tag}`;

async function command(text: string, user = USERS.requester) {
  const before = h.slack.responses.length;
  const res = await h.slack.slashCommand(h.eventsUrl, { text, user_id: user, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
  return eventually(
    () =>
      h.slack.responses
        .slice(before)
        .map((r) => String(r.body.text))
        .join('\n') || undefined,
    `a reply to "/rollback ${text}"`,
  );
}

async function state(id: string, states: string[]) {
  return eventually(
    async () => {
      const rb = await h.rewind.services.store.get(id);
      return rb && states.includes(rb.state) ? rb : undefined;
    },
    `${id} in ${states.join('/')}`,
  );
}

async function awaitingCard(id: string) {
  await state(id, ['awaiting_approval']);
  return eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    `card of ${id}`,
  );
}

const approveAs = (user: string, id: string, ts: string) =>
  h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: ts });

const threadText = (ts: string) =>
  h.slack
    .thread(WAR_ROOM, ts)
    .map((m) => m.text ?? '')
    .join('\n');

describe('what /rollback refuses, and how it says so', () => {
  it('names unknown services, environments and malformed versions with the valid choices', async () => {
    expect(await command('apx production')).toMatch(/Unknown service `apx`.*Did you mean `api`\?.*Known services: `api`/s);
    expect(await command('api prod')).toMatch(/`api` has no environment `prod`.*`production`, `staging`/s);
    expect(await command('api production to')).toMatch(/`to` needs a version after it/);
    expect(await command('api production to $(reboot)')).toMatch(/is not a valid version/);
    expect(await command('help')).toMatch(/\/rollback <service> <environment> to <version>/);
    expect(await h.rewind.services.store.recent(10)).toEqual([]);
  });

  it('refuses a revision that does not exist, lists the real ones and frees the target', async () => {
    await command('api production to 99 bad deploy');
    const reply = await eventually(() => h.slack.responses.map((r) => String(r.body.text)).find((t) => t.includes('was not started')), 'the refusal');
    expect(reply).toMatch(/RB-1 was not started/);
    expect(reply).toMatch(/distrocv-api:2/);
    expect((await state('RB-1', ['failed'])).error?.name).toBe('PlanRefused');
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
  });

  it('says what to do when the platform refuses to be read at plan time', async () => {
    h.ecs.failNext('DescribeServices', {
      type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:role/rewind is not authorized to perform: ecs:DescribeServices',
    });
    await command('api production denied read');
    const reply = await eventually(() => h.slack.responses.map((r) => String(r.body.text)).find((t) => t.includes('was not started')), 'the refusal');
    expect(reply).toMatch(/AccessDeniedException/);
    expect(reply).toMatch(/What you can do: .*ecs:DescribeServices|What you can do: .*IAM/s);
    expect((await state('RB-1', ['failed'])).error?.name).toBe('AccessDeniedException');
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
    // Rewind's own IAM is at fault, not the request: the war room hears it once, with the fix.
    const alert = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts), 'the war-room line');
    expect(alert.text).toMatch(
      new RegExp(
        `^:no_entry: Rewind could not plan api production for <@${USERS.requester}> \\(RB-1\\): AccessDeniedException: .*not authorized to perform: ecs:DescribeServices\\. Fix: `,
      ),
    );
    expect(h.slack.messages(WAR_ROOM)).toHaveLength(1);
  });

  it('refuses a second rollback of a target that is already rolling back, pointing at the first', async () => {
    await command('api production first');
    await awaitingCard('RB-1');
    const reply = await command('api production second', USERS.lead);
    expect(reply).toMatch(/already being rolled back by RB-1/);
    expect(reply).toMatch(/\/rollback status RB-1/);
    expect(await h.rewind.services.store.get('RB-2')).toBeUndefined();
    // Another environment of the same service is a different target.
    await command('api staging unrelated');
    expect((await state('RB-3', ['awaiting_approval', 'failed'])).target).toBe('api/staging');
  });

  it('answers 401 to forged and stale requests, and ignores a retried command', async () => {
    const forged = await h.slack.slashCommand(
      h.eventsUrl,
      { text: 'api production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' },
      { signature: 'v0=forged' },
    );
    expect(forged.status).toBe(401);
    const stale = await h.slack.slashCommand(
      h.eventsUrl,
      { text: 'api production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect(stale.status).toBe(401);
    const first = await h.slack.slashCommand(h.eventsUrl, { text: 'api production retried', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    await h.slack.slashCommand(
      h.eventsUrl,
      { text: 'api production retried', user_id: USERS.requester, channel_id: 'C0DEVCHAT' },
      { sameTriggerAs: first, retryNum: 1 },
    );
    await awaitingCard('RB-1');
    expect((await h.rewind.services.store.recent(10)).map((r) => r.id)).toEqual(['RB-1']);
    expect(h.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts && readable(m).includes('Rollback RB-'))).toHaveLength(1);
  });

  it('stops and asks for a new plan when the service moved after planning', async () => {
    await command('api production drift');
    const posted = await awaitingCard('RB-1');
    const td4 = h.ecs.registerTaskDefinition('distrocv-api', [{ name: 'api', image: IMAGE('v2.0.2') }]);
    h.ecs.deployNow('distrocv-prod', 'api', td4);
    await approveAs(USERS.lead, 'RB-1', posted.ts);
    const rb = await state('RB-1', ['failed', 'succeeded']);
    expect(rb.error?.name).toBe('PlanDrift');
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(0);
    await eventually(() => threadText(posted.ts).includes('Ask for a new plan'), 'the drift explanation in the thread');
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  });

  it('fails plainly when the circuit breaker puts the service back, and unlocks the target', async () => {
    h.ecs.setImageBehaviour(IMAGE('v2.0.0'), 'crashloop');
    await command('api production crashloop');
    const posted = await awaitingCard('RB-1');
    await approveAs(USERS.oncall, 'RB-1', posted.ts);
    const rb = await state('RB-1', ['failed', 'succeeded']);
    expect(rb.state).toBe('failed');
    expect(rb.error?.name).toMatch(/RolloutFailed|CircuitBreakerRolledBack/);
    expect(rb.error?.stepId).toBe('wait-stable');
    const thread = await eventually(
      () => (threadText(posted.ts).includes('Internal notification') ? threadText(posted.ts) : undefined),
      'the failure message and notification',
    );
    expect(thread).toMatch(/RB-1 failed.*\n\*What you can do:\*/);
    expect(thread).toMatch(/Current Status: failed/);
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  });

  it('reports an AWS refusal by name and message, without retrying a permanent error', async () => {
    h.ecs.failNext('UpdateService', {
      type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:role/rewind is not authorized to perform: ecs:UpdateService',
    });
    await command('api production denied');
    const posted = await awaitingCard('RB-1');
    await approveAs(USERS.oncall, 'RB-1', posted.ts);
    const rb = await state('RB-1', ['failed', 'succeeded']);
    expect(rb.error?.name).toBe('AccessDeniedException');
    expect(rb.error?.message).toContain('not authorized to perform: ecs:UpdateService');
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    await eventually(() => threadText(posted.ts).includes('AccessDeniedException'), 'the AWS error in the thread');
  });

  it('fails verification when the health check does not pass', async () => {
    h.health.status = 503;
    await command('api production unhealthy');
    const posted = await awaitingCard('RB-1');
    await approveAs(USERS.oncall, 'RB-1', posted.ts);
    const rb = await state('RB-1', ['failed', 'succeeded']);
    expect(rb.error?.name).toBe('VerificationFailed');
    expect(rb.error?.message).toMatch(/503 \(expected 200\)/);
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
  });

  it('lets the requester cancel, frees the target and shows the audit trail in status', async () => {
    await command('api production to 1 try the oldest');
    const posted = await awaitingCard('RB-1');
    await h.slack.clickButton(h.eventsUrl, { user_id: USERS.requester, action_id: 'rollback_cancel', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
    await state('RB-1', ['cancelled']);
    expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
    const status = await command('status RB-1');
    expect(status).toMatch(/RB-1.*Cancelled/s);
    expect(status).toMatch(/Requested by <@U0REQ> \(to 1\)/);
    expect(status).toMatch(/Cancelled by <@U0REQ>/);
    expect(await command('status RB-77')).toMatch(/No rollback RB-77/);
  });

  it('answers /healthz with Redis reachability', async () => {
    const res = await fetch(`${h.rewind.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, redis: 'reachable' });
  });
});

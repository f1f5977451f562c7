import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, waitForState, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  // A short wait so the rollback gives up quickly when the deployment is stuck.
  h = await startHarness({ catalog: (yaml) => yaml.replace('      pollInterval: 50ms\n', '      pollInterval: 50ms\n      stableTimeout: 1s\n') });
});
afterEach(async () => {
  await h.close();
});

const CLUSTER = 'distrocv-prod';
const SERVICE = 'api';

async function slash(text: string, user = USERS.requester) {
  const res = await h.slack.slashCommand(h.eventsUrl, { text, user_id: user, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
}

/** The card of `id` once it has its buttons. */
const cardOf = (id: string) =>
  eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    `the card of ${id}`,
  );

const approve = (id: string, ts: string, user: string) =>
  h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: ts });

const sections = (blocks: unknown[] = []) => (blocks as { text?: { text?: string } }[]).map((b) => b.text?.text ?? '').join('\n');

const deploymentConfiguration = () => h.ecs.service(CLUSTER, SERVICE).deploymentConfiguration as { minimumHealthyPercent: number; maximumPercent: number };

/** RB-1: the rollback of api to distrocv-api:2 sticks, as on a cluster with no room for one more task. */
async function stuckRollback() {
  h.ecs.setCapacity(CLUSTER, SERVICE, 3);
  await slash('api production errors after v2.0.1');
  const card = await cardOf('RB-1');
  await approve('RB-1', card.ts, USERS.oncall);
  const rb = await waitForState(h, 'RB-1', ['failed', 'succeeded']);
  expect(rb.error?.name).toBe('StabilityTimeout');
  return card;
}

describe('ECS "Kill stuck deployment"', () => {
  it('offers it under a stuck rollback; files it on its own card with the risk; the service rule approves it; it runs once and restores the configuration', async () => {
    const stuckCard = await stuckRollback();
    const nextSteps = await eventually(
      () => h.slack.thread(WAR_ROOM, stuckCard.ts).find((m) => m.text?.includes('Next steps for RB-1') && readable(m).includes('rollback_kill_stuck')),
      'the Kill stuck deployment button',
    );
    expect(nextSteps.text).toContain('`/rollback kill-stuck RB-1`');
    expect(nextSteps.text).toContain('All tasks stop at once: downtime until the new ones pass health checks.');

    await h.slack.clickButton(h.eventsUrl, {
      user_id: USERS.requester,
      action_id: 'rollback_kill_stuck',
      value: 'RB-1',
      channel: WAR_ROOM,
      message_ts: nextSteps.ts,
    });
    const card = await cardOf('RB-2');
    const text = sections(card.blocks);
    expect(text).toContain('Kill the stuck deployment of api (RB-1): stop all 3 running tasks at once, start 3 new tasks of distrocv-api:2');
    expect(text).toContain(
      'Deployment configuration: minimumHealthyPercent=100,maximumPercent=200 → minimumHealthyPercent=0,maximumPercent=100 for this deployment, then back to minimumHealthyPercent=100,maximumPercent=200',
    );
    expect(text).toContain('Downtime: all tasks of api stop at once. api serves nothing until the new tasks pass their health checks.');
    expect(text).toContain('*Needs*: 1 from oncall or lead (api production rule), never the requester');
    const rb2 = await h.rewind.services.store.get('RB-2');
    expect(rb2).toMatchObject({ service: 'api', environment: 'production', options: { killStuck: 'RB-1' }, approvals: [] });

    // The requester (who pressed the button) cannot approve it; the service's rule can.
    const updatesBefore = h.ecs.callsTo('UpdateService').length;
    await approve('RB-2', card.ts, USERS.requester);
    await eventually(() => h.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === USERS.requester), 'the refusal to the requester');
    expect((await h.rewind.services.store.get('RB-2'))?.state).toBe('awaiting_approval');
    await approve('RB-2', card.ts, USERS.lead);
    const done = await waitForState(h, 'RB-2', ['failed', 'succeeded']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');

    const updates = h.ecs.callsTo('UpdateService').slice(updatesBefore);
    expect(updates.map((c) => ({ force: c.input.forceNewDeployment, config: c.input.deploymentConfiguration }))).toEqual([
      { force: true, config: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 0, maximumPercent: 100 } },
      { force: undefined, config: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 200 } },
    ]);
    expect(deploymentConfiguration()).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 200 });
    const service = h.ecs.service(CLUSTER, SERVICE) as { runningCount: number; deployments: { taskDefinition: string }[] };
    expect(service.runningCount).toBe(3);
    expect(service.deployments.map((d) => d.taskDefinition.split('/').pop())).toEqual(['distrocv-api:2']);
  });

  it('restores the configuration when the forced deployment does not settle either', async () => {
    await stuckRollback();
    await slash('kill-stuck RB-1 still stuck');
    const card = await cardOf('RB-2');
    // Room for only two tasks now: even with every old task stopped, the third never starts.
    h.ecs.setCapacity(CLUSTER, SERVICE, 2);
    await approve('RB-2', card.ts, USERS.oncall);
    const rb = await waitForState(h, 'RB-2', ['failed', 'succeeded']);
    expect(rb.state).toBe('failed');
    expect(rb.error).toMatchObject({ name: 'StabilityTimeout', stepId: 'wait-restore' });
    expect(deploymentConfiguration()).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 200 });
  });

  it('refuses a rollback that is not stuck, saying why', async () => {
    await slash('api production errors after v2.0.1');
    const card = await cardOf('RB-1');
    await approve('RB-1', card.ts, USERS.oncall);
    await waitForState(h, 'RB-1', ['succeeded']);
    await slash('kill-stuck RB-1');
    const reply = await eventually(() => h.slack.responses.map((r) => String(r.body.text)).find((t) => t.includes('no stuck deployment')), 'the refusal');
    expect(reply).toContain('RB-1 is not an ECS rollback stuck waiting for steady state (succeeded), so there is no stuck deployment to kill.');
    expect(await h.rewind.services.store.get('RB-2')).toBeUndefined();
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { killAll, spawnRewind, type RewindProcess } from '../support/processes.js';

/**
 * A stack rollback on real processes and a real Redis, its worker SIGKILLed while all of its
 * components are mid-step: a fresh worker resumes each from the journal, and every platform
 * change still happens once, the outcome is said once and no target stays locked.
 */

/** Three components of three drivers, no `after`: all run at once. */
const STACK = `
stacks:
  distrocv:
    production:
      components:
        api: { service: api }
        web: { service: web }
        matching: { flag: NewMatchingAlgorithm, action: off }
`;
const PARAMETER = '      parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm\n';
/** The flag gets a health check of its own, so it too has a step in progress after its PutParameter. */
const catalog = (yaml: string) => {
  const health = /health: \{ url: ([^,]+),/.exec(yaml)![1];
  return yaml.replace(PARAMETER, `${PARAMETER}      health: { url: ${health}, attempts: 20, interval: 500ms }\n`) + STACK;
};
const TARGETS = ['distrocv/production', 'api/production', 'web/production', 'NewMatchingAlgorithm/production'];
/** Each component's step in progress when the worker dies: its change is made, its wait is not over. */
const IN_PROGRESS = { api: 'api/wait-stable', web: 'web/rollout-status', matching: 'matching/verify-health' };

let h: Harness | undefined;
afterEach(async () => {
  killAll();
  await h?.close();
  h = undefined;
});

const patchesOf = (deployment: string) => h!.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/deployments/${deployment}`));

async function spawnAll(): Promise<RewindProcess> {
  // Reconcile every second so the orphaned run is picked up quickly; SSM on its fake like ECS.
  return spawnRewind(h!, { role: 'all', env: { REWIND_RECONCILE_MS: '1000', AWS_ENDPOINT_URL_SSM: h!.ssm.url } });
}

describe('a stack rollback whose worker is SIGKILLed mid-step', () => {
  it('resumes every component in a fresh worker: each platform change once, one outcome, no lock left', { timeout: 60_000 }, async () => {
    // ECS replaces a task a second; the Kubernetes controller is held after the PATCH; the flag's health check fails until released.
    h = await startHarness({ role: 'web', tickMs: 1000, kubeTickMs: 20, catalog });
    const first = await spawnAll();
    await h.slack.slashCommand(first.eventsUrl, { text: 'stack distrocv production fault drill', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    const card = await eventually(
      () => h!.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-1') && readable(m).includes('rollback_approve')),
      'the card',
      30_000,
    );
    h.kube.holdController(true);
    h.health.status = 503;
    await h.slack.clickButton(first.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });

    const journal = () => h!.rewind.services.journal.all('RB-1');
    await eventually(
      async () => {
        const steps = await journal();
        return Object.values(IN_PROGRESS).every((key) => steps[key]?.status === 'started');
      },
      'all three components mid-step',
      30_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    // Dead with all three changes made and none of the three waits over.
    const steps = await journal();
    for (const key of Object.values(IN_PROGRESS)) expect(steps[key]?.status).toBe('started');
    expect(steps['api/update-service']?.status).toBe('done');
    expect(steps['web/rollout-undo']?.status).toBe('done');
    expect(steps['matching/put']?.status).toBe('done');
    const dead = await h.rewind.services.store.get('RB-1');
    expect(dead?.state).toBe('running');
    expect(dead?.componentStates).toMatchObject({ api: { state: 'running' }, web: { state: 'running' }, matching: { state: 'running' } });

    h.kube.holdController(false);
    h.health.status = 200;
    await spawnAll();
    const done = await eventually(
      async () => {
        const rb = await h!.rewind.services.store.get('RB-1');
        return rb && ['succeeded', 'failed', 'cancelled'].includes(rb.state) ? rb : undefined;
      },
      'RB-1 to end',
      30_000,
    );
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.componentStates).toMatchObject({ api: { state: 'succeeded' }, web: { state: 'succeeded' }, matching: { state: 'succeeded' } });

    // Each platform change exactly once, across both workers.
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(patchesOf('skillancer-web')).toHaveLength(1);
    expect(patchesOf('skillancer-api')).toHaveLength(1);
    expect(h.ssm.callsTo('PutParameter')).toHaveLength(1);
    expect(String(h.ecs.service('distrocv-prod', 'api').taskDefinition)).toMatch(/distrocv-api:2$/);

    const thread = () =>
      h!.slack
        .thread(WAR_ROOM, card.ts)
        .map((m) => m.text ?? '')
        .join('\n');
    await eventually(() => thread().includes('RB-1 succeeded') && thread().includes('Post-mortem draft'), 'the outcome and the post-mortem', 30_000);
    // Give a late duplicate the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(thread().match(/RB-1 succeeded/g)).toHaveLength(1);
    // The steps in progress were taken up again, each in its own component.
    for (const component of Object.keys(IN_PROGRESS))
      expect(thread()).toMatch(new RegExp(`\\*${component}\\* · :hourglass_flowing_sand: [^\\n]*\\(again, after an interruption\\)`));
    for (const target of TARGETS) expect(await h.rewind.services.locks.holder(target)).toBeNull();
  });
});

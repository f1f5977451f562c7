import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { killAll, spawnRewind } from '../support/processes.js';

let h: Harness;

beforeEach(async () => {
  // The web role runs here; workers are real `src/main.ts` processes configured only by env.
  h = await startHarness({ role: 'web', tickMs: 1000 });
});
afterEach(async () => {
  killAll();
  await h.close();
});

/** Requests and approves a rollback, kills the worker once `waitStep` has started, starts a new one, returns the finished record. */
async function killMidRollout(text: string, approver: string, waitStep: string) {
  const first = await spawnRewind(h, { role: 'worker' });
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')),
    'the card with its buttons',
    30_000,
  );
  await h.slack.clickButton(h.eventsUrl, { user_id: approver, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  await eventually(async () => (await h.rewind.services.journal.all('RB-1'))[waitStep]?.status === 'started', `${waitStep} to start`, 30_000);
  first.child.kill('SIGKILL');
  await first.exited;
  expect((await h.rewind.services.store.get('RB-1'))?.state).toBe('running');

  await spawnRewind(h, { role: 'worker' });
  const done = await eventually(
    async () => {
      const rb = await h.rewind.services.store.get('RB-1');
      return rb && ['succeeded', 'failed'].includes(rb.state) ? rb : undefined;
    },
    'the resumed rollback to finish',
    45_000,
  );
  return { card, done };
}

it('resumes from the step journal after the worker is SIGKILLed mid-rollback, without repeating UpdateService', { timeout: 60_000 }, async () => {
  // Killed mid-rollout: UpdateService done, the wait for steady state under way.
  const { card: posted, done } = await killMidRollout('api production crash drill', USERS.oncall, 'wait-stable');
  expect(done.error).toBeUndefined();
  expect(done.state).toBe('succeeded');
  expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
  const journal = await h.rewind.services.journal.all('RB-1');
  expect(Object.values(journal).map((s) => s.status)).toEqual(['done', 'done', 'done']);
  expect(await h.rewind.services.locks.holder('api/production')).toBeNull();
  const thread = await eventually(
    () => {
      const text = h.slack
        .thread(WAR_ROOM, posted.ts)
        .map((m) => m.text ?? '')
        .join('\n');
      return text.includes('RB-1 succeeded') ? text : undefined;
    },
    'the success message',
    15_000,
  );
  expect(thread).toMatch(/again, after an interruption/);
  expect(thread.match(/RB-1 succeeded/g)).toHaveLength(1);
});

it('resumes a Kubernetes rollout after the worker is SIGKILLed mid-rollout, without a second undo', { timeout: 60_000 }, async () => {
  const { done } = await killMidRollout('web production crash drill', USERS.lead, 'rollout-status');
  expect(done.error).toBeUndefined();
  expect(done.state).toBe('succeeded');
  const patches = h.kube.calls.filter((c) => c.method === 'PATCH');
  expect(patches).toHaveLength(2); // one JSON patch per Deployment, never repeated
  for (const app of ['web', 'api']) {
    expect(h.kube.replicaSets('production', `skillancer-${app}`)).toHaveLength(3);
  }
  expect(await h.rewind.services.locks.holder('web/production')).toBeNull();
});

import { expect } from 'vitest';
import type { Rollback } from '../../src/domain/rollback.js';
import { eventually, readable, USERS, WAR_ROOM, type Harness } from './harness.js';
import type { PrivateRedis } from './private-redis.js';
import { killAll, type RewindProcess } from './processes.js';

/**
 * What the fault tests share (test/integration/faults*.test.ts): the fakes and processes of the
 * test in progress, and the end state every fault must leave.
 * REWIND_FAULT_ROUNDS repeats each crash boundary; REWIND_FAULT_SLACK_OUTAGE_MS sets the outage.
 */
export const ROUNDS = Number(process.env.REWIND_FAULT_ROUNDS ?? 1);
export const SLACK_OUTAGE_MS = Number(process.env.REWIND_FAULT_SLACK_OUTAGE_MS ?? 60_000);
/** Child processes reconcile every second so a crash's orphan is picked up quickly. */
export const CHILD_ENV = { REWIND_RECONCILE_MS: '1000' };

/** The test in progress: its harness and, when it runs its own, its Redis. */
export const scene: { h?: Harness; redis?: PrivateRedis } = {};

/** After each test: every spawned process killed, the harness closed, its Redis stopped. */
export async function resetScene(): Promise<void> {
  killAll();
  await scene.h?.close();
  await scene.redis?.stop();
  scene.h = undefined;
  scene.redis = undefined;
}

export const store = () => scene.h!.rewind.services.store;

export async function request(proc: RewindProcess, text = 'api production fault drill'): Promise<void> {
  await scene.h!.slack.slashCommand(proc.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
}

export function card() {
  return scene.h!.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve'));
}

export async function approve(proc: RewindProcess): Promise<void> {
  const posted = await eventually(card, 'the card with its buttons', 30_000);
  await scene.h!.slack.clickButton(proc.eventsUrl, {
    user_id: USERS.oncall,
    action_id: 'rollback_approve',
    value: 'RB-1',
    channel: WAR_ROOM,
    message_ts: posted.ts,
  });
}

export async function finished(id = 'RB-1', timeoutMs = 45_000): Promise<Rollback> {
  return eventually(
    async () => {
      const rb = await store().get(id);
      return rb && ['succeeded', 'failed', 'cancelled', 'rejected', 'expired'].includes(rb.state) ? rb : undefined;
    },
    `${id} to end`,
    timeoutMs,
  );
}

/** The end state every fault must leave: one card, one success, one UpdateService, the target free. */
export async function expectCleanEnd(id = 'RB-1', timeoutMs = 45_000): Promise<void> {
  const rb = await finished(id, timeoutMs);
  expect(rb.error).toBeUndefined();
  expect(rb.state).toBe('succeeded');
  expect(scene.h!.ecs.callsTo('UpdateService')).toHaveLength(1);
  expect(await scene.h!.rewind.services.locks.holder(rb.target)).toBeNull();
  const cards = scene.h!.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`));
  expect(cards).toHaveLength(1);
  const thread = () =>
    scene
      .h!.slack.thread(WAR_ROOM, cards[0]!.ts)
      .map((m) => m.text ?? '')
      .join('\n');
  await eventually(
    () => thread().includes(`${id} succeeded`) && thread().includes('Internal notification') && thread().includes('Post-mortem draft'),
    'the outcome, the notification and the post-mortem in the thread',
    timeoutMs,
  );
  // Give a late duplicate the chance to show up before counting.
  await new Promise((r) => setTimeout(r, 500));
  expect(thread().match(new RegExp(`${id} succeeded`, 'g'))).toHaveLength(1);
  expect(thread().match(/Internal notification/g)).toHaveLength(1);
  expect(thread().match(/Post-mortem draft for/g)).toHaveLength(1);
  expect(thread().match(/Next steps for/g)).toHaveLength(1);
}

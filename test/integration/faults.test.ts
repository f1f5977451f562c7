import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rollback } from '../../src/domain/rollback.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { killAll, spawnRewind, type RewindProcess } from '../support/processes.js';

/**
 * Faults at every boundary, on real processes and a real Redis: each rollback ends terminal,
 * with 0 repeated platform calls, 0 duplicate outcomes and 0 leaked locks.
 * REWIND_FAULT_ROUNDS repeats each crash boundary; REWIND_FAULT_SLACK_OUTAGE_MS sets the outage.
 */
const ROUNDS = Number(process.env.REWIND_FAULT_ROUNDS ?? 1);
const SLACK_OUTAGE_MS = Number(process.env.REWIND_FAULT_SLACK_OUTAGE_MS ?? 60_000);
/** Child processes reconcile every second so a crash's orphan is picked up quickly. */
const CHILD_ENV = { REWIND_RECONCILE_MS: '1000' };

let h: Harness | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  killAll();
  await h?.close();
  await redis?.stop();
  h = undefined;
  redis = undefined;
});

const store = () => h!.rewind.services.store;

async function request(proc: RewindProcess, text = 'api production fault drill'): Promise<void> {
  await h!.slack.slashCommand(proc.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
}

function card() {
  return h!.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve'));
}

async function approve(proc: RewindProcess): Promise<void> {
  const posted = await eventually(card, 'the card with its buttons', 30_000);
  await h!.slack.clickButton(proc.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: posted.ts });
}

async function finished(id = 'RB-1', timeoutMs = 45_000): Promise<Rollback> {
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
async function expectCleanEnd(id = 'RB-1', timeoutMs = 45_000): Promise<void> {
  const rb = await finished(id, timeoutMs);
  expect(rb.error).toBeUndefined();
  expect(rb.state).toBe('succeeded');
  expect(h!.ecs.callsTo('UpdateService')).toHaveLength(1);
  expect(await h!.rewind.services.locks.holder(rb.target)).toBeNull();
  const cards = h!.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`));
  expect(cards).toHaveLength(1);
  const thread = () =>
    h!.slack
      .thread(WAR_ROOM, cards[0]!.ts)
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

describe.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('a process SIGKILLed at each boundary (round %i)', () => {
  it('right after the request is stored: the reconciler plans it', { timeout: 90_000 }, async () => {
    h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(h, { role: 'all', failpoint: 'request-stored', env: CHILD_ENV });
    await request(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('requested');
    const second = await spawnRewind(h, { role: 'all', env: CHILD_ENV });
    await approve(second);
    await expectCleanEnd();
  });

  it('right after the approval is written: the reconciler starts it', { timeout: 90_000 }, async () => {
    h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(h, { role: 'all', failpoint: 'approve-written', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('approved');
    await spawnRewind(h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });

  it('mid-step, after UpdateService: the next worker resumes without repeating it', { timeout: 90_000 }, async () => {
    h = await startHarness({ role: 'web', tickMs: 200 });
    const first = await spawnRewind(h, { role: 'all', failpoint: 'step-started:wait-stable', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('running');
    await spawnRewind(h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });

  it('between posting the outcome and marking it delivered: it is found in Slack, not posted again', { timeout: 90_000 }, async () => {
    h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(h, { role: 'all', failpoint: 'outbox-posted:succeeded*', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    await spawnRewind(h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });
});

describe('Redis and Slack faults', () => {
  it('Redis restarted (with AOF) mid-rollback: the rollback finishes once', { timeout: 90_000 }, async () => {
    const aofDir = mkdtempSync(join(tmpdir(), 'rewind-aof-'));
    redis = await startPrivateRedis({ aofDir });
    h = await startHarness({ role: 'web', tickMs: 300, redisUrl: redis.url });
    const proc = await spawnRewind(h, { role: 'all', redisUrl: redis.url, env: CHILD_ENV });
    await request(proc);
    await approve(proc);
    await eventually(async () => (await h!.rewind.services.journal.all('RB-1'))['wait-stable']?.status === 'started', 'the wait to start', 30_000);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    redis = await startPrivateRedis({ aofDir, port: redis.port });
    await expectCleanEnd();
  });

  it('Redis unavailable for a few seconds under two workers: executed once, announced once', { timeout: 90_000 }, async () => {
    redis = await startPrivateRedis({ aofDir: mkdtempSync(join(tmpdir(), 'rewind-aof-')) });
    h = await startHarness({ role: 'web', tickMs: 300, redisUrl: redis.url });
    const proc = await spawnRewind(h, { role: 'all', redisUrl: redis.url, env: CHILD_ENV });
    await spawnRewind(h, { role: 'worker', redisUrl: redis.url, env: CHILD_ENV });
    await request(proc);
    await approve(proc);
    await eventually(async () => (await h!.rewind.services.journal.all('RB-1'))['wait-stable']?.status === 'started', 'the wait to start', 30_000);
    // Frozen past every lease (job locks 1.5 s): on waking, BullMQ hands the job to a new run.
    process.kill(redis.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 4000));
    process.kill(redis.pid, 'SIGCONT');
    await expectCleanEnd();
  });

  it(
    `Slack answering 500 for ${SLACK_OUTAGE_MS / 1000} s after the first step: execution goes on, the outcome arrives once Slack is back`,
    { timeout: SLACK_OUTAGE_MS + 90_000 },
    async () => {
      h = await startHarness({ tickMs: 50 });
      await request({ eventsUrl: h.eventsUrl } as RewindProcess);
      await approve({ eventsUrl: h.eventsUrl } as RewindProcess);
      await eventually(async () => (await h!.rewind.services.journal.all('RB-1'))['update-service']?.status === 'done', 'UpdateService to be done', 30_000);
      h.slack.outage(SLACK_OUTAGE_MS);
      const outageEnds = Date.now() + SLACK_OUTAGE_MS;
      const rb = await finished('RB-1', SLACK_OUTAGE_MS + 30_000);
      // Finished on the platform while Slack was still down: nothing waited for it.
      expect(Date.now()).toBeLessThan(outageEnds);
      expect(rb.state).toBe('succeeded');
      await expectCleanEnd('RB-1', SLACK_OUTAGE_MS + 60_000);
    },
  );
});

describe('shutdown', () => {
  it('exits within its deadline on SIGTERM even with Redis gone, and /healthz says 503 within a second', { timeout: 60_000 }, async () => {
    redis = await startPrivateRedis();
    h = await startHarness({ role: 'web', redisUrl: redis.url });
    const proc = await spawnRewind(h, { role: 'all', redisUrl: redis.url });
    await redis.stop('SIGKILL');
    const health = proc.eventsUrl.replace('/slack/events', '/healthz');
    const asked = Date.now();
    const res = await fetch(health, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(503);
    expect(Date.now() - asked).toBeLessThan(1000);
    const stopping = Date.now();
    proc.child.kill('SIGTERM');
    await proc.exited;
    expect(Date.now() - stopping).toBeLessThan(12_500);
    // The harness's own connections go down with Redis; restart it so close() can drop the prefix.
    redis = await startPrivateRedis({ port: redis.port });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startHarness } from '../support/harness.js';
import { startPrivateRedis } from '../support/private-redis.js';
import { spawnRewind, type RewindProcess } from '../support/processes.js';
import { approve, CHILD_ENV, expectCleanEnd, finished, request, resetScene, scene, SLACK_OUTAGE_MS } from '../support/faults.js';

/** Redis restarted and frozen, Slack down for a minute: every rollback still ends once, announced once. */
afterEach(resetScene);

describe('Redis and Slack faults', () => {
  it('Redis restarted (with AOF) mid-rollback: the rollback finishes once', { timeout: 90_000 }, async () => {
    const aofDir = mkdtempSync(join(tmpdir(), 'rewind-aof-'));
    scene.redis = await startPrivateRedis({ aofDir });
    scene.h = await startHarness({ role: 'web', tickMs: 300, redisUrl: scene.redis.url });
    const proc = await spawnRewind(scene.h, { role: 'all', redisUrl: scene.redis.url, env: CHILD_ENV });
    await request(proc);
    await approve(proc);
    await eventually(async () => (await scene.h!.rewind.services.journal.all('RB-1'))['wait-stable']?.status === 'started', 'the wait to start', 30_000);
    await scene.redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    scene.redis = await startPrivateRedis({ aofDir, port: scene.redis.port });
    await expectCleanEnd();
  });

  it('Redis unavailable for a few seconds under two workers: executed once, announced once', { timeout: 90_000 }, async () => {
    scene.redis = await startPrivateRedis({ aofDir: mkdtempSync(join(tmpdir(), 'rewind-aof-')) });
    scene.h = await startHarness({ role: 'web', tickMs: 300, redisUrl: scene.redis.url });
    const proc = await spawnRewind(scene.h, { role: 'all', redisUrl: scene.redis.url, env: CHILD_ENV });
    await spawnRewind(scene.h, { role: 'worker', redisUrl: scene.redis.url, env: CHILD_ENV });
    await request(proc);
    await approve(proc);
    await eventually(async () => (await scene.h!.rewind.services.journal.all('RB-1'))['wait-stable']?.status === 'started', 'the wait to start', 30_000);
    // Frozen past every lease (job locks 1.5 s): on waking, BullMQ hands the job to a new run.
    process.kill(scene.redis.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 4000));
    process.kill(scene.redis.pid, 'SIGCONT');
    await expectCleanEnd();
  });

  it(
    `Slack answering 500 for ${SLACK_OUTAGE_MS / 1000} s after the first step: execution goes on, the outcome arrives once Slack is back`,
    { timeout: SLACK_OUTAGE_MS + 90_000 },
    async () => {
      scene.h = await startHarness({ tickMs: 50 });
      await request({ eventsUrl: scene.h.eventsUrl } as RewindProcess);
      await approve({ eventsUrl: scene.h.eventsUrl } as RewindProcess);
      await eventually(
        async () => (await scene.h!.rewind.services.journal.all('RB-1'))['update-service']?.status === 'done',
        'UpdateService to be done',
        30_000,
      );
      scene.h.slack.outage(SLACK_OUTAGE_MS);
      const outageEnds = Date.now() + SLACK_OUTAGE_MS;
      const rb = await finished('RB-1', SLACK_OUTAGE_MS + 30_000);
      // Finished on the platform while Slack was still down: nothing waited for it.
      expect(Date.now()).toBeLessThan(outageEnds);
      expect(rb.state).toBe('succeeded');
      await expectCleanEnd('RB-1', SLACK_OUTAGE_MS + 60_000);
    },
  );
});

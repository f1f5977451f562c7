import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import { startPrivateRedis } from '../support/private-redis.js';
import { spawnRewind } from '../support/processes.js';
import { approve, CHILD_ENV, expectCleanEnd, request, resetScene, ROUNDS, scene, store } from '../support/faults.js';

/**
 * Faults at every boundary, on real processes and a real Redis: each rollback ends terminal, with
 * 0 repeated platform calls, 0 duplicate outcomes and 0 leaked locks. Redis and Slack outages are
 * in faults-outage.test.ts (a file of their own, so the two run side by side).
 */
afterEach(resetScene);

describe.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('a process SIGKILLed at each boundary (round %i)', () => {
  it('right after the request is stored: the reconciler plans it', { timeout: 90_000 }, async () => {
    scene.h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(scene.h, { role: 'all', failpoint: 'request-stored', env: CHILD_ENV });
    await request(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('requested');
    const second = await spawnRewind(scene.h, { role: 'all', env: CHILD_ENV });
    await approve(second);
    await expectCleanEnd();
  });

  it('right after the approval is written: the reconciler starts it', { timeout: 90_000 }, async () => {
    scene.h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(scene.h, { role: 'all', failpoint: 'approve-written', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('approved');
    await spawnRewind(scene.h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });

  it('mid-step, after UpdateService: the next worker resumes without repeating it', { timeout: 90_000 }, async () => {
    scene.h = await startHarness({ role: 'web', tickMs: 200 });
    const first = await spawnRewind(scene.h, { role: 'all', failpoint: 'step-started:wait-stable', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    expect((await store().get('RB-1'))?.state).toBe('running');
    await spawnRewind(scene.h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });

  it('between posting the outcome and marking it delivered: it is found in Slack, not posted again', { timeout: 90_000 }, async () => {
    scene.h = await startHarness({ role: 'web', tickMs: 50 });
    const first = await spawnRewind(scene.h, { role: 'all', failpoint: 'outbox-posted:succeeded*', env: CHILD_ENV });
    await request(first);
    await approve(first);
    await first.exited;
    await spawnRewind(scene.h, { role: 'all', env: CHILD_ENV });
    await expectCleanEnd();
  });
});

describe('shutdown', () => {
  it('exits within its deadline on SIGTERM even with Redis gone, and /healthz says 503 within a second', { timeout: 60_000 }, async () => {
    scene.redis = await startPrivateRedis();
    scene.h = await startHarness({ role: 'web', redisUrl: scene.redis.url });
    const proc = await spawnRewind(scene.h, { role: 'all', redisUrl: scene.redis.url });
    await scene.redis.stop('SIGKILL');
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
    scene.redis = await startPrivateRedis({ port: scene.redis.port });
  });
});

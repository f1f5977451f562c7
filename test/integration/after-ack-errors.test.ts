import { afterEach, expect, it } from 'vitest';
import { eventually, startHarness, USERS, type Harness } from '../support/harness.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

let h: Harness;
let redis: PrivateRedis;
afterEach(async () => {
  redis = await startPrivateRedis({ port: redis.port }); // back, so close() can clean up
  await h.close();
  await redis.stop();
});

it('tells the person who typed /rollback that it failed after the ack, and why', { timeout: 60_000 }, async () => {
  redis = await startPrivateRedis();
  h = await startHarness({ role: 'web', redisUrl: redis.url });
  await redis.stop('SIGKILL');
  const res = await h.slack.slashCommand(h.eventsUrl, { text: 'history', user_id: USERS.requester, channel_id: 'C0DEV' });
  expect(res.status).toBe(200); // acked in time all the same
  const reply = await eventually(
    () => h.slack.responses.map((r) => String(r.body.text)).find((t) => t.includes('could not handle')),
    'the failure reply',
    30_000,
  );
  expect(reply).toMatch(/Rewind could not handle `\/rollback history`: .+\. Nothing was started/);
});

/**
 * How fast `/rollback` is acknowledged (Slack gives up after 3 s): the full Rewind app (parse,
 * record and lock in Redis, enqueue the plan job) against a bare Bolt app that only acks,
 * measured in the same run through the same signed HTTP requests.
 * Run: npx tsx bench/slack-ack.ts [runs]
 */
import { App } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlack } from '../test/fakes/slack.js';
import { SIGNING_SECRET, startHarness, USERS } from '../test/support/harness.js';
import { freePort, startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const runs = Number(process.argv[2] ?? 40);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const h = await startHarness({ redisUrl: process.env.REDIS_URL ?? redis!.url });

const baselineSlack = await startFakeSlack({ signingSecret: SIGNING_SECRET });
const baseline = new App({ token: 'xoxb-test-token', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: baselineSlack.url } });
baseline.command('/rollback', async function ackOnly({ ack }) {
  await ack();
});
const server = (await baseline.start(await freePort())) as Server;
const baselineUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

const sample = async (send: () => Promise<{ status: number; elapsedMs: number }>) => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const res = await send();
    if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
    times.push(res.elapsedMs);
  }
  return times;
};

// Warm-up: first requests pay for JIT and connection set-up.
await sample(() => baselineSlack.slashCommand(baselineUrl, { text: 'help', user_id: USERS.requester, channel_id: 'C0DEV' }));
const bare = await sample(() => baselineSlack.slashCommand(baselineUrl, { text: 'help', user_id: USERS.requester, channel_id: 'C0DEV' }));
const help = await sample(() => h.slack.slashCommand(h.eventsUrl, { text: 'help', user_id: USERS.requester, channel_id: 'C0DEV' }));
let n = 0;
const requests = await sample(() => {
  n += 1;
  // After the first, these are refused as busy: still the full parse, id, lock and record round trip.
  return h.slack.slashCommand(h.eventsUrl, { text: `api production bench ${n}`, user_id: USERS.requester, channel_id: 'C0DEV' });
});

const row = (name: string, xs: number[]) => `${name.padEnd(38)} median ${median(xs).toFixed(1).padStart(6)} ms  max ${Math.max(...xs).toFixed(1).padStart(6)} ms  (${(median(xs) / median(bare)).toFixed(2)}× baseline)`;
console.log(`Slash command acknowledgement over ${runs} runs (Slack's limit: 3000 ms)`);
console.log(row('baseline: bare Bolt app, ack only', bare));
console.log(row('Rewind: /rollback help', help));
console.log(row('Rewind: /rollback api production ...', requests));

await h.close();
await baseline.stop();
await baselineSlack.close();
await redis?.stop();

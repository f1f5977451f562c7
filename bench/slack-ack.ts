/**
 * How fast `/rollback` is acknowledged (Slack gives up after 3 s), against a bare Bolt app that
 * only acks, measured in the same run through the same signed HTTP requests:
 * - sequential: one request at a time (median and max);
 * - burst: BURST concurrent `/rollback api production …` requests (p99 and median), in ROLE=web
 *   (the worker is elsewhere) and ROLE=all (worker in the same process).
 * Run: npx tsx bench/slack-ack.ts [runs] [burst] [rounds]
 */
import { App } from '@slack/bolt';
import { Queue } from 'bullmq';
import { INTERACTIVE_QUEUE } from '../jobs/queue.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlack, type FakeSlack } from '../test/fakes/slack.js';
import { SIGNING_SECRET, startHarness, USERS } from '../test/support/harness.js';
import { freePort, startPrivateRedis } from '../test/support/private-redis.js';
import { median, percentile } from './stats.js';

const runs = Number(process.argv[2] ?? 40);
const BURST = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.argv[4] ?? 9);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
const web = await startHarness({ role: 'web', redisUrl });
const all = await startHarness({ role: 'all', redisUrl });

const baselineSlack = await startFakeSlack({ signingSecret: SIGNING_SECRET });
const baseline = new App({ token: 'xoxb-test-token', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: baselineSlack.url } });
baseline.command('/rollback', async function ackOnly({ ack }) {
  await ack();
});
const server = (await baseline.start(await freePort())) as Server;
const baselineUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

type Target = { slack: FakeSlack; url: string };
const targets: Record<string, Target> = {
  bare: { slack: baselineSlack, url: baselineUrl },
  web: { slack: web.slack, url: web.eventsUrl },
  all: { slack: all.slack, url: all.eventsUrl },
};

let n = 0;
async function send(t: Target, text: string): Promise<number> {
  const res = await t.slack.slashCommand(t.url, { text, user_id: USERS.requester, channel_id: 'C0DEV' });
  if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
  return res.elapsedMs;
}

async function sequential(t: Target, text: () => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await send(t, text()));
  return times;
}

/** BURST requests at once; the first may create a rollback, the rest are refused as busy (the full path all the same). */
async function burst(t: Target): Promise<number[]> {
  const times = await Promise.all(Array.from({ length: BURST }, () => send(t, `api production burst ${++n}`)));
  // ROLE=all answers them in this process: let it finish before the next app is measured.
  if (t === targets.all) await settled(allQueue);
  return times;
}

const allQueue = new Queue(INTERACTIVE_QUEUE, { connection: { url: redisUrl }, prefix: `${all.prefix}:bull` });
async function settled(queue: Queue): Promise<void> {
  while ((await queue.getWaitingCount()) + (await queue.getActiveCount()) > 0) await new Promise((r) => setTimeout(r, 50));
}

// Warm-up: first requests pay for JIT and connection set-up.
for (const t of Object.values(targets)) await sequential(t, () => 'help');
const bare = await sequential(targets.bare!, () => 'help');
const help = await sequential(targets.web!, () => 'help');
const requests = await sequential(targets.web!, () => `api production bench ${++n}`);

const row = (name: string, xs: number[]) => `${name.padEnd(40)} median ${median(xs).toFixed(1).padStart(6)} ms  max ${Math.max(...xs).toFixed(1).padStart(6)} ms  (${(median(xs) / median(bare)).toFixed(2)}× baseline)`;
console.log(`Slash command acknowledgement, sequential, ${runs} runs (Slack's limit: 3000 ms)`);
console.log(row('baseline: bare Bolt app, ack only', bare));
console.log(row('Rewind ROLE=web: /rollback help', help));
console.log(row('Rewind ROLE=web: /rollback api production', requests));

// Rounds rotate the order of the three apps so drift on the machine hits them alike.
const p99s: Record<string, number[]> = { bare: [], web: [], all: [] };
const medians: Record<string, number[]> = { bare: [], web: [], all: [] };
const names = Object.keys(targets);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    const times = await burst(targets[name]!);
    p99s[name]!.push(percentile(times, 0.99));
    medians[name]!.push(median(times));
  }
}
const base = median(p99s.bare!);
console.log(`\nSlash command acknowledgement, ${BURST} concurrent requests, median of ${ROUNDS} rounds`);
for (const [name, label] of [
  ['bare', 'baseline: bare Bolt app, ack only'],
  ['web', 'Rewind ROLE=web'],
  ['all', 'Rewind ROLE=all'],
] as const) {
  console.log(`${label.padEnd(40)} p99 ${median(p99s[name]!).toFixed(1).padStart(7)} ms  median ${median(medians[name]!).toFixed(1).padStart(7)} ms  (p99 ${(median(p99s[name]!) / base).toFixed(2)}× baseline)`);
}

await allQueue.close();
await web.close();
await all.close();
await baseline.stop();
await baselineSlack.close();
await redis?.stop();

/**
 * How fast `/rollback` is acknowledged (Slack gives up after 3 s), against a bare Bolt app that
 * only acks. Each app runs in a process of its own, as Slack would see it (the load generator and
 * the fakes stay in this one), and all get the same signed HTTP requests:
 * - sequential: one request at a time (median and max);
 * - burst: BURST concurrent `/rollback api production …` requests (p99 and median), Rewind in
 *   ROLE=web (requests only enqueued: the worker runs elsewhere) and in ROLE=all (answered too).
 * Run: npx tsx bench/slack-ack.ts [runs] [burst] [rounds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SIGNING_SECRET, startHarness, USERS } from '../test/support/harness.js';
import { freePort, startPrivateRedis } from '../test/support/private-redis.js';
import { killAll, spawnRewind } from '../test/support/processes.js';
import { median, percentile } from './stats.js';

const runs = Number(process.argv[2] ?? 40);
const BURST = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.argv[4] ?? 9);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
// The harness provides the fakes and the catalog; its own in-process web role is not measured.
const h = await startHarness({ role: 'web', redisUrl });

async function bareBolt(): Promise<{ child: ChildProcess; eventsUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-bolt.ts'], {
    env: { ...process.env, PORT: String(port), SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.slack.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout!, 'data');
  return { child, eventsUrl: `http://127.0.0.1:${port}/slack/events` };
}

const bareApp = await bareBolt();
const apps = {
  bare: bareApp.eventsUrl,
  web: (await spawnRewind(h, { role: 'web', redisUrl, env: { LOG_LEVEL: 'silent' } })).eventsUrl,
  all: (await spawnRewind(h, { role: 'all', redisUrl, env: { LOG_LEVEL: 'silent', REWIND_REDIS_PREFIX: `${h.prefix}all` } })).eventsUrl,
};
// No worker for ROLE=web: its answers would land on this process's fake Slack mid-burst and slow
// the load generator, which real Slack's servers never would. ROLE=all answers in its own process.

let n = 0;
async function send(url: string, text: string): Promise<number> {
  const res = await h.slack.slashCommand(url, { text, user_id: USERS.requester, channel_id: 'C0DEV' });
  if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
  return res.elapsedMs;
}

async function sequential(url: string, text: () => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await send(url, text()));
  return times;
}

/** BURST requests at once; the first may create a rollback, the rest are refused as busy (the full path all the same). */
async function burst(url: string): Promise<number[]> {
  const times = await Promise.all(Array.from({ length: BURST }, () => send(url, `api production burst ${++n}`)));
  await new Promise((r) => setTimeout(r, 1500)); // let the workers answer before the next app is measured
  return times;
}

// Warm-up: first requests pay for JIT and connection set-up.
for (const url of Object.values(apps)) await sequential(url, () => 'help');
const bare = await sequential(apps.bare, () => 'help');
const help = await sequential(apps.web, () => 'help');
const requests = await sequential(apps.web, () => `api production bench ${++n}`);

const row = (name: string, xs: number[]) =>
  `${name.padEnd(42)} median ${median(xs).toFixed(1).padStart(6)} ms  max ${Math.max(...xs)
    .toFixed(1)
    .padStart(6)} ms  (${(median(xs) / median(bare)).toFixed(2)}× baseline)`;
console.log(`Slash command acknowledgement, sequential, ${runs} runs (Slack's limit: 3000 ms)`);
console.log(row('baseline: bare Bolt app, ack only', bare));
console.log(row('Rewind ROLE=web: /rollback help', help));
console.log(row('Rewind ROLE=web: /rollback api production', requests));

// Rounds rotate the order of the three apps so drift on the machine hits them alike.
const names = ['bare', 'web', 'all'] as const;
const p99s: Record<string, number[]> = { bare: [], web: [], all: [] };
const medians: Record<string, number[]> = { bare: [], web: [], all: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    const times = await burst(apps[name]);
    p99s[name]!.push(percentile(times, 0.99));
    medians[name]!.push(median(times));
  }
}
const base = median(p99s.bare!);
console.log(`\nSlash command acknowledgement, ${BURST} concurrent requests, median of ${ROUNDS} rounds`);
for (const [name, label, target] of [
  ['bare', 'baseline: bare Bolt app, ack only', ''],
  ['web', 'Rewind ROLE=web', ', target ≤ 1.2×'],
  ['all', 'Rewind ROLE=all', ', target ≤ 1.5×'],
] as const) {
  console.log(
    `${label.padEnd(42)} p99 ${median(p99s[name]!).toFixed(1).padStart(7)} ms  median ${median(medians[name]!).toFixed(1).padStart(7)} ms  (p99 ${(median(p99s[name]!) / base).toFixed(2)}× baseline${target})`,
  );
}

bareApp.child.kill();
killAll();
await h.close();
await redis?.stop();

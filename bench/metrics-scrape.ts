/**
 * What a Prometheus scrape costs Rewind: `/rollback` acknowledgement p99 under a burst of BURST
 * concurrent signed requests while `/metrics` is scraped every 100 ms, against the same burst
 * without scraping, on one Rewind process (ROLE=all, its own process as in production; the load
 * generator and the fakes stay in this one). Rounds alternate which goes first so drift on the
 * machine hits both alike. Also reports how long a scrape takes, idle and under the burst
 * (target: p99 < 50 ms; the scrape includes rewind_queue_jobs, read from Redis at scrape time).
 * Run: npx tsx bench/metrics-scrape.ts [burst] [rounds]
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, USERS } from '../test/support/harness.js';
import { deleteKeysUnder, startPrivateRedis } from '../test/support/private-redis.js';
import { killAll, spawnRewind } from '../test/support/processes.js';
import { median, percentile } from './stats.js';

const BURST = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 9);
const SCRAPE_EVERY_MS = 100;
const TARGET_SCRAPE_P99_MS = 50;

const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
// The harness provides the fakes and the catalog; its own in-process web role is not measured.
const h = await startHarness({ role: 'web', redisUrl });
const rewind = await spawnRewind(h, { role: 'all', redisUrl, env: { LOG_LEVEL: 'silent', REWIND_REDIS_PREFIX: `${h.prefix}scrape` } });
const metricsUrl = rewind.eventsUrl.replace(/\/slack\/events$/, '/metrics');

let n = 0;
async function send(text: string): Promise<number> {
  const res = await h.slack.slashCommand(rewind.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEV' });
  if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
  return res.elapsedMs;
}

interface Scrape {
  /** Request to last byte, as Prometheus sees it: includes waiting for Rewind's event loop. */
  roundTrip: number;
  /** The scrape's own work in Rewind (its Server-Timing): collect, count queues in Redis, render. */
  work: number;
}

async function scrapeOnce(): Promise<Scrape> {
  const began = performance.now();
  const res = await fetch(metricsUrl);
  const body = await res.text();
  if (res.status !== 200 || !body.includes('rewind_queue_jobs{')) throw new Error(`scrape failed: ${res.status}`);
  const roundTrip = performance.now() - began;
  const work = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
  return { roundTrip, work };
}

/** Scrapes every SCRAPE_EVERY_MS (start to start) until stopped; returns each scrape's times. */
function scraper(): { stop: () => Promise<Scrape[]> } {
  const times: Scrape[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const took = await scrapeOnce();
      times.push(took);
      await sleep(Math.max(0, SCRAPE_EVERY_MS - took.roundTrip));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}

/** BURST requests at once; the first may create a rollback, the rest are refused as busy (the full path all the same). */
async function burst(scraping: boolean): Promise<{ acks: number[]; scrapes: Scrape[] }> {
  const s = scraping ? scraper() : undefined;
  // Let the scraper's first scrape land inside the burst, as a periodic scrape would.
  if (s) await sleep(5);
  const acks = await Promise.all(Array.from({ length: BURST }, () => send(`api production scrape bench ${++n}`)));
  const scrapes = (await s?.stop()) ?? [];
  await sleep(1500); // let the worker answer before the next burst
  return { acks, scrapes };
}

// Warm-up: first requests and scrapes pay for JIT and connection set-up.
for (let i = 0; i < 10; i++) await send('help');
for (let i = 0; i < 10; i++) await scrapeOnce();
const idle: Scrape[] = [];
for (let i = 0; i < 40; i++) idle.push(await scrapeOnce());
await burst(false);

const p99s = { plain: [] as number[], scraped: [] as number[] };
const medians = { plain: [] as number[], scraped: [] as number[] };
const underLoad: Scrape[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const scraping of round % 2 ? [true, false] : [false, true]) {
    const { acks, scrapes } = await burst(scraping);
    const key = scraping ? 'scraped' : 'plain';
    p99s[key].push(percentile(acks, 0.99));
    medians[key].push(median(acks));
    underLoad.push(...scrapes);
  }
}

const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
const base = median(p99s.plain);
console.log(`Slash command acknowledgement, ${BURST} concurrent requests to Rewind ROLE=all, median of ${ROUNDS} rounds`);
console.log(`${'baseline: no scraping'.padEnd(44)} p99 ${ms(base)}  median ${ms(median(medians.plain))}`);
console.log(
  `${`scraping /metrics every ${SCRAPE_EVERY_MS} ms`.padEnd(44)} p99 ${ms(median(p99s.scraped))}  median ${ms(median(medians.scraped))}  (p99 ${(median(p99s.scraped) / base).toFixed(2)}× baseline)`,
);
const row = (label: string, xs: number[]) => `${label.padEnd(44)} p50 ${ms(median(xs))}  p99 ${ms(percentile(xs, 0.99))}  (${xs.length} scrapes)`;
const workP99 = percentile(
  underLoad.map((s) => s.work),
  0.99,
);
const idleP99 = percentile(
  idle.map((s) => s.roundTrip),
  0.99,
);
console.log(`\n/metrics scrape time (target p99 < ${TARGET_SCRAPE_P99_MS} ms: idle round trip, and the scrape's own work under the burst)`);
console.log(
  row(
    'idle, round trip',
    idle.map((s) => s.roundTrip),
  ),
);
console.log(
  row(
    'idle, work in Rewind (Server-Timing)',
    idle.map((s) => s.work),
  ),
);
console.log(
  row(
    'during the bursts, round trip',
    underLoad.map((s) => s.roundTrip),
  ),
);
console.log(
  row(
    'during the bursts, work in Rewind',
    underLoad.map((s) => s.work),
  ),
);
console.log('  (a round trip during a burst also waits behind the burst in the event loop, as every ack does)');
const met = idleP99 < TARGET_SCRAPE_P99_MS && workP99 < TARGET_SCRAPE_P99_MS;
console.log(`  target ${met ? 'met' : 'MISSED'}`);
if (!met) process.exitCode = 1;

killAll();
await h.close();
await deleteKeysUnder(redisUrl, `${h.prefix}scrape`);
await redis?.stop();

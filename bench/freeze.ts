/**
 * The deploy freeze API as CI sees it: REQUESTS requests to `GET /api/v1/freeze/<service>/<env>`
 * on one Rewind ROLE=web process (its own process, as in production), mixed frozen (423), not
 * frozen (200) and a forged or missing token (401), CONCURRENCY at a time, against `/healthz`
 * (one Redis PING) asked the same way in the same rounds. Rounds alternate which goes first.
 * Reports p50/p99 of each, medians over rounds, and the ratio (target: freeze p99 < 20 ms).
 * Run: npx tsx bench/freeze.ts [requests] [rounds] [concurrency]
 */
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { Freezes } from '../src/store/freezes.js';
import { startHarness } from '../test/support/harness.js';
import { deleteKeysUnder, startPrivateRedis } from '../test/support/private-redis.js';
import { killAll, spawnRewind } from '../test/support/processes.js';
import { median, percentile } from './stats.js';

const REQUESTS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
const CONCURRENCY = Number(process.argv[4] ?? 10);
const TARGET_P99_MS = 20;
const TOKEN = 'bench-freeze-token-0123456789abcdef';

const redisServer = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redisServer!.url;
const h = await startHarness({ role: 'web', redisUrl });
const prefix = `${h.prefix}freeze`;
const rewind = await spawnRewind(h, { role: 'web', redisUrl, env: { LOG_LEVEL: 'silent', REWIND_REDIS_PREFIX: prefix, REWIND_FREEZE_TOKEN: TOKEN } });
const base = rewind.eventsUrl.replace(/\/slack\/events$/, '');

// Two frozen targets (as two succeeded rollbacks leave them), the rest not.
const redis = new Redis(redisUrl);
const freezes = new Freezes(redis, prefix);
const since = new Date().toISOString();
await freezes.freezeOnce('RB-1', [{ service: 'api', environment: 'production', rollback: 'RB-1', by: 'U0REQ', reason: 'bench', since }], new Date());
await freezes.freezeOnce('RB-2', [{ service: 'web', environment: 'production', rollback: 'RB-2', by: 'U0REQ', reason: 'bench', since }], new Date());

/** Nine good requests cycling through frozen and free targets, then one with a bad token. */
const GOOD: { path: string; token: string | null; status: number }[] = [
  { path: 'api/production', token: TOKEN, status: 423 },
  { path: 'api/staging', token: TOKEN, status: 200 },
  { path: 'web/production', token: TOKEN, status: 423 },
  { path: 'NewMatchingAlgorithm/production', token: TOKEN, status: 200 },
  { path: 'api/production', token: TOKEN, status: 423 },
  { path: 'api/staging', token: TOKEN, status: 200 },
  { path: 'web/production', token: TOKEN, status: 423 },
  { path: 'api/staging', token: TOKEN, status: 200 },
  { path: 'api/production', token: TOKEN, status: 423 },
];
/** Every tenth request has a bad token: forged, then missing. */
const MIX = [
  ...GOOD,
  { path: 'api/production', token: 'forged-token-0123456789abcdef012345', status: 401 },
  ...GOOD,
  { path: 'api/production', token: null, status: 401 },
];

async function timed(url: string, headers: Record<string, string>, status: number): Promise<number> {
  const began = performance.now();
  const res = await fetch(url, { headers });
  await res.text();
  const took = performance.now() - began;
  if (res.status !== status) throw new Error(`${url}: expected ${status}, got ${res.status}`);
  return took;
}

/** REQUESTS requests, CONCURRENCY in flight; returns each one's round trip. */
async function run(request: (i: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) times.push(await request(next++));
    }),
  );
  return times;
}

const freezeRequest = (i: number) => {
  const m = MIX[i % MIX.length]!;
  return timed(`${base}/api/v1/freeze/${m.path}`, m.token === null ? {} : { authorization: `Bearer ${m.token}` }, m.status);
};
const healthRequest = () => timed(`${base}/healthz`, {}, 200);

// Warm up both paths (JIT, keep-alive sockets) before measuring.
await run(freezeRequest);
await run(healthRequest);

const p50 = { freeze: [] as number[], health: [] as number[] };
const p99 = { freeze: [] as number[], health: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? (['health', 'freeze'] as const) : (['freeze', 'health'] as const);
  for (const which of order) {
    const times = await run(which === 'freeze' ? freezeRequest : healthRequest);
    p50[which].push(median(times));
    p99[which].push(percentile(times, 0.99));
  }
}

const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
console.log(`${REQUESTS} requests per round, ${CONCURRENCY} in flight, to Rewind ROLE=web; medians of ${ROUNDS} rounds`);
console.log(`${'baseline: GET /healthz (Redis PING)'.padEnd(58)} p50 ${ms(median(p50.health))}  p99 ${ms(median(p99.health))}`);
console.log(
  `${'GET /api/v1/freeze/<service>/<env> (423/200/401 mix)'.padEnd(58)} p50 ${ms(median(p50.freeze))}  p99 ${ms(median(p99.freeze))}  (p99 ${(median(p99.freeze) / median(p99.health)).toFixed(2)}× baseline)`,
);
const met = median(p99.freeze) < TARGET_P99_MS;
console.log(`  target p99 < ${TARGET_P99_MS} ms ${met ? 'met' : 'MISSED'}`);
if (!met) process.exitCode = 1;

killAll();
redis.disconnect();
await h.close();
await deleteKeysUnder(redisUrl, prefix);
await redisServer?.stop();

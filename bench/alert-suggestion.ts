/**
 * Alert received → suggested rollback posted in the war room: an Alertmanager webhook for the ECS
 * `api` target, through the intake (auth, parse, enqueue), the worker (versions, read-only plan)
 * and Slack, on the fakes with production Slack pacing. Baseline in the same run: the intake's own
 * 202 answer followed by one direct chat.postMessage to the same fake (what no correlation would cost).
 * Then 100 concurrent deliveries of one new alert: how many suggestions are posted (must be 1).
 * Run: npx tsx bench/alert-suggestion.ts [rounds]
 */
import { WebClient } from '@slack/web-api';
import { ALERTS_ENV, ALERTS_YAML, alertmanagerBody, postAlertmanager } from '../test/support/alerts.js';
import { eventually, startHarness, WAR_ROOM } from '../test/support/harness.js';
import { startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const rounds = Number(process.argv[2] ?? 15);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
const h = await startHarness({ redisUrl, catalog: (yaml) => yaml + ALERTS_YAML, env: ALERTS_ENV, slackMinIntervalMs: 1000 });
const base = h.rewind.url!;
const suggestionKey = `${h.prefix}:suggestion:api/production`;
const posts = (since: number) => h.slack.callsTo('chat.postMessage').filter((c) => c.at >= since && String(c.args.text).includes('Suggested rollback'));

// Each round is a new incident: the previous suggestion is forgotten, the alert has a new fingerprint.
async function newIncident(i: number): Promise<{ body: ReturnType<typeof alertmanagerBody> }> {
  await h.rewind.services.redis.del(suggestionKey);
  return { body: alertmanagerBody({ startsAt: new Date().toISOString(), fingerprint: `bench${i}`.padEnd(16, '0') }) };
}

const suggested: number[] = [];
for (let i = 0; i < rounds + 1; i++) {
  const { body } = await newIncident(i);
  const sent = Date.now();
  const res = await postAlertmanager(base, body);
  if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
  const post = await eventually(() => posts(sent)[0], 'the suggestion', 10_000);
  if (i > 0) suggested.push(post.at - sent); // the first pays for connections and module loading
  // Let the job record its message before the next round forgets the suggestion.
  await eventually(async () => Boolean(await h.rewind.services.redis.hget(suggestionKey, 'ts')), 'the suggestion recorded', 10_000);
  process.stdout.write('.');
}

const floor: number[] = [];
const slack = new WebClient('xoxb-test-token', { slackApiUrl: h.slack.url });
for (let i = 0; i < rounds + 1; i++) {
  const sent = Date.now();
  // Matches no target: the intake answers without enqueuing anything.
  await postAlertmanager(base, alertmanagerBody({ startsAt: new Date().toISOString(), labels: { alertname: 'Nothing', service: 'none' } }));
  await slack.chat.postMessage({ channel: WAR_ROOM, text: 'baseline' });
  if (i > 0) floor.push(Date.now() - sent);
}

const { body } = await newIncident(rounds + 1);
const before = Date.now();
const answers = await Promise.all(Array.from({ length: 100 }, () => postAlertmanager(base, body)));
await eventually(() => posts(before).length > 0, 'the duplicate-round suggestion', 10_000);
// Give any straggling duplicate job time to post (it must not).
await new Promise((r) => setTimeout(r, 2000));
const duplicatePosts = posts(before).length;
await h.close();
await redis?.stop();

const m = median(suggested);
console.log(`\nAlertmanager alert → suggested rollback posted, ${rounds} rounds (target: median < 2000 ms)`);
console.log(`  baseline: intake 202 + one direct chat.postMessage   median ${median(floor).toFixed(0).padStart(4)} ms`);
console.log(
  `  Rewind: alert → suggestion in the war room           median ${m.toFixed(0).padStart(4)} ms (max ${Math.max(...suggested)} ms, ${(m / Math.max(1, median(floor))).toFixed(1)}× the baseline)`,
);
console.log(
  `\n100 concurrent deliveries of one alert: ${answers.filter((r) => r.status === 202).length} answered 202, ${duplicatePosts} suggestion(s) posted (target: exactly 1)`,
);
const met = m < 2000 && duplicatePosts === 1;
console.log(`  target ${met ? 'met' : 'MISSED'}`);
if (!met) process.exitCode = 1;

/**
 * Approve click → first platform call (the drift check's DescribeServices), for one ECS rollback
 * and for the fourth of four rollbacks in one war room while the other three run; and, with those
 * four executing, a fifth request → its plan card posted. Against a bare
 * Bolt app that calls DescribeServices straight from its click listener (the floor), in the same
 * run, on the same fakes, with production pacing of Slack posts (one per second per channel).
 * Run: npx tsx bench/approve-latency.ts [rounds]
 */
import { ECSClient, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { App } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeEcs } from '../test/fakes/aws/ecs.js';
import { eventually, readable, SIGNING_SECRET, startHarness, USERS, WAR_ROOM, type Harness } from '../test/support/harness.js';
import { freePort, startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const rounds = Number(process.argv[2] ?? 7);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
const EXTRA = ['api-2', 'api-3', 'api-4'];
const FIFTH = 'api-5';

/** Three more services like DistroCV's api, so four rollbacks can run side by side. */
function seedMore(ecs: FakeEcs): void {
  for (const name of [...EXTRA, FIFTH]) {
    const arns = ['v1', 'v2'].map((tag) => ecs.registerTaskDefinition(`distrocv-${name}`, [{ name, image: `registry.example.com/${name}:${tag}` }]));
    ecs.createService('distrocv-prod', name, arns[0]!, 3);
    ecs.deployNow('distrocv-prod', name, arns[1]!);
  }
}

const catalog = (yaml: string) =>
  yaml.replace(
    'services:\n',
    `services:\n${[...EXTRA, FIFTH].map((name) => `  ${name}:\n    production:\n      driver: ecs\n      cluster: distrocv-prod\n      service: ${name}\n      pollInterval: 50ms\n      approval: { from: [oncall, lead], count: 1 }\n`).join('')}`,
  );

async function cardOf(h: Harness, service: string) {
  await h.slack.slashCommand(h.eventsUrl, { text: `${service} production latency bench`, user_id: USERS.requester, channel_id: 'C0DEV' });
  return eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`· ${service} production`) && readable(m).includes('rollback_approve')),
    `the ${service} card`,
    30_000,
  );
}

/** Clicks Approve on `service`'s card; ms until the fake ECS sees the first call about that service. */
async function approveToFirstCall(h: Harness, service: string, ts: string): Promise<number> {
  const ecsName = service === 'api' ? 'api' : service;
  const mark = h.ecs.calls.length;
  const clicked = Date.now();
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: '', channel: WAR_ROOM, message_ts: ts });
  const call = await eventually(() => h.ecs.calls.slice(mark).find((c) => JSON.stringify(c.input).includes(`"${ecsName}"`)), `a call about ${service}`, 30_000);
  return call.at - clicked;
}

const single: number[] = [];
const fourth: number[] = [];
const planCard: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Slow rollouts (a task a second) keep the first three running while the fourth is approved.
  const h = await startHarness({ redisUrl, tickMs: 1000, catalog, slackMinIntervalMs: 1000 });
  seedMore(h.ecs);
  const cards = [];
  for (const service of ['api', ...EXTRA]) cards.push({ service, ts: (await cardOf(h, service)).ts });
  single.push(await approveToFirstCall(h, cards[0]!.service, cards[0]!.ts));
  for (const c of cards.slice(1, 3)) await approveToFirstCall(h, c.service, c.ts);
  fourth.push(await approveToFirstCall(h, cards[3]!.service, cards[3]!.ts));
  const asked = Date.now();
  await cardOf(h, FIFTH);
  const posted = h.slack.callsTo('chat.postMessage').find((c) => c.at >= asked && !c.args.thread_ts && String(c.args.text).includes(`${FIFTH} production`));
  planCard.push(posted!.at - asked);
  await h.close();
  process.stdout.write('.');
}

// The floor: a Bolt app whose click listener acks and calls ECS at once, through the same fakes.
const h = await startHarness({ redisUrl, tickMs: 1000 });
const ecs = new ECSClient({ endpoint: h.ecs.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const bare = new App({ token: 'xoxb-test-token', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: h.slack.url } });
bare.action('rollback_approve', async function describeAtOnce({ ack }) {
  await ack();
  await ecs.send(new DescribeServicesCommand({ cluster: 'distrocv-prod', services: ['api'] }));
});
const server = (await bare.start(await freePort())) as Server;
const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
const card = await cardOf(h, 'api');
const floor: number[] = [];
for (let i = 0; i < rounds + 1; i++) {
  const mark = h.ecs.calls.length;
  const clicked = Date.now();
  await h.slack.clickButton(bareUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: '', channel: WAR_ROOM, message_ts: card.ts });
  const call = await eventually(() => h.ecs.calls.slice(mark).find((c) => c.op === 'DescribeServices'), 'the bare call', 10_000);
  if (i > 0) floor.push(call.at - clicked); // the first pays for connection set-up
}
await bare.stop();
await h.close();
await redis?.stop();

const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0).padStart(4)} ms  (max ${Math.max(...xs).toFixed(0)} ms, ${(median(xs) / Math.max(1, median(floor))).toFixed(1)}× the floor)`;
console.log(`\nApprove click → first platform call, ${rounds} rounds (target: median < 100 ms)`);
console.log(`  floor: Bolt app calling ECS from the listener   ${fmt(floor)}`);
console.log(`  Rewind, one rollback                           ${fmt(single)}`);
console.log(`  Rewind, fourth of four in one war room         ${fmt(fourth)}`);
console.log(
  `\nRequest → plan card posted while four rollbacks execute: median ${median(planCard).toFixed(0)} ms (max ${Math.max(...planCard).toFixed(0)} ms; target ≤ 1000 ms)`,
);
const met = median(single) < 100 && median(fourth) < 100 && median(planCard) <= 1000;
console.log(`  target ${met ? 'met' : 'MISSED'}`);
if (!met) process.exitCode = 1;

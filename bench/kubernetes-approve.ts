/**
 * Approve click → "RB-n succeeded" posted, for `/rollback web production` (two Deployments) on the
 * fake Kubernetes API server, with production pacing of Slack posts (one per second per channel).
 * Compared in the same run with the fake's own rollout time (PATCH → both Deployments complete)
 * and with a bare client that does only kubectl's undo + watch (the driver's steps, no engine).
 * Target: Rewind ≤ the fake's rollout time + 0.5 s.
 * Run: npx tsx bench/kubernetes-approve.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { driverFor, planRequest, silentLog, stepContext, target } from '../test/fakes/kubernetes/harness.js';
import { startFakeKube } from '../test/fakes/kubernetes/server.js';
import { seedSkillancerDeployments } from '../sandbox/estate/kubernetes.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM } from '../test/support/harness.js';
import { startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const runs = Number(process.argv[2] ?? 9);
const NS = 'production';
const DEPLOYMENTS = ['skillancer-web', 'skillancer-api'];
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const h = await startHarness({ redisUrl: process.env.REDIS_URL ?? redis!.url, slackMinIntervalMs: 1000 });

const rewind: number[] = [];
const rollout: number[] = [];
for (let i = 1; i <= runs + 1; i++) {
  const id = `RB-${i}`;
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production latency bench', user_id: USERS.requester, channel_id: 'C0DEV' });
  const card = await eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id} `) && readable(m).includes('rollback_approve')),
    `the ${id} card`,
    30_000,
  );
  const patchesBefore = h.kube.calls.filter((c) => c.method === 'PATCH').length;
  const clickedWall = Date.now();
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.lead, action_id: 'rollback_approve', value: '', channel: WAR_ROOM, message_ts: card.ts });
  const posted = await eventually(
    () => h.slack.callsTo('chat.postMessage').find((c) => c.at >= clickedWall && String(c.args.text).includes(`${id} succeeded`) && !c.error),
    `${id} succeeded posted`,
    30_000,
  );
  const patches = h.kube.calls.filter((c) => c.method === 'PATCH').slice(patchesBefore);
  const completed = Math.max(...DEPLOYMENTS.map((d) => h.kube.completedAt(NS, d) ?? Number.NaN));
  // Let the rest of the thread drain so the next run starts from a quiet channel.
  await eventually(() => h.slack.thread(WAR_ROOM, card.ts).some((m) => m.text?.includes('Post-mortem draft')), 'the post-mortem', 30_000);
  if (i === 1) continue; // warm-up
  rewind.push(posted.at - clickedWall);
  rollout.push(completed - Math.min(...patches.map((c) => c.at)));
  process.stdout.write('.');
}
await h.close();

// The bare client: kubectl rollout undo (JSON patch of both Deployments) + watch until complete.
const fake = await startFakeKube({ tickMs: 20 });
seedSkillancerDeployments(fake);
const driver = driverFor(fake);
const t = target({ deployments: DEPLOYMENTS, resyncInterval: '250ms', progressTimeout: '20s' });
const ctx = { signal: new AbortController().signal, log: silentLog };
const bare: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const began = performance.now();
  const plan = await driver.plan(planRequest(t), ctx);
  await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
  await driver.runStep(stepContext(plan, 'rollout-status', t).ctx);
  if (i > 0) bare.push(performance.now() - began);
}
await fake.close();
await redis?.stop();

const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;
const overhead = rewind.map((r, i) => r - rollout[i]!);
console.log(`\nKubernetes undo of two Deployments, ${runs} runs (medians)`);
console.log(`  fake API server's own rollout (PATCH → complete)   ${fmt(median(rollout))}`);
console.log(`  bare client: undo + watch until complete          ${fmt(median(bare))}`);
console.log(`  Rewind: Approve click → "succeeded" posted        ${fmt(median(rewind))}  (${(median(rewind) / median(bare)).toFixed(2)}× the bare client)`);
console.log(`  Rewind's own share (posted − rollout)             ${fmt(median(overhead))}  (target ≤ 500 ms: ${median(overhead) <= 500 ? 'met' : 'MISSED'})`);
if (median(overhead) > 500) process.exitCode = 1;

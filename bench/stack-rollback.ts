/**
 * `/rollback stack`: a four-driver stack (ECS service, S3/CloudFront frontend, Kubernetes app, SSM
 * flag) against the same four components rolled back one at a time, on the wire-level fakes with
 * rollouts paced to take a few hundred ms to about a second each, and production pacing of Slack
 * posts (one per second per channel, as approve-latency.ts uses).
 *
 * Each round, each in a fresh Rewind on fresh fakes:
 *   - alone: each component as a single `/rollback`, one after another, each started from a quiet
 *     war room (the previous thread drained, Slack's burst allowance refilled): Approve click →
 *     "RB-n succeeded" posted; the sequential cost is their sum;
 *   - stack: one card, one Approve click → "RB-1 succeeded" posted;
 *   - the same stack with Slack posts unpaced, the same-run control for what Slack's pace costs.
 * Also, per component, Approve click → its first platform call (the fakes' own call timestamps) and
 * → its first change (UpdateService, PATCH, S3 copy, PutParameter), alone and inside the stack,
 * where four components post into one war room at once.
 *
 * Targets: stack ≤ the slowest component alone + 1 s; no component's first platform call delayed by
 * the others' Slack traffic (largest extra delay over running alone, median over rounds, < 100 ms).
 * Run: npx tsx bench/stack-rollback.ts [rounds]
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { seedFrontend } from '../test/fakes/aws/estate.js';
import { CloudFrontFake, S3Fake, sdkConfig } from '../test/fakes/aws/index.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../test/support/harness.js';
import { startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const rounds = Number(process.argv[2] ?? 5);
const redis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;

/**
 * Fake pacing: ECS replaces one of api's 3 tasks per tick, the Kubernetes controller surges or
 * retires one pod of skillancer-web and skillancer-api per tick, a CloudFront invalidation stays
 * InProgress for a while, and every SSM answer takes a network round trip.
 */
const PACE = { ecsTickMs: 250, kubeTickMs: 100, invalidationMs: 600, ssmLatencyMs: 100 };
/** Slack's production pace: one post per second per channel. */
const SLACK_MIN_INTERVAL_MS = 1000;
/** The Poster's burst is four posts: this long without a post and it is full again. */
const QUIET_MS = 4 * SLACK_MIN_INTERVAL_MS + 500;

const FRONTEND = `  frontend:
    production:
      driver: frontend
      versions: { bucket: distrocv-frontend-versions }
      live: { bucket: distrocv-frontend-prod }
      distributionId: E1234567890
      pollInterval: 50ms
      approval: { from: [oncall, lead], count: 1 }
`;
const STACK = `
stacks:
  distrocv:
    production:
      components:
        api: { service: api }
        frontend: { service: frontend }
        web: { service: web }
        matching: { flag: NewMatchingAlgorithm, action: off }
`;
const catalog = (yaml: string) => yaml.replace('services:\n', `services:\n${FRONTEND}`) + STACK;

interface Bench {
  h: Harness;
  s3: S3Fake;
  cloudfront: CloudFrontFake;
  close(): Promise<void>;
}

async function startBench(slackMinIntervalMs = SLACK_MIN_INTERVAL_MS): Promise<Bench> {
  const s3 = await S3Fake.start();
  const cloudfront = await CloudFrontFake.start({ invalidationDelayMs: PACE.invalidationMs });
  seedFrontend(s3, cloudfront, { sharedFiles: 40 });
  const h = await startHarness({
    redisUrl,
    catalog,
    tickMs: PACE.ecsTickMs,
    kubeTickMs: PACE.kubeTickMs,
    slackMinIntervalMs,
    clients: {
      s3: () => new S3Client({ ...sdkConfig(s3.url), forcePathStyle: true }),
      cloudfront: new CloudFrontClient(sdkConfig(cloudfront.url)),
    },
  });
  h.ssm.latencyMs = PACE.ssmLatencyMs;
  return {
    h,
    s3,
    cloudfront,
    async close() {
      await h.close();
      await Promise.all([s3.close(), cloudfront.close()]);
    },
  };
}

/** Where each fake's call log stood at the click: later calls are this rollback's. */
type Marks = Record<'ecs' | 'kube' | 's3' | 'cloudfront' | 'ssm', number>;
const marksOf = (b: Bench): Marks => ({
  ecs: b.h.ecs.calls.length,
  kube: b.h.kube.calls.length,
  s3: b.s3.calls.length,
  cloudfront: b.cloudfront.calls.length,
  ssm: b.h.ssm.calls.length,
});

/** One component's calls since the click, as (op, Date.now() of arrival). */
type Call = { op: string; at: number };
interface Component {
  name: string;
  /** The single `/rollback` of the same target. */
  request: string;
  calls(b: Bench, m: Marks): Call[];
  /** Ops that change the platform (the rest are reads: drift checks, waits). */
  changes: string[];
}

const COMPONENTS: Component[] = [
  { name: 'api', request: 'api production stack bench', calls: (b, m) => b.h.ecs.calls.slice(m.ecs), changes: ['UpdateService'] },
  {
    name: 'frontend',
    request: 'frontend production stack bench',
    calls: (b, m) => [...b.s3.calls.slice(m.s3), ...b.cloudfront.calls.slice(m.cloudfront)].sort((x, y) => x.at - y.at),
    changes: ['CopyObject', 'PutObject', 'DeleteObject', 'DeleteObjects', 'CreateInvalidation'],
  },
  {
    name: 'web',
    request: 'web production stack bench',
    // The Kubernetes fake stamps calls with performance.now(); on this process's wall clock:
    calls: (b, m) => b.h.kube.calls.slice(m.kube).map((c) => ({ op: c.method, at: performance.timeOrigin + c.at })),
    changes: ['PATCH'],
  },
  {
    name: 'matching',
    request: 'flag NewMatchingAlgorithm off production stack bench',
    // The SSM fake records a call after its latency: it arrived that much earlier.
    calls: (b, m) => b.h.ssm.calls.slice(m.ssm).map((c) => ({ op: c.op, at: c.at - PACE.ssmLatencyMs })),
    changes: ['PutParameter'],
  },
];

async function requestCard(b: Bench, id: string, text: string) {
  await b.h.slack.slashCommand(b.h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEV' });
  return eventually(
    () => b.h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id} `) && readable(m).includes('rollback_approve')),
    `the ${id} card`,
    30_000,
  );
}

/**
 * Waits until the war room has been quiet long enough for Slack's burst allowance to refill, so
 * each single starts as it would alone (the stack starts in a fresh Rewind, also with a full burst).
 */
async function quietWarRoom(b: Bench): Promise<void> {
  const lastPost = () => Math.max(0, ...b.h.slack.calls.filter((c) => c.method.startsWith('chat.') || c.method.startsWith('files.')).map((c) => c.at));
  await eventually(() => Date.now() - lastPost() >= QUIET_MS, 'a quiet war room', 60_000);
}

interface Timing {
  /** Approve click → "succeeded" posted. */
  outcome: number;
  /** Approve click → the record marked succeeded (the platform work and checks done; the post follows). */
  finished: number;
  /** Per component: click → first platform call, → first change. */
  first: Record<string, { call: number; change: number }>;
}

/** Clicks Approve on `id`'s card and times it to its outcome, and each of `components` to its first calls. */
async function approveAndTime(b: Bench, id: string, card: { ts: string }, components: Component[]): Promise<Timing> {
  const marks = marksOf(b);
  const clicked = Date.now();
  await b.h.slack.clickButton(b.h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: '', channel: WAR_ROOM, message_ts: card.ts });
  const posted = await eventually(
    () => b.h.slack.callsTo('chat.postMessage').find((c) => c.at >= clicked && String(c.args.text).includes(`${id} succeeded`) && !c.error),
    `${id} succeeded posted`,
    60_000,
  );
  const rb = await b.h.rewind.services.store.get(id);
  if (rb?.state !== 'succeeded') throw new Error(`${id} ended ${rb?.state}: ${rb?.error?.message ?? ''}`);
  const first: Timing['first'] = {};
  for (const c of components) {
    const calls = c.calls(b, marks);
    const change = calls.find((call) => c.changes.includes(call.op));
    if (!calls[0] || !change) throw new Error(`${id}: no platform call for ${c.name}`);
    first[c.name] = { call: calls[0].at - clicked, change: change.at - clicked };
  }
  // Let the rest of the thread drain so whatever runs next starts from a quiet channel.
  await eventually(() => b.h.slack.thread(WAR_ROOM, card.ts).some((m) => m.text?.includes('Post-mortem draft')), `${id}'s post-mortem`, 60_000);
  return { outcome: posted.at - clicked, finished: Date.parse(rb.finishedAt!) - clicked, first };
}

const alone: Record<string, Timing[]> = Object.fromEntries(COMPONENTS.map((c) => [c.name, []]));
const sequential: number[] = [];
const stack: Timing[] = [];
/** The same stack with Slack posts unpaced: what is left of a delay once Slack's pace is out of the way. */
const unpaced: Timing[] = [];
for (let round = 0; round < rounds; round++) {
  const singles = await startBench();
  let sum = 0;
  for (const [i, c] of COMPONENTS.entries()) {
    const id = `RB-${i + 1}`;
    if (i > 0) await quietWarRoom(singles);
    const timing = await approveAndTime(singles, id, await requestCard(singles, id, c.request), [c]);
    alone[c.name]!.push(timing);
    sum += timing.outcome;
  }
  sequential.push(sum);
  await singles.close();

  const together = await startBench();
  stack.push(await approveAndTime(together, 'RB-1', await requestCard(together, 'RB-1', 'stack distrocv production stack bench'), COMPONENTS));
  await together.close();

  const control = await startBench(0);
  unpaced.push(await approveAndTime(control, 'RB-1', await requestCard(control, 'RB-1', 'stack distrocv production stack bench'), COMPONENTS));
  await control.close();
  process.stdout.write('.');
}
await redis?.stop();

const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;
const med = (xs: number[]) => median(xs);
const aloneOf = (name: string, what: 'outcome' | 'finished') => med(alone[name]!.map((t) => t[what]));
const slowest = COMPONENTS.reduce((a, c) => (aloneOf(c.name, 'outcome') > aloneOf(a.name, 'outcome') ? c : a));
const slowestMs = aloneOf(slowest.name, 'outcome');
const stackMs = med(stack.map((t) => t.outcome));
const sequentialMs = med(sequential);
const budget = slowestMs + 1000;

console.log(`\nStack rollback of four components (ECS, S3/CloudFront, Kubernetes, SSM flag), ${rounds} rounds, medians; Slack paced at 1 post/s per channel`);
console.log(
  `  fakes' pace: ECS ${PACE.ecsTickMs} ms a task (3), Kubernetes ${PACE.kubeTickMs} ms a pod step (2 × 3 replicas), CloudFront invalidation ${PACE.invalidationMs} ms, SSM ${PACE.ssmLatencyMs} ms a call`,
);
console.log(`\n  ${'Approve click →'.padEnd(34)}${'"succeeded" posted'.padStart(20)}${'record succeeded'.padStart(18)}`);
const line = (label: string, posted: number, finished: number | undefined, note = '') =>
  console.log(`    ${label.padEnd(32)}${ms(posted).padStart(20)}${finished === undefined ? ''.padStart(18) : ms(finished).padStart(18)}${note}`);
for (const c of COMPONENTS) line(`${c.name} alone`, aloneOf(c.name, 'outcome'), aloneOf(c.name, 'finished'), c === slowest ? '   (slowest)' : '');
line(
  'the four one after another (sum)',
  sequentialMs,
  med(COMPONENTS.map((c) => alone[c.name]!).reduce((sums, ts) => sums.map((x, i) => x + ts[i]!.finished), Array<number>(rounds).fill(0))),
);
line('stack of the four', stackMs, med(stack.map((t) => t.finished)));
const wallMet = stackMs <= budget;
console.log(`  stack / sequential: ${(stackMs / sequentialMs).toFixed(2)}×`);
console.log(
  `  stack − slowest alone (${slowest.name}): ${(stackMs - slowestMs).toFixed(0)} ms (target: stack ≤ slowest + 1 s = ${budget.toFixed(0)} ms: ${wallMet ? 'met' : 'MISSED'})`,
);

console.log(
  "\n  Approve click → first platform call, and → first change; extra = in stack − alone; Slack's share = in stack − in the same stack unpaced (per round)",
);
const header = ['call alone', 'in stack', 'extra', "Slack's", 'change alone', 'in stack', 'extra', "Slack's"];
const widths = header.map((h) => Math.max(10, h.length + 2));
const row = (name: string, cells: string[]) => console.log(`    ${name.padEnd(10)}${cells.map((cell, i) => cell.padStart(widths[i]!)).join('')}`);
row('', header);
const worst = { call: -Infinity, change: -Infinity, slackCall: -Infinity, slackChange: -Infinity };
for (const c of COMPONENTS) {
  const a = alone[c.name]!.map((t) => t.first[c.name]!);
  const s = stack.map((t) => t.first[c.name]!);
  const u = unpaced.map((t) => t.first[c.name]!);
  const extra = (what: 'call' | 'change') => med(s.map((x, i) => x[what] - a[i]![what]));
  const slack = (what: 'call' | 'change') => med(s.map((x, i) => x[what] - u[i]![what]));
  worst.call = Math.max(worst.call, extra('call'));
  worst.change = Math.max(worst.change, extra('change'));
  worst.slackCall = Math.max(worst.slackCall, slack('call'));
  worst.slackChange = Math.max(worst.slackChange, slack('change'));
  const cells = (what: 'call' | 'change') => [med(a.map((x) => x[what])), med(s.map((x) => x[what])), extra(what), slack(what)];
  row(
    c.name,
    [...cells('call'), ...cells('change')].map((x) => `${x.toFixed(0)} ms`),
  );
}
const firstMet = worst.call < 100;
console.log(
  `  largest extra delay of a first platform call: ${worst.call.toFixed(0)} ms, of which Slack's pace ≤ ${Math.max(0, worst.slackCall).toFixed(0)} ms (target < 100 ms: ${firstMet ? 'met' : 'MISSED'})`,
);
console.log(
  `  largest extra delay of a first change: ${worst.change.toFixed(0)} ms, of which Slack's pace ≤ ${Math.max(0, worst.slackChange).toFixed(0)} ms (the stack changes nothing until every component's drift check is back)`,
);
if (!wallMet || !firstMet) process.exitCode = 1;

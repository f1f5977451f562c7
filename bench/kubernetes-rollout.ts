/**
 * How long after a rollout completes Rewind reports it: the kubernetes driver's `rollout-status`
 * step (watch + re-list) against a plain 2 s polling loop, measured on the same rollouts. The fake
 * API server stamps the moment its controller marks the rollout complete (same process, same clock).
 * The poller starts at a random phase each run, as a poller would be relative to a rollout.
 * Run: npx tsx bench/kubernetes-rollout.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { rolloutStatus } from '../src/drivers/shared/kubernetes/rollout-status.js';
import { driverFor, planRequest, silentLog, stepContext, target } from '../test/fakes/kubernetes/harness.js';
import { startFakeKube } from '../test/fakes/kubernetes/server.js';
import { median } from './stats.js';

const runs = Number(process.argv[2] ?? 15);
const POLL_MS = 2000;
const NS = 'production';
const NAME = 'skillancer-web';

const fake = await startFakeKube({ tickMs: 25 });
fake.addDeployment(NS, NAME, { revisions: ['reg.example.com/skillancer/web:1.0.0-rc.5', 'reg.example.com/skillancer/web:1.0.0-rc.6'], replicas: 3 });
// Production defaults: the re-list safety net (10 s) is too slow to help, so this measures the watch.
const t = target({ deployments: [NAME], resyncInterval: '10s', progressTimeout: '1m' });
const driver = driverFor(fake);
const ctx = { signal: new AbortController().signal, log: silentLog };

const kc = new KubeConfig();
kc.loadFromFile(fake.kubeconfigPath);
const apps = kc.makeApiClient(AppsV1Api);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The baseline: GET the Deployment every 2 s and apply the same rollout status rules. */
async function poll(): Promise<number> {
  await sleep(Math.random() * POLL_MS);
  for (;;) {
    if (rolloutStatus(await apps.readNamespacedDeployment({ namespace: NS, name: NAME })).state === 'complete') return performance.now();
    await sleep(POLL_MS);
  }
}

const watchLatency: number[] = [];
const pollLatency: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  // Each undo flips between rc.5 and rc.6, so every run is a real rollout.
  const plan = await driver.plan(planRequest(t), ctx);
  await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
  const [reported, polled] = await Promise.all([driver.runStep(stepContext(plan, 'rollout-status', t).ctx).then(() => performance.now()), poll()]);
  const completed = fake.completedAt(NS, NAME);
  if (completed === undefined) throw new Error('the fake never marked the rollout complete');
  if (i === 0) continue; // warm-up: JIT and first connections
  watchLatency.push(reported - completed);
  pollLatency.push(polled - completed);
  process.stdout.write('.');
}
await fake.close();

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const rewind = median(watchLatency);
const polling = median(pollLatency);
console.log(`\nkubernetes rollout-status: completion → reported, ${runs} rollouts`);
console.log(`  Rewind (watch + re-list)   median ${fmt(rewind)}  (min ${fmt(Math.min(...watchLatency))}, max ${fmt(Math.max(...watchLatency))})`);
console.log(`  2 s polling loop           median ${fmt(polling)}  (min ${fmt(Math.min(...pollLatency))}, max ${fmt(Math.max(...pollLatency))})`);
console.log(`  polling / Rewind           ${(polling / rewind).toFixed(0)}x`);
console.log(`  target < 200 ms median     ${rewind < 200 ? 'met' : 'MISSED'}`);
if (rewind >= 200) process.exitCode = 1;

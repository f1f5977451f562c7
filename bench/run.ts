/** `npm run bench`: every benchmark in turn, each in its own process so none warms another's heap. */
import { spawnSync } from 'node:child_process';

const BENCHES = [
  'slack-ack.ts',
  'metrics-scrape.ts',
  'approve-latency.ts',
  'kubernetes-approve.ts',
  'kubernetes-rollout.ts',
  'stack-rollback.ts',
  'frontend-live-version.ts',
  'alert-suggestion.ts',
  'freeze.ts',
  'idle-rss.ts',
];
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n=== bench/${bench}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}`], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
if (failed) {
  console.log(`\n${failed} benchmark(s) missed their target or failed`);
  process.exitCode = 1;
}

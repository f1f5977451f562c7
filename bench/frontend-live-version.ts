/**
 * What finding the live frontend version by listing costs: planning `/rollback web production`
 * when no record names the live version (every version's listing is compared with the live
 * bucket) against the same plan with a matching record in the state bucket (one comparison),
 * on the S3 fake over the real SDK. Run: npx tsx bench/frontend-live-version.ts [versions] [objects] [runs]
 */
import { performance } from 'node:perf_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { createFrontendDriver } from '../src/drivers/frontend/driver.js';
import { frontendTarget } from '../src/drivers/frontend/target.js';
import { S3Fake, sdkConfig } from '../test/fakes/aws/index.js';
import { median } from './stats.js';

const versions = Number(process.argv[2] ?? 30);
const objects = Number(process.argv[3] ?? 300);
const runs = Number(process.argv[4] ?? 9);
const VERSIONS = 'distrocv-frontend-versions';
const LIVE = 'distrocv-frontend-prod';
const STATE = 'distrocv-rewind-state';

const s3f = await S3Fake.start();
const s3 = new S3Client({ ...sdkConfig(s3f.url), forcePathStyle: true });
const names = Array.from({ length: versions }, (_, i) => `v2.${i}.0`);
names.forEach((name, i) => {
  const at = new Date(Date.UTC(2026, 0, 1 + i));
  // Builds share their assets; a few files differ per build.
  for (let n = 0; n < objects; n++)
    s3f.putObject(VERSIONS, `${name}/static/asset-${n}.js`, n < objects - 5 ? `asset ${n}` : `asset ${n} of ${name}`, { lastModified: at });
  s3f.putObject(VERSIONS, `${name}/index.html`, `<html>${name}</html>`, { lastModified: at });
});
const live = names.at(-1)!;
for (const [key, body] of Object.entries(s3f.contents(VERSIONS, `${live}/`))) s3f.putObject(LIVE, key, body);
s3f.putObject(STATE, `${LIVE}/live.json`, JSON.stringify({ version: live }));

const driver = createFrontendDriver({ s3: () => s3, cloudfront: undefined as never });
const ctx = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };
const base = { driver: 'frontend', versions: { bucket: VERSIONS }, live: { bucket: LIVE }, distributionId: 'E1234567890' };
const listed = frontendTarget.parse(base);
const recorded = frontendTarget.parse({ ...base, state: { bucket: STATE } });

async function planMs(target: typeof listed): Promise<number> {
  const started = performance.now();
  const plan = await driver.plan({ rollbackId: 'RB-1', service: 'web', environment: 'production', target }, ctx);
  if (plan.current !== live) throw new Error(`planned from ${plan.current}, expected ${live}`);
  return performance.now() - started;
}

await planMs(listed); // warm-up: SDK and fake
const withRecord: number[] = [];
const byListing: number[] = [];
for (let i = 0; i < runs; i++) {
  withRecord.push(await planMs(recorded));
  byListing.push(await planMs(listed));
}
const a = median(withRecord);
const b = median(byListing);
console.log(`${versions} versions × ${objects + 1} objects, ${runs} runs each (medians)`);
console.log(`plan with a matching state record: ${a.toFixed(1)} ms`);
console.log(`plan by listing every version:     ${b.toFixed(1)} ms (${(b / a).toFixed(2)}× the record)`);
s3.destroy();
await s3f.close();

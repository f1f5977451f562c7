import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { createFrontendDriver } from '../../src/drivers/frontend/driver.js';
import { frontendDriver } from '../../src/drivers/frontend/index.js';
import { frontendTarget, type FrontendTarget } from '../../src/drivers/frontend/target.js';
import { asExecutor } from '../support/driver.js';
import { CloudFrontFake, S3Fake, sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';
import { refusal } from '../support/rejections.js';

const VERSIONS = 'distrocv-frontend-versions';
const LIVE = 'distrocv-frontend-prod';
const DIST = 'E1234567890';
const MARKER = '.rewind/live.json';

let s3f: S3Fake;
let cff: CloudFrontFake;
let s3: S3Client;
let cf: CloudFrontClient;

/** 40 files every build shares, unchanged between builds. */
const shared = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`static/img-${i}.png`, `image ${i}`]));
const BUILDS: Record<string, { date: string; files: Record<string, string> }> = {
  'v1.9.0': { date: '2024-01-05T09:00:00Z', files: { ...shared, 'index.html': '<html>1.9.0</html>', 'assets/app-190.js': 'app 1.9.0' } },
  'v2.0.0': {
    date: '2024-01-10T14:02:00Z',
    files: { ...shared, 'index.html': '<html>2.0.0</html>', 'assets/app-200.js': 'app 2.0.0', 'assets/legacy.css': 'legacy', 'robots.txt': 'User-agent: *' },
  },
  'v2.0.1': {
    date: '2024-01-15T16:30:00Z',
    files: {
      ...shared,
      'index.html': '<html>2.0.1</html>',
      'assets/app-201.js': 'app 2.0.1',
      'assets/new-feature.js': 'feature',
      'robots.txt': 'User-agent: *',
    },
  },
};

function seed(live: string | null = 'v2.0.1') {
  for (const [version, build] of Object.entries(BUILDS)) {
    for (const [key, body] of Object.entries(build.files)) s3f.putObject(VERSIONS, `${version}/${key}`, body, { lastModified: new Date(build.date) });
  }
  s3f.createBucket(LIVE);
  for (const [key, body] of Object.entries(BUILDS['v2.0.1']!.files)) s3f.putObject(LIVE, key, body);
  if (live) s3f.putObject(LIVE, MARKER, JSON.stringify({ version: live }), { contentType: 'application/json' });
  cff.addDistribution(DIST);
}

beforeEach(async () => {
  s3f = await S3Fake.start();
  cff = await CloudFrontFake.start({ invalidationDelayMs: 150 });
  s3 = new S3Client({ ...sdkConfig(s3f.url), forcePathStyle: true });
  cf = new CloudFrontClient(sdkConfig(cff.url));
});

afterEach(async () => {
  s3.destroy();
  cf.destroy();
  await Promise.all([s3f.close(), cff.close()]);
});

const driver = () => asExecutor(frontendDriver, createFrontendDriver({ s3: () => s3, cloudfront: cf, minPollSec: 0.01 }));

function target(overrides: Record<string, unknown> = {}): FrontendTarget {
  return frontendTarget.parse({
    driver: 'frontend',
    versions: { bucket: VERSIONS },
    live: { bucket: LIVE },
    distributionId: DIST,
    concurrency: 4,
    pollInterval: '20ms',
    invalidationTimeout: '10s',
    ...overrides,
  });
}

function request(version?: string): PlanRequest<FrontendTarget> {
  return { rollbackId: 'RB-7', service: 'web', environment: 'production', target: target(), version };
}

describe('frontend driver: plan', () => {
  it('targets the version before the live one and lists versions newest first with dates', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    expect(plan.current).toBe('v2.0.1');
    expect(plan.target).toBe('v2.0.0');
    expect(plan.changes).toEqual([
      `s3://${LIVE}/: v2.0.1 → v2.0.0 (2024-01-10 14:02 UTC)`,
      // index.html and app-200.js and legacy.css differ or are missing; app-201.js and new-feature.js go.
      '44 objects in v2.0.0: 3 to copy, 2 to delete, 41 unchanged',
      `CloudFront ${DIST}: invalidate /*`,
      'versions, newest first: v2.0.1 (2024-01-15 16:30 UTC) ← live, v2.0.0 (2024-01-10 14:02 UTC), v1.9.0 (2024-01-05 09:00 UTC)',
    ]);
    expect(plan.steps.map((s) => s.id)).toEqual(['sync', 'invalidate']);
    expect(plan.steps[0]!.title).toBe(`Sync s3://${VERSIONS}/v2.0.0/ → s3://${LIVE}/ (copy changed, delete removed), record v2.0.0 as live`);
  });

  it('refuses a missing version and offers the available ones, newest first', async () => {
    seed();
    const refused = await refusal(driver().plan(request('v9.9.9'), driverContext()));
    expect(refused.message).toContain(`s3://${VERSIONS}/ has no version "v9.9.9"`);
    expect(refused.choices).toEqual(['v2.0.1', 'v2.0.0', 'v1.9.0']);
  });

  it('without a live marker, refuses plainly and says how to seed it; `to <version>` still works', async () => {
    seed(null);
    const refused = await refusal(driver().plan(request(), driverContext()));
    expect(refused.message).toContain(`s3://${LIVE}/${MARKER} is missing`);
    expect(refused.message).toContain(`aws s3 cp - s3://${LIVE}/${MARKER}`);
    const plan = await driver().plan(request('v1.9.0'), driverContext());
    expect(plan.target).toBe('v1.9.0');
    expect(plan.warnings).toEqual([`No live marker in s3://${LIVE}/: Rewind will write one naming v1.9.0 after the sync.`]);
  });

  it('refuses when the live version is the oldest', async () => {
    seed('v1.9.0');
    const refused = await refusal(driver().plan(request(), driverContext()));
    expect(refused.message).toBe(`v1.9.0 is the oldest version in s3://${VERSIONS}/: there is nothing older to roll back to.`);
    expect(refused.choices).toEqual(['v2.0.1', 'v2.0.0']);
  });

  it('reports drift when another deploy moves the live marker after planning', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    s3f.putObject(LIVE, MARKER, JSON.stringify({ version: 'v2.0.2' }));
    expect(await driver().drift(plan, target(), driverContext())).toBe(
      'the live version is now v2.0.2; it was v2.0.1 at plan time (someone deployed or rolled back meanwhile)',
    );
  });
});

describe('frontend driver: apply', () => {
  it('makes the live bucket equal to the version, copying only what differs, then invalidates and waits', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    const { outputs, progress } = await runAllSteps(driver(), plan, target());

    const { [MARKER]: marker, ...live } = s3f.contents(LIVE);
    expect(live).toEqual(s3f.contents(VERSIONS, 'v2.0.0/'));
    expect(JSON.parse(marker!)).toMatchObject({ version: 'v2.0.0', rollbackId: 'RB-7' });
    expect(
      s3f
        .callsOf('CopyObject')
        .map((c) => c.input.key)
        .sort(),
    ).toEqual(['assets/app-200.js', 'assets/legacy.css', 'index.html']);
    expect(outputs.sync).toEqual({ version: 'v2.0.0', objects: 44, copied: 3, deleted: 2, unchanged: 41 });
    expect(progress).toContain('v2.0.0: 44 objects, 3 to copy, 2 to delete');
    expect(progress).toContain('5/5 objects');

    expect(cff.invalidations).toHaveLength(1);
    expect(cff.invalidations[0]).toMatchObject({ distributionId: DIST, paths: ['/*'], callerReference: 'rewind-RB-7-invalidate' });
    expect(cff.status(cff.invalidations[0]!)).toBe('Completed');
    expect(outputs.invalidate).toEqual({ invalidationId: cff.invalidations[0]!.id, distributionId: DIST, paths: ['/*'] });
    expect(cff.callsOf('GetInvalidation').length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatch(new RegExp(`^CloudFront invalidation ${cff.invalidations[0]!.id}: completed in \\d+s$`));

    // The next rollback goes one further back: the marker now names v2.0.0.
    expect((await driver().plan({ ...request(), rollbackId: 'RB-8' }, driverContext())).target).toBe('v1.9.0');
  });

  it('never lets a build overwrite the live marker with its own .rewind/ folder', async () => {
    seed();
    s3f.putObject(VERSIONS, `v2.0.0/${MARKER}`, JSON.stringify({ version: 'v0.0.1' }), { lastModified: new Date(BUILDS['v2.0.0']!.date) });
    const plan = await driver().plan(request(), driverContext());
    await driver().runStep(stepContext(plan, 'sync', target()).context);
    expect(JSON.parse(s3f.contents(LIVE)[MARKER]!)).toMatchObject({ version: 'v2.0.0' });
    expect(s3f.callsOf('CopyObject').map((c) => c.input.key)).not.toContain(MARKER);
  });

  it('repeats the sync after a crash without copying again what already matches', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    // The crashed attempt got as far as index.html.
    s3f.putObject(LIVE, 'index.html', '<html>2.0.0</html>');
    const first = stepContext(plan, 'sync', target());
    expect(await driver().runStep(first.context)).toMatchObject({ copied: 2, deleted: 2 });
    const again = stepContext(plan, 'sync', target());
    expect(await driver().runStep(again.context)).toMatchObject({ copied: 0, deleted: 0, unchanged: 44 });
    expect(s3f.callsOf('CopyObject')).toHaveLength(2);
  });

  it('does not invalidate twice when the step is repeated after a crash', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    // Crash between CreateInvalidation and the checkpoint: the journal never heard of the id.
    const crashed = stepContext(plan, 'invalidate', target(), {
      save: async () => {
        throw new Error('worker killed');
      },
    });
    await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
    const repeat = stepContext(plan, 'invalidate', target());
    const output = await driver().runStep(repeat.context);
    expect(cff.invalidations).toHaveLength(1);
    expect(output).toMatchObject({ invalidationId: cff.invalidations[0]!.id });
    expect(repeat.checkpoints).toEqual([{ invalidationId: cff.invalidations[0]!.id }]);

    // With the id checkpointed, a further repeat only waits.
    const creates = cff.callsOf('CreateInvalidation').length;
    const resumed = stepContext(plan, 'invalidate', target(), { journal: { invalidationId: cff.invalidations[0]!.id } });
    await driver().runStep(resumed.context);
    expect(cff.callsOf('CreateInvalidation')).toHaveLength(creates);
    expect(cff.invalidations).toHaveLength(1);
  });

  it('retries throttled S3 copies and CloudFront calls', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    s3f.failNext('CopyObject', 'SlowDown', 2);
    cff.failNext('CreateInvalidation', 'Throttling', 1);
    await runAllSteps(driver(), plan, target());
    expect(s3f.callsOf('CopyObject').filter((c) => c.error === 'SlowDown')).toHaveLength(2);
    expect(s3f.callsOf('CopyObject').filter((c) => !c.error)).toHaveLength(3);
    expect(cff.callsOf('CreateInvalidation').map((c) => c.error)).toEqual(['Throttling', undefined]);
    expect(cff.invalidations).toHaveLength(1);
    const { [MARKER]: _marker, ...live } = s3f.contents(LIVE);
    expect(live).toEqual(s3f.contents(VERSIONS, 'v2.0.0/'));
  });

  it('names the distribution when CloudFront does not know it', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    const wrong = { ...plan, data: { ...plan.data, distributionId: 'E0000000000' } };
    const run = stepContext(wrong, 'invalidate', target());
    await expect(driver().runStep(run.context)).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      message: 'CloudFront has no distribution E0000000000.',
      permanent: true,
    });
  });
});

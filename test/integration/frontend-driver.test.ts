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
const STATE = 'distrocv-rewind-state';
const MARKER = '.rewind/live.json';
/** Where Rewind records the live version when the target has `state: { bucket: STATE }`. */
const RECORD = `${LIVE}/live.json`;

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

/** The builds, `live` synced into the live bucket as the runbook's pipeline does (no marker), and a `.rewind/live.json` naming `marker` if given. */
function seed({ live = 'v2.0.1', marker }: { live?: string; marker?: string } = {}) {
  for (const [version, build] of Object.entries(BUILDS)) {
    for (const [key, body] of Object.entries(build.files)) s3f.putObject(VERSIONS, `${version}/${key}`, body, { lastModified: new Date(build.date) });
  }
  s3f.createBucket(LIVE).createBucket(STATE);
  for (const [key, body] of Object.entries(BUILDS[live]!.files)) s3f.putObject(LIVE, key, body);
  if (marker) s3f.putObject(LIVE, MARKER, JSON.stringify({ version: marker }), { contentType: 'application/json' });
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

function request(version?: string, overrides: Record<string, unknown> = {}): PlanRequest<FrontendTarget> {
  return { rollbackId: 'RB-7', service: 'web', environment: 'production', target: target(overrides), version };
}

const withState = { state: { bucket: STATE } };

describe('frontend driver: plan', () => {
  it('without any marker, finds the live version by listing and targets the one before it', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    expect(plan.current).toBe('v2.0.1');
    expect(plan.target).toBe('v2.0.0');
    expect(plan.changes).toEqual([
      `s3://${LIVE}/: v2.0.1 → v2.0.0 (2024-01-10 14:02 UTC)`,
      `live version found by comparing the 44 objects in s3://${LIVE}/ with each version (key, ETag, size)`,
      // index.html and app-200.js and legacy.css differ or are missing; app-201.js and new-feature.js go.
      '44 objects in v2.0.0: 3 to copy, 2 to delete, 41 unchanged',
      `CloudFront ${DIST}: invalidate /*`,
      'versions, newest first: v2.0.1 (2024-01-15 16:30 UTC) ← live, v2.0.0 (2024-01-10 14:02 UTC), v1.9.0 (2024-01-05 09:00 UTC)',
    ]);
    expect(plan.steps.map((s) => s.id)).toEqual(['sync', 'invalidate']);
    expect(plan.steps[0]!.title).toBe(`Sync s3://${VERSIONS}/v2.0.0/ → s3://${LIVE}/ (copy changed, delete removed)`);
    expect(plan.warnings).toBeUndefined();
  });

  it("believes an existing .rewind/live.json when the live bucket holds that version's objects", async () => {
    seed({ marker: 'v2.0.1' });
    const plan = await driver().plan(request(), driverContext());
    expect([plan.current, plan.target]).toEqual(['v2.0.1', 'v2.0.0']);
    expect(plan.changes[1]).toBe(`live version recorded in s3://${LIVE}/${MARKER}`);
    // Believed after one comparison: no other version was listed in full.
    expect(s3f.callsOf('ListObjectsV2').filter((c) => c.input.prefix === 'v1.9.0/' && c.input.delimiter === '')).toHaveLength(1);
  });

  it('ignores a marker the live bucket no longer matches and says so', async () => {
    seed({ marker: 'v1.9.0' });
    const plan = await driver().plan(request(), driverContext());
    expect([plan.current, plan.target]).toEqual(['v2.0.1', 'v2.0.0']);
    expect(plan.changes[1]).toBe(
      `live version found by comparing the 44 objects in s3://${LIVE}/ with each version (key, ETag, size); s3://${LIVE}/${MARKER} names v1.9.0, which the live bucket no longer matches`,
    );
  });

  it('refuses with the closest versions when the live bucket matches none; `to <version>` still works', async () => {
    seed();
    s3f.putObject(LIVE, 'index.html', '<html>2.0.1 hotfix</html>');
    s3f.putObject(LIVE, 'hotfix.js', 'patched by hand');
    const refused = await refusal(driver().plan(request(), driverContext()));
    expect(refused.message).toBe(
      `Rewind cannot tell which version is live: the 45 objects in s3://${LIVE}/ match no version in s3://${VERSIONS}/ exactly (key, ETag, size). ` +
        'Closest: v2.0.1 (2 objects differ), v2.0.0 (6 objects differ), v1.9.0 (6 objects differ). Name the version to restore with `to <version>`. ' +
        'Versions, newest first: v2.0.1 (2024-01-15 16:30 UTC), v2.0.0 (2024-01-10 14:02 UTC), v1.9.0 (2024-01-05 09:00 UTC).',
    );
    expect(refused.choices).toEqual(['v2.0.1', 'v2.0.0', 'v1.9.0']);
    const plan = await driver().plan(request('v2.0.1'), driverContext());
    expect([plan.current, plan.target]).toEqual(['unknown (matches no version)', 'v2.0.1']);
    expect(plan.changes[2]).toBe('44 objects in v2.0.1: 1 to copy, 1 to delete, 43 unchanged');
    expect(plan.warnings).toEqual([`s3://${LIVE}/ matches no version exactly: the sync replaces what differs from v2.0.1.`]);
  });

  it('treats a rebuild with the same objects as live: rolls back past it, refuses it as a target', async () => {
    seed();
    for (const [key, body] of Object.entries(BUILDS['v2.0.1']!.files))
      s3f.putObject(VERSIONS, `v2.0.2/${key}`, body, { lastModified: new Date('2024-01-16T08:00:00Z') });
    const plan = await driver().plan(request(), driverContext());
    expect([plan.current, plan.target]).toEqual(['v2.0.2', 'v2.0.0']);
    const refused = await refusal(driver().plan(request('v2.0.1'), driverContext()));
    expect(refused.message).toBe(`v2.0.1 is already live in s3://${LIVE}/ (its objects are the same as v2.0.2's); name another version.`);
    expect(refused.choices).toEqual(['v2.0.0', 'v1.9.0']);
  });

  it('marks the live version in the history without a marker', async () => {
    seed({ live: 'v2.0.0' });
    const history = await driver().history!(target(), driverContext());
    expect(history.map((e) => [e.revision, e.current])).toEqual([
      ['v2.0.1', false],
      ['v2.0.0', true],
      ['v1.9.0', false],
    ]);
  });

  it('refuses a missing version and offers the available ones, newest first', async () => {
    seed();
    const refused = await refusal(driver().plan(request('v9.9.9'), driverContext()));
    expect(refused.message).toContain(`s3://${VERSIONS}/ has no version "v9.9.9"`);
    expect(refused.choices).toEqual(['v2.0.1', 'v2.0.0', 'v1.9.0']);
  });

  it('refuses when the live version is the oldest', async () => {
    seed({ live: 'v1.9.0' });
    const refused = await refusal(driver().plan(request(), driverContext()));
    expect(refused.message).toBe(`v1.9.0 is the oldest version in s3://${VERSIONS}/: there is nothing older to roll back to.`);
    expect(refused.choices).toEqual(['v2.0.1', 'v2.0.0']);
  });

  it('reports drift when another deploy changes the live objects after planning', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    s3f.putObject(LIVE, 'index.html', '<html>2.0.2</html>');
    expect(await driver().drift(plan, target(), driverContext())).toBe(
      `the objects in s3://${LIVE}/ changed since plan time, when v2.0.1 was live (someone deployed or rolled back meanwhile)`,
    );
  });

  it('refuses a state bucket that is the live bucket at start-up, naming the fix', () => {
    const parsed = frontendTarget.safeParse({
      driver: 'frontend',
      versions: { bucket: VERSIONS },
      live: { bucket: LIVE },
      state: { bucket: LIVE },
      distributionId: DIST,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toEqual([
      expect.objectContaining({
        path: ['state', 'bucket'],
        message: 'is the live bucket, which CloudFront serves to everyone: name a bucket it does not serve, e.g. distrocv-rewind-state',
      }),
    ]);
  });
});

describe('frontend driver: apply', () => {
  it('makes the live bucket equal to the version, copying only what differs, then invalidates and waits', async () => {
    seed();
    const plan = await driver().plan(request(), driverContext());
    const { outputs, progress } = await runAllSteps(driver(), plan, target());

    expect(s3f.contents(LIVE)).toEqual(s3f.contents(VERSIONS, 'v2.0.0/'));
    expect(
      s3f
        .callsOf('CopyObject')
        .map((c) => c.input.key)
        .sort(),
    ).toEqual(['assets/app-200.js', 'assets/legacy.css', 'index.html']);
    expect(s3f.callsOf('PutObject')).toEqual([]);
    expect(outputs.sync).toEqual({ version: 'v2.0.0', objects: 44, copied: 3, deleted: 2, unchanged: 41 });
    expect(progress).toContain('v2.0.0: 44 objects, 3 to copy, 2 to delete');
    expect(progress).toContain('5/5 objects');

    expect(cff.invalidations).toHaveLength(1);
    expect(cff.invalidations[0]).toMatchObject({ distributionId: DIST, paths: ['/*'], callerReference: 'rewind-RB-7-invalidate' });
    expect(cff.status(cff.invalidations[0]!)).toBe('Completed');
    expect(outputs.invalidate).toEqual({ invalidationId: cff.invalidations[0]!.id, distributionId: DIST, paths: ['/*'] });
    expect(cff.callsOf('GetInvalidation').length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatch(new RegExp(`^CloudFront invalidation ${cff.invalidations[0]!.id}: completed in \\d+s$`));

    // The next rollback goes one further back: the live bucket now holds v2.0.0.
    expect((await driver().plan({ ...request(), rollbackId: 'RB-8' }, driverContext())).target).toBe('v1.9.0');
  });

  it('with a state bucket, records the new live version there and nothing in the served bucket', async () => {
    seed();
    const plan = await driver().plan(request(undefined, withState), driverContext());
    expect(plan.steps[0]!.title).toBe(`Sync s3://${VERSIONS}/v2.0.0/ → s3://${LIVE}/ (copy changed, delete removed), record v2.0.0 in s3://${STATE}/${RECORD}`);
    await runAllSteps(driver(), plan, target(withState));

    expect(s3f.contents(LIVE)).toEqual(s3f.contents(VERSIONS, 'v2.0.0/'));
    expect(JSON.parse(s3f.contents(STATE)[RECORD]!)).toMatchObject({ version: 'v2.0.0', rollbackId: 'RB-7' });
    const next = await driver().plan({ ...request(undefined, withState), rollbackId: 'RB-8' }, driverContext());
    expect([next.current, next.target]).toEqual(['v2.0.0', 'v1.9.0']);
    expect(next.changes[1]).toBe(`live version recorded in s3://${STATE}/${RECORD}`);

    // The pipeline deploys v2.0.1 again without telling Rewind: the record no longer matches, the listing decides.
    for (const [key, body] of Object.entries(s3f.contents(VERSIONS, 'v2.0.1/'))) s3f.putObject(LIVE, key, body);
    for (const key of Object.keys(s3f.contents(LIVE))) if (!(key in BUILDS['v2.0.1']!.files)) s3f.deleteObject(LIVE, key);
    const after = await driver().plan({ ...request(undefined, withState), rollbackId: 'RB-9' }, driverContext());
    expect([after.current, after.target]).toEqual(['v2.0.1', 'v2.0.0']);
    expect(after.changes[1]).toContain(`s3://${STATE}/${RECORD} names v2.0.0, which the live bucket no longer matches`);
  });

  it('never syncs or deletes a legacy .rewind/ folder, even when a build ships one', async () => {
    seed({ marker: 'v2.0.1' });
    s3f.putObject(VERSIONS, `v2.0.0/${MARKER}`, JSON.stringify({ version: 'v0.0.1' }), { lastModified: new Date(BUILDS['v2.0.0']!.date) });
    const plan = await driver().plan(request(), driverContext());
    await driver().runStep(stepContext(plan, 'sync', target()).context);
    expect(JSON.parse(s3f.contents(LIVE)[MARKER]!)).toEqual({ version: 'v2.0.1' });
    expect(s3f.callsOf('CopyObject').map((c) => c.input.key)).not.toContain(MARKER);
    // The stale marker is checked against the objects and set aside.
    expect((await driver().plan({ ...request(), rollbackId: 'RB-8' }, driverContext())).current).toBe('v2.0.0');
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
    expect(s3f.contents(LIVE)).toEqual(s3f.contents(VERSIONS, 'v2.0.0/'));
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

describe('frontend driver: readiness (previous frontend build present)', () => {
  const ready = (t = target()) => driver().readiness!(t, { ...driverContext(), service: 'web', environment: 'production', now: new Date(), backupWindowMs: 0 });

  it('names the build a rollback would restore, kept with its objects, and the live build it matched', async () => {
    seed();
    expect(await ready()).toEqual([
      {
        check: 'previous',
        ok: true,
        detail: `v2.0.0 (2024-01-10 14:02 UTC) is kept in s3://${VERSIONS}/v2.0.0/ (44 objects); s3://${LIVE}/ holds v2.0.1`,
      },
    ]);
  });

  it('is not ready once the build before the live one is deleted and the live one is the oldest left', async () => {
    seed({ live: 'v1.9.0' });
    const [item] = await ready();
    expect(item).toMatchObject({ check: 'previous', ok: false });
    expect(item!.detail).toBe(`v1.9.0 is the oldest version in s3://${VERSIONS}/: there is nothing older to roll back to.`);
    expect(item!.fix).toBe(`Keep the build before v1.9.0 under s3://${VERSIONS}/: do not delete older builds when publishing a new one.`);
  });

  it('is not ready when the live bucket matches no kept build, and when no build is kept at all', async () => {
    seed();
    s3f.putObject(LIVE, 'hotfix.js', 'patched by hand');
    const [unknown] = await ready();
    expect(unknown).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^Rewind cannot tell which version is live: the 45 objects in s3:\/\/distrocv-frontend-prod\//),
    });
    expect(unknown!.fix).toContain(`Publish only builds kept under s3://${VERSIONS}/`);

    for (const key of Object.keys(s3f.contents(VERSIONS))) s3f.deleteObject(VERSIONS, key);
    expect(await ready()).toEqual([
      {
        check: 'previous',
        ok: false,
        detail: `s3://${VERSIONS}/ holds no builds`,
        fix: `Upload every build under its own prefix before it goes live, e.g. \`aws s3 sync dist/ s3://${VERSIONS}/<version>/\` (docs/drivers/frontend.md).`,
      },
    ]);
  });
});

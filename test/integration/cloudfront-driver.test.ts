import { CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudFrontDriver } from '../../src/drivers/cloudfront/driver.js';
import { configDigest } from '../../src/drivers/cloudfront/config.js';
import { cloudfrontDriver } from '../../src/drivers/cloudfront/index.js';
import { cloudfrontTarget, type CloudFrontTarget } from '../../src/drivers/cloudfront/target.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { asExecutor } from '../support/driver.js';
import { refusal, stepFailure } from '../support/rejections.js';
import { CloudFrontFake, S3Fake, sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';
import { textOf } from '../fakes/aws/xml.js';

const DIST = 'E1234567890ABC';
const BUCKET = 'skillancer-cloudfront-backups';
const KEY = `cloudfront/${DIST}.json`;
const BACKUP_URL = `s3://${BUCKET}/${KEY}`;
const CALLER = 'skillancer-prod-2023-06-01';

interface Shape {
  origin: string;
  aliases: string[];
  comment: string;
  priceClass: string;
  root: string;
  apiBehavior: boolean;
  callerReference: string;
}

/** A DistributionConfig as `aws cloudfront get-distribution-config` prints it. */
function config(shape: Partial<Shape> = {}): Record<string, unknown> {
  const s: Shape = {
    origin: 'web-v1',
    aliases: ['skillancer.com', 'www.skillancer.com'],
    comment: 'skillancer.com production',
    priceClass: 'PriceClass_All',
    root: 'index.html',
    apiBehavior: false,
    callerReference: CALLER,
    ...shape,
  };
  const none = { Quantity: 0 };
  return {
    CallerReference: s.callerReference,
    Aliases: { Quantity: s.aliases.length, Items: s.aliases },
    DefaultRootObject: s.root,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: s.origin,
          DomainName: `${s.origin}.skillancer.com`,
          OriginPath: '',
          CustomHeaders: none,
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
            OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
            OriginReadTimeout: 30,
            OriginKeepaliveTimeout: 5,
          },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginAccessControlId: '',
        },
      ],
    },
    OriginGroups: none,
    DefaultCacheBehavior: {
      TargetOriginId: s.origin,
      TrustedSigners: { Enabled: false, Quantity: 0 },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
      SmoothStreaming: false,
      Compress: true,
      LambdaFunctionAssociations: none,
      FunctionAssociations: none,
      FieldLevelEncryptionId: '',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    CacheBehaviors: s.apiBehavior
      ? {
          Quantity: 1,
          Items: [
            { PathPattern: '/api/*', TargetOriginId: s.origin, ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' },
          ],
        }
      : none,
    CustomErrorResponses: none,
    Comment: s.comment,
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: s.priceClass,
    Enabled: true,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: false,
      ACMCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c',
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    ContinuousDeploymentPolicyId: '',
    Staging: false,
  };
}

/** Before the v2 launch (the backup to restore) and the launch itself (what is live). */
const GOOD = config({ origin: 'web-v1' });
const LIVE = config({
  origin: 'web-v2',
  aliases: ['skillancer.com', 'www.skillancer.com', 'beta.skillancer.com'],
  comment: 'v2 launch',
  priceClass: 'PriceClass_200',
  root: '',
  apiBehavior: true,
});

let s3f: S3Fake;
let cff: CloudFrontFake;
let s3: S3Client;
let cf: CloudFrontClient;
/** Version ids of the seeded backups, oldest first: v0 (old), good (before the launch, CLI output shape), live (after the launch). */
let backups: { old: string; good: string; live: string };

function saveBackup(body: unknown, date: string): string {
  return s3f.putObject(BUCKET, KEY, typeof body === 'string' ? body : JSON.stringify(body, null, 2), {
    lastModified: new Date(date),
    contentType: 'application/json',
  }).versionId;
}

beforeEach(async () => {
  s3f = await S3Fake.start();
  cff = await CloudFrontFake.start({ deployDelayMs: 150 });
  s3 = new S3Client({ ...sdkConfig(s3f.url), forcePathStyle: true });
  cf = new CloudFrontClient(sdkConfig(cff.url));
  s3f.enableVersioning(BUCKET);
  backups = {
    old: saveBackup(config({ origin: 'web-v0', comment: 'first launch' }), '2024-01-01T09:00:00Z'),
    good: saveBackup({ ETag: 'E3OLDETAG0001', DistributionConfig: GOOD }, '2024-01-10T14:02:00Z'),
    live: saveBackup(LIVE, '2024-01-15T16:30:00Z'),
  };
  cff.addDistribution(DIST, LIVE);
});

afterEach(async () => {
  s3.destroy();
  cf.destroy();
  await Promise.all([s3f.close(), cff.close()]);
});

const driver = () => asExecutor(cloudfrontDriver, createCloudFrontDriver({ cloudfront: cf, s3: () => s3, minPollSec: 0.01 }));

function target(overrides: Record<string, unknown> = {}): CloudFrontTarget {
  return cloudfrontTarget.parse({
    driver: 'cloudfront',
    distributionId: DIST,
    backup: { bucket: BUCKET, key: KEY },
    pollInterval: '20ms',
    deployTimeout: '10s',
    ...overrides,
  });
}

function request(version?: string, t = target()): PlanRequest<CloudFrontTarget> {
  return { rollbackId: 'RB-7', service: 'cdn', environment: 'production', target: t, version };
}

async function liveConfig() {
  const got = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
  return { etag: got.ETag!, config: got.DistributionConfig! };
}

const when = (date: string) => `${date.slice(0, 16).replace('T', ' ')} UTC`;

describe('cloudfront driver: plan', () => {
  it('restores the newest backup that differs from live, says what changes, and applies it once', async () => {
    const before = await liveConfig();
    const plan = await driver().plan(request(), driverContext());
    expect(plan.current).toBe(`${DIST} live config (ETag ${before.etag})`);
    expect(plan.target).toBe(`backup ${backups.good} (${when('2024-01-10T14:02:00Z')})`);
    expect(plan.changes).toEqual([
      `${backups.good} is the newest backup in ${BACKUP_URL} that differs from the live config (the 1 newer one equals it)`,
      'origin web-v2 removed (web-v2.skillancer.com)',
      'origin web-v1 added: web-v1.skillancer.com',
      'default cache behavior: origin web-v2 → web-v1',
      'aliases: skillancer.com, www.skillancer.com, beta.skillancer.com → skillancer.com, www.skillancer.com',
      'price class: PriceClass_200 → PriceClass_All',
      'comment: "v2 launch" → "skillancer.com production"',
      'default root object: (none) → index.html',
      'also changes: CacheBehaviors',
    ]);
    expect(plan.steps.map((s) => [s.id, s.title])).toEqual([
      ['update', `UpdateDistribution ${DIST} to backup ${backups.good} (${when('2024-01-10T14:02:00Z')}) (If-Match ${before.etag})`],
      ['wait', `Wait until CloudFront reports ${DIST} Deployed (up to 10s)`],
    ]);
    expect(plan.fingerprint).toBe(`cloudfront:${DIST}@${before.etag}`);
    // The config stays out of Plan.data: its digest is enough to check it again.
    expect(JSON.stringify(plan.data).length).toBeLessThan(600);
    expect(s3f.callsOf('GetObject').map((c) => c.input.versionId)).toEqual([backups.live, backups.good]);
    expect(cff.callsOf('UpdateDistribution')).toHaveLength(0);

    const { outputs, progress } = await runAllSteps(driver(), plan, target());
    expect(cff.callsOf('UpdateDistribution').map((c) => c.input.ifMatch)).toEqual([before.etag]);
    const after = await liveConfig();
    expect(configDigest(after.config)).toBe(configDigest(GOOD));
    expect(outputs.update).toMatchObject({ distributionId: DIST, etagBefore: before.etag, etag: after.etag });
    expect(progress[0]).toBe(`CloudFront ${DIST}: InProgress`);
    expect(progress.at(-1)).toMatch(new RegExp(`^CloudFront ${DIST}: Deployed after \\ds$`));
    expect(cff.callsOf('GetDistribution').length).toBeGreaterThan(1);
  });

  it('restores a named version, and refuses one that does not exist or is live already', async () => {
    const plan = await driver().plan(request(backups.old), driverContext());
    expect(plan.target).toBe(`backup ${backups.old} (${when('2024-01-01T09:00:00Z')})`);
    expect(plan.changes[0]).toBe('origin web-v2 removed (web-v2.skillancer.com)');

    const unknown = await refusal(driver().plan(request('3sL4kqtJlcpXroDTDmJrmSpXd3dIbrHY'), driverContext()));
    expect(unknown.message).toBe(
      `${BACKUP_URL} has no version "3sL4kqtJlcpXroDTDmJrmSpXd3dIbrHY". Versions, newest first: ${backups.live} (${when('2024-01-15T16:30:00Z')}), ${backups.good} (${when('2024-01-10T14:02:00Z')}), ${backups.old} (${when('2024-01-01T09:00:00Z')}).`,
    );
    expect(unknown.choices).toEqual([backups.live, backups.good, backups.old, 'disabled']);
    const same = await refusal(driver().plan(request(backups.live), driverContext()));
    expect(same.message).toBe(`${DIST} already serves the config of ${BACKUP_URL} version ${backups.live}: name another version.`);
  });

  it('`to disabled` disables the live config and leaves the rest as it is', async () => {
    const before = await liveConfig();
    const plan = await driver().plan(request('disabled', target({ backup: undefined })), driverContext());
    expect(plan.target).toBe('disabled');
    expect(plan.changes).toEqual(['distribution: enabled → disabled (serves nothing)']);
    expect(plan.warnings?.[0]).toBe(
      'A disabled distribution serves nothing: skillancer.com, www.skillancer.com, beta.skillancer.com stop answering until it is enabled again (restore a backup with `/rollback cdn production to <version>`).',
    );
    expect(plan.steps[0]!.title).toBe(`UpdateDistribution ${DIST} with Enabled=false (If-Match ${before.etag})`);
    await runAllSteps(driver(), plan, target());
    const after = await liveConfig();
    expect(after.config.Enabled).toBe(false);
    expect(configDigest({ ...after.config, Enabled: true })).toBe(configDigest(before.config));

    const again = await refusal(driver().plan(request('disabled'), driverContext()));
    expect(again.message).toBe(
      `${DIST} is disabled already. Restore a backup with \`/rollback cdn production to <version>\` (\`/rollback history cdn production\` lists them).`,
    );
  });

  it('lists the backup versions newest first, with `disabled`', async () => {
    const history = await driver().history!(target(), driverContext());
    expect(history).toEqual([
      { revision: 'disabled', description: `disable ${DIST} (its live config with Enabled=false)`, current: false },
      { revision: backups.live, description: `${BACKUP_URL} (latest)`, createdAt: '2024-01-15T16:30:00.000Z', current: false },
      { revision: backups.good, description: BACKUP_URL, createdAt: '2024-01-10T14:02:00.000Z', current: false },
      { revision: backups.old, description: BACKUP_URL, createdAt: '2024-01-01T09:00:00.000Z', current: false },
    ]);
    // Deleting the object leaves a delete marker on top: not a backup, and the versions stay restorable.
    s3f.deleteObject(BUCKET, KEY);
    const afterDelete = await driver().history!(target(), driverContext());
    expect(afterDelete.map((e) => [e.revision, e.description])).toEqual([
      ['disabled', `disable ${DIST} (its live config with Enabled=false)`],
      [backups.live, BACKUP_URL],
      [backups.good, BACKUP_URL],
      [backups.old, BACKUP_URL],
    ]);
    expect((await driver().plan(request(), driverContext())).target).toBe(`backup ${backups.good} (${when('2024-01-10T14:02:00Z')})`);
  });
});

describe('cloudfront driver: refusals', () => {
  it('names the version and what is wrong with a backup that is not a config', async () => {
    const notJson = saveBackup('DistributionConfig: {', '2024-01-16T08:00:00Z');
    const broken = await refusal(driver().plan(request(), driverContext()));
    expect(broken.message).toMatch(
      new RegExp(
        `^${BACKUP_URL} version ${notJson} \\(${when('2024-01-16T08:00:00Z')}\\) is not a usable CloudFront config backup: it is not JSON \\(.+\\)\\. Name another version with \`to <version>\``,
      ),
    );
    expect(broken.choices).toEqual([backups.live, backups.good, backups.old, 'disabled']);

    const { CallerReference: _c, Origins: _o, ...incomplete } = GOOD;
    const partial = saveBackup({ ETag: 'E3OLDETAG0002', DistributionConfig: { ...incomplete, Enabled: 'yes' } }, '2024-01-17T08:00:00Z');
    const missing = await refusal(driver().plan(request(partial), driverContext()));
    expect(missing.message).toContain(
      `version ${partial} (${when('2024-01-17T08:00:00Z')}) is not a usable CloudFront config backup: DistributionConfig.CallerReference: missing; DistributionConfig.Enabled: Invalid input: expected boolean, received string; DistributionConfig.Origins: missing.`,
    );
  });

  it('refuses a backup of another distribution', async () => {
    const other = saveBackup(config({ callerReference: 'distrocv-prod-2022' }), '2024-01-16T08:00:00Z');
    const refused = await refusal(driver().plan(request(), driverContext()));
    expect(refused.message).toBe(
      `${BACKUP_URL} version ${other} (${when('2024-01-16T08:00:00Z')}) is a backup of another distribution: its CallerReference is "distrocv-prod-2022", ${DIST}'s is "${CALLER}". Check backup.key for cdn/production in the catalog, or name another version with \`to <version>\`.`,
    );
  });

  it('offers `to disabled` when there is no backup to restore', async () => {
    const noBackup = await refusal(driver().plan(request(undefined, target({ backup: undefined })), driverContext()));
    expect(noBackup.message).toContain('cdn/production has no `backup` in the catalog');
    expect(noBackup.choices).toEqual(['disabled']);
    const empty = await refusal(driver().plan(request(undefined, target({ backup: { bucket: BUCKET, key: 'cloudfront/none.json' } })), driverContext()));
    expect(empty.message).toBe(
      `s3://${BUCKET}/cloudfront/none.json holds no backup of ${DIST}. Save one before each change: \`aws cloudfront get-distribution-config --id ${DIST} > backup-config.json && aws s3 cp backup-config.json s3://${BUCKET}/cloudfront/none.json\` (with versioning on for ${BUCKET}). Or disable the distribution with \`to disabled\`.`,
    );
    const same = { bucket: BUCKET, key: 'cloudfront/same.json' };
    s3f.putObject(BUCKET, same.key, JSON.stringify(LIVE));
    s3f.putObject(BUCKET, same.key, JSON.stringify({ ETag: 'E3OLDETAG0003', DistributionConfig: LIVE }));
    const nothing = await refusal(driver().plan(request(undefined, target({ backup: same })), driverContext()));
    expect(nothing.message).toBe(
      `The newest 2 backups in s3://${BUCKET}/${same.key} all hold the live config of ${DIST}: there is nothing different to restore. Or disable the distribution with \`to disabled\`.`,
    );
    expect(nothing.choices).toEqual(['disabled']);
  });
});

describe('cloudfront driver: execution', () => {
  it('reports drift when the config ETag moved since planning', async () => {
    const plan = await driver().plan(request(), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    const planned = (await liveConfig()).etag;
    cff.addDistribution(DIST, { ...LIVE, Comment: 'edited in the console' });
    const moved = (await liveConfig()).etag;
    expect(await driver().drift(plan, target(), driverContext())).toBe(
      `CloudFront distribution ${DIST} changed since planning: its config ETag went ${planned} → ${moved} (CloudTrail's UpdateDistribution events say who changed it)`,
    );
  });

  it('updates once when the step is repeated after a crash', async () => {
    const plan = await driver().plan(request(), driverContext());
    const crash = { save: async () => Promise.reject(new Error('worker killed')) };
    await expect(driver().runStep(stepContext(plan, 'update', target(), crash).context)).rejects.toThrow('worker killed');
    expect(cff.callsOf('UpdateDistribution')).toHaveLength(1);

    // The repeat finds its own update live (the ETag moved, the config is the approved one) and does not send it again.
    const repeat = stepContext(plan, 'update', target());
    const output = await driver().runStep(repeat.context);
    const live = await liveConfig();
    expect(output).toMatchObject({ etag: live.etag });
    expect(repeat.checkpoints).toEqual([{ etag: live.etag }]);
    expect(cff.callsOf('UpdateDistribution')).toHaveLength(1);

    // With the ETag journaled, a further repeat does not even read the distribution.
    const reads = cff.callsOf('GetDistributionConfig').length;
    await driver().runStep(stepContext(plan, 'update', target(), { journal: { etag: live.etag } }).context);
    expect(cff.callsOf('GetDistributionConfig')).toHaveLength(reads);
    await driver().runStep(stepContext(plan, 'wait', target()).context);
  });

  it('fails for good, with the command that asks again, when the distribution changed under the plan', async () => {
    const plan = await driver().plan(request(backups.good), driverContext());
    const planned = (await liveConfig()).etag;
    cff.failNext('UpdateDistribution', {
      code: 'PreconditionFailed',
      status: 412,
      message: 'The precondition given in one or more of the request-header fields evaluated to false.',
    });
    const raced = await stepFailure(driver().runStep(stepContext(plan, 'update', target()).context));
    expect(raced.name).toBe('PreconditionFailed');
    expect(raced.permanent).toBe(true);
    expect(raced.message).toBe(
      `CloudFront distribution ${DIST} changed while Rewind was updating it: ETag ${planned} is not current any more. Rewind changed nothing.`,
    );
    expect(raced.hint).toBe(`ask for a fresh plan against the live config: \`/rollback cdn production to ${backups.good}\``);

    cff.addDistribution(DIST, { ...LIVE, Comment: 'edited in the console' });
    const moved = await stepFailure(driver().runStep(stepContext(plan, 'update', target()).context));
    expect(moved.permanent).toBe(true);
    expect(moved.message).toMatch(
      new RegExp(`^CloudFront distribution ${DIST} changed since planning: its config ETag went ${planned} → E\\w+ .+\\. Rewind changed nothing\\.$`),
    );
    expect(moved.hint).toBe(raced.hint);
    expect(cff.callsOf('UpdateDistribution')).toHaveLength(1);
  });

  it('fails for good when CloudFront refuses the restored config', async () => {
    const plan = await driver().plan(request(), driverContext());
    cff.failNext('UpdateDistribution', { code: 'InvalidViewerCertificate', status: 400, message: 'The specified SSL certificate does not exist.' });
    const refused = await stepFailure(driver().runStep(stepContext(plan, 'update', target()).context));
    expect(refused.permanent).toBe(true);
    expect(refused.message).toBe(`CloudFront refused ${plan.target} for ${DIST}: The specified SSL certificate does not exist.`);
    expect(refused.hint).toBe('nothing was changed; fix that backup, or pick another version (`/rollback history cdn production`)');
  });

  it('stops waiting when the run is aborted, and times out saying the update is applied', async () => {
    cff.deployDelayMs = 60_000;
    const plan = await driver().plan(request(), driverContext());
    await driver().runStep(stepContext(plan, 'update', target()).context);

    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error('worker shutting down')), 100);
    await expect(driver().runStep(stepContext(plan, 'wait', target(), { signal: abort.signal }).context)).rejects.toThrow('worker shutting down');
    expect(Date.now() - started).toBeLessThan(2000);

    const quick = target({ deployTimeout: '1s' });
    const wait = stepContext(plan, 'wait', quick);
    const timedOut = await stepFailure(driver().runStep(wait.context));
    expect(timedOut.name).toBe('DeployTimeout');
    expect(timedOut.message).toBe(
      `CloudFront distribution ${DIST} was still InProgress after 1s: the update to ${plan.target} is applied, and CloudFront is still propagating it to its edge locations.`,
    );
    expect(timedOut.hint).toContain(`\`aws cloudfront get-distribution --id ${DIST} --query Distribution.Status\``);
    expect(wait.progress).toEqual([`CloudFront ${DIST}: InProgress`]);
    expect(textOf(cff.distribution(DIST)!.config, 'Comment')).toBe('skillancer.com production');
  });

  it('keeps waiting through a throttled GetDistribution', async () => {
    const plan = await driver().plan(request('disabled'), driverContext());
    cff.failNext('GetDistribution', 'Throttling', 1);
    await runAllSteps(driver(), plan, target());
    expect(cff.callsOf('GetDistribution')[0]!.error).toBe('Throttling');
    expect(textOf(cff.distribution(DIST)!.config, 'Enabled')).toBe('false');
  });
});

describe('cloudfront driver: readiness (a backup config to restore exists)', () => {
  const ready = (t = target()) => driver().readiness!(t, { ...driverContext(), service: 'cdn', environment: 'production', now: new Date(), backupWindowMs: 0 });

  it('counts the saved configs and names the newest', async () => {
    expect(await ready()).toEqual([
      { check: 'previous', ok: true, detail: `3 saved configs of ${DIST} in ${BACKUP_URL}, newest ${backups.live} (${when('2024-01-15T16:30:00Z')})` },
    ]);
  });

  it('is not ready without a backup in the catalog or with an empty backup object, and says a rollback can still disable', async () => {
    const [none] = await ready(target({ backup: undefined }));
    expect(none).toMatchObject({ ok: false, detail: `no \`backup\` in the catalog: Rewind has no earlier config of ${DIST} to restore` });
    expect(none!.fix).toContain('until then a rollback can only disable it (`/rollback cdn production to disabled`)');
    const [empty] = await ready(target({ backup: { bucket: BUCKET, key: 'cloudfront/none.json' } }));
    expect(empty).toMatchObject({ ok: false, detail: `s3://${BUCKET}/cloudfront/none.json holds no backup of ${DIST}` });
    expect(empty!.fix).toMatch(/^Save one before each change: `aws cloudfront get-distribution-config --id E/);
  });
});

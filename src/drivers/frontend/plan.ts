import type { S3Client } from '@aws-sdk/client-s3';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { listVersions, versionLabel, type Version } from './listing.js';
import { findLiveVersion, type LiveFinding } from './live-version.js';
import { recordUrl, stateRecord } from './marker.js';
import { s3Url, versionPrefix, type FrontendPlanData } from './plan-data.js';
import { count } from './pool.js';
import { computeDiff } from './sync.js';
import type { FrontendTarget } from './target.js';

export const SYNC_STEP = 'sync';
export const INVALIDATE_STEP = 'invalidate';

/** Up to this many versions are listed on the card and in refusals. */
const SHOWN = 8;

function listing(versions: Version[], live: string | undefined): string {
  const shown = versions.slice(0, SHOWN).map((v) => `${versionLabel(v)}${v.name === live ? ' ← live' : ''}`);
  return shown.join(', ') + (versions.length > SHOWN ? `, … ${versions.length - SHOWN} older` : '');
}

/** The version a rollback goes to: `to <version>`, else the newest kept one older than the live build (identical builds skipped); PlanRefused when there is none. */
export function pickTarget(request: Pick<PlanRequest<FrontendTarget>, 'target' | 'version'>, versions: Version[], found: LiveFinding): Version {
  const t = request.target;
  const where = s3Url(t.versions.bucket, t.versions.prefix);
  const liveUrl = s3Url(t.live.bucket, t.live.prefix);
  const names = versions.map((v) => v.name);
  const live = found.version;
  // Identical builds count as the live one: restoring one of them would change nothing.
  const same = new Set(live ? [live, ...found.identical] : []);
  if (request.version) {
    const wanted = request.version.replace(/\/+$/, '');
    const picked = versions.find((v) => v.name === wanted);
    if (!picked) throw new PlanRefused(`${where} has no version "${wanted}". Versions, newest first: ${listing(versions, live)}.`, names);
    if (same.has(wanted))
      throw new PlanRefused(
        `${wanted} is already live in ${liveUrl}${wanted === live ? '' : ` (its objects are the same as ${live}'s)`}; name another version.`,
        names.filter((n) => !same.has(n)),
      );
    return picked;
  }
  if (!live) {
    const closest = found.closest.map((c) => `${c.name} (${count(c.differ)} objects differ)`).join(', ');
    throw new PlanRefused(
      `Rewind cannot tell which version is live: the ${count(found.objects)} objects in ${liveUrl} match no version in ${where} exactly (key, ETag, size). Closest: ${closest || 'none'}. Name the version to restore with \`to <version>\`. Versions, newest first: ${listing(versions, undefined)}.`,
      names,
    );
  }
  const previous = versions.slice(versions.findIndex((v) => v.name === live) + 1).find((v) => !same.has(v.name));
  if (!previous)
    throw new PlanRefused(
      `${live} is the oldest version in ${where}${same.size > 1 ? ' (with its identical builds)' : ''}: there is nothing older to roll back to.`,
      names.filter((n) => !same.has(n)),
    );
  return previous;
}

/** Lists the versions, picks the target (the one before the live version, or `to <version>`) and counts the objects to change. */
export async function planFrontend(s3: S3Client, request: PlanRequest<FrontendTarget>, ctx: DriverContext): Promise<Plan> {
  const t = request.target;
  const versions = await listVersions(s3, t.versions.bucket, t.versions.prefix, t.concurrency, ctx.signal);
  if (versions.length === 0) {
    throw new PlanRefused(
      `${s3Url(t.versions.bucket, t.versions.prefix)} holds no versions: each build must sit under its own prefix, e.g. ${s3Url(t.versions.bucket, t.versions.prefix)}v2.0.1/index.html.`,
    );
  }
  const found = await findLiveVersion(s3, t, versions, ctx.signal);
  const target = pickTarget(request, versions, found);
  const data: FrontendPlanData = {
    versionsBucket: t.versions.bucket,
    versionsPrefix: t.versions.prefix,
    liveBucket: t.live.bucket,
    livePrefix: t.live.prefix,
    region: t.region,
    distributionId: t.distributionId,
    paths: t.invalidationPaths,
    liveVersion: found.version ?? null,
    liveFingerprint: found.fingerprint,
    ...(t.state ? { record: stateRecord(t.state, t.live) } : {}),
    targetVersion: target.name,
    catalogService: request.service,
    environment: request.environment,
  };
  const diff = await computeDiff(s3, data, target.name, ctx.signal);
  const liveUrl = s3Url(t.live.bucket, t.live.prefix);
  const from = s3Url(t.versions.bucket, versionPrefix(data, target.name));
  const current = found.version ?? 'unknown (matches no version)';
  return {
    driver: 'frontend',
    current,
    target: target.name,
    changes: [
      `${liveUrl}: ${current} → ${versionLabel(target)}`,
      `live version ${found.how}`,
      `${count(diff.total)} objects in ${target.name}: ${count(diff.copy.length)} to copy, ${count(diff.remove.length)} to delete, ${count(diff.total - diff.copy.length)} unchanged`,
      `CloudFront ${t.distributionId}: invalidate ${t.invalidationPaths.join(' ')}`,
      `versions, newest first: ${listing(versions, found.version)}`,
    ],
    steps: [
      {
        id: SYNC_STEP,
        title: `Sync ${from} → ${liveUrl} (copy changed, delete removed)${t.state ? `, record ${target.name} in ${recordUrl(stateRecord(t.state, t.live))}` : ''}`,
        driver: 'frontend',
        input: { version: target.name },
      },
      {
        id: INVALIDATE_STEP,
        title: `Invalidate ${t.invalidationPaths.join(' ')} on CloudFront ${t.distributionId} and wait until Completed`,
        driver: 'frontend',
        input: { paths: t.invalidationPaths },
      },
    ],
    fingerprint: `frontend:${t.live.bucket}/${t.live.prefix}:${found.fingerprint}`,
    data,
    ...(found.version ? {} : { warnings: [`${liveUrl} matches no version exactly: the sync replaces what differs from ${target.name}.`] }),
  };
}

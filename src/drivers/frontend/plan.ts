import type { S3Client } from '@aws-sdk/client-s3';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { listVersions, versionLabel, type Version } from './listing.js';
import { markerKey, readMarker, seedCommand, type LiveMarker } from './marker.js';
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

function pickTarget(request: PlanRequest<FrontendTarget>, versions: Version[], marker: LiveMarker | undefined): Version {
  const t = request.target;
  const where = s3Url(t.versions.bucket, t.versions.prefix);
  const names = versions.map((v) => v.name);
  const live = marker?.version;
  if (request.version) {
    const wanted = request.version.replace(/\/+$/, '');
    const found = versions.find((v) => v.name === wanted);
    if (!found) throw new PlanRefused(`${where} has no version "${wanted}". Versions, newest first: ${listing(versions, live)}.`, names);
    if (wanted === live)
      throw new PlanRefused(
        `${wanted} is already live in s3://${t.live.bucket}/${t.live.prefix}; name another version.`,
        names.filter((n) => n !== live),
      );
    return found;
  }
  if (!marker) {
    throw new PlanRefused(
      `Rewind does not know which version is live: s3://${t.live.bucket}/${markerKey(t.live.prefix)} is missing. Name the version to restore with \`to <version>\`, or record the live one once: ${seedCommand(t.live.bucket, t.live.prefix)} (your deploy pipeline should write it on every deploy). Versions, newest first: ${listing(versions, undefined)}.`,
      names,
    );
  }
  const index = versions.findIndex((v) => v.name === live);
  if (index < 0) {
    throw new PlanRefused(
      `The live marker names ${live}, but ${where} has no such version. Name the version to restore with \`to <version>\`. Versions, newest first: ${listing(versions, undefined)}.`,
      names,
    );
  }
  const previous = versions[index + 1];
  if (!previous)
    throw new PlanRefused(
      `${live} is the oldest version in ${where}: there is nothing older to roll back to.`,
      names.filter((n) => n !== live),
    );
  return previous;
}

/** Lists the versions, picks the target (the one before the live version, or `to <version>`) and counts the objects to change. */
export async function planFrontend(s3: S3Client, request: PlanRequest<FrontendTarget>, ctx: DriverContext): Promise<Plan> {
  const t = request.target;
  const [versions, marker] = await Promise.all([
    listVersions(s3, t.versions.bucket, t.versions.prefix, t.concurrency, ctx.signal),
    readMarker(s3, t.live.bucket, t.live.prefix, ctx.signal),
  ]);
  if (versions.length === 0) {
    throw new PlanRefused(
      `${s3Url(t.versions.bucket, t.versions.prefix)} holds no versions: each build must sit under its own prefix, e.g. ${s3Url(t.versions.bucket, t.versions.prefix)}v2.0.1/index.html.`,
    );
  }
  const target = pickTarget(request, versions, marker);
  const data: FrontendPlanData = {
    versionsBucket: t.versions.bucket,
    versionsPrefix: t.versions.prefix,
    liveBucket: t.live.bucket,
    livePrefix: t.live.prefix,
    region: t.region,
    distributionId: t.distributionId,
    paths: t.invalidationPaths,
    liveVersion: marker?.version ?? null,
    targetVersion: target.name,
    catalogService: request.service,
    environment: request.environment,
  };
  const diff = await computeDiff(s3, data, target.name, ctx.signal);
  const liveUrl = s3Url(t.live.bucket, t.live.prefix);
  const from = s3Url(t.versions.bucket, versionPrefix(data, target.name));
  const current = marker?.version ?? 'unknown (no live marker)';
  return {
    driver: 'frontend',
    current,
    target: target.name,
    changes: [
      `${liveUrl}: ${current} → ${versionLabel(target)}`,
      `${count(diff.total)} objects in ${target.name}: ${count(diff.copy.length)} to copy, ${count(diff.remove.length)} to delete, ${count(diff.total - diff.copy.length)} unchanged`,
      `CloudFront ${t.distributionId}: invalidate ${t.invalidationPaths.join(' ')}`,
      `versions, newest first: ${listing(versions, marker?.version)}`,
    ],
    steps: [
      {
        id: SYNC_STEP,
        title: `Sync ${from} → ${liveUrl} (copy changed, delete removed), record ${target.name} as live`,
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
    fingerprint: `frontend:${t.live.bucket}/${t.live.prefix}:live=${marker?.version ?? '-'}@${marker?.at ?? '-'}`,
    data,
    ...(marker ? {} : { warnings: [`No live marker in ${liveUrl}: Rewind will write one naming ${target.name} after the sync.`] }),
  };
}

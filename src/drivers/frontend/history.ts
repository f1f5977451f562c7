import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverContext, HistoryEntry } from '../driver.js';
import { listVersions } from './listing.js';
import { findLiveVersion } from './live-version.js';
import { s3Url } from './plan-data.js';
import type { FrontendTarget } from './target.js';

/** The kept builds, newest first; the one whose objects the live bucket holds is current. */
export async function frontendHistory(s3: S3Client, target: FrontendTarget, ctx: DriverContext): Promise<HistoryEntry[]> {
  const versions = await listVersions(s3, target.versions.bucket, target.versions.prefix, target.concurrency, ctx.signal);
  const live = (await findLiveVersion(s3, target, versions, ctx.signal)).version;
  return versions.map((v): HistoryEntry => ({
    revision: v.name,
    description: s3Url(target.versions.bucket, `${target.versions.prefix}${v.name}/`),
    ...(v.date ? { createdAt: v.date.toISOString() } : {}),
    current: v.name === live,
  }));
}

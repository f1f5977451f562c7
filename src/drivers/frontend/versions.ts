import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverContext } from '../driver.js';
import { rowFromHistory, type VersionRow } from '../versions.js';
import { frontendHistory } from './history.js';
import { readMarker } from './marker.js';
import type { FrontendTarget } from './target.js';

/** The live build and the one before it; when it went live is the marker's `at` (written by Rewind or the deploy pipeline), else the build's date. */
export async function frontendVersions(s3: S3Client, target: FrontendTarget, ctx: DriverContext): Promise<VersionRow[]> {
  const [entries, marker] = await Promise.all([
    frontendHistory(s3, target, ctx),
    readMarker(s3, target.live.bucket, target.live.prefix, ctx.signal).catch(() => undefined),
  ]);
  const row = rowFromHistory(entries);
  const wentLive = marker?.at ? Date.parse(marker.at) : NaN;
  if (!marker) return [{ ...row, note: 'no live marker: Rewind cannot tell which build is live (docs/drivers/frontend.md)' }];
  return [Number.isNaN(wentLive) ? row : { ...row, changedAt: new Date(wentLive).toISOString() }];
}

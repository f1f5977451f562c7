import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverContext } from '../driver.js';
import { rowFromHistory, type VersionRow } from '../versions.js';
import { frontendHistory } from './history.js';
import { readMarker, stateRecord } from './marker.js';
import type { FrontendTarget } from './target.js';

/** The live build and the one before it; when it went live is Rewind's state record's `at` when it names that build, else the build's date. */
export async function frontendVersions(s3: S3Client, target: FrontendTarget, ctx: DriverContext): Promise<VersionRow[]> {
  const [entries, record] = await Promise.all([
    frontendHistory(s3, target, ctx),
    target.state ? readMarker(s3, stateRecord(target.state, target.live), ctx.signal).catch(() => undefined) : undefined,
  ]);
  const row = rowFromHistory(entries);
  if (!entries.some((e) => e.current)) return [{ ...row, note: 'no kept version matches the live bucket (docs/drivers/frontend.md)' }];
  const wentLive = record?.version === row.current && record.at ? Date.parse(record.at) : NaN;
  return [Number.isNaN(wentLive) ? row : { ...row, changedAt: new Date(wentLive).toISOString() }];
}

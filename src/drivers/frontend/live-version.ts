import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { listObjects, REWIND_FOLDER, type ObjectInfo, type Version } from './listing.js';
import { legacyMarker, MARKER_NAME, readMarker, recordUrl, stateRecord, type RecordAt } from './marker.js';
import { s3Url } from './plan-data.js';
import { count, forEachLimit } from './pool.js';
import { diffObjects } from './sync.js';
import type { FrontendTarget } from './target.js';

/** Up to this many near matches are named when no version matches the live bucket. */
const CLOSEST = 3;

export interface LiveFinding {
  /** The version whose objects the live bucket holds exactly; undefined when none does. */
  version?: string;
  /** How Rewind knows, in words for the card. */
  how: string;
  /** Other versions with exactly the same objects (a rebuild of the same commit). */
  identical: string[];
  /** When no version matches: the nearest ones, fewest differing objects first. */
  closest: { name: string; differ: number }[];
  /** Digest of the live objects' keys, ETags and sizes: what drift compares. */
  fingerprint: string;
  objects: number;
}

/** The objects CloudFront serves: the live prefix without Rewind's `.rewind/` folder. */
export async function servedObjects(s3: S3Client, t: Pick<FrontendTarget, 'live'>, signal: AbortSignal) {
  const all = await listObjects(s3, t.live.bucket, t.live.prefix, signal);
  const served = new Map([...all].filter(([key]) => !key.startsWith(REWIND_FOLDER)));
  return { served, hasLegacyMarker: all.has(MARKER_NAME) };
}

/** The same digest for the same keys, ETags and sizes, in whatever order S3 lists them. */
export function fingerprint(objects: Map<string, ObjectInfo>): string {
  const hash = createHash('sha256');
  for (const key of [...objects.keys()].sort()) hash.update(`${key}\0${objects.get(key)!.etag}\0${objects.get(key)!.size}\n`);
  return hash.digest('hex');
}

/** How many objects `aws s3 sync --delete` would touch to turn the live bucket into this version. */
async function differ(s3: S3Client, t: FrontendTarget, version: string, live: Map<string, ObjectInfo>, signal: AbortSignal): Promise<number> {
  const diff = diffObjects(await listObjects(s3, t.versions.bucket, `${t.versions.prefix}${version}/`, signal), live);
  return diff.copy.length + diff.remove.length;
}

/**
 * Which version is live. A record (Rewind's in the state bucket, else a `.rewind/live.json` in the
 * live bucket) is believed only when its version's objects are exactly the live ones; otherwise
 * every version's listing is compared with the live bucket by key, ETag and size.
 */
export async function findLiveVersion(s3: S3Client, t: FrontendTarget, versions: Version[], signal: AbortSignal): Promise<LiveFinding> {
  const { served, hasLegacyMarker } = await servedObjects(s3, t, signal);
  const base = { identical: [], closest: [], fingerprint: fingerprint(served), objects: served.size };
  const places: RecordAt[] = [...(t.state ? [stateRecord(t.state, t.live)] : []), ...(hasLegacyMarker ? [legacyMarker(t.live)] : [])];
  const known = new Set(versions.map((v) => v.name));
  const stale: string[] = [];
  for (const at of places) {
    const named = (await readMarker(s3, at, signal))?.version;
    if (!named) continue;
    if (known.has(named) && (await differ(s3, t, named, served, signal)) === 0) return { ...base, version: named, how: `recorded in ${recordUrl(at)}` };
    stale.push(`${recordUrl(at)} names ${named}, which the live bucket no longer matches`);
  }

  const differing = new Map<string, number>();
  await forEachLimit(versions, t.concurrency, signal, async (v) => {
    differing.set(v.name, await differ(s3, t, v.name, served, signal));
  });
  const compared = `found by comparing the ${count(served.size)} objects in ${s3Url(t.live.bucket, t.live.prefix)} with each version (key, ETag, size)`;
  const how = [compared, ...stale].join('; ');
  const exact = versions.filter((v) => differing.get(v.name) === 0).map((v) => v.name);
  if (exact.length) return { ...base, version: exact[0], identical: exact.slice(1), how };
  const closest = versions
    .map((v) => ({ name: v.name, differ: differing.get(v.name)! }))
    .sort((a, b) => a.differ - b.differ)
    .slice(0, CLOSEST);
  return { ...base, closest, how };
}

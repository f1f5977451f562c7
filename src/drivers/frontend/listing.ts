import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { fromAwsError } from '../errors.js';
import { forEachLimit } from './pool.js';

export interface ObjectInfo {
  etag: string;
  size: number;
  lastModified?: Date;
}

/** Where older Rewind versions kept the live marker in the live bucket; never synced or deleted. */
export const REWIND_FOLDER = '.rewind/';

const accessHint = (bucket: string) => `check the bucket name in the catalog and that Rewind may s3:ListBucket on ${bucket} (docs/drivers/frontend.md, IAM)`;

/** Every object under a prefix, keyed by the rest of its key. */
export async function listObjects(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<Map<string, ObjectInfo>> {
  const objects = new Map<string, ObjectInfo>();
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }), { abortSignal: signal })
      .catch((error: unknown) => {
        throw fromAwsError(error, `ListObjectsV2 on s3://${bucket}/${prefix}`, accessHint(bucket));
      });
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      objects.set(o.Key.slice(prefix.length), { etag: o.ETag ?? '', size: o.Size ?? 0, lastModified: o.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

export interface Version {
  name: string;
  /** The newest object's LastModified: when the build was uploaded. */
  date?: Date;
}

/** The version prefixes (`<prefix><version>/`) in the versions bucket, newest first. */
export async function listVersions(s3: S3Client, bucket: string, prefix: string, concurrency: number, signal: AbortSignal): Promise<Version[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: '/', ContinuationToken: token }), { abortSignal: signal })
      .catch((error: unknown) => {
        throw fromAwsError(error, `ListObjectsV2 on s3://${bucket}/${prefix}`, accessHint(bucket));
      });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(prefix.length, -1));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  const versions: Version[] = names.map((name) => ({ name }));
  await forEachLimit(versions, concurrency, signal, async (version) => {
    // One page is enough to date a build: its files are uploaded together.
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${version.name}/`, MaxKeys: 1000 }), { abortSignal: signal })
      .catch((error: unknown) => {
        throw fromAwsError(error, `ListObjectsV2 on s3://${bucket}/${prefix}${version.name}/`, accessHint(bucket));
      });
    const times = (page.Contents ?? []).map((o) => o.LastModified?.getTime() ?? 0);
    if (times.length) version.date = new Date(Math.max(...times));
  });
  const collator = new Intl.Collator('en', { numeric: true });
  return versions.sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0) || collator.compare(b.name, a.name));
}

/** `v2.0.0 (2024-01-10 14:02 UTC)` */
export function versionLabel(v: Version): string {
  return v.date ? `${v.name} (${v.date.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : v.name;
}

import { CopyObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { listObjects, REWIND_FOLDER, type ObjectInfo } from './listing.js';
import { writeMarker } from './marker.js';
import { replanCommand, s3Url, versionPrefix, type FrontendPlanData } from './plan-data.js';
import { count, forEachLimit } from './pool.js';
import type { FrontendTarget } from './target.js';

export interface SyncDiff {
  /** Keys (relative to the prefixes) to copy from the version: new or different by ETag or size. */
  copy: string[];
  /** Keys in the live bucket the version does not have. */
  remove: string[];
  total: number;
}

/** What `aws s3 sync --delete` would do, compared by ETag and size; Rewind's own folder is left alone. */
export function diffObjects(all: Map<string, ObjectInfo>, live: Map<string, ObjectInfo>): SyncDiff {
  // A build that ships a .rewind/ folder must not overwrite a live marker.
  const source = new Map([...all].filter(([key]) => !key.startsWith(REWIND_FOLDER)));
  const copy: string[] = [];
  for (const [key, s] of source) {
    const l = live.get(key);
    if (!l || l.etag !== s.etag || l.size !== s.size) copy.push(key);
  }
  const remove = [...live.keys()].filter((key) => !source.has(key) && !key.startsWith(REWIND_FOLDER));
  return { copy, remove, total: source.size };
}

export async function computeDiff(s3: S3Client, data: FrontendPlanData, version: string, signal: AbortSignal): Promise<SyncDiff> {
  const [source, live] = await Promise.all([
    listObjects(s3, data.versionsBucket, versionPrefix(data, version), signal),
    listObjects(s3, data.liveBucket, data.livePrefix, signal),
  ]);
  return diffObjects(source, live);
}

/** `bucket/key` for x-amz-copy-source: each path segment percent-encoded. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key}`.split('/').map(encodeURIComponent).join('/');
}

/**
 * Makes the live bucket equal to the version with server-side copies and batch deletes,
 * then records the version in the state bucket, if the target has one. Idempotent: a repeat re-lists and copies
 * only what still differs.
 */
export async function syncVersion(s3: S3Client, data: FrontendPlanData, ctx: StepContext<FrontendTarget>): Promise<Record<string, unknown>> {
  const version = data.targetVersion;
  const from = s3Url(data.versionsBucket, versionPrefix(data, version));
  const diff = await computeDiff(s3, data, version, ctx.signal);
  if (diff.total === 0) {
    throw new StepFailed(
      'VersionGone',
      `${from} is empty: the version was deleted after the plan was approved.`,
      `pick another version: ${replanCommand(data)}`,
    );
  }
  const work = diff.copy.length + diff.remove.length;
  ctx.progress(`${version}: ${count(diff.total)} objects, ${count(diff.copy.length)} to copy, ${count(diff.remove.length)} to delete`);
  // One line per object: the executor keeps the thread to one line per interval and always posts the last.
  const report = ctx.progress;
  let done = 0;

  await forEachLimit(diff.copy, ctx.target.concurrency, ctx.signal, async (key) => {
    const source = `${versionPrefix(data, version)}${key}`;
    await s3
      .send(
        new CopyObjectCommand({
          Bucket: data.liveBucket,
          Key: `${data.livePrefix}${key}`,
          CopySource: copySource(data.versionsBucket, source),
          MetadataDirective: 'COPY',
        }),
        { abortSignal: ctx.signal },
      )
      .catch((error: unknown) => {
        throw fromAwsError(
          error,
          `CopyObject ${from}${key} → s3://${data.liveBucket}/${data.livePrefix}${key}`,
          'let Rewind s3:GetObject on the versions bucket and s3:PutObject on the live bucket (docs/drivers/frontend.md, IAM); a repeat copies only what still differs',
        );
      });
    done += 1;
    report(`${count(done)}/${count(work)} objects`);
  });

  for (let i = 0; i < diff.remove.length; i += 1000) {
    ctx.signal.throwIfAborted();
    const batch = diff.remove.slice(i, i + 1000);
    const result = await s3
      .send(new DeleteObjectsCommand({ Bucket: data.liveBucket, Delete: { Objects: batch.map((k) => ({ Key: `${data.livePrefix}${k}` })), Quiet: true } }), {
        abortSignal: ctx.signal,
      })
      .catch((error: unknown) => {
        throw fromAwsError(error, `DeleteObjects on s3://${data.liveBucket}`, 'let Rewind s3:DeleteObject on the live bucket (docs/drivers/frontend.md, IAM)');
      });
    const failed = result.Errors ?? [];
    if (failed.length) {
      const first = failed[0]!;
      throw new StepFailed(
        first.Code ?? 'DeleteFailed',
        `S3 could not delete ${failed.length} object(s) from s3://${data.liveBucket}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        'let Rewind s3:DeleteObject on the live bucket; a repeat deletes only what is left',
        false,
      );
    }
    done += batch.length;
    report(`${count(done)}/${count(work)} objects`);
  }

  if (data.record) await writeMarker(s3, data.record, { version, at: new Date().toISOString(), rollbackId: ctx.rollbackId }, ctx.signal);
  return { version, objects: diff.total, copied: diff.copy.length, deleted: diff.remove.length, unchanged: diff.total - diff.copy.length };
}

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { fromAwsError } from '../errors.js';
import { REWIND_FOLDER } from './listing.js';

/**
 * A record naming the live version: `{"version": "v2.0.1"}`. Rewind writes its own to the
 * target's `state` bucket, never to the served one; `.rewind/live.json` in the live bucket
 * (older Rewind, or a pipeline that writes it) is still read. Either is only a hint: the
 * plan checks it against the live bucket's objects.
 */
export const MARKER_NAME = `${REWIND_FOLDER}live.json`;

const markerSchema = z.object({
  version: z.string().min(1),
  at: z.string().optional(),
  rollbackId: z.string().optional(),
});
export type LiveMarker = z.infer<typeof markerSchema>;

/** Where a record sits: bucket and key. */
export interface RecordAt {
  bucket: string;
  key: string;
}

/** The legacy marker in the live bucket. */
export function legacyMarker(live: { bucket: string; prefix: string }): RecordAt {
  return { bucket: live.bucket, key: `${live.prefix}${MARKER_NAME}` };
}

/** Rewind's record in the state bucket, one per live bucket and prefix so targets can share a state bucket. */
export function stateRecord(state: { bucket: string; prefix: string }, live: { bucket: string; prefix: string }): RecordAt {
  return { bucket: state.bucket, key: `${state.prefix}${live.bucket}/${live.prefix}live.json` };
}

export function recordUrl(at: RecordAt): string {
  return `s3://${at.bucket}/${at.key}`;
}

/** The record's version; undefined when it is missing or not a record (then the listing decides). */
export async function readMarker(s3: S3Client, at: RecordAt, signal: AbortSignal): Promise<LiveMarker | undefined> {
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }), { abortSignal: signal });
    text = (await object.Body?.transformToString()) ?? '';
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw fromAwsError(error, `GetObject ${recordUrl(at)}`, `check the bucket names in the catalog and that Rewind may s3:GetObject on ${at.bucket}/${at.key}`);
  }
  try {
    const parsed = markerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMarker(s3: S3Client, at: RecordAt, marker: LiveMarker, signal: AbortSignal): Promise<void> {
  await s3
    .send(new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: JSON.stringify(marker), ContentType: 'application/json', CacheControl: 'no-store' }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(error, `PutObject ${recordUrl(at)}`, `let Rewind s3:PutObject on ${at.bucket}/${at.key} (docs/drivers/frontend.md, IAM)`);
    });
}

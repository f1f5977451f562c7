import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { fromAwsError, PlanRefused } from '../errors.js';
import { REWIND_FOLDER } from './listing.js';

/**
 * `.rewind/live.json` in the live bucket names the version being served, so Rewind knows
 * what "the previous version" is instead of guessing. Rewind writes it after every sync;
 * the deploy pipeline should write it after every deploy.
 */
export const MARKER_NAME = `${REWIND_FOLDER}live.json`;

const markerSchema = z.object({
  version: z.string().min(1),
  at: z.string().optional(),
  rollbackId: z.string().optional(),
});
export type LiveMarker = z.infer<typeof markerSchema>;

export function markerKey(livePrefix: string): string {
  return `${livePrefix}${MARKER_NAME}`;
}

/** The command an operator runs once to tell Rewind which version is live. */
export function seedCommand(liveBucket: string, livePrefix: string, version = '<live version>'): string {
  return `echo '{"version":"${version}"}' | aws s3 cp - s3://${liveBucket}/${markerKey(livePrefix)} --content-type application/json`;
}

export async function readMarker(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<LiveMarker | undefined> {
  const key = markerKey(prefix);
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    text = (await object.Body?.transformToString()) ?? '';
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw fromAwsError(
      error,
      `GetObject s3://${bucket}/${key}`,
      `check live.bucket in the catalog and that Rewind may s3:GetObject on ${bucket}/${MARKER_NAME}`,
    );
  }
  let parsed;
  try {
    parsed = markerSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw new PlanRefused(
      `s3://${bucket}/${key} is not Rewind's live marker ({"version": "..."}), so Rewind cannot tell which version is live. Rewrite it: ${seedCommand(bucket, prefix)}`,
    );
  }
  return parsed.data;
}

export async function writeMarker(s3: S3Client, bucket: string, prefix: string, marker: LiveMarker, signal: AbortSignal): Promise<void> {
  const key = markerKey(prefix);
  await s3
    .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(marker), ContentType: 'application/json', CacheControl: 'no-store' }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(error, `PutObject s3://${bucket}/${key}`, `let Rewind s3:PutObject on ${bucket}/${MARKER_NAME} (docs/drivers/frontend.md, IAM)`);
    });
}

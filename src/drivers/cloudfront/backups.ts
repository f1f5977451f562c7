import { GetObjectCommand, ListObjectVersionsCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { fromAwsError, StepFailed } from '../errors.js';

/** Where the backups live: one S3 object whose versions are the saved configs. */
export interface BackupPlace {
  bucket: string;
  key: string;
}

export interface BackupVersion {
  versionId: string;
  lastModified?: Date;
  latest: boolean;
}

export function backupUrl(place: BackupPlace): string {
  return `s3://${place.bucket}/${place.key}`;
}

/** `3HL4kqtJ… (2024-01-10 14:02 UTC)` */
export function versionLabel(v: BackupVersion): string {
  return v.lastModified ? `${v.versionId} (${v.lastModified.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : v.versionId;
}

const readHint = (place: BackupPlace) =>
  `check backup.bucket and backup.key in the catalog, and let Rewind s3:ListBucketVersions on ${place.bucket} and s3:GetObjectVersion on ${backupUrl(place)} (docs/drivers/cloudfront.md, IAM)`;

/** The backup object's versions, newest first; delete markers are not backups. */
export async function listBackups(s3: S3Client, place: BackupPlace, signal: AbortSignal): Promise<BackupVersion[]> {
  const found: BackupVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectVersionsCommand({ Bucket: place.bucket, Prefix: place.key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }), {
        abortSignal: signal,
      })
      .catch((error: unknown) => {
        throw fromAwsError(error, `ListObjectVersions on ${backupUrl(place)}`, readHint(place));
      });
    for (const v of page.Versions ?? []) {
      // The prefix also matches longer keys (`backup.json.old`).
      if (v.Key === place.key && v.VersionId) found.push({ versionId: v.VersionId, lastModified: v.LastModified, latest: v.IsLatest === true });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  // S3 lists a key's versions newest first already; the sort keeps that order for equal dates.
  return found.sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0));
}

/**
 * One version's text. A version deleted since it was listed is a permanent failure: nothing else
 * restores it. `historyCommand` is the `/rollback history …` that lists the others.
 */
export async function fetchBackup(s3: S3Client, place: BackupPlace, versionId: string, historyCommand: string, signal: AbortSignal): Promise<string> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: place.bucket, Key: place.key, VersionId: versionId }), { abortSignal: signal });
    return (await object.Body?.transformToString()) ?? '';
  } catch (error) {
    if (error instanceof S3ServiceException && (error.name === 'NoSuchVersion' || error.name === 'NoSuchKey')) {
      throw new StepFailed(
        error.name,
        `${backupUrl(place)} has no version ${versionId} any more (deleted, or expired by a lifecycle rule).`,
        `pick another backup: \`${historyCommand}\` lists them`,
      );
    }
    throw fromAwsError(error, `GetObject ${backupUrl(place)} version ${versionId}`, readHint(place));
  }
}

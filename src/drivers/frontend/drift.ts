import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DriverContext } from '../driver.js';
import { fromAwsError, PlanRefused } from '../errors.js';
import { readMarker } from './marker.js';
import { s3Url, versionPrefix, type FrontendPlanData } from './plan-data.js';

/** What moved since planning: the live marker names another version, or the target version's files are gone. */
export async function driftFrontend(s3: S3Client, data: FrontendPlanData, ctx: DriverContext): Promise<string | undefined> {
  let live: string | null;
  try {
    live = (await readMarker(s3, data.liveBucket, data.livePrefix, ctx.signal))?.version ?? null;
  } catch (error) {
    if (error instanceof PlanRefused) return error.message;
    throw error;
  }
  if (live !== data.liveVersion) {
    return `the live version is now ${live ?? 'unknown (marker removed)'}; it was ${data.liveVersion ?? 'unknown'} at plan time (someone deployed or rolled back meanwhile)`;
  }
  const prefix = versionPrefix(data, data.targetVersion);
  const page = await s3
    .send(new ListObjectsV2Command({ Bucket: data.versionsBucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal: ctx.signal })
    .catch((error: unknown) => {
      throw fromAwsError(error, `ListObjectsV2 on ${s3Url(data.versionsBucket, prefix)}`, 'check that Rewind may s3:ListBucket on the versions bucket');
    });
  return page.KeyCount ? undefined : `${s3Url(data.versionsBucket, prefix)} is now empty: the version was deleted`;
}

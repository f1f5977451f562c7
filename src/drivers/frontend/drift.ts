import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DriverContext } from '../driver.js';
import { fromAwsError } from '../errors.js';
import { fingerprint, servedObjects } from './live-version.js';
import { s3Url, versionPrefix, type FrontendPlanData } from './plan-data.js';

/** What moved since planning: the live bucket's objects changed, or the target version's files are gone. */
export async function driftFrontend(s3: S3Client, data: FrontendPlanData, ctx: DriverContext): Promise<string | undefined> {
  const { served } = await servedObjects(s3, { live: { bucket: data.liveBucket, prefix: data.livePrefix } }, ctx.signal);
  if (fingerprint(served) !== data.liveFingerprint) {
    return `the objects in ${s3Url(data.liveBucket, data.livePrefix)} changed since plan time, when ${data.liveVersion ?? 'no version'} was live (someone deployed or rolled back meanwhile)`;
  }
  const prefix = versionPrefix(data, data.targetVersion);
  const page = await s3
    .send(new ListObjectsV2Command({ Bucket: data.versionsBucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal: ctx.signal })
    .catch((error: unknown) => {
      throw fromAwsError(error, `ListObjectsV2 on ${s3Url(data.versionsBucket, prefix)}`, 'check that Rewind may s3:ListBucket on the versions bucket');
    });
  return page.KeyCount ? undefined : `${s3Url(data.versionsBucket, prefix)} is now empty: the version was deleted`;
}

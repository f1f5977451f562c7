import type { S3Client } from '@aws-sdk/client-s3';
import { PlanRefused } from '../errors.js';
import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import { listObjects, listVersions, versionLabel } from './listing.js';
import { findLiveVersion } from './live-version.js';
import { pickTarget } from './plan.js';
import { s3Url } from './plan-data.js';
import { count } from './pool.js';
import type { FrontendTarget } from './target.js';

/**
 * DistroCV's "previous frontend build present": the live bucket matches a kept build (else Rewind
 * cannot tell what to go back from), and the build a plain `/rollback` would sync is still under
 * the versions prefix with its objects. Picked by the planner's own rule, so the answer is the plan's.
 */
export async function frontendReadiness(s3: S3Client, target: FrontendTarget, ctx: ReadinessContext): Promise<ReadinessItem[]> {
  const where = s3Url(target.versions.bucket, target.versions.prefix);
  const liveUrl = s3Url(target.live.bucket, target.live.prefix);
  const versions = await listVersions(s3, target.versions.bucket, target.versions.prefix, target.concurrency, ctx.signal);
  if (!versions.length)
    return [
      {
        check: 'previous',
        ok: false,
        detail: `${where} holds no builds`,
        fix: `Upload every build under its own prefix before it goes live, e.g. \`aws s3 sync dist/ ${where}<version>/\` (docs/drivers/frontend.md).`,
      },
    ];
  const found = await findLiveVersion(s3, target, versions, ctx.signal);
  let previous;
  try {
    previous = pickTarget({ target }, versions, found);
  } catch (error) {
    if (!(error instanceof PlanRefused)) throw error;
    const fix = found.version
      ? `Keep the build before ${found.version} under ${where}: do not delete older builds when publishing a new one.`
      : `Publish only builds kept under ${where} (\`aws s3 sync ${where}<version>/ ${liveUrl} --delete\`), or roll back naming \`to <version>\`.`;
    return [{ check: 'previous', ok: false, detail: error.message, fix }];
  }
  const objects = await listObjects(s3, target.versions.bucket, `${target.versions.prefix}${previous.name}/`, ctx.signal);
  return [
    {
      check: 'previous',
      ok: true,
      detail: `${versionLabel(previous)} is kept in ${where}${previous.name}/ (${count(objects.size)} objects); ${liveUrl} holds ${found.version}`,
    },
  ];
}

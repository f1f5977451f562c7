import type { S3Client } from '@aws-sdk/client-s3';
import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import { backupUrl, listBackups, versionLabel } from './backups.js';
import { DISABLED } from './plan.js';
import type { CloudFrontTarget } from './target.js';

/**
 * "Previous version still available" for a CloudFront distribution: a saved config to restore
 * exists in the catalog's versioned backup object. Disabling needs no backup, so the fix says so.
 */
export async function cloudfrontReadiness(s3: (region?: string) => S3Client, target: CloudFrontTarget, ctx: ReadinessContext): Promise<ReadinessItem[]> {
  const id = target.distributionId;
  const disable = `until then a rollback can only disable it (\`/rollback ${ctx.service} ${ctx.environment} to ${DISABLED}\`)`;
  if (!target.backup)
    return [
      {
        check: 'previous',
        ok: false,
        detail: `no \`backup\` in the catalog: Rewind has no earlier config of ${id} to restore`,
        fix: `Add \`backup: { bucket, key }\`, a versioned S3 object holding \`aws cloudfront get-distribution-config --id ${id}\` outputs; ${disable}.`,
      },
    ];
  const place = { bucket: target.backup.bucket, key: target.backup.key };
  const url = backupUrl(place);
  const versions = await listBackups(s3(target.backup.region), place, ctx.signal);
  if (!versions.length)
    return [
      {
        check: 'previous',
        ok: false,
        detail: `${url} holds no backup of ${id}`,
        fix: `Save one before each change: \`aws cloudfront get-distribution-config --id ${id} > backup-config.json && aws s3 cp backup-config.json ${url}\` (versioning on for ${place.bucket}); ${disable}.`,
      },
    ];
  return [
    {
      check: 'previous',
      ok: true,
      detail: `${versions.length} saved config${versions.length === 1 ? '' : 's'} of ${id} in ${url}, newest ${versionLabel(versions[0]!)}`,
    },
  ];
}

import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { ESTATE, liveBuild, seedFrontend } from '../../test/fakes/aws/estate.js';
import { CloudFrontFake, S3Fake } from '../../test/fakes/aws/index.js';
import { fakeAws } from './aws.js';
import type { EstatePiece } from './types.js';

/**
 * DistroCV "Frontend Rollback (CloudFront + S3)": builds v1.9.0, v2.0.0-previous and v2.0.1 (live)
 * in distrocv-frontend-versions, distrocv-frontend-prod served by distribution E1234567890, with no
 * live marker (Rewind finds the live build by listing); Rewind records its rollbacks in distrocv-rewind-state.
 * Seeded by test/fakes/aws/estate.ts's seedFrontend, which the frontend driver's tests also plan on.
 */
export async function startFrontendPiece(opts: { invalidationDelayMs: number }): Promise<EstatePiece> {
  const s3 = await S3Fake.start();
  const cloudfront = await CloudFrontFake.start({ invalidationDelayMs: opts.invalidationDelayMs }).catch(async (error: unknown) => {
    await s3.close();
    throw error;
  });
  seedFrontend(s3, cloudfront, { sharedFiles: 40 });
  s3.createBucket(ESTATE.stateBucket);
  let unhealthy = false;

  return {
    summary: `DistroCV frontend: ${ESTATE.liveBucket} behind CloudFront ${ESTATE.distributionId} (live: v2.0.1)`,
    example: '/rollback frontend production Blank page after v2.0.1',
    clients: {
      s3: () => new S3Client({ ...fakeAws(s3.url), forcePathStyle: true }),
      cloudfront: new CloudFrontClient(fakeAws(cloudfront.url)),
    },
    view() {
      const last = cloudfront.invalidations.at(-1);
      const inProgress = last !== undefined && cloudfront.status(last) === 'InProgress';
      return [
        {
          id: 'frontend',
          title: `S3 ${ESTATE.liveBucket} + CloudFront ${ESTATE.distributionId}`,
          status: inProgress ? 'busy' : 'steady',
          lines: [
            `live build: ${liveBuild(s3) ?? 'none of the builds'}, ${Object.keys(s3.contents(ESTATE.liveBucket)).length} objects`,
            last ? `invalidation ${last.id} (${last.paths.join(' ')}): ${cloudfront.status(last)}` : 'no invalidations yet',
            `/health: ${unhealthy ? '503 unhealthy' : '200 healthy'}`,
          ],
        },
      ];
    },
    toggles: () => [{ id: 'frontend-unhealthy', label: 'frontend /health answers 503', on: unhealthy }],
    setToggle(id, on) {
      if (id !== 'frontend-unhealthy') return false;
      unhealthy = on;
      return true;
    },
    health: { frontend: () => !unhealthy },
    close: async () => {
      await Promise.allSettled([s3.close(), cloudfront.close()]);
    },
  };
}

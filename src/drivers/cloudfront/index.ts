import { defineDriver } from '../define.js';
import { cloudfrontPlanData } from './plan-data.js';
import { cloudfrontTarget } from './target.js';

export const cloudfrontDriver = defineDriver({
  kind: 'cloudfront',
  target: cloudfrontTarget,
  planData: cloudfrontPlanData,
  clients: ['cloudfront', 's3'],
  async create({ client, minPollSec }) {
    const [{ createCloudFrontDriver }, cloudfront, s3] = await Promise.all([import('./driver.js'), client('cloudfront'), client('s3')]);
    return createCloudFrontDriver({ cloudfront, s3, minPollSec });
  },
});

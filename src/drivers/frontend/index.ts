import { defineDriver } from '../define.js';
import { frontendPlanData } from './plan-data.js';
import { frontendTarget } from './target.js';

export const frontendDriver = defineDriver({
  kind: 'frontend',
  target: frontendTarget,
  planData: frontendPlanData,
  clients: ['s3', 'cloudfront'],
  async create({ client, minPollSec }) {
    const [{ createFrontendDriver }, s3, cloudfront] = await Promise.all([import('./driver.js'), client('s3'), client('cloudfront')]);
    return createFrontendDriver({ s3, cloudfront, minPollSec });
  },
});

import { flagTargetSchema } from '../../config/targets/flag.js';
import { defineDriver } from '../define.js';
import { flagPlanData } from './plan-data.js';

export const flagDriver = defineDriver({
  kind: 'flag',
  target: flagTargetSchema,
  planData: flagPlanData,
  clients: ['ssm', 'appconfig'],
  async create({ client, env, minPollSec }) {
    const [{ createFlagDriver }, ssm, appconfig] = await Promise.all([import('./driver.js'), client('ssm'), client('appconfig')]);
    return createFlagDriver({ ssm, appconfig, env, minPollSec });
  },
});

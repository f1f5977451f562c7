import { defineDriver } from '../define.js';
import { ecsPlanData } from './plan-data.js';
import { ecsTarget } from './target.js';

export const ecsDriver = defineDriver({
  kind: 'ecs',
  target: ecsTarget,
  planData: ecsPlanData,
  clients: ['ecs'],
  async create({ client, minPollSec }) {
    const [{ createEcsDriver }, ecs] = await Promise.all([import('./driver.js'), client('ecs')]);
    return createEcsDriver({ ecs, minPollSec });
  },
});

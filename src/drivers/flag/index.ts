import { defineDriver } from '../define.js';
import { flagPlanData } from './plan-data.js';
import { FLAG_STORES } from './stores/index.js';
import { flagTargetSchema } from './target.js';

export const flagDriver = defineDriver({
  kind: 'flag',
  target: flagTargetSchema,
  planData: flagPlanData,
  clients: [...new Set(FLAG_STORES.flatMap((store) => store.clients))],
  async create({ client, env, minPollSec }) {
    // Clients are made when a store first asks: a catalog of SSM flags never loads the AppConfig SDK.
    const { createFlagDriver } = await import('./driver.js');
    return createFlagDriver({ client, env, minPollSec });
  },
});

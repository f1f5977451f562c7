import { defineDriver } from '../define.js';
import { databaseGrammar } from './grammar.js';
import { databasePlanData } from './plan-data.js';
import { databaseTarget } from './target.js';

export const databaseDriver = defineDriver({
  kind: 'database',
  target: databaseTarget,
  planData: databasePlanData,
  grammar: databaseGrammar,
  clients: ['rds', 'secrets', 'ecs', 'kubeConfigFor'],
  async create({ client, rpo, minPollSec, now }) {
    const [{ createDatabaseDriver }, { lazyKubeApis }, rds, secrets, ecs] = await Promise.all([
      import('./driver.js'),
      import('../shared/restart/restart.js'),
      client('rds'),
      client('secrets'),
      client('ecs'),
    ]);
    return createDatabaseDriver({ rds, secrets, restart: { ecs, kube: lazyKubeApis(() => client('kubeConfigFor')) }, rpo, minPollSec, now });
  },
});

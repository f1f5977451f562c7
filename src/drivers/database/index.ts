import { defineDriver } from '../define.js';
import { databaseGrammar } from './grammar.js';
import { databasePlanData } from './plan-data.js';
import { databaseTarget } from './target.js';

export const databaseDriver = defineDriver({
  kind: 'database',
  target: databaseTarget,
  planData: databasePlanData,
  grammar: databaseGrammar,
  clients: ['rds', 'secrets', 'ecs'],
  async create({ client, rpo, minPollSec, now }) {
    const [{ createDatabaseDriver }, rds, secrets, ecs] = await Promise.all([import('./driver.js'), client('rds'), client('secrets'), client('ecs')]);
    return createDatabaseDriver({ rds, secrets, ecs, rpo, minPollSec, now });
  },
});

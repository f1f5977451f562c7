import type { Catalog } from '../config/catalog.js';
import { own } from '../config/own.js';
import type { Plan, Rollback } from '../domain/rollback.js';

/**
 * A request classified under a data row (`sev data-corruption`) that rolls back applications only:
 * the code goes back, the rows it wrote stay. Says so, and names the database restore for the
 * environment when the catalog has one (the DistroCV runbook's "Point-in-Time Recovery").
 */
export function dataWarning(catalog: Catalog, rb: Pick<Rollback, 'policy' | 'environment'>, plans: Plan[]): string | undefined {
  const scenario = rb.policy?.scenario;
  if (!scenario?.data || plans.some((p) => p.driver === 'database')) return undefined;
  const env = rb.environment;
  const databases = Object.keys(catalog.services).filter((name) => own(own(catalog.services, name), env)?.driver === 'database');
  const restore = databases.length
    ? `To restore the data: ${databases.map((db) => `\`/rollback ${db} ${env} at <a time before it began>\` (\`/rollback ${db} ${env} snapshots\` lists snapshots)`).join(', or ')}.`
    : `The catalog has no database target for ${env}: restore the data by hand (the runbook's point-in-time recovery).`;
  return `${scenario.title}: rolling back the application may not repair data it already wrote. ${restore}`;
}

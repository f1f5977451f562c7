import type { Rollback } from '../../domain/rollback.js';

type Asked = Pick<Rollback, 'service' | 'environment' | 'options'>;

/** `/rollback db production at 2026-01-22T10:00:00.000Z` or `… snapshot <id>`: the restore point asked for (./grammar.ts). */
export function replanDatabase(rb: Asked): string {
  const point = rb.options?.mode === 'snapshot' ? `snapshot ${rb.options.snapshotId}` : `at ${rb.options?.restoreTime ?? '<time>'}`;
  return `/rollback ${rb.service} ${rb.environment} ${point}`;
}

/** A restore that left the service unhealthy: another point, or back to the old instance, which is kept. */
export function databaseNextSteps(rb: Asked): string {
  return (
    `Then fix forward, or restore another point with \`/rollback ${rb.service} ${rb.environment} at <time>\`. ` +
    'The old database instance is kept: to undo the data rollback, point the secret back at it (its previous version is AWSPREVIOUS) and redeploy.'
  );
}

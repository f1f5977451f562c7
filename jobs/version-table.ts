import type { WorkerServices } from '../src/rollbacks/context.js';
import { readVersionTable } from '../src/rollbacks/version-table.js';
import { versionTableMessage } from '../src/slack/version-table.js';
import { replyPrivately } from '../src/warroom/reply.js';
import type { VersionTableQuery } from './queue.js';

/** `/rollback versions <env>`: every target's live versions, read in parallel, answered privately as one table. */
export async function versionTableJob(x: WorkerServices, q: VersionTableQuery, signal: AbortSignal): Promise<void> {
  const table = await readVersionTable(x, q.environment, signal);
  const { text, blocks } = versionTableMessage(q.environment, table, x.now());
  await replyPrivately(x, q, text, blocks.length ? blocks : undefined);
}

import { targetOf } from '../src/config/catalog.js';
import { replyPrivately } from '../src/service/notify.js';
import type { WorkerServices } from './context.js';
import type { VersionsQuery } from './queue.js';

/** `/rollback history <service> <env>`: the driver's version history, like `kubectl rollout history`. */
export async function versionsJob(x: WorkerServices, q: VersionsQuery, signal: AbortSignal): Promise<void> {
  const target = targetOf(x.catalog, q.service, q.environment);
  const driver = target && x.drivers[target.driver];
  let text: string;
  if (!target || !driver?.history) {
    text = `${q.service} ${q.environment} (${target?.driver ?? 'unknown'} driver) keeps no version history Rewind can list; \`/rollback ${q.service} ${q.environment}\` still shows the planned versions on its card.`;
  } else {
    try {
      const entries = await driver.history(target, { signal, log: x.log.child({ job: 'versions' }) });
      const now = x.now().getTime();
      const age = (iso?: string) => (iso ? ` · ${Math.max(0, Math.round((now - Date.parse(iso)) / 3_600_000))}h ago` : '');
      text = entries.length
        ? [`*History of ${q.service} ${q.environment}* (newest first)`, ...entries.slice(0, 25).map((e) => `${e.current ? ':arrow_right:' : '•'} \`${e.revision}\` ${e.description}${age(e.createdAt)}${e.current ? ' *(current)*' : ''}`)].join('\n')
        : `${q.service} ${q.environment} has no history to roll back to.`;
    } catch (error) {
      const e = error as Error;
      text = `:warning: Could not read the history of ${q.service} ${q.environment}: ${e.name}: ${e.message}`;
    }
  }
  await replyPrivately(x, q, text);
}

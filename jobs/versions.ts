import { ErrorCode, type WebAPIPlatformError } from '@slack/web-api';
import { targetOf } from '../src/config/catalog.js';
import type { HistoryEntry } from '../src/drivers/driver.js';
import { replyPrivately } from '../src/warroom/reply.js';
import { requestModal } from '../src/slack/modal.js';
import { modalChoices } from '../src/slack/modal-choices.js';
import type { VersionChoices } from '../src/slack/modal-versions.js';
import type { WorkerServices } from '../src/rollbacks/context.js';
import type { VersionsQuery } from './queue.js';

type History = { entries: HistoryEntry[] } | { none: string } | { failed: string };

async function readHistory(x: WorkerServices, q: VersionsQuery, signal: AbortSignal): Promise<History> {
  const target = targetOf(x.catalog, q.service, q.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver?.history)
    return { none: `${q.service} ${q.environment} (${target?.driver ?? 'unknown'} driver) keeps no version history Rewind can list` };
  try {
    return { entries: await driver.history(target, { signal, log: x.log.child({ job: 'versions' }) }) };
  } catch (error) {
    const e = error as Error;
    return { failed: `Could not read the history of ${q.service} ${q.environment}: ${e.name}: ${e.message}` };
  }
}

/**
 * `/rollback history <service> <env>`: the driver's version history, like `kubectl rollout history`.
 * Asked by the open request form (`q.view`), it fills the form's version field instead.
 */
export async function versionsJob(x: WorkerServices, q: VersionsQuery, signal: AbortSignal): Promise<void> {
  const history = await readHistory(x, q, signal);
  if (q.view) return fillForm(x, q, q.view, history);
  let text: string;
  if ('none' in history) {
    text = `${history.none}; \`/rollback ${q.service} ${q.environment}\` still shows the planned versions on its card.`;
  } else if ('failed' in history) {
    text = `:warning: ${history.failed}`;
  } else {
    text = historyText(q.service, q.environment, history.entries, x.now());
  }
  await replyPrivately(x, q, text);
}

/** The history reply: newest first, each entry with its age and, when the driver gives one, the command that restores it. */
export function historyText(service: string, environment: string, entries: HistoryEntry[], now: Date): string {
  if (!entries.length) return `${service} ${environment} has no history to roll back to.`;
  const age = (iso?: string) => (iso ? ` · ${Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 3_600_000))}h ago` : '');
  const command = (e: HistoryEntry) => (e.command ? ` → \`/rollback ${service} ${environment} ${e.command}\`` : '');
  return [
    `*History of ${service} ${environment}* (newest first)`,
    ...entries
      .slice(0, 25)
      .map((e) => `${e.current ? ':arrow_right:' : '•'} \`${e.revision}\` ${e.description}${age(e.createdAt)}${e.current ? ' *(current)*' : ''}${command(e)}`),
  ].join('\n');
}

/** Errors that mean the form moved on (changed, submitted or closed): nothing left to fill. */
const GONE = new Set(['hash_conflict', 'not_found', 'view_not_found']);

async function fillForm(x: WorkerServices, q: VersionsQuery, view: { id: string; hash: string }, history: History): Promise<void> {
  const versions: VersionChoices =
    'entries' in history
      ? { kind: 'history', target: `${q.service}/${q.environment}`, entries: history.entries, now: x.now() }
      : { kind: 'text', why: 'none' in history ? `${history.none}.` : history.failed };
  try {
    await x.poster.client.views.update({ view_id: view.id, hash: view.hash, view: requestModal(modalChoices(x.catalog), q.channel, versions) });
  } catch (error) {
    const e = error as WebAPIPlatformError;
    if (e.code === ErrorCode.PlatformError && GONE.has(e.data.error)) {
      x.log.debug({ view: view.id, error: e.data.error }, 'request form changed or closed before its versions arrived');
      return;
    }
    throw error;
  }
}

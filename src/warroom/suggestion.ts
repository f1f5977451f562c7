import type { RoutedAlert } from '../domain/alert.js';
import type { Services } from '../rollbacks/context.js';
import { suggestionMessage, SUGGESTION_EVENT, type SuggestionBody } from '../slack/suggestion.js';
import type { SuggestionRecord, SuggestionStore } from '../store/suggestions.js';

const DEFAULT_CHANGE_WINDOW_MS = 2 * 3600_000;

export function renderSuggestion(x: Services, r: RoutedAlert, record: SuggestionRecord, body: SuggestionBody) {
  return suggestionMessage({
    service: r.service,
    environment: r.environment,
    alerts: record.alerts,
    body,
    changeWindowMs: x.catalog.alerts?.changeWindow ?? DEFAULT_CHANGE_WINDOW_MS,
  });
}

/** Re-renders the posted suggestion from its record (coalesced with other updates of it). */
export function refreshSuggestion(x: Services, store: SuggestionStore, r: RoutedAlert): Promise<void> {
  const key = `${r.service}/${r.environment}`;
  x.metrics.suggestion('updated');
  return x.poster.update(`suggestion:${key}`, async () => {
    const record = await store.get(key);
    if (!record.message || !record.body) return undefined;
    return { ...record.message, message: renderSuggestion(x, r, record, JSON.parse(record.body) as SuggestionBody) };
  });
}

/** A suggestion post that reached Slack before a crash, found by its metadata near when it was attempted. */
export async function findSuggestionPost(x: Services, key: string, atMs: number): Promise<{ channel: string; ts: string } | undefined> {
  const channel = x.catalog.warRoom;
  const res = await x.poster.client.conversations.history({ channel, oldest: String((atMs - 60_000) / 1000), include_all_metadata: true, limit: 200 });
  const found = res.messages?.find(
    (m) => m.metadata?.event_type === SUGGESTION_EVENT && (m.metadata.event_payload as Record<string, unknown> | undefined)?.target === key,
  );
  return found?.ts ? { channel, ts: found.ts } : undefined;
}

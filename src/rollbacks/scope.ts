import type { Logger } from 'pino';
import type { TimelineEvent } from '../domain/timeline.js';
import type { Fence } from '../store/fence.js';
import { line, refreshCard } from '../warroom/card.js';
import type { Services } from './context.js';

/**
 * One rollback as a use case works on it: a logger bound to its id, and its thread, audit trail
 * and card. While an execution holds the target, every write carries its fence, so a run that
 * lost the target stops at its next line instead of speaking for the one that replaced it.
 */
export interface RollbackScope {
  readonly id: string;
  readonly log: Logger;
  readonly fence?: Fence;
  /** A line in the thread under the card: stored in the outbox now, posted by the poster (late, if Slack is down). */
  thread(text: string, opts?: { broadcast?: boolean }): Promise<void>;
  /** An audit-trail event, with the thread line that announces it when given. */
  note(event: Omit<TimelineEvent, 'at'>, text?: string): Promise<void>;
  /** Asks the poster to re-render the card from the record (coalesced). */
  refreshCard(): Promise<void>;
}

export function scopeOf(s: Services, id: string, opts: { fence?: Fence; bindings?: Record<string, unknown> } = {}): RollbackScope {
  const { fence } = opts;
  return {
    id,
    log: s.log.child({ rollback: id, ...opts.bindings }),
    ...(fence ? { fence } : {}),
    thread: (text, { broadcast } = {}) => s.store.note(id, undefined, { say: [line(s, text, broadcast)], fence }),
    note: (event, text) => s.store.note(id, event, { say: text === undefined ? [] : [line(s, text)], fence }),
    refreshCard: () => refreshCard(s, id),
  };
}

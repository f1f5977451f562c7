import type { Rollback } from '../domain/rollback.js';
import type { OutboxEntry } from '../domain/timeline.js';
import { describeAuthority, eligibleUsers } from '../policy/authority.js';
import { cardText, rollbackCard } from '../slack/blocks.js';
import { authorityOf, expiresAt } from '../policy/resolve.js';
import type { Services } from '../rollbacks/context.js';
import { freezeLines } from './freeze.js';

/** Renders the card of a rollback from its current record and journal. */
export async function renderCard(s: Services, rb: Rollback) {
  const { authority, members } = await authorityOf(s, rb).catch((error: unknown) => {
    s.log.warn({ err: error }, 'could not resolve approver roles for the card');
    return { authority: { requirements: [] }, members: {} };
  });
  return {
    text: cardText(rb),
    blocks: rollbackCard(rb, {
      rtoMs: s.catalog.rto,
      approvalRule: describeAuthority(authority),
      approvers: eligibleUsers(authority, rb.requestedBy, members),
      journal: await s.journal.all(rb.id),
      now: s.now(),
      expiresAt: expiresAt(s, rb),
      freeze: await freezeLines(s, rb).catch((error: unknown) => {
        s.log.warn({ err: error }, 'could not read the deploy freeze for the card');
        return [];
      }),
    }),
  };
}

/** Asks the outbox poster to re-render the posted card from the record (coalesced per rollback). */
export function refreshCard(s: Services, id: string): Promise<void> {
  return s.outbox.markDirty(`card:${id}`);
}

/** A thread line as an outbox entry, stamped now (the poster shows this time, however late it posts). */
export function line(s: Services, text: string, broadcast = false): Extract<OutboxEntry, { kind: 'line' }> {
  return { kind: 'line', text, at: s.now().toISOString(), ...(broadcast ? { broadcast } : {}) };
}

import type { Rollback } from '../domain/rollback.js';
import { describeAuthority, eligibleUsers } from '../policy/authority.js';
import { cardText, rollbackCard } from '../slack/blocks.js';
import { authorityOf, expiresAt } from './authority.js';
import type { Services } from './context.js';

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
      approvalRule: describeAuthority(authority).join('; and '),
      approvers: eligibleUsers(authority, rb.requestedBy, members),
      journal: await s.journal.all(rb.id),
      now: s.now(),
      expiresAt: expiresAt(s, rb),
    }),
  };
}

/** Re-renders the posted card (coalesced per rollback). */
export function refreshCard(s: Services, id: string): Promise<void> {
  return s.poster.update(`card:${id}`, async () => {
    const rb = await s.store.get(id);
    if (!rb?.card) return undefined;
    return { ...rb.card, message: await renderCard(s, rb) };
  });
}

/** A line in the rollback's thread under the card, with a UTC timestamp. */
export async function threadLine(s: Services, rb: Rollback, text: string, broadcast = false): Promise<void> {
  if (!rb.card) return;
  const stamp = s.now().toISOString().slice(11, 19);
  await s.poster.post(rb.card.channel, { text: `\`${stamp}\` ${text}`, thread_ts: rb.card.ts, broadcast });
}

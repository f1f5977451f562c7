import { refusal, type Refusal } from '../domain/refusal.js';
import type { Rollback } from '../domain/rollback.js';
import type { Services } from './context.js';

/** Splits a button value `RB-7:abc123` into the id and the record's nonce. */
export function readButtonValue(value: string | undefined): { id: string; nonce?: string } {
  const [id = '', nonce] = (value ?? '').split(':');
  return nonce ? { id, nonce } : { id };
}

/**
 * The record a click acts on. A click carries `RB-n:nonce` and acts only on the record that card
 * was made for: ids restart when Redis loses its data, and an old card must never approve a
 * newer RB-n. Without a nonce (typed ids) only records without one match.
 */
export async function boundRecord(s: Services, id: string, nonce: string | undefined): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const rb = await s.store.get(id);
  if (rb && (rb.nonce ?? '') === (nonce ?? '')) return { rollback: rb };
  return refusal(
    'missing',
    `Rewind has no record of the rollback this card shows (${id}); it may have been removed, or Redis lost its data.`,
    'Nothing was done: ask again with `/rollback` if it is still needed.',
  );
}

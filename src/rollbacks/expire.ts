import { lockTargets, type Rollback } from '../domain/rollback.js';
import { line, refreshCard } from '../warroom/card.js';
import type { Services } from './context.js';

/** The delayed expiry job: an approval request nobody answered in time frees its target. */
export async function expire(s: Services, id: string): Promise<Rollback | undefined> {
  const res = await s.store.transition(id, 'expire', {
    patch: { finishedAt: s.now().toISOString() },
    message: 'Approval request expired',
    say: (r) => [
      line(
        s,
        `:alarm_clock: ${r.id} expired: nobody approved it within ${Math.round(s.catalog.approvalTimeout / 60_000)} min. The target is unlocked; ask again if it is still needed.`,
        true,
      ),
    ],
  });
  if (!res.changed) return undefined;
  await s.locks.release(lockTargets(res.rollback), id);
  await refreshCard(s, id);
  return res.rollback;
}

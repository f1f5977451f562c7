import { isTerminal } from '../domain/rollback.js';
import type { WorkerServices } from './context.js';
import { expire } from './expire.js';
import { afterOutcome } from './finish.js';

/** A record younger than this may still be between its write and its enqueue: leave it to its writer. */
const SETTLE_MS = 5_000;

/**
 * No dead ends: every non-terminal rollback gets the job or timer that moves it on (a crash
 * between a write and its enqueue leaves none), and every finished one has its target freed.
 * Runs at start-up and every REWIND_RECONCILE_MS; every action is idempotent.
 */
export async function reconcile(x: WorkerServices): Promise<void> {
  const now = x.now().getTime();
  for (const id of await x.store.active()) {
    const rb = await x.store.get(id);
    if (!rb) {
      await x.store.retire(id);
      continue;
    }
    if (isTerminal(rb.state)) {
      await afterOutcome(x, rb);
      await x.store.retire(id);
      continue;
    }
    if (now - Date.parse(rb.updatedAt) < SETTLE_MS) continue;
    const log = x.log.child({ rollback: id, job: 'reconcile' });
    switch (rb.state) {
      case 'requested':
      case 'planned':
        if (await x.jobs.ensure('plan', id)) log.warn({ state: rb.state }, 'no plan job for this rollback: enqueued one');
        break;
      case 'awaiting_approval':
        if (await x.jobs.hasExpiry(id)) break;
        if (now >= Date.parse(rb.createdAt) + x.catalog.approvalTimeout) await expire(x, id);
        else await x.jobs.expireAfter(id, Date.parse(rb.createdAt) + x.catalog.approvalTimeout - now);
        break;
      case 'approved':
      case 'running':
      case 'verifying':
        if (await x.jobs.ensure('execute', id)) log.warn({ state: rb.state }, 'no execute job for this rollback: enqueued one (it resumes from the journal)');
        break;
    }
  }
}

import { READINESS_COLUMNS, type NotReady } from '../domain/readiness.js';
import { claimOnce, releaseOnce } from '../store/once.js';
import type { WorkerServices } from './context.js';
import { checkReadiness } from './readiness.js';
import { postReadinessSummary } from '../warroom/readiness.js';

/** The day's claim outlives the day, so a retried or late job of the same day never posts again. */
const CLAIM_TTL_SEC = 2 * 24 * 3600;

/**
 * The daily readiness summary (catalog `readiness.daily`): every service environment checked as
 * `/rollback ready` would, and one war-room message listing what is not ready, at most once a
 * day (claimed per UTC day; given back if the post fails, so the retry can post). Says nothing
 * when everything is ready. Returns whether it posted.
 */
export async function readinessSummary(x: WorkerServices, signal: AbortSignal): Promise<boolean> {
  const day = x.now().toISOString().slice(0, 10);
  const claim = `readiness-summary:${day}`;
  if (!(await claimOnce(x.redis, x.prefix, claim, CLAIM_TTL_SEC))) return false;
  try {
    const targets = Object.entries(x.catalog.services).flatMap(([service, envs]) => Object.keys(envs).map((environment) => ({ service, environment })));
    const notReady: NotReady[] = [];
    for (const t of targets) {
      const report = await checkReadiness(x, t, signal);
      for (const row of report.rows)
        for (const col of READINESS_COLUMNS)
          for (const cell of row.cells[col]) if (cell.ok === false) notReady.push({ target: row.label, column: col, detail: cell.detail, fix: cell.fix });
    }
    if (!notReady.length) {
      x.log.info({ targets: targets.length }, 'daily readiness: everything is ready; nothing posted');
      return false;
    }
    await postReadinessSummary(x, day, targets.length, notReady);
    return true;
  } catch (error) {
    await releaseOnce(x.redis, x.prefix, claim);
    throw error;
  }
}

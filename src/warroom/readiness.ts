import type { NotReady } from '../domain/readiness.js';
import type { Services } from '../rollbacks/context.js';
import { readinessSummaryText } from '../slack/readiness.js';

/** Posts the daily readiness summary to the war room (paced like every post there). */
export async function postReadinessSummary(s: Services, day: string, checked: number, items: NotReady[]): Promise<void> {
  await s.poster.post(s.catalog.warRoom, { text: readinessSummaryText(day, checked, items) });
}

import type { Plan, Rollback } from '../../src/domain/rollback.js';
import { renderTemplate } from '../../src/templates/render.js';

/** The default internal notification for a rollback of `service production` that completed with this plan. */
export function notificationFor(plan: Plan, service: string, product = 'DistroCV'): string {
  const rb: Rollback = {
    id: 'RB-42',
    target: `${service}/production`,
    service,
    environment: 'production',
    state: 'succeeded',
    requestedBy: 'U0REQ',
    reason: 'bad release',
    plan,
    approvals: [{ user: 'U0LEAD', at: '2026-01-22T10:01:00Z' }],
    createdAt: '2026-01-22T10:00:00Z',
    updatedAt: '2026-01-22T10:09:00Z',
    startedAt: '2026-01-22T10:02:00Z',
    finishedAt: '2026-01-22T10:09:00Z',
  };
  return renderTemplate('internalNotification', rb, { product, rtoMs: 15 * 60_000, postMortemWithinMs: 48 * 3600_000 });
}

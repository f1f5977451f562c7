import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import { flagActionProblem, type FlagTarget } from './target.js';

/**
 * "Previous version still available" for a flag: its store answers and holds an earlier value
 * `revert` would go back to, found by planning that revert (reads only), so the answer is the
 * plan's. Flags only switched on and off (a store without history) have nothing to keep: not checked.
 */
export async function flagReadiness(
  plan: (request: PlanRequest<FlagTarget>, ctx: DriverContext) => Promise<Plan>,
  target: FlagTarget,
  ctx: ReadinessContext,
): Promise<ReadinessItem[]> {
  const { service: flag, environment } = ctx;
  if (flagActionProblem(target, flag, 'revert')) return [];
  try {
    const revert = await plan({ rollbackId: 'readiness', service: flag, environment, target, options: { action: 'revert' } }, ctx);
    return [{ check: 'previous', ok: true, detail: `revert would set ${revert.current} → ${revert.target}` }];
  } catch (error) {
    if (!(error instanceof PlanRefused)) throw error;
    return [
      {
        check: 'previous',
        ok: false,
        detail: error.message,
        fix: `\`/rollback flag ${flag} on|off ${environment}\` still works; revert needs an earlier, different value (the next change keeps the live one).`,
      },
    ];
  }
}

import type { z } from 'zod';
import type { Plan } from '../domain/rollback.js';
import { StepFailed } from './errors.js';

const REPLAN_HINT = 'ask for a new plan with /rollback <service> <environment>';

/**
 * Reads a driver's Plan.data through its schema. A stored plan that no longer fits (another
 * Rewind version wrote it, or it was edited) is refused with the fields that are wrong.
 */
export function readPlanDataWith<S extends z.ZodType>(schema: S, plan: Plan, label: string, hint = REPLAN_HINT): z.infer<S> {
  const parsed = schema.safeParse(plan.data);
  if (!parsed.success) {
    throw new StepFailed(
      'PlanDataInvalid',
      `The stored ${label} plan is incomplete (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}), so Rewind will not act on it`,
      hint,
    );
  }
  return parsed.data;
}

import type { PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { FLAG_ACTIONS, type FlagAction } from './actions.js';
import { flagActionProblem, type FlagTarget } from './target.js';

export interface FlagRequest {
  flag: string;
  environment: string;
  action: FlagAction;
  value?: string;
}

/**
 * Reads `options = { action, value? }` from `/rollback flag …`. Without an action (a flag
 * configured as a service and rolled back with `/rollback <service> <env>`), a flag is reverted.
 */
export function flagRequest(request: PlanRequest<FlagTarget>): FlagRequest {
  const flag = request.service;
  const raw = request.options?.action ?? 'revert';
  if (!(FLAG_ACTIONS as readonly string[]).includes(raw)) {
    throw new PlanRefused(`"${raw}" is not something Rewind can do to a flag: say on, off, revert or set <value>.`, [...FLAG_ACTIONS]);
  }
  const action = raw as FlagAction;
  const value = request.options?.value;
  const problem = flagActionProblem(request.target, flag, action, value);
  if (problem) throw new PlanRefused(`${problem}.`);
  return { flag, environment: request.environment, action, ...(action === 'set' && value !== undefined ? { value } : {}) };
}

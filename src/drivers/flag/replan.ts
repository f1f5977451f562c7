import type { Rollback } from '../../domain/rollback.js';
import { serviceCommand } from '../replan.js';

/** `/rollback flag NewMatchingAlgorithm off production`: the command that asks for a fresh plan. */
export function replanCommand(data: { flag: string; action: string; value?: string; environment: string }): string {
  return `/rollback flag ${data.flag} ${data.action}${data.action === 'set' ? ` ${data.value ?? '<value>'}` : ''} ${data.environment}`;
}

/**
 * `/rollback flag NewMatchingAlgorithm off production` (commands/flag.ts: the action before the
 * environment, `set <value>` likewise); a flag configured as a service is asked for as one.
 */
export function replanFlag(rb: Pick<Rollback, 'service' | 'environment' | 'requestedVersion' | 'options'>): string {
  const action = rb.options?.action;
  return action ? replanCommand({ flag: rb.service, action, value: rb.options?.value, environment: rb.environment }) : serviceCommand(rb);
}

import { targetKey, type Rollback } from './rollback.js';

/** A deploy freeze: the runbooks' "Hold deploys to this service" after a rollback, until someone lifts it. */
export interface Freeze {
  service: string;
  environment: string;
  /** The rollback that froze it. */
  rollback: string;
  /** Who asked for that rollback (Slack user id). */
  by: string;
  reason: string;
  /** When the rollback succeeded (ISO). */
  since: string;
}

/** Who lifted a freeze with `/rollback unfreeze`, and why. */
export interface FreezeLift {
  by: string;
  reason: string;
  at: string;
}

/** Flag switches (maintenance mode too) are not deploys: nothing to hold there. */
const deployable = (plan: { driver: string } | undefined) => plan?.driver !== 'flag';

/**
 * What a succeeded rollback freezes: its own target, or for a stack every component that changed
 * (not those that were already where the stack would take them). Nothing for any other outcome.
 */
export function frozenTargets(rb: Rollback): { service: string; environment: string; target: string }[] {
  if (rb.state !== 'succeeded') return [];
  if (!rb.stack) return deployable(rb.plan) ? [{ service: rb.service, environment: rb.environment, target: rb.target }] : [];
  return rb.stack.components
    .filter((c) => rb.componentStates?.[c.name]?.state === 'succeeded' && deployable(c.plan))
    .map((c) => ({ service: c.service, environment: c.environment, target: targetKey(c.service, c.environment) }));
}

/** `/rollback unfreeze api production <reason>`: the exact words that lift a freeze. */
export function unfreezeCommand(service: string, environment: string): string {
  return `/rollback unfreeze ${service} ${environment} <reason>`;
}

import { targetOf, type TargetConfig } from '../config/catalog.js';
import type { Component, Plan, Rollback, RollbackError } from '../domain/rollback.js';
import type { LoadedDriver, PreparedPlan } from '../drivers/define.js';
import type { WorkerServices } from './context.js';

/**
 * What the executor runs: a plain rollback's plan, or one component of a stack. Each part has its
 * own driver, typed plan data and journal keys; a stack's parts run in parallel as `after` allows.
 */
export interface Part {
  /** The stack component's name (prefixes its journal keys and thread lines); undefined for a plain rollback. */
  name?: string;
  service: string;
  environment: string;
  plan: Plan;
  after: string[];
  target: TargetConfig;
  driver: LoadedDriver;
  prepared: PreparedPlan;
  /** The record as the part's driver sees it (its own service, version and options). */
  record: Rollback;
}

/** The slash command that asks for this rollback again: the stack's, or the driver's own grammar. */
export function replanOf(x: WorkerServices, rb: Rollback): string {
  if (rb.stack) return `/rollback stack ${rb.stack.name} ${rb.environment}`;
  const target = targetOf(x.catalog, rb.service, rb.environment);
  return (target && x.drivers[target.driver]?.replan(rb)) ?? `/rollback ${rb.service} ${rb.environment}`;
}

/** A component as a plain record of its own, for its driver's replan and next-step hints. */
function componentRecord(rb: Rollback, c: Component): Rollback {
  const { stack: _stack, componentStates: _states, ...plain } = rb;
  return { ...plain, service: c.service, environment: c.environment, target: c.target, requestedVersion: c.version, options: c.options, plan: c.plan };
}

/**
 * Binds each plan to its driver and parses its Plan.data once, through the driver's schema. A
 * target gone from the catalog, a driver not loaded here or unreadable plan data fails the whole
 * rollback before anything runs.
 */
export function prepareParts(x: WorkerServices, rb: Rollback): Part[] | RollbackError {
  const wanted = rb.stack
    ? rb.stack.components
        .filter((c) => rb.componentStates?.[c.name]?.state !== 'unchanged')
        .map((c) => ({ name: c.name, service: c.service, environment: c.environment, plan: c.plan, after: c.after, record: componentRecord(rb, c) }))
    : [{ name: undefined, service: rb.service, environment: rb.environment, plan: rb.plan, after: [], record: rb }];
  const parts: Part[] = [];
  for (const w of wanted) {
    const target = targetOf(x.catalog, w.service, w.environment);
    const driver = target && x.drivers[target.driver];
    const label = w.name ? `${w.name} (${w.service} ${w.environment})` : `${w.service} ${w.environment}`;
    if (!target || !driver || !w.plan) {
      return {
        name: 'NotConfigured',
        message: `${label} is no longer in the catalog or its driver is not loaded in this worker`,
        hint: 'Nothing was changed. Restore the catalog entry and ask for a new rollback.',
      };
    }
    const prepared = driver.prepare(w.plan, target);
    if ('invalid' in prepared) {
      return {
        name: 'PlanDataInvalid',
        message: `The stored ${driver.kind} plan of ${label} is incomplete (${prepared.invalid.join(', ')}), so Rewind will not act on it`,
        hint: `Nothing was changed. Ask for a new plan: \`${replanOf(x, rb)}\`.`,
      };
    }
    parts.push({
      ...(w.name ? { name: w.name } : {}),
      service: w.service,
      environment: w.environment,
      plan: w.plan,
      after: w.after,
      target,
      driver,
      prepared,
      record: w.record,
    });
  }
  return parts;
}

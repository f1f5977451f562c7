import { z } from 'zod';
import { targetKey, type Component } from '../domain/rollback.js';
import { approvalRule, text } from './fields.js';
import type { FlagTarget } from '../drivers/flag/target.js';
import { flagActionProblem, type FlagAction } from './flags.js';
import { own } from './own.js';

/**
 * The catalog's `stacks:`: the runbooks' "Full stack" and "Full + secrets rotation" rollbacks as
 * one request. A stack names, per environment, components that are existing catalog targets:
 *
 *   stacks:
 *     distrocv:
 *       production:
 *         approval: { from: [cto], count: 1 }     # added to the strictest component rule
 *         components:
 *           maintenance: { maintenance: on }
 *           api: { service: api, after: [maintenance] }
 *           frontend: { service: frontend, after: [maintenance] }
 *           matching: { flag: NewMatchingAlgorithm, action: off }
 */

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lowercase letters, digits and dashes (it is typed in /rollback)' });

const component = z
  .strictObject({
    /** A `services:` entry (ECS, Kubernetes, frontend, DNS, runbook, database, secret...). */
    service: name.optional(),
    /** A `flags:` entry, switched by `action`. */
    flag: z.string().optional(),
    /** The environment's maintenance flag, switched on or off. */
    maintenance: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
    action: z.enum(['on', 'off', 'revert'], { error: 'must be on, off or revert' }).optional(),
    /** `to <version>` for this component; default: its driver's previous version. */
    version: text('the version to go back to, as `/rollback <service> <env> to <version>` takes it').optional(),
    /** Components that must have succeeded before this one starts (maintenance on first, the database before services). */
    after: z.array(name).default([]),
  })
  .refine((c) => [c.service, c.flag, c.maintenance].filter((x) => x !== undefined).length === 1, {
    error: 'must name exactly one of `service: <name>`, `flag: <Flag>` (with `action`) or `maintenance: on|off`',
  });
export type StackComponentConfig = z.infer<typeof component>;

const stackEnvironment = z.strictObject({
  components: z.record(name, component).refine((c) => Object.keys(c).length > 0, { error: 'is empty: list at least one component' }),
  /** Added to the components' own rules: the stack needs the strictest of them plus this. */
  approval: approvalRule.optional(),
  /** The product named in announcements and templates, when it is not the catalog's `product`. */
  product: text('the product name, e.g. Skillancer').optional(),
});
export type StackConfig = z.infer<typeof stackEnvironment>;

export const stacksSchema = z.record(name, z.record(name, stackEnvironment));

/** The parts of a catalog the stack checks read (structural, so catalog.ts can call them while defining its schema). */
export interface StackCatalog {
  roles: Record<string, unknown>;
  services: Record<string, Record<string, unknown>>;
  flags?: Record<string, Record<string, FlagTarget>>;
  maintenance?: string | Record<string, string>;
  stacks?: Record<string, Record<string, StackConfig>>;
  matrix?: Record<string, { stack?: string }>;
}

function maintenanceFlagOf(catalog: StackCatalog, environment: string): string | undefined {
  const m = catalog.maintenance;
  return typeof m === 'string' ? m : own(m, environment);
}

/** Why the flag's store(s) cannot do this action (e.g. `off` on AppConfig without an `off:` version), with the fix. */
function actionProblem(catalog: StackCatalog, flag: string, environment: string, action: FlagAction): string | undefined {
  const target = own(own(catalog.flags, flag), environment);
  return target ? flagActionProblem(target, flag, action) : undefined;
}

/** The catalog name (service or flag) a component rolls back, or why it names nothing. */
function componentTarget(
  catalog: StackCatalog,
  c: StackComponentConfig,
  environment: string,
): { service: string; options?: Record<string, string> } | { problem: string } {
  if (c.service !== undefined) {
    if (!own(own(catalog.services, c.service), environment)) {
      const services = Object.keys(catalog.services).filter((s) => own(own(catalog.services, s), environment));
      return { problem: `service "${c.service}" has no "${environment}" environment: use one of ${services.join(', ') || '(none)'}` };
    }
    return { service: c.service };
  }
  if (c.flag !== undefined) {
    if (!own(own(catalog.flags, c.flag), environment)) return { problem: `flag "${c.flag}" has no "${environment}" environment under flags: add it there` };
    if (!c.action) return { problem: `flag "${c.flag}" needs an action: add \`action: off\` (or on, revert)` };
    const unsupported = actionProblem(catalog, c.flag, environment, c.action);
    if (unsupported) return { problem: `action "${c.action}" cannot be done on flag "${c.flag}" in ${environment}: ${unsupported}` };
    return { service: c.flag, options: { action: c.action } };
  }
  const flag = maintenanceFlagOf(catalog, environment);
  if (!flag || !own(own(catalog.flags, flag), environment))
    return { problem: `there is no maintenance flag for "${environment}": set \`maintenance:\` to a flag under flags` };
  const unsupported = actionProblem(catalog, flag, environment, c.maintenance!);
  if (unsupported) return { problem: `maintenance ${c.maintenance} cannot be done on flag "${flag}" in ${environment}: ${unsupported}` };
  return { service: flag, options: { action: c.maintenance! } };
}

/** The first cycle in `after` (as `a → b → a`), if any. */
function cycleIn(after: Record<string, string[]>): string | undefined {
  const state: Record<string, 'visiting' | 'done'> = {};
  const walk = (node: string, path: string[]): string | undefined => {
    if (state[node] === 'done') return undefined;
    if (state[node] === 'visiting') return [...path.slice(path.indexOf(node)), node].join(' → ');
    state[node] = 'visiting';
    for (const next of after[node] ?? []) {
      const found = walk(next, [...path, node]);
      if (found) return found;
    }
    state[node] = 'done';
    return undefined;
  };
  for (const node of Object.keys(after)) {
    const found = walk(node, []);
    if (found) return found;
  }
  return undefined;
}

/** Stack problems for the catalog's superRefine: unknown components, cycles, one target twice, names that clash. */
export function stackIssues(catalog: StackCatalog): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const roles = Object.keys(catalog.roles);
  for (const [stack, envs] of Object.entries(catalog.stacks ?? {})) {
    if (own(catalog.services, stack) || own(catalog.flags, stack)) {
      issues.push({
        path: ['stacks', stack],
        message: `"${stack}" is also a service or flag name: rename the stack (records and /rollback status name both the same way)`,
      });
    }
    for (const [env, def] of Object.entries(envs)) {
      const path = ['stacks', stack, env];
      const seen = new Map<string, string>();
      for (const [part, c] of Object.entries(def.components)) {
        const resolved = componentTarget(catalog, c, env);
        if ('problem' in resolved) {
          issues.push({ path: [...path, 'components', part], message: resolved.problem });
          continue;
        }
        const other = seen.get(resolved.service);
        if (other)
          issues.push({
            path: [...path, 'components', part],
            message: `rolls back ${resolved.service} ${env} like "${other}" does: one target may appear once per stack`,
          });
        seen.set(resolved.service, part);
        c.after.forEach((dep, i) => {
          if (!own(def.components, dep))
            issues.push({
              path: [...path, 'components', part, 'after', i],
              message: `"${dep}" is not a component of this stack: use one of ${Object.keys(def.components).join(', ')}`,
            });
        });
      }
      const cycle = cycleIn(Object.fromEntries(Object.entries(def.components).map(([part, c]) => [part, c.after])));
      if (cycle) issues.push({ path: [...path, 'components'], message: `\`after\` goes round in a circle (${cycle}): remove one of those dependencies` });
      def.approval?.from.forEach((r, i) => {
        if (!own(catalog.roles, r))
          issues.push({
            path: [...path, 'approval', 'from', i],
            message: `role "${r}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}`,
          });
      });
    }
  }
  for (const [row, scenario] of Object.entries(catalog.matrix ?? {})) {
    if (scenario.stack && !own(catalog.stacks, scenario.stack)) {
      issues.push({
        path: ['matrix', row, 'stack'],
        message: `stack "${scenario.stack}" is not defined: add it under stacks, or use one of: ${Object.keys(catalog.stacks ?? {}).join(', ') || '(none defined)'}`,
      });
    }
  }
  return issues;
}

/** A stack's environment; names come from Slack, so own keys only. */
export function stackOf(catalog: Pick<StackCatalog, 'stacks'>, stack: string, environment: string): StackConfig | undefined {
  return own(own(catalog.stacks, stack), environment);
}

/** The components a request for this stack rolls back, in catalog order (validated at start-up). */
export function stackComponents(catalog: StackCatalog, stack: StackConfig, environment: string): Component[] {
  return Object.entries(stack.components).flatMap(([part, c]) => {
    const resolved = componentTarget(catalog, c, environment);
    if ('problem' in resolved) return [];
    return [
      {
        name: part,
        service: resolved.service,
        environment,
        target: targetKey(resolved.service, environment),
        ...(c.version ? { version: c.version } : {}),
        ...(resolved.options ? { options: resolved.options } : {}),
        after: c.after,
      },
    ];
  });
}

import { z } from 'zod';
import { own } from '../../config/own.js';
import { flagTargetBase } from './fields.js';
import type { FlagAction } from './actions.js';
import { FLAG_STORES, flagStore, storeSchemas } from './stores/index.js';

/** Flag names keep the runbooks' spelling: NewMatchingAlgorithm, MAINTENANCE_MODE, skillpod_enabled. */
export const flagName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, {
  error: 'must be a flag name such as NewMatchingAlgorithm or MAINTENANCE_MODE (letters, digits, _ . -)',
});

const envName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
  error: 'must be lowercase letters, digits and dashes (it is typed in /rollback)',
});

const storeError = (iss: { code: string }) =>
  iss.code === 'invalid_union' ? `store must be one of: ${FLAG_STORES.map((s) => s.store).join(', ')}` : undefined;

/** A flag kept in one store: one of the stores' catalog entries, picked by `store`. */
const singleStoreFlag = z.discriminatedUnion('store', storeSchemas('target'), { error: storeError });
export type StoreFlagTarget = z.infer<typeof singleStoreFlag>;

/** One place of a multi-store flag: a store's own entry, checked by that store's schema (`driver` and `approval` belong to the flag). */
const storePlace = z.preprocess(
  (place) => (place && typeof place === 'object' && !Array.isArray(place) ? { driver: 'flag', ...place } : place),
  singleStoreFlag.refine((place) => !place.approval && !place.health, {
    error: 'approval and health belong to the flag, not to one of its stores: move them up next to `stores`',
  }),
);

/**
 * A flag the runbook changes in several stores in turn (DistroCV §5: `aws ssm put-parameter`, then
 * the AppConfig deployment): one plan, one approval, the stores written in this order.
 */
const multiStoreFlag = z
  .strictObject({
    ...flagTargetBase,
    // No `store`: that is what routes a flag here (with `store: ssm`, the ssm schema refuses `stores`).
    store: z.undefined().optional(),
    stores: z
      .array(storePlace, { error: 'missing: name the store (`store: ssm`, ...) or list several in order (`stores: [{ store: ssm, ... }, ...]`)' })
      .min(2, { error: 'must list two or more stores; for one, write its fields next to `store:`' }),
  })
  .superRefine((flag, ctx) => {
    const seen = new Map<string, number>();
    flag.stores.forEach((place, i) => {
      const where = JSON.stringify(place);
      if (seen.has(where))
        ctx.addIssue({ code: 'custom', path: ['stores', i], message: `is the same place as stores[${seen.get(where)}]: remove the duplicate` });
      seen.set(where, i);
    });
  });
export type MultiStoreFlagTarget = z.infer<typeof multiStoreFlag>;

/** `driver: flag`: one store (`store: ssm, parameter: ...`) or several in order (`stores: [...]`). */
export const flagTargetSchema = z.discriminatedUnion('store', [...storeSchemas('target'), multiStoreFlag], { error: storeError });
export type FlagTarget = z.infer<typeof flagTargetSchema>;

/** The places a flag is written, in order, each as its store's own target. */
export function flagPlaces(target: FlagTarget): StoreFlagTarget[] {
  return target.store === undefined ? target.stores : [target];
}

/** The catalog's `flags:` section: flag name → environment → target. */
export const flagsSchema = z.record(flagName, z.record(envName, flagTargetSchema));

/** `maintenance: MAINTENANCE_MODE`, or per environment `{ production: MAINTENANCE_MODE }`. */
export const maintenanceSchema = z.union([flagName, z.record(envName, flagName)], {
  error: 'must name a flag from `flags`, e.g. `maintenance: MAINTENANCE_MODE`, or map environments to flags',
});

/** The parts of a catalog the flag lookups read (structural, so catalog.ts can call these while defining its schema). */
export interface FlagCatalog {
  roles: Record<string, unknown>;
  approval?: unknown;
  services?: Record<string, unknown>;
  flags?: Record<string, Record<string, FlagTarget>>;
  maintenance?: string | Record<string, string>;
}

/** Catalog-level problems with flags, for the catalog's superRefine. */
export function flagIssues(catalog: FlagCatalog): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const flags = catalog.flags ?? {};
  const roles = Object.keys(catalog.roles);
  for (const [flag, envs] of Object.entries(flags)) {
    // Rollback records key both by name, so one name must mean one thing.
    if (own(catalog.services, flag)) issues.push({ path: ['flags', flag], message: `"${flag}" is also a service name: rename the flag or the service` });
    for (const [env, target] of Object.entries(envs)) {
      const path = ['flags', flag, env, 'approval'];
      target.approval?.from.forEach((r, i) => {
        if (!own(catalog.roles, r))
          issues.push({
            path: [...path, 'from', i],
            message: `role "${r}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}`,
          });
      });
      if (!target.approval && !catalog.approval) {
        issues.push({ path, message: 'missing: add `approval: { from: [oncall], count: 1 }` here or a top-level `approval` default' });
      }
    }
  }
  const known = Object.keys(flags).join(', ') || '(no flags defined)';
  const m = catalog.maintenance;
  if (typeof m === 'string' && !own(flags, m)) {
    issues.push({ path: ['maintenance'], message: `flag "${m}" is not defined under flags: add it there, or use one of: ${known}` });
  } else if (m && typeof m === 'object') {
    for (const [env, flag] of Object.entries(m)) {
      if (!own(flags, flag))
        issues.push({ path: ['maintenance', env], message: `flag "${flag}" is not defined under flags: add it there, or use one of: ${known}` });
      else if (!own(own(flags, flag), env))
        issues.push({ path: ['maintenance', env], message: `flag "${flag}" has no "${env}" environment: add flags.${flag}.${env}` });
    }
  }
  return issues;
}

/** The catalog's spelling of a flag typed in Slack (exact, else the one case-insensitive match). */
export function findFlag(catalog: FlagCatalog, typed: string): string | undefined {
  const names = Object.keys(catalog.flags ?? {});
  if (names.includes(typed)) return typed;
  const matches = names.filter((n) => n.toLowerCase() === typed.toLowerCase());
  return matches.length === 1 ? matches[0] : undefined;
}

export function flagTarget(catalog: FlagCatalog, flag: string, environment: string): FlagTarget | undefined {
  return own(own(catalog.flags, flag), environment);
}

/** The flag `/rollback maintenance on|off <env>` toggles there, if the catalog names one. */
export function maintenanceFlag(catalog: FlagCatalog, environment: string): string | undefined {
  const m = catalog.maintenance;
  return typeof m === 'string' ? m : own(m, environment);
}

/** Why a store cannot do this action (with the fix), or undefined when it can. Shared by the parser and the driver. */
export function flagActionProblem(target: FlagTarget, flag: string, action: FlagAction, value?: string): string | undefined {
  const places = flagPlaces(target);
  for (const [i, place] of places.entries()) {
    const problem = flagStore(place.store).actionProblem(place, flag, action, value);
    if (problem) return places.length > 1 ? `${problem} (stores[${i}], ${place.store})` : problem;
  }
  return undefined;
}

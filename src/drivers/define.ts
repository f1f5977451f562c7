import type { Logger } from 'pino';
import type { z } from 'zod';
import { own } from '../config/own.js';
import type { Plan, Rollback } from '../domain/rollback.js';
import type { ClientName, Clients, ClientSource } from './clients.js';
import type { DriverContext, DriverInstance, HistoryEntry, PlanRequest, StepBase } from './driver.js';
import type { Readiness } from './readiness.js';
import type { RequestGrammar } from './request-grammar.js';
import type { VersionRow } from './versions.js';

/** What every driver may be given besides its clients. */
export interface SharedDeps {
  log: Logger;
  now: () => Date;
  /** The worker's environment (tokens named by `tokenEnv`, runbook `env` mappings). */
  env: NodeJS.ProcessEnv;
  /** Floor for poll intervals in seconds, so a catalog's `pollInterval: 10ms` cannot hammer an API; tests lower it. */
  minPollSec?: number;
  /** The catalog's top-level recovery point objective in ms. */
  rpo: number;
}

export interface CreateDeps<N extends ClientName> extends SharedDeps {
  /** One of the clients the driver declared. */
  client<M extends N>(name: M): Promise<Clients[M]>;
}

/** One target kind: what the catalog accepts, what its plans store, and how to make the driver. */
export interface DriverDefinition<K extends string, S extends z.ZodType<{ driver: K }>, P extends z.ZodType, N extends ClientName> {
  kind: K;
  /** The catalog entry (`driver: <kind>`); the catalog's target union is built from these. */
  target: S;
  /** Plan.data, parsed once by the executor before drift and the steps see it. */
  planData: P;
  /** Its own words after `/rollback <service> <env>`, when `to <version>` does not fit the kind. */
  grammar?: RequestGrammar;
  /** The clients `create` may ask for; only drivers the catalog uses are created. */
  clients: readonly N[];
  /** Imports the implementation (and through it the SDK) only when the catalog uses this kind. */
  create(deps: CreateDeps<N>): Promise<DriverInstance<z.output<S>, z.output<P>>>;
}

/** A step ready to run: the executor supplies the run, the driver module the target and the plan data. */
export type PreparedStep = (ctx: StepBase) => Promise<Record<string, unknown> | void>;

/** An approved plan bound to its driver, its Plan.data parsed. */
export interface PreparedPlan {
  drift(ctx: DriverContext): Promise<string | undefined>;
  /** The step with this id, or undefined when this driver has none (a plan from another Rewind version). */
  step(id: string): PreparedStep | undefined;
}

/** A created driver as the jobs use it: any catalog target, checked against the kind here. */
export interface LoadedDriver {
  readonly kind: string;
  plan(request: PlanRequest<{ driver: string }>, ctx: DriverContext): Promise<Plan>;
  history?(target: { driver: string }, ctx: DriverContext): Promise<HistoryEntry[]>;
  versions?(target: { driver: string }, ctx: DriverContext): Promise<VersionRow[]>;
  replan(rb: Rollback): string;
  nextSteps(rb: Rollback, outcome: 'unhealthy'): string;
  /** Parses Plan.data through the driver's schema; `invalid` lists the fields that do not fit. */
  prepare(plan: Plan, target: { driver: string }): PreparedPlan | { invalid: string[] };
  readiness?: Readiness<{ driver: string }>;
}

export interface DriverModule<K extends string, S extends z.ZodType<{ driver: K }>, P extends z.ZodType, N extends ClientName> extends DriverDefinition<
  K,
  S,
  P,
  N
> {
  load(deps: SharedDeps & { client: ClientSource }): Promise<LoadedDriver>;
}

/** A step by id, else by the id's first word (steps repeated per item); own keys only. */
function findStep<S>(steps: Record<string, S>, id: string): S | undefined {
  return own(steps, id) ?? own(steps, id.split('-')[0]);
}

/** Binds a created driver to its kind and plan-data schema: what `load` returns, and what tests drive their own instances through. */
export function bindDriver<T extends { driver: string }, P extends z.ZodType>(kind: string, planData: P, driver: DriverInstance<T, z.output<P>>): LoadedDriver {
  // The jobs look drivers up by `target.driver`, so a mismatch is a wiring bug, not bad input.
  const isOurs = (target: { driver: string }): target is T => target.driver === kind;
  const ours = (target: { driver: string }): T => {
    if (!isOurs(target)) throw new Error(`the ${kind} driver was handed a ${target.driver} target`);
    return target;
  };
  const { history, versions, readiness } = driver;
  return {
    kind,
    ...(readiness ? { readiness: (target: { driver: string }, ctx: Parameters<Readiness<T>>[1]) => readiness(ours(target), ctx) } : {}),
    plan: (request, ctx) => driver.plan({ ...request, target: ours(request.target) }, ctx),
    ...(history ? { history: (target: { driver: string }, ctx: DriverContext) => history(ours(target), ctx) } : {}),
    ...(versions ? { versions: (target: { driver: string }, ctx: DriverContext) => versions(ours(target), ctx) } : {}),
    replan: (rb) => driver.replan(rb),
    nextSteps: (rb, outcome) =>
      driver.nextSteps?.(rb, outcome) ?? `Then fix forward, or ask for another version with \`/rollback ${rb.service} ${rb.environment} to <version>\`.`,
    prepare(plan, target) {
      const parsed = planData.safeParse(plan.data);
      if (!parsed.success) return { invalid: parsed.error.issues.map((i) => i.path.join('.')) };
      const data = parsed.data;
      const t = ours(target);
      return {
        drift: (ctx) => driver.drift(data, t, ctx),
        step(id) {
          const run = findStep(driver.steps, id);
          return run && ((ctx) => run({ ...ctx, target: t, data }));
        },
      };
    },
  };
}

/** A driver module (`src/drivers/<kind>/index.ts`), listed once in `src/drivers/index.ts`. */
export function defineDriver<K extends string, S extends z.ZodType<{ driver: K }>, P extends z.ZodType, N extends ClientName = never>(
  definition: DriverDefinition<K, S, P, N>,
): DriverModule<K, S, P, N> {
  return {
    ...definition,
    load: async (deps) => bindDriver(definition.kind, definition.planData, await definition.create(deps)),
  };
}

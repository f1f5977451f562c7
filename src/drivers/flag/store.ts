import type { z } from 'zod';
import type { Plan } from '../../domain/rollback.js';
import type { ClientName, Clients } from '../clients.js';
import type { DriverContext, HistoryEntry, StepContext } from '../driver.js';
import { StepFailed } from '../errors.js';
import type { FlagAction } from './actions.js';
import type { FlagRequest } from './request.js';

/** What a store's operations are given: the clients the store declared, made on first use, and the driver's settings. */
export interface FlagStoreDeps<N extends ClientName> {
  client<M extends N>(name: M): Promise<Clients[M]>;
  /** Where `tokenEnv` tokens are read (process.env in production). */
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  /** Floor for poll intervals in seconds. */
  minPollSec: number;
}

/** A store's live operations, in a module of their own: it is imported on first use because it loads the store's SDK. */
export interface FlagStoreOperations<T, D, N extends ClientName> {
  plan(deps: FlagStoreDeps<N>, target: T, req: FlagRequest, ctx: DriverContext): Promise<Plan>;
  /** What moved since planning; a store without it has no live state to compare. */
  drift?(deps: FlagStoreDeps<N>, data: D, target: T, ctx: DriverContext): Promise<string | undefined>;
  /** Past values, newest first; a store without it keeps no history. */
  history?(deps: FlagStoreDeps<N>, target: T, ctx: DriverContext): Promise<HistoryEntry[]>;
  /** The store's one step; like every step it may be repeated after a crash. */
  run(deps: FlagStoreDeps<N>, ctx: StepContext<T, D>): Promise<Record<string, unknown>>;
}

/** One flag store (`store: ssm`, ...): what the catalog accepts, what its plans hold, and where its operations are. */
export interface FlagStoreDefinition<
  S extends string,
  TS extends z.ZodType<{ driver: 'flag'; store: S }>,
  PS extends z.ZodType<{ store: S }>,
  N extends ClientName,
> {
  store: S;
  /** The catalog entry; the flag target union is built from these. */
  target: TS;
  /** Plan.data of this store's plans; the flag plan-data union is built from these. */
  planData: PS;
  /** The clients the operations may ask for. */
  clients: readonly N[];
  /** The id of the store's one step; stored plans name it, so it never changes. */
  step: string;
  /** Why this store cannot do `action` (with the fix), else undefined; the parser and the planner ask first. */
  actionProblem?(target: z.output<TS>, flag: string, action: FlagAction, value?: string): string | undefined;
  /** Imports the operations, and through them the store's SDK. */
  load(): Promise<FlagStoreOperations<z.output<TS>, z.output<PS>, N>>;
}

/** Any store's flag target or plan data, before a store has checked it is its own. */
interface Stored {
  store: string;
}

/** A defined store as the flag driver, the parser and the catalog use it: handed any store's target, it checks the store. */
export interface FlagStore<S extends string, TS, PS, N extends ClientName> {
  readonly store: S;
  readonly target: TS;
  readonly planData: PS;
  readonly clients: readonly N[];
  readonly step: string;
  actionProblem(target: Stored, flag: string, action: FlagAction, value?: string): string | undefined;
  plan(deps: FlagStoreDeps<N>, target: Stored, req: FlagRequest, ctx: DriverContext): Promise<Plan>;
  drift(deps: FlagStoreDeps<N>, data: Stored, target: Stored, ctx: DriverContext): Promise<string | undefined>;
  history(deps: FlagStoreDeps<N>, target: Stored, ctx: DriverContext): Promise<HistoryEntry[]>;
  run(deps: FlagStoreDeps<N>, ctx: StepContext<Stored, Stored>): Promise<Record<string, unknown>>;
}

/** A flag store module (`src/drivers/flag/stores/<store>/index.ts`), listed once in `stores/index.ts`. */
export function defineFlagStore<
  S extends string,
  TS extends z.ZodType<{ driver: 'flag'; store: S }>,
  PS extends z.ZodType<{ store: S }>,
  N extends ClientName = never,
>(definition: FlagStoreDefinition<S, TS, PS, N>): FlagStore<S, TS, PS, N> {
  const { store, load } = definition;
  const isTarget = (target: Stored): target is z.output<TS> => target.store === store;
  const isData = (data: Stored): data is z.output<PS> => data.store === store;
  // The driver routes catalog targets by `store`, so a mismatch is a wiring bug, not bad input.
  const ours = (target: Stored): z.output<TS> => {
    if (!isTarget(target)) throw new Error(`the ${store} flag store was handed a ${target.store} flag`);
    return target;
  };
  return {
    store,
    target: definition.target,
    planData: definition.planData,
    clients: definition.clients,
    step: definition.step,
    actionProblem: (target, flag, action, value) => definition.actionProblem?.(ours(target), flag, action, value),
    plan: async (deps, target, req, ctx) => (await load()).plan(deps, ours(target), req, ctx),
    async drift(deps, data, target, ctx) {
      if (!isData(data)) throw new Error(`the ${store} flag store was handed ${data.store} plan data`);
      if (!isTarget(target)) return `the catalog now keeps this flag in ${target.store}; it was planned for ${store}`;
      const { drift } = await load();
      return drift?.(deps, data, target, ctx);
    },
    async history(deps, target, ctx) {
      const { history } = await load();
      return history ? history(deps, ours(target), ctx) : [];
    },
    async run(deps, ctx) {
      const { target, data } = ctx;
      // A plan whose step, data and catalog entry disagree on the store: made by another Rewind version or catalog.
      if (!isData(data) || !isTarget(target)) {
        throw new StepFailed(
          'UnknownStep',
          `The flag driver has no step "${ctx.step.id}" for store ${data.store}.`,
          'ask for a new plan; this plan was made by another Rewind version or catalog',
        );
      }
      return (await load()).run(deps, { ...ctx, target, data });
    },
  };
}

import type { Clients } from '../clients.js';
import type { DriverContext, DriverInstance, PlanRequest, Step } from '../driver.js';
import { driftMultiStore, historyMultiStore, planMultiStore, storeContext } from './multi-store.js';
import type { FlagPlanData } from './plan-data.js';
import { replanFlag } from './replan.js';
import { flagRequest } from './request.js';
import type { FlagStoreDeps } from './store.js';
import { FLAG_STORES, flagStore, type FlagStoreClient } from './stores/index.js';
import type { FlagTarget } from './target.js';
import { rowFromHistory } from '../versions.js';
import { flagReadiness } from './readiness.js';

export interface FlagDriverDeps extends Partial<Pick<Clients, FlagStoreClient>> {
  /** Makes the clients not given above when a store first asks, so only the stores a catalog uses load their SDK. */
  client?: <N extends FlagStoreClient>(name: N) => Promise<Clients[N]>;
  /** For stores that speak HTTP; default: the global fetch. */
  fetch?: typeof fetch;
  /** Where `tokenEnv` bearer tokens are read (process.env in production). */
  env: NodeJS.ProcessEnv;
  /** Floor for the AppConfig poll interval in seconds (default 1). */
  minPollSec?: number;
}

function storeDeps(deps: FlagDriverDeps): FlagStoreDeps<FlagStoreClient> {
  return {
    async client(name) {
      const given = deps[name];
      if (given) return given;
      if (!deps.client) throw new Error(`the flag driver was given no ${name} client`);
      return deps.client(name);
    },
    env: deps.env,
    fetch: deps.fetch ?? fetch,
    minPollSec: deps.minPollSec ?? 1,
  };
}

/**
 * Feature flags from both runbooks, kept in any store of `stores/`; each call goes to the store
 * the flag's catalog entry (or the plan) names. `/rollback maintenance on|off` is a flag like any other.
 */
export function createFlagDriver(deps: FlagDriverDeps): DriverInstance<FlagTarget, FlagPlanData> {
  const stores = storeDeps(deps);
  const step =
    (store: (typeof FLAG_STORES)[number]): Step<FlagTarget, FlagPlanData> =>
    (ctx) =>
      store.run(stores, storeContext(ctx));
  const history = (target: FlagTarget, ctx: DriverContext) =>
    target.store === undefined ? historyMultiStore(stores, target, ctx) : flagStore(target.store).history(stores, target, ctx);
  const plan = async (request: PlanRequest<FlagTarget>, ctx: DriverContext) => {
    const { target } = request;
    const req = flagRequest(request);
    const planned = await (target.store === undefined ? planMultiStore(stores, target, req, ctx) : flagStore(target.store).plan(stores, target, req, ctx));
    return { ...planned, result: `${request.service} set to ${planned.target}` };
  };
  return {
    plan,
    async drift(data, target, ctx) {
      if (data.store === undefined) return driftMultiStore(stores, data, target, ctx);
      if (target.store === undefined) return `the catalog now keeps ${data.flag} in ${target.stores.length} stores; it was planned for ${data.store} alone`;
      return flagStore(data.store).drift(stores, data, target, ctx);
    },
    steps: Object.fromEntries(FLAG_STORES.map((store) => [store.step, step(store)])),
    history,
    // The live value and the one before it, from the store's own history.
    versions: async (target, ctx) => [rowFromHistory(await history(target, ctx))],
    readiness: (target, ctx) => flagReadiness(plan, target, ctx),
    replan: replanFlag,
    nextSteps: (rb) =>
      rb.options?.action
        ? `Then fix forward, or change the flag again with \`/rollback flag ${rb.service} on|off|revert ${rb.environment}\`.`
        : `Then fix forward, or revert the flag once more with \`${replanFlag(rb)}\`.`,
  };
}

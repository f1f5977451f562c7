import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, HistoryEntry, StepContext } from '../driver.js';
import { AlreadyThere, PlanRefused, StepFailed } from '../errors.js';
import type { FlagPlanData, MultiStorePlanData, StoreFlagPlanData } from './plan-data.js';
import type { FlagRequest } from './request.js';
import type { FlagStoreDeps } from './store.js';
import { flagStore, type FlagStoreClient } from './stores/index.js';
import { flagPlaces, type FlagTarget, type MultiStoreFlagTarget, type StoreFlagTarget } from './target.js';

type Deps = FlagStoreDeps<FlagStoreClient>;

/** `put-1`, `deploy-2`: the store's own step id (the executor finds the step by its first word) and the place, from 1. */
function stepId(storeStep: string, place: number): string {
  return `${storeStep}-${place + 1}`;
}

function placeOfStep(id: string): number {
  return Number(id.split('-').at(-1)) - 1;
}

/**
 * Plans every store in the catalog's order with the same request. A store already where the
 * request would take it is left out (and said so on the card); when all are, nothing to change.
 */
export async function planMultiStore(deps: Deps, target: MultiStoreFlagTarget, req: FlagRequest, ctx: DriverContext): Promise<Plan> {
  const planned: { place: number; plan: Plan }[] = [];
  const unchanged: string[] = [];
  for (const [place, where] of target.stores.entries()) {
    try {
      planned.push({ place, plan: await flagStore(where.store).plan(deps, where, req, ctx) });
    } catch (error) {
      if (error instanceof AlreadyThere) unchanged.push(error.message);
      else if (error instanceof PlanRefused) throw new PlanRefused(`${req.flag} stores[${place}] (${where.store}): ${error.message}`, error.choices);
      else throw error;
    }
  }
  if (planned.length === 0) throw new AlreadyThere(unchanged.join(' '));
  const data: MultiStorePlanData = { ...req, parts: planned.map((p) => ({ place: p.place, data: p.plan.data as StoreFlagPlanData })) };
  const warnings = planned.flatMap((p) => p.plan.warnings ?? []);
  return {
    driver: 'flag',
    current: planned.map((p) => p.plan.current).join(' + '),
    target: planned.map((p) => p.plan.target).join(' + '),
    changes: [...planned.flatMap((p) => p.plan.changes), ...unchanged.map((m) => `unchanged: ${m}`)],
    steps: planned.flatMap((p) => p.plan.steps.map((s) => ({ ...s, id: stepId(s.id, p.place), input: { ...s.input, place: p.place } }))),
    fingerprint: planned.map((p) => `${p.place}:${p.plan.fingerprint}`).join(';'),
    data,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** What moved in any of the stores since planning, or the catalog's list of stores itself. */
export async function driftMultiStore(deps: Deps, data: MultiStorePlanData, target: FlagTarget, ctx: DriverContext): Promise<string | undefined> {
  const places = flagPlaces(target);
  const moved: string[] = [];
  for (const part of data.parts) {
    const where = places[part.place];
    if (target.store !== undefined || where?.store !== part.data.store) {
      return `the catalog now lists other stores for ${data.flag}; stores[${part.place}] was ${part.data.store} at plan time`;
    }
    const drift = await flagStore(part.data.store).drift(deps, part.data, where, ctx);
    if (drift) moved.push(drift);
  }
  return moved.length ? moved.join('; ') : undefined;
}

/** A step's context as its store sees it: the flag's own, or for a multi-store plan that store's entry and part of the plan. */
export function storeContext(ctx: StepContext<FlagTarget, FlagPlanData>): StepContext<StoreFlagTarget, StoreFlagPlanData> {
  const { target, data } = ctx;
  if (data.store !== undefined && target.store !== undefined) return { ...ctx, target, data };
  const place = placeOfStep(ctx.step.id);
  const part = data.store === undefined ? data.parts.find((p) => p.place === place) : undefined;
  const where = target.store === undefined ? target.stores[place] : undefined;
  if (!part || !where) {
    throw new StepFailed(
      'UnknownStep',
      `The flag driver has no step "${ctx.step.id}" for ${data.flag}: the catalog's stores for it changed since the plan.`,
      'ask for a new plan; this plan was made from another catalog',
    );
  }
  return { ...ctx, target: where, data: part.data };
}

/** The first store's history: the one the others follow (SSM in DistroCV §5, then the AppConfig deployment). */
export async function historyMultiStore(deps: Deps, target: MultiStoreFlagTarget, ctx: DriverContext): Promise<HistoryEntry[]> {
  const first = target.stores[0]!;
  return flagStore(first.store).history(deps, first, ctx);
}

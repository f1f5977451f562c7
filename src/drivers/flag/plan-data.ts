import { z } from 'zod';
import { planDataBase } from './fields.js';
import { storeSchemas } from './stores/index.js';

/** Plan.data of one store's write: that store's schema, picked by `store`. */
const storePlanData = z.discriminatedUnion('store', storeSchemas('planData'));
export type StoreFlagPlanData = z.infer<typeof storePlanData>;

/** Plan.data of a multi-store flag: one part per store that changes, with its place in the catalog's `stores`. */
const multiStorePlanData = z.object({
  ...planDataBase,
  store: z.undefined().optional(),
  parts: z.array(z.object({ place: z.number().int().min(0), data: storePlanData })).min(1),
});
export type MultiStorePlanData = z.infer<typeof multiStorePlanData>;

/** Plan.data of a flag plan: one store's, or the parts of a multi-store flag. */
export const flagPlanData = z.discriminatedUnion('store', [...storeSchemas('planData'), multiStorePlanData]);
export type FlagPlanData = z.infer<typeof flagPlanData>;

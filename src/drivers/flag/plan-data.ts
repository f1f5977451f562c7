import { z } from 'zod';
import { storeSchemas } from './stores/index.js';

/** Plan.data of a flag plan: one of the stores' schemas, picked by `store`. */
export const flagPlanData = z.discriminatedUnion('store', storeSchemas('planData'));
export type FlagPlanData = z.infer<typeof flagPlanData>;

/**
 * The catalog's flag lookups for `commands/` (which may not reach into driver folders): the flag
 * driver owns their schema and rules; the catalog layer is the way in.
 */
export type { FlagAction } from '../drivers/flag/actions.js';
export { findFlag, flagActionProblem, flagTarget, maintenanceFlag } from '../drivers/flag/target.js';

/** What `/rollback flag <Flag> …` may ask for. */
export const FLAG_ACTIONS = ['on', 'off', 'revert', 'set'] as const;
export type FlagAction = (typeof FLAG_ACTIONS)[number];

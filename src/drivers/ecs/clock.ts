/** AWS and local clocks disagree a little: a deployment this much older than a step's first start still counts as the step's own. */
export const CLOCK_SKEW_MS = 30_000;

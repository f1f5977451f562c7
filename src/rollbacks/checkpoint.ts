import { own } from '../config/own.js';
import type { Json, StepBase } from '../drivers/driver.js';

/**
 * ctx.checkpoint for one step: a key an earlier attempt journaled returns that value; otherwise
 * `fn` runs and its result is journaled with `save` (fenced by the run's lock) before it is returned.
 */
export function checkpointer(
  journaled: () => Record<string, unknown> | undefined,
  save: (entry: Record<string, Json>) => Promise<void>,
): StepBase['checkpoint'] {
  return async <R extends Json>(key: string, fn: () => Promise<R>): Promise<R> => {
    const earlier = own(journaled(), key);
    // The journal holds what `fn` returned for this key on an earlier attempt of the same step.
    if (earlier !== undefined) return earlier as R;
    const value = await fn();
    await save({ [key]: value });
    return value;
  };
}

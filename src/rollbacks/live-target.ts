import type { StepRecord } from '../domain/timeline.js';
import { LIVE_TARGET } from '../drivers/driver.js';

/** The last live target the given journal keys' steps recorded (see LIVE_TARGET), if any did. */
export function journaledLiveTarget(journal: Record<string, StepRecord>, keys: string[]): string | undefined {
  return keys
    .map((k) => journal[k]?.output?.[LIVE_TARGET])
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .at(-1);
}

import { createHash } from 'node:crypto';
import { shown } from '../../display.js';
import type { DopplerFlagTarget } from './index.js';

/** The values the catalog declares for this flag: the only ones Rewind shows or writes. */
export function isDeclared(target: DopplerFlagTarget, value: string): boolean {
  return value === target.on || value === target.off || (target.values ?? []).includes(value);
}

/**
 * A value as the card, the thread and the logs show it. Doppler holds real secrets too, and a wrong
 * `secret:` would point at one, so a value the catalog does not declare is described, never shown.
 */
export function valueLabel(target: DopplerFlagTarget, value: string | undefined): string {
  if (value === undefined) return 'unset';
  return isDeclared(target, value) ? shown(value) : `an undeclared value (${value.length} characters)`;
}

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

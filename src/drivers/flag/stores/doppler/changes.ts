import type { DopplerApi } from './api.js';

/** The config log is read newest first, a page at a time, up to LOG_ENTRIES entries. */
const PER_PAGE = 20;
const PAGES = 5;
export const LOG_ENTRIES = PER_PAGE * PAGES;

/** One change of the secret, from a config log entry's diff. */
export interface SecretChange {
  logId: string;
  at?: string;
  by?: string;
  /** The value before the change; undefined where the change created the secret. */
  before?: string;
  after?: string;
}

/** This secret's changes, newest first, from the config's log; stops early once `enough` holds. */
export async function secretChanges(api: DopplerApi, secret: string, enough: (found: SecretChange[]) => boolean = () => false): Promise<SecretChange[]> {
  const found: SecretChange[] = [];
  for (let page = 1; page <= PAGES; page++) {
    const entries = await api.logs(page, PER_PAGE);
    for (const entry of entries) {
      for (const d of entry.diff ?? []) {
        if (d.name !== secret) continue;
        found.push({
          logId: entry.id,
          at: entry.created_at ?? undefined,
          by: entry.user?.name ?? entry.user?.email ?? undefined,
          before: d.removed ?? undefined,
          after: d.added ?? undefined,
        });
      }
    }
    if (entries.length < PER_PAGE || enough(found)) break;
  }
  return found;
}

/**
 * What revert restores: the value before the latest change that left another value than `current`
 * (so reverting twice flips back). Undefined when the log reaches the secret's creation first.
 */
export function previousValue(changes: SecretChange[], current: string): (SecretChange & { before: string }) | undefined {
  for (const change of changes) {
    const { before } = change;
    if (before === undefined) return undefined;
    if (before !== current) return { ...change, before };
  }
  return undefined;
}

/** ` by alice on 2026-01-22 10:00 UTC`, from what the log entry says. */
export function when(change: SecretChange): string {
  const date = change.at ? new Date(change.at) : undefined;
  const at = date && !Number.isNaN(date.getTime()) ? ` on ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  return `${change.by ? ` by ${change.by}` : ''}${at}`;
}

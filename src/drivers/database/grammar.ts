import { parseDuration } from '../../domain/duration.js';
import type { RequestGrammar } from '../request-grammar.js';

/**
 * The database grammar, the tokens after `/rollback <service> <env>`:
 *   at 2026-01-22T10:00Z   restore to that instant (UTC or an explicit offset)
 *   at -15m                restore to 15 minutes ago
 *   snapshots              list the restorable snapshots (not a rollback)
 *   snapshot <id>          restore that snapshot
 * Results are flat string records so they travel as `PlanRequest.options` unchanged.
 */
export type DbRequest = { mode: 'pitr'; restoreTime: string } | { mode: 'snapshot'; snapshotId: string } | { mode: 'list-snapshots' };

export type DbParse = DbRequest | { error: string };

export const DB_USAGE =
  'Say what to restore: `at 2026-01-22T10:00Z` (UTC, or with an offset like +01:00), `at -15m` (that long ago), or `snapshot <id>` (`snapshots` lists them).';

/** ISO 8601 with at least minutes and a zone; a time without a zone would depend on whoever typed it. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Manual snapshot ids, and automated ones (`rds:<instance>-<date>`); nothing else reaches the API. */
const SNAPSHOT_ID = /^(rds:)?[A-Za-z][A-Za-z0-9-]{0,254}$/;
/** `-15m`, `-2h`, `-90s`, `-1d`: negative, so nobody restores to the future by accident. */
const RELATIVE = /^-(\d+(\.\d+)?(ms|s|m|h|d))$/;

/** Date rolls 2026-02-30 over to March 2; a typo must not silently pick another day. */
function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function parseAt(value: string | undefined, now: Date): DbParse {
  if (!value) return { error: `\`at\` needs a time after it. ${DB_USAGE}` };
  const relative = RELATIVE.exec(value);
  if (relative) {
    const ago = parseDuration(relative[1]!);
    if (ago === undefined || ago === 0) return { error: `\`${value}\` is not a usable offset: write it like \`-15m\`, \`-2h\` or \`-1d\`.` };
    // `-99999999999h` lands before any date JavaScript can hold (toISOString would throw RangeError).
    const at = new Date(now.getTime() - ago);
    if (Number.isNaN(at.getTime()))
      return { error: `\`${value}\` is further back than any backup can reach: use a recent offset such as \`-15m\` or an absolute time. ${DB_USAGE}` };
    return { mode: 'pitr', restoreTime: at.toISOString() };
  }
  if (!ISO_WITH_ZONE.test(value)) {
    return {
      error: `\`${value}\` is not a time Rewind can use: write it as \`2026-01-22T10:00Z\` (UTC) or \`2026-01-22T11:00+01:00\`, or relative like \`-15m\`.`,
    };
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !isCalendarDate(value)) return { error: `\`${value}\` is not a real date and time. ${DB_USAGE}` };
  if (at.getTime() > now.getTime()) {
    return { error: `\`${value}\` is in the future (now is ${now.toISOString()}): pick a time before the problem started.` };
  }
  return { mode: 'pitr', restoreTime: at.toISOString() };
}

/** Pure: `now` comes from the caller so `at -15m` is reproducible in tests and in the audit trail. */
export function parseDbRequest(tokens: readonly string[], now: Date): DbParse {
  const [word, value, ...extra] = tokens;
  const unexpected = (rest: readonly string[]) =>
    rest.length > 0 ? { error: `Unexpected \`${rest.join(' ')}\` after the database request. ${DB_USAGE}` } : undefined;

  switch (word?.toLowerCase()) {
    case undefined:
      return { error: DB_USAGE };
    case 'at':
      return unexpected(extra) ?? parseAt(value, now);
    case 'snapshots':
      return unexpected(tokens.slice(1)) ?? { mode: 'list-snapshots' };
    case 'snapshot':
      if (!value) return { error: '`snapshot` needs a snapshot id after it; `snapshots` lists them.' };
      if (!SNAPSHOT_ID.test(value)) {
        return { error: `\`${value}\` is not an RDS snapshot id (letters, digits and dashes, e.g. \`distrocv-prod-2026-01-22\`); \`snapshots\` lists them.` };
      }
      return unexpected(extra) ?? { mode: 'snapshot', snapshotId: value };
    default:
      return { error: `\`${word}\` is not a database request. ${DB_USAGE}` };
  }
}

/** `/rollback <database> <env> at …` instead of `to <version>`; `snapshots` alone lists the restorable snapshots. */
export const databaseGrammar: RequestGrammar = {
  words: 2,
  list: 'snapshots',
  parse(words, now) {
    const request = parseDbRequest(words, now);
    return 'error' in request ? request : { options: request };
  },
  help: '`/rollback <database> <environment> at 2026-01-22T10:00Z` (or `at -15m`, `snapshot <id>`, `snapshots`): restore a database',
};

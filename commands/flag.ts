import type { Catalog } from '../src/config/catalog.js';
import { own } from '../src/config/own.js';
import { findFlag, flagActionProblem, flagTarget, maintenanceFlag, type FlagAction } from '../src/config/flags.js';

/**
 * The flag grammar (pure), the tokens after `/rollback flag`:
 *   <Flag> on|off|revert <environment> [reason…]
 *   <Flag> set <value> <environment> [reason…]
 * and after `/rollback maintenance`:
 *   on|off <environment> [reason…]
 * The lead plans the result with `service` = flag and `options = { action, value? }`.
 */
export type FlagCommand = { kind: 'flag'; flag: string; action: FlagAction; value?: string; environment: string; reason: string };
export type FlagParse = FlagCommand | { error: string };

export const FLAG_USAGE = '`/rollback flag <Flag> on|off|revert <environment> [reason]`, or `/rollback flag <Flag> set <value> <environment> [reason]`';
export const MAINTENANCE_USAGE = '`/rollback maintenance on|off <environment> [reason]`';

/** Words people type for on and off; SSM flags hold "true"/"false", so those read naturally too. */
const SYNONYMS: Record<string, FlagAction> = {
  on: 'on',
  enable: 'on',
  true: 'on',
  off: 'off',
  disable: 'off',
  false: 'off',
  revert: 'revert',
  set: 'set',
};

/** Values that may reach an API parameter: letters, digits and `.:/_@+-`. */
const VALUE = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

/** ` Did you mean \`X\`?` for the known flag that shares the most leading letters (case-insensitive), if any does. */
function closest(typed: string, known: string[]): string {
  const shared = (a: string, b: string) => {
    let n = 0;
    while (n < a.length && n < b.length && a[n]!.toLowerCase() === b[n]!.toLowerCase()) n++;
    return n;
  };
  const best = known.map((k) => ({ k, n: shared(typed, k) })).sort((a, b) => b.n - a.n)[0];
  return best && best.n >= 3 ? ` Did you mean \`${best.k}\`?` : '';
}

function list(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(', ') || '(none configured)';
}

function finish(catalog: Catalog, flag: string, action: FlagAction, value: string | undefined, rest: string[], usage: string): FlagParse {
  const [environment, ...reasonWords] = rest;
  const envs = Object.keys(own(catalog.flags, flag) ?? {});
  if (!environment) return { error: `Which environment? \`${flag}\` is configured for ${list(envs)}. Usage: ${usage}.` };
  const target = flagTarget(catalog, flag, environment);
  if (!target) return { error: `\`${flag}\` has no environment \`${environment}\`: choose one of ${list(envs)}.` };
  const problem = flagActionProblem(target, flag, action, value);
  if (problem) return { error: `${problem}.` };
  return { kind: 'flag', flag, action, ...(value !== undefined ? { value } : {}), environment, reason: reasonWords.join(' ').slice(0, 500) };
}

/** Parses the tokens after `flag`; every name is checked against the catalog. */
export function parseFlagCommand(tokens: readonly string[], catalog: Catalog): FlagParse {
  const known = Object.keys(catalog.flags ?? {});
  const [typed, word, ...rest] = tokens;
  if (!typed) return { error: `Which flag? Usage: ${FLAG_USAGE}. Known flags: ${list(known)}.` };
  const flag = findFlag(catalog, typed);
  if (!flag) {
    return {
      error: known.length
        ? `Unknown flag \`${typed}\`.${closest(typed, known)} Known flags: ${list(known)}.`
        : `Unknown flag \`${typed}\`: the catalog has no \`flags:\` section yet; add the flag there (see the README).`,
    };
  }
  const action = own(SYNONYMS, word?.toLowerCase());
  if (!action) {
    return {
      error: `${word ? `\`${word}\` is not a flag action. ` : ''}Say what to do with \`${flag}\`: on, off, revert, or set <value>. Usage: ${FLAG_USAGE}.`,
    };
  }
  if (action !== 'set') return finish(catalog, flag, action, undefined, rest, FLAG_USAGE);
  const [value, ...afterValue] = rest;
  if (!value) return { error: `\`set\` needs a value, e.g. \`/rollback flag ${flag} set false production\`.` };
  if (!VALUE.test(value)) return { error: `\`${value}\` is not a value Rewind will write: use letters, digits and . : / _ @ + - only.` };
  return finish(catalog, flag, action, value, afterValue, FLAG_USAGE);
}

/** Parses the tokens after `maintenance`: the catalog's `maintenance:` names the flag to toggle. */
export function parseMaintenanceCommand(tokens: readonly string[], catalog: Catalog): FlagParse {
  const [word, environment, ...rest] = tokens;
  const action = own(SYNONYMS, word?.toLowerCase());
  if (action !== 'on' && action !== 'off') return { error: `Say on or off: ${MAINTENANCE_USAGE}.` };
  if (!catalog.maintenance) {
    return { error: 'No maintenance flag is configured: add `maintenance: MAINTENANCE_MODE` (a flag from `flags:`) to the catalog.' };
  }
  const envs = typeof catalog.maintenance === 'string' ? Object.keys(own(catalog.flags, catalog.maintenance) ?? {}) : Object.keys(catalog.maintenance);
  const flag = environment ? maintenanceFlag(catalog, environment) : undefined;
  if (!environment || !flag || !flagTarget(catalog, flag, environment)) {
    return { error: `${environment ? `Maintenance mode is not configured for \`${environment}\`. ` : ''}Choose one of ${list(envs)}: ${MAINTENANCE_USAGE}.` };
  }
  return finish(catalog, flag, action, undefined, [environment, ...rest], MAINTENANCE_USAGE);
}

/** Lines for `/rollback help`. */
export function flagHelp(catalog: Catalog): string[] {
  const flags = Object.entries(catalog.flags ?? {});
  if (flags.length === 0) return [];
  return [
    `${FLAG_USAGE}: flip a feature flag (same approvals as a rollback unless the catalog says otherwise)`,
    ...(catalog.maintenance ? [`${MAINTENANCE_USAGE}: turn maintenance mode on or off`] : []),
    `Flags: ${flags.map(([flag, envs]) => `\`${flag}\` (${Object.keys(envs).join(', ')})`).join(', ')}`,
  ];
}

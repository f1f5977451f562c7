import { z } from 'zod';
import type { Catalog } from '../src/config/catalog.js';
import { isCommandWord, type CommandWord } from '../src/config/command-words.js';
import { own } from '../src/config/own.js';
import { requestGrammarHelp, requestGrammarOf } from '../src/config/request-grammar.js';
import { flagHelp, parseFlagCommand, parseMaintenanceCommand } from './flag.js';
import { parseUnfreeze, UNFREEZE_USAGE } from './freeze.js';
import { parseReady, READY_USAGE } from './ready.js';
import { parseTail, SEVERITY_USAGE } from './severity.js';
import { decisionMatrix, type Classification } from '../src/policy/matrix.js';
import { ROLLBACK_ID } from '../src/domain/rollback.js';
import { VERSION_PATTERN } from '../src/domain/version.js';

/** What `/rollback <text>` asks for, after validation against the catalog. */
export type Command =
  | { kind: 'help' }
  | { kind: 'modal' }
  | { kind: 'matrix' }
  | { kind: 'history'; service?: string }
  | { kind: 'status'; id: string }
  | { kind: 'retry'; id: string; reason: string }
  | { kind: 'kill-stuck'; id: string; reason: string }
  | { kind: 'versions'; service: string; environment: string }
  | { kind: 'versionTable'; environment: string }
  | { kind: 'unfreeze'; service: string; environment: string; reason: string }
  | { kind: 'ready'; service: string; environment: string; stack?: true }
  | {
      kind: 'rollback';
      service: string;
      environment: string;
      version?: string;
      options?: Record<string, string>;
      reason: string;
      classification?: Classification;
      stack?: true;
    };

export type Parsed = Command | { kind: 'error'; message: string };

// Typed by people: `rb-12` is RB-12.
const rollbackId = z.string().regex(new RegExp(ROLLBACK_ID.source, 'i'));
export const versionSchema = z.string().regex(VERSION_PATTERN);

const HELP_HINT = 'Type `/rollback help` for the grammar.';

function suggest(word: string, choices: string[]): string {
  const close = choices.find((c) => c.startsWith(word.slice(0, 2)) || word.startsWith(c.slice(0, 2)));
  return close ? ` Did you mean \`${close}\`?` : '';
}

function list(choices: string[]): string {
  return choices.map((c) => `\`${c}\``).join(', ') || '(none configured)';
}

type FirstWord = (rest: string[], catalog: Catalog) => Parsed;

const usage = (usage: string): Parsed => ({ kind: 'error', message: `Usage: ${usage}. ${HELP_HINT}` });

/**
 * What each command word means when it comes first. Typed by the catalog's COMMAND_WORDS, so the
 * words this table handles are exactly those no service, flag or stack may be named after.
 */
const FIRST_WORDS: Record<CommandWord, FirstWord> = {
  help: () => ({ kind: 'help' }),
  '-h': () => ({ kind: 'help' }),
  '--help': () => ({ kind: 'help' }),
  matrix: (rest) => (rest.length === 0 ? { kind: 'matrix' } : usage('`/rollback matrix`: the decision matrix (no words after it)')),
  flag: (rest, catalog) => flagRollback(parseFlagCommand(rest, catalog)),
  maintenance: (rest, catalog) => flagRollback(parseMaintenanceCommand(rest, catalog)),
  stack: (rest, catalog) => parseStack('stack', rest, catalog),
  full: (rest, catalog) => parseStack('full', rest, catalog),
  unfreeze(rest, catalog) {
    const q = parseUnfreeze(rest, catalog);
    return 'error' in q ? { kind: 'error', message: q.error } : { kind: 'unfreeze', ...q };
  },
  ready(rest, catalog) {
    const q = parseReady(rest, catalog);
    return 'error' in q ? { kind: 'error', message: q.error } : { kind: 'ready', ...q };
  },
  retry(rest) {
    const id = rollbackId.safeParse(rest[0] ?? '');
    if (!id.success) return usage('`/rollback retry RB-12 [reason]`: re-runs what did not succeed in a failed rollback');
    return { kind: 'retry', id: id.data.toUpperCase(), reason: rest.slice(1).join(' ').slice(0, 500) };
  },
  'kill-stuck'(rest) {
    const id = rollbackId.safeParse(rest[0] ?? '');
    if (!id.success)
      return usage('`/rollback kill-stuck RB-12 [reason]`: forces a new deployment of an ECS service whose rollback is stuck (all tasks stop at once)');
    return { kind: 'kill-stuck', id: id.data.toUpperCase(), reason: rest.slice(1).join(' ').slice(0, 500) };
  },
  status(rest) {
    const id = rollbackId.safeParse(rest[0] ?? '');
    if (!id.success || rest.length > 1) return usage('`/rollback status RB-12`');
    return { kind: 'status', id: id.data.toUpperCase() };
  },
  versions(rest, catalog) {
    const environments = [...new Set([...Object.values(catalog.services), ...Object.values(catalog.flags ?? {})].flatMap((envs) => Object.keys(envs)))];
    const [environment] = rest;
    if (!environment || rest.length > 1 || !environments.includes(environment))
      return {
        kind: 'error',
        message: `${environment && rest.length === 1 ? `No target has an environment \`${environment}\`. ` : ''}Usage: \`/rollback versions <environment>\` with one of ${list(environments)}.`,
      };
    return { kind: 'versionTable', environment };
  },
  history(rest, catalog) {
    if (rest.length === 2) {
      const target = resolveTarget(rest[0]!, rest[1], catalog);
      return 'error' in target ? { kind: 'error', message: target.error } : { kind: 'versions', ...target };
    }
    if (rest.length > 2) return usage('`/rollback history [service]` (recent rollbacks) or `/rollback history <service> <environment>` (versions)');
    if (rest[0] && !own(catalog.services, rest[0]))
      return { kind: 'error', message: `Unknown service \`${rest[0]}\`. Known services: ${list(Object.keys(catalog.services))}.` };
    return { kind: 'history', ...(rest[0] ? { service: rest[0] } : {}) };
  },
};

function flagRollback(flag: ReturnType<typeof parseFlagCommand>): Parsed {
  if ('error' in flag) return { kind: 'error', message: flag.error };
  const options: Record<string, string> = { action: flag.action, ...(flag.value !== undefined ? { value: flag.value } : {}) };
  return { kind: 'rollback', service: flag.flag, environment: flag.environment, options, reason: flag.reason };
}

/** Parses the slash command text. Pure: the catalog is the only source of truth for names; `now` anchors `at -15m`. */
export function parseCommand(text: string, catalog: Catalog, now = new Date()): Parsed {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = tokens;
  if (!first) return { kind: 'modal' };
  if (isCommandWord(first)) return FIRST_WORDS[first](rest, catalog);

  const target = resolveTarget(first, rest[0], catalog);
  if ('error' in target) return { kind: 'error', message: target.error };
  const { service, environment } = target;
  const more = rest.slice(1);

  const grammar = requestGrammarOf(catalog, service, environment);
  if (grammar) {
    if (grammar.list !== undefined && more[0] === grammar.list) return { kind: 'versions', service, environment };
    const count = typeof grammar.words === 'number' ? grammar.words : grammar.words(more);
    const words = more.slice(0, count);
    const request = grammar.parse(words, now);
    if ('error' in request) return { kind: 'error', message: request.error };
    const tail = parseTail(more.slice(count), catalog, `/rollback ${service} ${environment} ${words.join(' ')}`.trimEnd());
    if ('error' in tail) return { kind: 'error', message: tail.error };
    const version = request.version ? { version: request.version } : {};
    return { kind: 'rollback', service, environment, ...version, options: request.options, ...tail };
  }

  let reasonWords = more;
  let version: string | undefined;
  if (more[0] === 'to') {
    const parsed = versionSchema.safeParse(more[1] ?? '');
    if (!parsed.success) {
      return {
        kind: 'error',
        message: more[1]
          ? `\`${more[1]}\` is not a valid version: use a revision number, tag or name made of letters, digits and . : / _ @ + -, e.g. \`/rollback ${service} ${environment} to 41\`.`
          : `\`to\` needs a version after it, e.g. \`/rollback ${service} ${environment} to 41\`.`,
      };
    }
    version = parsed.data;
    reasonWords = more.slice(2);
  }
  const tail = parseTail(reasonWords, catalog, `/rollback ${service} ${environment}`);
  if ('error' in tail) return { kind: 'error', message: tail.error };
  return { kind: 'rollback', service, environment, ...(version ? { version } : {}), ...tail };
}

export const STACK_USAGE = '`/rollback stack <stack> <environment> [sev <scenario>] [reason]`';

/**
 * `stack <name> <env> …` rolls back a catalog stack; `full <env> [sev <scenario>] …` the stack the
 * decision matrix names for that scenario (default `outage`, the runbooks' "Full stack").
 */
function parseStack(first: 'stack' | 'full', rest: string[], catalog: Catalog): Parsed {
  const stacks = Object.keys(catalog.stacks ?? {});
  if (stacks.length === 0)
    return { kind: 'error', message: 'The catalog defines no `stacks:` yet: add one to roll back several targets as one request (see the README).' };
  let name: string | undefined;
  let words = rest;
  if (first === 'stack') {
    [name, ...words] = rest;
    if (!name) return { kind: 'error', message: `Which stack? Usage: ${STACK_USAGE}. Stacks: ${list(stacks)}.` };
    if (!own(catalog.stacks, name)) return { kind: 'error', message: `Unknown stack \`${name}\`.${suggest(name, stacks)} Stacks: ${list(stacks)}.` };
  }
  const [environment, ...more] = words;
  const tail = parseTail(more, catalog, `/rollback ${first === 'stack' ? `stack ${name}` : 'full'} ${environment ?? 'production'}`);
  if ('error' in tail) return { kind: 'error', message: tail.error };
  if (first === 'full') {
    const scenario = tail.classification?.scenario ?? 'outage';
    name = own(decisionMatrix(catalog).scenarios, scenario)?.stack;
    if (!name) {
      const rows = Object.entries(decisionMatrix(catalog).scenarios)
        .filter(([, row]) => row.stack)
        .map(([id]) => id);
      return {
        kind: 'error',
        message: `The decision matrix row \`${scenario}\` names no stack: add \`stack: <name>\` to it under \`matrix:\`${rows.length ? `, or use \`sev\` with one of ${list(rows)}` : ''}, or use ${STACK_USAGE}.`,
      };
    }
  }
  const envs = Object.keys(own(catalog.stacks, name!) ?? {});
  if (!environment || !own(own(catalog.stacks, name!), environment)) {
    return {
      kind: 'error',
      message: `${environment ? `Stack \`${name}\` has no environment \`${environment}\`.` : `Which environment of stack \`${name}\`?`} Choose one of ${list(envs)}.`,
    };
  }
  const classification = first === 'full' && !tail.classification?.scenario ? { ...tail.classification, scenario: 'outage' } : tail.classification;
  return { kind: 'rollback', service: name!, environment, reason: tail.reason, ...(classification ? { classification } : {}), stack: true };
}

/** A service and one of its environments, or a message naming what is wrong and the valid choices. */
function resolveTarget(first: string, environment: string | undefined, catalog: Catalog): { service: string; environment: string } | { error: string } {
  const services = Object.keys(catalog.services);
  const envs = own(catalog.services, first);
  if (!envs) {
    return { error: `Unknown service \`${first}\`.${suggest(first, services)} Known services: ${list(services)}. ${HELP_HINT}` };
  }
  const environments = Object.keys(envs);
  if (!environment) {
    return {
      error: `Which environment of \`${first}\`? Choose one of ${list(environments)}, e.g. \`/rollback ${first} ${environments[0] ?? 'production'} <reason>\`.`,
    };
  }
  if (!own(envs, environment)) {
    return { error: `\`${first}\` has no environment \`${environment}\`.${suggest(environment, environments)} Choose one of ${list(environments)}.` };
  }
  return { service: first, environment };
}

export function helpText(catalog: Catalog): string {
  const examples = Object.entries(catalog.services)
    .map(([service, envs]) => `\`${service}\` (${Object.keys(envs).join(', ')})`)
    .join(', ');
  return [
    '*Rewind: production rollbacks from Slack*',
    '`/rollback <service> <environment> [reason]`: roll back to the previous version',
    '`/rollback <service> <environment> to <version> [reason]`: roll back to a given version (e.g. `to 41`)',
    '`/rollback history <service> <environment>`: the versions you can roll back to',
    '`/rollback versions <environment>`: the version table: the current and previous version of every target and when it changed',
    ...requestGrammarHelp(),
    `\`/rollback <service> <environment> [to <version>] sev <severity or scenario> [reason] [override <why>]\`: classify it against the decision matrix (${SEVERITY_USAGE})`,
    '`/rollback`: open the rollback form (severity, checklist, reason)',
    '`/rollback matrix`: the decision matrix: who approves what, and when to fix forward',
    '`/rollback history [service]`: recent rollbacks with outcome and duration',
    '`/rollback status RB-12`: show one rollback and its audit trail',
    `${READY_USAGE}: the pre-deployment checklist against live state (previous version kept, backups, health URL, approvers, no deploy freeze)`,
    `${UNFREEZE_USAGE}: lift the deploy freeze a successful rollback set (approvers of that target only; announced in the war room)`,
    '`/rollback retry RB-12 [reason]`: re-run what did not succeed in a failed rollback (for a stack, only the components that did not succeed; for a runbook sequence, from the command that did not finish), under the same approval while it is fresh',
    '`/rollback kill-stuck RB-12 [reason]`: an ECS rollback stuck waiting for steady state: force a new deployment with minimumHealthyPercent=0 (all tasks stop at once; downtime until new ones pass health checks), approved on its own card',
    ...flagHelp(catalog),
    ...(Object.keys(catalog.stacks ?? {}).length
      ? [
          `${STACK_USAGE}: roll back a whole stack (${list(Object.keys(catalog.stacks ?? {}))}) under one approval`,
          '`/rollback full <environment> [sev <scenario>] [reason]`: the stack the decision matrix names for the scenario (default `outage`)',
        ]
      : []),
    '`/rollback help`: this text',
    '',
    `Services: ${examples || '(none configured)'}`,
    'Rewind posts a plan card in the war room; the rollback runs only after the approvers on the card approve it. The requester cannot approve their own rollback.',
  ].join('\n');
}

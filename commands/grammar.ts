import { z } from 'zod';
import type { Catalog } from '../src/config/catalog.js';

/** What `/rollback <text>` asks for, after validation against the catalog. */
export type Command =
  | { kind: 'help' }
  | { kind: 'status'; id: string }
  | { kind: 'rollback'; service: string; environment: string; version?: string; reason: string };

export type Parsed = Command | { kind: 'error'; message: string };

const rollbackId = z.string().regex(/^RB-\d{1,9}$/i);
/** Revisions, tags and ARNs: letters, digits and `.:/_@+-`, nothing a shell or path could misuse. */
const version = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/);

const HELP_HINT = 'Type `/rollback help` for the grammar.';

function suggest(word: string, choices: string[]): string {
  const close = choices.find((c) => c.startsWith(word.slice(0, 2)) || word.startsWith(c.slice(0, 2)));
  return close ? ` Did you mean \`${close}\`?` : '';
}

function list(choices: string[]): string {
  return choices.map((c) => `\`${c}\``).join(', ') || '(none configured)';
}

/** Parses the slash command text. Pure: the catalog is the only source of truth for names. */
export function parseCommand(text: string, catalog: Catalog): Parsed {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = tokens;
  if (!first || first === 'help' || first === '-h' || first === '--help') return { kind: 'help' };

  if (first === 'status') {
    const id = rollbackId.safeParse(rest[0] ?? '');
    if (!id.success || rest.length > 1) return { kind: 'error', message: `Usage: \`/rollback status RB-12\`. ${HELP_HINT}` };
    return { kind: 'status', id: id.data.toUpperCase() };
  }

  const services = Object.keys(catalog.services);
  const envs = catalog.services[first];
  if (!envs) {
    return { kind: 'error', message: `Unknown service \`${first}\`.${suggest(first, services)} Known services: ${list(services)}. ${HELP_HINT}` };
  }
  const [environment, ...more] = rest;
  const environments = Object.keys(envs);
  if (!environment) {
    return { kind: 'error', message: `Which environment of \`${first}\`? Choose one of ${list(environments)}, e.g. \`/rollback ${first} ${environments[0] ?? 'production'} <reason>\`.` };
  }
  if (!envs[environment]) {
    return {
      kind: 'error',
      message: `\`${first}\` has no environment \`${environment}\`.${suggest(environment, environments)} Choose one of ${list(environments)}.`,
    };
  }

  let reasonWords = more;
  let target: string | undefined;
  if (more[0] === 'to') {
    const parsed = version.safeParse(more[1] ?? '');
    if (!parsed.success) {
      return {
        kind: 'error',
        message: more[1]
          ? `\`${more[1]}\` is not a valid version: use a revision number, tag or name made of letters, digits and . : / _ @ + -, e.g. \`/rollback ${first} ${environment} to 41\`.`
          : `\`to\` needs a version after it, e.g. \`/rollback ${first} ${environment} to 41\`.`,
      };
    }
    target = parsed.data;
    reasonWords = more.slice(2);
  }
  const reason = reasonWords.join(' ').slice(0, 500);
  return { kind: 'rollback', service: first, environment, ...(target ? { version: target } : {}), reason };
}

export function helpText(catalog: Catalog): string {
  const examples = Object.entries(catalog.services)
    .map(([service, envs]) => `\`${service}\` (${Object.keys(envs).join(', ')})`)
    .join(', ');
  return [
    '*Rewind: production rollbacks from Slack*',
    '`/rollback <service> <environment> [reason]`: roll back to the previous version',
    '`/rollback <service> <environment> to <version> [reason]`: roll back to a given version (e.g. `to 41`)',
    '`/rollback status RB-12`: show one rollback',
    '`/rollback help`: this text',
    '',
    `Services: ${examples || '(none configured)'}`,
    'Rewind posts a plan card in the war room; the rollback runs only after the approvers on the card approve it. The requester cannot approve their own rollback.',
  ].join('\n');
}

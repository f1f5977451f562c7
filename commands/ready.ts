import type { Catalog } from '../src/config/catalog.js';
import { own } from '../src/config/own.js';

export const READY_USAGE = '`/rollback ready <service|stack> <environment>`';

const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ') || '(none configured)';

/** `ready <service|stack> <env>`: a service's environment, or a stack's (a name both could be is read as the service). */
export function parseReady(words: string[], catalog: Catalog): { service: string; environment: string; stack?: true } | { error: string } {
  const [name, environment, ...extra] = words;
  const services = Object.keys(catalog.services);
  const stacks = Object.keys(catalog.stacks ?? {});
  if (!name || extra.length) return { error: `Usage: ${READY_USAGE}: the pre-deployment checklist against live state.` };
  const service = own(catalog.services, name);
  const stack = service ? undefined : own(catalog.stacks, name);
  const envs: Record<string, unknown> | undefined = service ?? stack;
  if (!envs) return { error: `Unknown service or stack \`${name}\`. Services: ${list(services)}. Stacks: ${list(stacks)}.` };
  if (!environment || !own(envs, environment))
    return {
      error: `${environment ? `\`${name}\` has no environment \`${environment}\`.` : `Which environment of \`${name}\`?`} Choose one of ${list(Object.keys(envs))}.`,
    };
  return { service: name, environment, ...(stack ? { stack: true as const } : {}) };
}

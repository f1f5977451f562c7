import type { Catalog } from '../src/config/catalog.js';
import { own } from '../src/config/own.js';

export const UNFREEZE_USAGE = '`/rollback unfreeze <service> <environment> <reason>`';

const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ') || '(none configured)';

/** `unfreeze <service|flag> <env> <reason>`: the reason is required, since the war room is told why deploys may resume. */
export function parseUnfreeze(words: string[], catalog: Catalog): { service: string; environment: string; reason: string } | { error: string } {
  const [service, environment, ...reason] = words;
  const names = [...Object.keys(catalog.services), ...Object.keys(catalog.flags ?? {})];
  if (!service) return { error: `Usage: ${UNFREEZE_USAGE}: lifts the deploy freeze a rollback set. Targets: ${list(names)}.` };
  const envs = own(catalog.services, service) ?? own(catalog.flags, service);
  if (!envs) return { error: `Unknown service \`${service}\`. Known services: ${list(names)}. Usage: ${UNFREEZE_USAGE}.` };
  if (!environment || !own(envs, environment))
    return {
      error: `${environment ? `\`${service}\` has no environment \`${environment}\`.` : `Which environment of \`${service}\`?`} Choose one of ${list(Object.keys(envs))}.`,
    };
  if (!reason.length)
    return { error: `Say why deploys may resume, e.g. \`/rollback unfreeze ${service} ${environment} fix for the error spike is in v2.0.2\`.` };
  return { service, environment, reason: reason.join(' ').slice(0, 500) };
}

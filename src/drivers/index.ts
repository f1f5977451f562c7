import type { ClientSource } from './clients.js';
import { cloudfrontDriver } from './cloudfront/index.js';
import { databaseDriver } from './database/index.js';
import type { LoadedDriver, SharedDeps } from './define.js';
import { dnsDriver } from './dns/index.js';
import { ecsDriver } from './ecs/index.js';
import { flagDriver } from './flag/index.js';
import { frontendDriver } from './frontend/index.js';
import { kubernetesDriver } from './kubernetes/index.js';
import type { RequestGrammar } from './request-grammar.js';
import { runbookDriver } from './runbook/index.js';
import { secretDriver } from './secret/index.js';
import { terraformDriver } from './terraform/index.js';

/** Every target kind Rewind can roll back: a new platform is one more module here. */
export const DRIVERS = [
  ecsDriver,
  kubernetesDriver,
  databaseDriver,
  runbookDriver,
  frontendDriver,
  flagDriver,
  dnsDriver,
  cloudfrontDriver,
  secretDriver,
  terraformDriver,
] as const;

type DriverKind = (typeof DRIVERS)[number]['kind'];
export const DRIVER_KINDS: readonly DriverKind[] = DRIVERS.map((d) => d.kind);

/** The catalog's target schemas, as the non-empty list a zod discriminated union takes. */
export function targetSchemas(): [(typeof DRIVERS)[number]['target'], ...(typeof DRIVERS)[number]['target'][]] {
  const [first, ...rest] = DRIVERS;
  return [first.target, ...rest.map((d) => d.target)];
}

export type { RequestGrammar };

/** The kinds with words of their own after `/rollback <service> <env>`, in registry order; the others take `to <version>`. */
export const REQUEST_GRAMMARS: ReadonlyMap<string, RequestGrammar> = new Map(DRIVERS.flatMap((d) => (d.grammar ? [[d.kind, d.grammar] as const] : [])));

/** Creates the drivers of `kinds` (the ones a catalog uses); the others, and their SDKs, are never loaded. */
export async function loadDrivers(kinds: ReadonlySet<string>, deps: SharedDeps & { client: ClientSource }): Promise<Record<string, LoadedDriver>> {
  const used = DRIVERS.filter((d) => kinds.has(d.kind));
  deps.log.info({ drivers: used.map((d) => d.kind), clients: [...new Set(used.flatMap((d) => d.clients))] }, 'loading the drivers this catalog uses');
  return Object.fromEntries(await Promise.all(used.map(async (d) => [d.kind, await d.load(deps)] as const)));
}

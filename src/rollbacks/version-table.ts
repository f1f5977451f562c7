import { own } from '../config/own.js';
import { targetOf } from '../config/catalog.js';
import type { VersionRow } from '../drivers/versions.js';
import type { WorkerServices } from './context.js';

/** One target's rows, or why there are none: its error, or a kind that keeps no versions. */
export interface TargetVersions {
  service: string;
  environment: string;
  driver: string;
  rows: VersionRow[];
  error?: string;
}

/** A slow platform must not hold up the whole table (or an alert's suggestion). */
export const VERSIONS_TIMEOUT_MS = 10_000;

type Readers = Pick<WorkerServices, 'catalog' | 'drivers' | 'log'>;

/** The live versions of one catalog target (service or flag); never throws: a failure is the row's error. */
export async function readTargetVersions(
  x: Readers,
  service: string,
  environment: string,
  signal: AbortSignal,
  timeoutMs = VERSIONS_TIMEOUT_MS,
): Promise<TargetVersions> {
  const target = targetOf(x.catalog, service, environment);
  const driver = target && x.drivers[target.driver];
  const base = { service, environment, driver: target?.driver ?? 'unknown' };
  if (!target) return { ...base, rows: [], error: `the catalog has no ${service} ${environment}` };
  if (!driver?.versions) return { ...base, rows: [{ current: '—', note: `the ${target.driver} driver keeps no versions to show` }] };
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  try {
    // Raced as well as signalled: not every client honours an abort signal.
    const rows = await Promise.race([
      driver.versions(target, { signal: deadline, log: x.log.child({ versions: `${service}/${environment}` }) }),
      aborted(deadline),
    ]);
    return { ...base, rows };
  } catch (error) {
    if (signal.aborted) throw error;
    const e = error as Error;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    return { ...base, rows: [], error: timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : `${e.name}: ${e.message}` };
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Every service and flag of `environment`, in catalog order (services first). */
function targetsIn(x: Pick<WorkerServices, 'catalog'>, environment: string): string[] {
  const services = Object.entries(x.catalog.services).filter(([, envs]) => own(envs, environment));
  const flags = Object.entries(x.catalog.flags ?? {}).filter(([, envs]) => own(envs, environment));
  return [...services, ...flags].map(([name]) => name);
}

/** DistroCV's "Version Tracking" table for one environment: every target read in parallel, each within its own timeout. */
export function readVersionTable(x: Readers, environment: string, signal: AbortSignal, timeoutMs = VERSIONS_TIMEOUT_MS): Promise<TargetVersions[]> {
  return Promise.all(targetsIn(x, environment).map((name) => readTargetVersions(x, name, environment, signal, timeoutMs)));
}

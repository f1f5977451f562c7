import type { Rollback } from '../domain/rollback.js';

/** `/rollback api production`, with `to <version>` when the request named one: how most drivers are asked again. */
export function serviceCommand(rb: Pick<Rollback, 'service' | 'environment' | 'requestedVersion'>): string {
  return `/rollback ${rb.service} ${rb.environment}${rb.requestedVersion ? ` to ${rb.requestedVersion}` : ''}`;
}

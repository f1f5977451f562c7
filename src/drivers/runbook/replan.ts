import type { Rollback } from '../../domain/rollback.js';

/** `/rollback migrations production step schema-rollback migration=X`: the words asked for, in ./grammar.ts form. */
export function replanRunbook(rb: Pick<Rollback, 'service' | 'environment' | 'requestedVersion' | 'options'>): string {
  const { step, from, ...params } = rb.options ?? {};
  const words = [
    ...(rb.requestedVersion ? [`to ${rb.requestedVersion}`] : []),
    ...(step ? [`step ${step}`] : []),
    ...(from ? [`from ${from}`] : []),
    ...Object.entries(params).map(([name, value]) => `${name}=${value}`),
  ];
  return [`/rollback ${rb.service} ${rb.environment}`, ...words].join(' ');
}

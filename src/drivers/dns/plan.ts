import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { AlreadyThere, PlanRefused } from '../errors.js';
import { memoName, memoRecord, readMemo } from './memo.js';
import { replanCommand, type DnsPlanData } from './plan-data.js';
import { describeTarget, fqdn, readRecord, recordFor, samePointer } from './records.js';
import type { DnsTarget } from './target.js';

export const SWITCH_STEP = 'switch';

const DIRECTIONS: Record<string, 'maintenance' | 'original'> = { maintenance: 'maintenance', original: 'original', restore: 'original' };

/**
 * `/rollback <service> <env>` (or `to maintenance`) points the record at the maintenance target
 * and keeps the original; `to original` points it back at what was kept (or the catalog's `original`).
 */
export async function planDns(route53: Route53Client, request: PlanRequest<DnsTarget>, ctx: DriverContext): Promise<Plan> {
  const t = request.target;
  const direction = DIRECTIONS[(request.version ?? 'maintenance').toLowerCase()];
  const place = { catalogService: request.service, environment: request.environment };
  if (!direction) {
    throw new PlanRefused(`A DNS switch goes \`to maintenance\` (the default) or \`to original\`, not "${request.version}".`, ['maintenance', 'original']);
  }
  const name = fqdn(t.name);
  const [current, memoSet] = await Promise.all([
    readRecord(route53, t.hostedZoneId, name, t.type, ctx.signal),
    readRecord(route53, t.hostedZoneId, memoName(name, t.type), 'TXT', ctx.signal),
  ]);
  if (!current) {
    throw new PlanRefused(
      `Route 53 zone ${t.hostedZoneId} has no ${t.type} record ${name}: check hostedZoneId, name and type for ${request.service}/${request.environment} in the catalog.`,
    );
  }
  const memo = readMemo(memoSet);
  let after;
  if (direction === 'maintenance') {
    if (memo) {
      throw new PlanRefused(
        `${name} was switched to maintenance by ${memo.rollbackId} (${memo.at}) and not restored yet; point it back with \`${replanCommand(place, 'original')}\`.`,
        ['original'],
      );
    }
    after = recordFor(name, t.type, t.maintenance);
  } else {
    const saved = memo?.record ?? (t.original ? recordFor(name, t.type, t.original) : undefined);
    if (!saved) {
      throw new PlanRefused(
        `Rewind has no saved original for ${name} ${t.type} (it keeps one in ${memoName(name, t.type)} TXT when it switches to maintenance). Add \`original:\` to the catalog entry, or restore the record in the Route 53 console.`,
      );
    }
    after = saved;
  }
  if (samePointer(current, after)) {
    throw new AlreadyThere(
      `${name} ${t.type} already points at the ${direction === 'maintenance' ? 'maintenance target' : 'original'}: ${describeTarget(current)}.`,
    );
  }
  const data: DnsPlanData = {
    hostedZoneId: t.hostedZoneId,
    name,
    type: t.type,
    direction,
    before: current,
    after,
    memo: direction === 'maintenance' ? memoRecord(name, t.type, { record: current, at: new Date().toISOString(), rollbackId: request.rollbackId }) : null,
    ...place,
  };
  const keep = direction === 'maintenance' ? `, keep the original in ${memoName(name, t.type)} TXT` : `, remove ${memoName(name, t.type)} TXT`;
  const ttl = current.AliasTarget ? "the alias target's TTL" : `${current.TTL ?? '?'} s (the record's TTL)`;
  return {
    driver: 'dns',
    current: describeTarget(current),
    target: describeTarget(after),
    changes: [`${name} ${t.type}: ${describeTarget(current)} → ${describeTarget(after)}`],
    result: `${name} ${t.type} pointed at ${describeTarget(after)}`,
    steps: [
      {
        id: SWITCH_STEP,
        title: `UPSERT ${name} ${t.type} → ${describeTarget(after)}${memo || direction === 'maintenance' ? keep : ''}; wait until INSYNC`,
        driver: 'dns',
        input: { direction },
      },
    ],
    fingerprint: `dns:${t.hostedZoneId}/${name}/${t.type}=${describeTarget(current)}`,
    data,
    warnings: [`Resolvers that cached ${name} may keep the old answer for up to ${ttl} after Route 53 reports INSYNC.`],
  };
}

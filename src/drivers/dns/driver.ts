import type { Route53Client } from '@aws-sdk/client-route-53';
import type { DriverInstance } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { SWITCH_STEP, planDns } from './plan.js';
import type { DnsPlanData } from './plan-data.js';
import { describeTarget, readRecord, samePointer } from './records.js';
import { switchRecord } from './switch.js';
import type { DnsTarget } from './target.js';

export interface DnsDriverDeps {
  route53: Route53Client;
  /** Floor for the GetChange poll interval in seconds (default 1). */
  minPollSec?: number;
}

/** The Skillancer "CDN/DNS Rollback" runbook: point a Route 53 record at the maintenance page, and back. */
export function createDnsDriver(deps: DnsDriverDeps): DriverInstance<DnsTarget, DnsPlanData> {
  const { route53 } = deps;
  const minDelaySec = deps.minPollSec ?? 1;
  return {
    plan: (request, ctx) => planDns(route53, request, ctx),

    async drift(data, _target, ctx) {
      const now = await readRecord(route53, data.hostedZoneId, data.name, data.type, ctx.signal);
      if (!now) return `${data.name} ${data.type} no longer exists in ${data.hostedZoneId}`;
      if (samePointer(now, data.before)) return undefined;
      return `${data.name} ${data.type} now points at ${describeTarget(now)}; it pointed at ${describeTarget(data.before)} at plan time`;
    },

    steps: { [SWITCH_STEP]: (ctx) => switchRecord(route53, ctx.data, ctx, minDelaySec) },
    // `to original` (or `restore`) travels as the requested version, so the plain service command repeats it.
    replan: serviceCommand,
    nextSteps: (rb) =>
      /^(original|restore)$/i.test(rb.requestedVersion ?? '')
        ? `Then fix forward, or switch back to the maintenance page with \`/rollback ${rb.service} ${rb.environment}\`.`
        : `Then fix forward, or point the record back with \`/rollback ${rb.service} ${rb.environment} to original\`.`,
  };
}

import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import type { DnsTarget } from '../../config/targets/dns.js';
import type { Driver } from '../driver.js';
import { StepFailed } from '../errors.js';
import { submitChange, waitInSync } from './change.js';
import { memoName } from './memo.js';
import { SWITCH_STEP, planDns } from './plan.js';
import { readPlanData } from './plan-data.js';
import { describeTarget, readRecord, samePointer, toSdk } from './records.js';

export interface DnsDriverDeps {
  route53: Route53Client;
  /** Floor for the GetChange poll interval in seconds (default 1). Tests lower it. */
  minDelaySec?: number;
}

/** The Skillancer "CDN/DNS Rollback" runbook: point a Route 53 record at the maintenance page, and back. */
export function createDnsDriver(deps: DnsDriverDeps): Driver<DnsTarget> {
  const { route53 } = deps;
  const minDelaySec = deps.minDelaySec ?? 1;
  return {
    kind: 'dns',
    plan: (request, ctx) => planDns(route53, request, ctx),

    async drift(plan, _target, ctx) {
      const data = readPlanData(plan);
      const now = await readRecord(route53, data.hostedZoneId, data.name, data.type, ctx.signal);
      if (!now) return `${data.name} ${data.type} no longer exists in ${data.hostedZoneId}`;
      if (samePointer(now, data.before)) return undefined;
      return `${data.name} ${data.type} now points at ${describeTarget(now)}; it pointed at ${describeTarget(data.before)} at plan time`;
    },

    /**
     * One atomic batch: the record and Rewind's memo of the original change together. A repeat
     * waits on the checkpointed change, or submits the same UPSERTs again (harmless).
     */
    async runStep(ctx) {
      const data = readPlanData(ctx.plan);
      if (ctx.step.id !== SWITCH_STEP) {
        throw new StepFailed('UnknownStep', `The DNS driver has no step "${ctx.step.id}".`, 'ask for a new plan; this plan was made by another Rewind version');
      }
      let changeId = typeof ctx.checkpoint?.changeId === 'string' ? ctx.checkpoint.changeId : undefined;
      if (!changeId) {
        const changes: Change[] = [{ Action: 'UPSERT', ResourceRecordSet: toSdk(data.after) }];
        if (data.memo) changes.push({ Action: 'UPSERT', ResourceRecordSet: toSdk(data.memo) });
        else {
          // Read the memo now: DELETE needs its exact value, and a repeat may find it already gone.
          const memo = await readRecord(route53, data.hostedZoneId, memoName(data.name, data.type), 'TXT', ctx.signal);
          if (memo) changes.push({ Action: 'DELETE', ResourceRecordSet: toSdk(memo) });
        }
        changeId = await submitChange(route53, data, changes, `Rewind ${ctx.rollbackId}: ${data.name} ${data.type} to ${data.direction}`, ctx.signal);
        await ctx.saveCheckpoint({ changeId });
      }
      const tookMs = await waitInSync(route53, changeId, ctx, minDelaySec);
      return { changeId, record: `${data.name} ${data.type}`, before: describeTarget(data.before), after: describeTarget(data.after), inSyncAfterMs: tookMs };
    },
  };
}

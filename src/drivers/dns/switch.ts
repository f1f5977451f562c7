import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import type { StepContext } from '../driver.js';
import { submitChange, waitInSync } from './change.js';
import { memoName } from './memo.js';
import type { DnsPlanData } from './plan-data.js';
import { describeTarget, readRecord, toSdk } from './records.js';
import type { DnsTarget } from './target.js';

/**
 * One atomic batch: the record and Rewind's memo of the original change together. A repeat waits
 * on the checkpointed change; a crash before the checkpoint submits the same UPSERTs again (harmless).
 */
export async function switchRecord(
  route53: Route53Client,
  data: DnsPlanData,
  ctx: StepContext<DnsTarget>,
  minDelaySec: number,
): Promise<Record<string, unknown>> {
  const changeId = await ctx.checkpoint('changeId', async () => {
    const changes: Change[] = [{ Action: 'UPSERT', ResourceRecordSet: toSdk(data.after) }];
    if (data.memo) changes.push({ Action: 'UPSERT', ResourceRecordSet: toSdk(data.memo) });
    else {
      // Read the memo now: DELETE needs its exact value, and a repeat may find it already gone.
      const memo = await readRecord(route53, data.hostedZoneId, memoName(data.name, data.type), 'TXT', ctx.signal);
      if (memo) changes.push({ Action: 'DELETE', ResourceRecordSet: toSdk(memo) });
    }
    return submitChange(route53, data, changes, `Rewind ${ctx.rollbackId}: ${data.name} ${data.type} to ${data.direction}`, ctx.signal);
  });
  const tookMs = await waitInSync(route53, changeId, ctx, minDelaySec);
  return { changeId, record: `${data.name} ${data.type}`, before: describeTarget(data.before), after: describeTarget(data.after), inSyncAfterMs: tookMs };
}

import { ChangeResourceRecordSetsCommand, GetChangeCommand, type Change, type Route53Client } from '@aws-sdk/client-route-53';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import type { DnsPlanData } from './plan-data.js';
import type { DnsTarget } from './target.js';

const IAM_HINT = 'let Rewind route53:ChangeResourceRecordSets and route53:GetChange (docs/drivers/dns.md, IAM)';

/** Submits one atomic change batch and returns the change id (without the /change/ prefix). */
export async function submitChange(route53: Route53Client, data: DnsPlanData, changes: Change[], comment: string, signal: AbortSignal): Promise<string> {
  try {
    const result = await route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: data.hostedZoneId, ChangeBatch: { Comment: comment, Changes: changes } }),
      {
        abortSignal: signal,
      },
    );
    const id = result.ChangeInfo?.Id?.replace(/^\/change\//, '');
    if (!id)
      throw new StepFailed(
        'ChangeMissing',
        `Route 53 accepted the change in ${data.hostedZoneId} but returned no change id.`,
        'check the record in the Route 53 console',
        false,
      );
    return id;
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'InvalidChangeBatch' || name === 'InvalidInput') {
      throw new StepFailed(
        name,
        `Route 53 refused the change to ${data.name} ${data.type}: ${(error as Error).message}`,
        'check the maintenance/original target in the catalog and the record in the Route 53 console',
      );
    }
    if (name === 'NoSuchHostedZone') throw new StepFailed(name, `Route 53 has no hosted zone ${data.hostedZoneId}.`, 'fix hostedZoneId in the catalog');
    throw fromAwsError(error, `ChangeResourceRecordSets in ${data.hostedZoneId}`, IAM_HINT);
  }
}

/** Polls GetChange every pollInterval until INSYNC (all Route 53 name servers answer the new record). */
export async function waitInSync(route53: Route53Client, changeId: string, ctx: StepContext<DnsTarget>, minDelaySec: number): Promise<number> {
  const started = Date.now();
  const delay = Math.max(ctx.target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(ctx.target.changeTimeout / 1000, 2 * delay);
  ctx.progress(`Route 53 change ${changeId}: PENDING`);
  const result = await createWaiter({ client: route53, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, async () => {
    try {
      const got = await route53.send(new GetChangeCommand({ Id: changeId }), { abortSignal: ctx.signal });
      return { state: got.ChangeInfo?.Status === 'INSYNC' ? WaiterState.SUCCESS : WaiterState.RETRY };
    } catch (error) {
      const failure = fromAwsError(error, `GetChange ${changeId}`, IAM_HINT);
      if (failure.permanent) throw failure;
      return { state: WaiterState.RETRY };
    }
  });
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state !== WaiterState.SUCCESS) {
    throw new StepFailed(
      'ChangeTimeout',
      `Route 53 change ${changeId} was not INSYNC after ${formatDuration(ctx.target.changeTimeout)}.`,
      'the record is already changed in the zone; Route 53 is still propagating it to its name servers: check `aws route53 get-change --id ' + changeId + '`',
    );
  }
  const took = Date.now() - started;
  ctx.progress(`Route 53 change ${changeId}: INSYNC after ${formatDuration(took)}`);
  return took;
}

import { Route53Client } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dnsTarget, type DnsTarget } from '../../src/drivers/dns/target.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { createDnsDriver } from '../../src/drivers/dns/driver.js';
import { dnsDriver } from '../../src/drivers/dns/index.js';
import { asExecutor } from '../support/driver.js';
import { Route53Fake, sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';
import { refusal } from '../support/rejections.js';

const ZONE = 'Z1234567890ABC';
const ALB = { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'dualstack.skillancer-prod-123.us-east-1.elb.amazonaws.com.', EvaluateTargetHealth: true };
const MEMO = '_rewind-original-a.skillancer.com.';

let fake: Route53Fake;
let route53: Route53Client;

beforeEach(async () => {
  fake = await Route53Fake.start({ changeDelayMs: 150 });
  fake.putRecord(ZONE, { Name: 'skillancer.com', Type: 'A', AliasTarget: ALB });
  fake.putRecord(ZONE, { Name: 'www.skillancer.com', Type: 'CNAME', TTL: 300, ResourceRecords: ['skillancer.com'] });
  route53 = new Route53Client(sdkConfig(fake.url));
});

afterEach(async () => {
  route53.destroy();
  await fake.close();
});

const driver = () => asExecutor(dnsDriver, createDnsDriver({ route53, minPollSec: 0.01 }));

function target(overrides: Record<string, unknown> = {}): DnsTarget {
  return dnsTarget.parse({
    driver: 'dns',
    hostedZoneId: ZONE,
    name: 'skillancer.com',
    maintenance: { alias: { hostedZoneId: 'Z2MAINTENANCE', dnsName: 'maintenance.skillancer.com' } },
    pollInterval: '20ms',
    changeTimeout: '10s',
    ...overrides,
  });
}

function request(version?: string, t = target(), rollbackId = 'RB-7'): PlanRequest<DnsTarget> {
  return { rollbackId, service: 'site', environment: 'production', target: t, version };
}

describe('dns driver', () => {
  it('switches the record to maintenance, waits for INSYNC, and points it back on `to original`', async () => {
    const plan = await driver().plan(request(), driverContext());
    expect(plan.changes).toEqual([
      'skillancer.com. A: alias dualstack.skillancer-prod-123.us-east-1.elb.amazonaws.com. (Z35SXDOTRQ7X7K) → alias maintenance.skillancer.com. (Z2MAINTENANCE)',
    ]);
    expect(plan.steps[0]!.title).toBe(
      `UPSERT skillancer.com. A → alias maintenance.skillancer.com. (Z2MAINTENANCE), keep the original in ${MEMO} TXT; wait until INSYNC`,
    );

    const { outputs, progress } = await runAllSteps(driver(), plan, target());
    expect(fake.record(ZONE, 'skillancer.com', 'A')!.AliasTarget).toEqual({
      HostedZoneId: 'Z2MAINTENANCE',
      DNSName: 'maintenance.skillancer.com.',
      EvaluateTargetHealth: false,
    });
    expect(fake.record(ZONE, MEMO, 'TXT')).toBeDefined();
    const batch = fake.callsOf('ChangeResourceRecordSets')[0]!.input.changes as { action: string }[];
    expect(batch.map((c) => c.action)).toEqual(['UPSERT', 'UPSERT']);
    expect(fake.callsOf('GetChange').length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatch(/^Route 53 change C\w+: INSYNC after \d+s$/);
    expect(outputs.switch).toMatchObject({ record: 'skillancer.com. A', after: 'alias maintenance.skillancer.com. (Z2MAINTENANCE)' });

    // Asking for maintenance again is refused and says how to go back.
    const again = await refusal(driver().plan(request(undefined, target(), 'RB-8'), driverContext()));
    expect(again.message).toMatch(
      /^skillancer\.com\. was switched to maintenance by RB-7 \(.+\) and not restored yet; point it back with `\/rollback site production to original`\.$/,
    );

    const back = await driver().plan(request('original', target(), 'RB-9'), driverContext());
    expect(back.current).toBe('alias maintenance.skillancer.com. (Z2MAINTENANCE)');
    expect(back.target).toBe(`alias ${ALB.DNSName} (${ALB.HostedZoneId})`);
    await runAllSteps(driver(), back, target());
    expect(fake.record(ZONE, 'skillancer.com', 'A')!.AliasTarget).toEqual(ALB);
    expect(fake.record(ZONE, MEMO, 'TXT')).toBeUndefined();
  });

  it('repeats a step after a crash without failing or losing the original', async () => {
    const plan = await driver().plan(request(), driverContext());
    const crash = { save: async () => Promise.reject(new Error('worker killed')) };
    await expect(driver().runStep(stepContext(plan, 'switch', target(), crash).context)).rejects.toThrow('worker killed');
    await driver().runStep(stepContext(plan, 'switch', target()).context);
    expect(fake.record(ZONE, 'skillancer.com', 'A')!.AliasTarget!.DNSName).toBe('maintenance.skillancer.com.');

    const back = await driver().plan(request('original', target(), 'RB-9'), driverContext());
    await expect(driver().runStep(stepContext(back, 'switch', target(), crash).context)).rejects.toThrow('worker killed');
    // The memo is gone now; the repeat only re-points the record.
    const repeat = stepContext(back, 'switch', target());
    await driver().runStep(repeat.context);
    expect(fake.record(ZONE, 'skillancer.com', 'A')!.AliasTarget).toEqual(ALB);
    expect(fake.callsOf('ChangeResourceRecordSets').map((c) => c.error)).toEqual([undefined, undefined, undefined, undefined]);

    // With the change id checkpointed, a further repeat only waits on that change.
    const changeId = repeat.checkpoints[0]!.changeId as string;
    const waited = fake.callsOf('GetChange').length;
    expect(await driver().runStep(stepContext(back, 'switch', target(), { journal: { changeId } }).context)).toMatchObject({ changeId });
    expect(fake.callsOf('ChangeResourceRecordSets')).toHaveLength(4);
    expect(
      fake
        .callsOf('GetChange')
        .slice(waited)
        .map((c) => c.input.id),
    ).toEqual([changeId]);
  });

  it('uses the catalog`s original when Rewind did not make the switch, and values records', async () => {
    fake.putRecord(ZONE, { Name: 'skillancer.com', Type: 'A', TTL: 60, ResourceRecords: ['198.51.100.7'] });
    const refused = await refusal(driver().plan(request('original'), driverContext()));
    expect(refused.message).toContain(`Rewind has no saved original for skillancer.com. A (it keeps one in ${MEMO} TXT`);
    const withOriginal = target({ original: { values: ['203.0.113.10', '203.0.113.11'], ttl: 60 } });
    const plan = await driver().plan(request('original', withOriginal), driverContext());
    expect(plan.changes).toEqual(['skillancer.com. A: 198.51.100.7 (TTL 60) → 203.0.113.10, 203.0.113.11 (TTL 60)']);
    await runAllSteps(driver(), plan, withOriginal);
    expect(fake.record(ZONE, 'skillancer.com', 'A')).toEqual({
      Name: 'skillancer.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: ['203.0.113.10', '203.0.113.11'],
    });
  });

  it('refuses a missing record, an unknown direction and a no-op', async () => {
    expect((await refusal(driver().plan(request(undefined, target({ name: 'shop.skillancer.com' })), driverContext()))).message).toBe(
      `Route 53 zone ${ZONE} has no A record shop.skillancer.com.: check hostedZoneId, name and type for site/production in the catalog.`,
    );
    const sideways = await refusal(driver().plan(request('sideways'), driverContext()));
    expect(sideways.choices).toEqual(['maintenance', 'original']);
    const noop = target({ maintenance: { alias: { hostedZoneId: ALB.HostedZoneId, dnsName: ALB.DNSName, evaluateTargetHealth: true } } });
    expect((await refusal(driver().plan(request(undefined, noop), driverContext()))).message).toContain('already points at the maintenance target');
  });

  it('reports drift when the record moved after planning', async () => {
    const plan = await driver().plan(request(), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    fake.putRecord(ZONE, { Name: 'skillancer.com', Type: 'A', TTL: 60, ResourceRecords: ['198.51.100.7'] });
    expect(await driver().drift(plan, target(), driverContext())).toBe(
      `skillancer.com. A now points at 198.51.100.7 (TTL 60); it pointed at alias ${ALB.DNSName} (${ALB.HostedZoneId}) at plan time`,
    );
  });

  it('retries a throttled Route 53', async () => {
    const plan = await driver().plan(request(), driverContext());
    fake.failNext('ChangeResourceRecordSets', 'Throttling', 1);
    fake.failNext('GetChange', 'Throttling', 1);
    await runAllSteps(driver(), plan, target());
    expect(fake.callsOf('ChangeResourceRecordSets').map((c) => c.error)).toEqual(['Throttling', undefined]);
    expect(fake.record(ZONE, 'skillancer.com', 'A')!.AliasTarget!.DNSName).toBe('maintenance.skillancer.com.');
  });
});

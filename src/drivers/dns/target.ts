import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

const hostedZoneId = z.string().regex(/^Z[A-Z0-9]{4,}$/, {
  error: 'is not a Route 53 hosted zone id: copy it from the Route 53 console (Hosted zone ID), e.g. Z1234567890ABC',
});

const recordName = z.string().regex(/^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/, {
  error: 'must be a DNS name such as skillancer.com or www.skillancer.com (no wildcards)',
});

/** Where a record points: an alias (CloudFront, ALB, another record) or plain values with a TTL. */
export const recordPointer = z.union(
  [
    z.strictObject({
      alias: z.strictObject({
        hostedZoneId: hostedZoneId,
        dnsName: recordName,
        evaluateTargetHealth: z.boolean().default(false),
      }),
    }),
    z.strictObject({
      values: z.array(text('a record value, e.g. 203.0.113.10')).min(1, { error: 'must list at least one value' }),
      ttl: z.number().int().min(0).max(604800).default(60),
    }),
  ],
  { error: 'must be `alias: { hostedZoneId, dnsName }` or `values: [...]` (with an optional ttl)' },
);
export type RecordPointer = z.infer<typeof recordPointer>;

/**
 * `driver: dns`: one Route 53 record switched to a maintenance target and back
 * (the Skillancer "CDN/DNS Rollback" runbook). `/rollback <service> <env>` switches
 * to maintenance; `… to original` points it back.
 */
export const dnsTarget = z.strictObject({
  driver: z.literal('dns'),
  hostedZoneId,
  name: recordName,
  type: z.enum(['A', 'AAAA', 'CNAME']).default('A'),
  maintenance: recordPointer,
  /** Where `to original` points when Rewind did not save the original itself (the switch was made by hand). */
  original: recordPointer.optional(),
  changeTimeout: duration('how long to wait for Route 53 to report the change INSYNC').default(10 * 60_000),
  pollInterval: duration('how often to read the change while waiting').default(2000),
  ...targetBase,
});
export type DnsTarget = z.infer<typeof dnsTarget>;

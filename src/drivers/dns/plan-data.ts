import { z } from 'zod';

const recordSet = z.object({
  Name: z.string(),
  Type: z.string(),
  TTL: z.number().optional(),
  ResourceRecords: z.array(z.object({ Value: z.string() })).optional(),
  AliasTarget: z.object({ HostedZoneId: z.string(), DNSName: z.string(), EvaluateTargetHealth: z.boolean() }).optional(),
});

/** What a DNS plan records for its step and drift check (Plan.data). */
export const dnsPlanData = z.object({
  hostedZoneId: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
  /** `maintenance` switches away and keeps the original; `original` points back. */
  direction: z.enum(['maintenance', 'original']),
  before: recordSet,
  after: recordSet,
  /** maintenance: the TXT memo to write (the original record). */
  memo: recordSet.nullable(),
  catalogService: z.string(),
  environment: z.string(),
});
export type DnsPlanData = z.infer<typeof dnsPlanData>;

export function replanCommand(data: Pick<DnsPlanData, 'catalogService' | 'environment'>, direction: 'maintenance' | 'original'): string {
  return `/rollback ${data.catalogService} ${data.environment}${direction === 'original' ? ' to original' : ''}`;
}

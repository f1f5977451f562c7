import { z } from 'zod';
import type { RecordSet } from './records.js';

/**
 * When Rewind points a record at maintenance it keeps the original in a TXT record next to it
 * (`_rewind-original-a.skillancer.com`), written in the same atomic change batch. `to original`
 * reads it back, so the way back survives restarts and needs no other store.
 */
export function memoName(name: string, type: string): string {
  return `_rewind-original-${type.toLowerCase()}.${name}`;
}

const memoSchema = z.object({
  record: z.object({
    Name: z.string(),
    Type: z.string(),
    TTL: z.number().optional(),
    ResourceRecords: z.array(z.object({ Value: z.string() })).optional(),
    AliasTarget: z.object({ HostedZoneId: z.string(), DNSName: z.string(), EvaluateTargetHealth: z.boolean() }).optional(),
  }),
  at: z.string(),
  rollbackId: z.string(),
});
export type Memo = z.infer<typeof memoSchema>;

/** TXT strings hold at most 255 characters; base64url needs no quoting inside them. */
const CHUNK = 255;

export function memoRecord(name: string, type: string, memo: Memo): RecordSet {
  const encoded = Buffer.from(JSON.stringify(memo)).toString('base64url');
  const chunks = encoded.match(new RegExp(`.{1,${CHUNK}}`, 'g')) ?? [];
  return { Name: memoName(name, type), Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: chunks.map((c) => `"${c}"`).join(' ') }] };
}

/** The memo a TXT record holds; undefined when it is not one of Rewind's. */
export function readMemo(record: RecordSet | undefined): Memo | undefined {
  const value = record?.ResourceRecords?.[0]?.Value;
  if (!value) return undefined;
  const encoded = [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
  try {
    const parsed = memoSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

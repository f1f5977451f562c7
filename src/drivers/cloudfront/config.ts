import { createHash } from 'node:crypto';
import { z } from 'zod';

const quantity = z.number().int().min(0);

/**
 * The parts of a DistributionConfig that CloudFront requires and Rewind reads. Everything else
 * (cache behaviors, certificates, logging, ...) passes through untouched to UpdateDistribution,
 * where CloudFront validates it.
 */
const distributionConfig = z.looseObject({
  CallerReference: z.string().min(1),
  Comment: z.string(),
  Enabled: z.boolean(),
  Origins: z.looseObject({
    Quantity: quantity,
    Items: z.array(z.looseObject({ Id: z.string().min(1), DomainName: z.string().min(1) })).min(1, { error: 'lists no origin' }),
  }),
  DefaultCacheBehavior: z.looseObject({
    TargetOriginId: z.string().min(1),
    ViewerProtocolPolicy: z.enum(['allow-all', 'https-only', 'redirect-to-https']),
  }),
});
export type BackupConfig = z.infer<typeof distributionConfig>;

/** A missing field says so, instead of zod's "expected string, received undefined". */
const missing: z.core.$ZodErrorMap = (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : undefined);

/**
 * A backup as the runbook keeps it: `aws cloudfront get-distribution-config` output
 * (`{ETag, DistributionConfig}`) or the bare DistributionConfig. Returns what is wrong when it is
 * not one, in words for the refusal.
 */
export function parseBackup(text: string): { config: BackupConfig } | { problem: string } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { problem: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const { config, path } = unwrap(document);
  const parsed = distributionConfig.safeParse(config, { error: missing });
  if (parsed.success) return { config: parsed.data };
  const where = (at: PropertyKey[]) => [...path, ...at.map(String)].join('.') || 'the document';
  return { problem: parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ') };
}

/** The ETag in a saved get-distribution-config output is stale by definition: only its config counts. */
function unwrap(document: unknown): { config: unknown; path: string[] } {
  if (document !== null && typeof document === 'object' && 'DistributionConfig' in document)
    return { config: document.DistributionConfig, path: ['DistributionConfig'] };
  return { config: document, path: [] };
}

/**
 * The config in a form where equal means "CloudFront would serve the same": keys sorted, and
 * absent, null, empty text and empty lists dropped, so the CLI's JSON and the SDK's reading of
 * the same config compare equal. List order is kept: cache behaviors match in order.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]): [string, unknown] => [k, canonical(v)])
      .filter(([, v]) => v !== undefined);
    const emptyList = entries.length === 1 && entries[0]![0] === 'Quantity' && entries[0]![1] === 0;
    return entries.length && !emptyList ? Object.fromEntries(entries) : undefined;
  }
  return value === null || value === '' ? undefined : value;
}

/** SHA-256 of the canonical config: what a plan stores instead of the config, and how configs are compared. */
export function configDigest(config: object): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(config)) ?? '')
    .digest('hex');
}

/** Whether two values read the same to CloudFront (see `canonical`). */
export function sameSettings(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

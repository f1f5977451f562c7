import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { routedTarget } from '../../src/config/alerts.js';
import type { Catalog } from '../../src/config/catalog.js';
import type { RoutedAlert } from '../../src/domain/alert.js';
import { firstIssue, isoTime } from './parse.js';

/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-rewind-signature';

/** Whether `header` is the HMAC-SHA256 of `body` under `secret`; constant-time, so timing reveals nothing about the right value. */
export function validHmac(secret: string, body: Buffer, header: string | undefined): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

const genericAlert = z.strictObject({
  target: z.string().min(1).max(100),
  environment: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  status: z.enum(['firing', 'resolved']).default('firing'),
  /** Identity of the alert at the sender; default: its name. */
  id: z.string().min(1).max(200).optional(),
  startsAt: isoTime.optional(),
  endsAt: isoTime.optional(),
  summary: z.string().max(2000).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
});

/** `{ target, environment, name, status?, id?, startsAt?, endsAt?, summary?, url? }`; the target must be routed under `alerts.targets`. */
export function parseGeneric(body: unknown, catalog: Catalog, now: Date): { routed: RoutedAlert[] } | { error: string } {
  const parsed = genericAlert.safeParse(body);
  if (!parsed.success) return { error: `not a Rewind alert: ${firstIssue(parsed.error)}` };
  const a = parsed.data;
  if (!routedTarget(catalog.alerts, a.target, a.environment))
    return { error: `${a.target} ${a.environment} is not under alerts.targets in the Rewind catalog: add it there to receive its alerts` };
  const endsAt = a.status === 'resolved' ? (a.endsAt ?? now.toISOString()) : undefined;
  return {
    routed: [
      {
        service: a.target,
        environment: a.environment,
        alert: {
          source: 'generic',
          key: a.id ?? a.name,
          name: a.name,
          status: a.status,
          startsAt: a.startsAt ?? endsAt ?? now.toISOString(),
          ...(endsAt ? { endsAt } : {}),
          ...(a.summary ? { summary: a.summary } : {}),
          ...(a.url ? { url: a.url } : {}),
        },
      },
    ],
  };
}

import { z } from 'zod';

/** A timestamp as monitoring systems send it, normalised to ISO 8601 UTC. */
export const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be an ISO 8601 time such as 2026-01-22T10:00:00Z' })
  .transform((s) => new Date(s).toISOString());

/** The first problem of a body, with where it is: enough for the sender's logs. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

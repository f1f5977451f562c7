import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';

/** Reusable catalog field types whose errors say what belongs there. */

export function text(what: string) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `missing: add it with ${what}` : `must be text: ${what}`) })
    .min(1, { error: `is empty: set it to ${what}` });
}

export function duration(what: string) {
  return z
    .string({
      error: (iss) => (iss.input === undefined ? `missing: add it as a duration such as 15m (${what})` : `must be a duration such as 15m, 30s or 2h (${what})`),
    })
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write it like 15m, 30s or 2h (${what})` });
        return z.NEVER;
      }
      return ms;
    });
}

export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, {
  error: 'is not a Slack user id: copy it from the member\'s profile ("Copy member ID"), e.g. U0123ABCD',
});

export const slackUsergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, {
  error: 'is not a Slack user group id: user group ids start with S (usergroups.list shows them), e.g. S0ONCALL',
});

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.example.com/health' });

/** The HTTP health check every target may declare (the runbooks' `curl -f .../health`). */
export const healthCheck = z.strictObject({
  url: httpUrl,
  expectStatus: z.number().int().min(100).max(599).default(200),
  timeout: duration('how long one request may take').default(5000),
  attempts: z.number().int().min(1).max(20).default(5),
  interval: duration('the pause between attempts').default(2000),
});
export type HealthCheckConfig = z.infer<typeof healthCheck>;

/** Who must approve: `count` distinct eligible users from the union of `from` roles. */
export const approvalRule = z.strictObject({
  from: z.array(text('a role name from `roles`')).min(1, { error: 'must name at least one role from `roles`' }),
  count: z.number().int().min(1).default(1),
  /**
   * When a request is classified (`sev P0`, `sev data-corruption`): `replace` (default) makes the
   * decision-matrix row the rule, as the runbooks' "CTO required" reads; `combine` asks for this rule too.
   */
  matrix: z.enum(['replace', 'combine'], { error: 'must be replace (the matrix row is the rule) or combine (this rule and the row)' }).optional(),
});
export type ApprovalRuleConfig = z.infer<typeof approvalRule>;

/**
 * For targets whose changes the runbooks reserve to a stronger rule (a database restore, a secret
 * rotation): the catalog's top-level `approval` default is not enough, the entry must name its own.
 */
export function ownApprovalRequired(why: string, example: string) {
  return (target: { approval?: unknown }, ctx: z.RefinementCtx) => {
    if (!target.approval) ctx.addIssue({ code: 'custom', path: ['approval'], message: `missing: ${why}, e.g. approval: ${example}` });
  };
}

/** Fields every target has, whatever its driver. */
export const targetBase = {
  /** The product named in announcements and templates when this target belongs to another one than the catalog's `product`. */
  product: text('the product name, e.g. Skillancer').optional(),
  health: healthCheck.optional(),
  approval: approvalRule.optional(),
};

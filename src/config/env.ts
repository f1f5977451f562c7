import { z } from 'zod';
import { ConfigError, describeIssues } from './errors.js';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A shared secret: at least 24 characters when set; unset or empty turns its feature off. */
const secretSetting = (what: string) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .min(24, { error: `too short: use at least 24 random characters for ${what} (e.g. \`openssl rand -hex 24\`), or leave it unset` })
      .optional(),
  );

/** Process environment (DESIGN.md "Contracts"); `.env.example` documents each variable. */
export const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { error: 'must be the bot token (starts with xoxb-) from OAuth & Permissions' }).optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', { error: 'must be an app-level token (starts with xapp-) with connections:write' }).optional(),
    SLACK_API_URL: z.url().default('https://slack.com/api/'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    REWIND_CONFIG: z.string().default('rewind.config.yaml'),
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    REWIND_REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/)
      .default('rewind'),
    REWIND_WORKER_CONCURRENCY: int(4),
    REWIND_JOB_LOCK_MS: int(30_000),
    /** How often the reconciler gives ownerless rollbacks their job back. */
    REWIND_RECONCILE_MS: int(30_000),
    /** Turns on the queue dashboard at /admin/queues, behind this token; unset (or empty): no dashboard. */
    REWIND_ADMIN_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .min(24, { error: 'too short: use at least 24 random characters (e.g. `openssl rand -hex 24`), or leave it unset to keep the dashboard off' })
        .optional(),
    ),
    /** Bearer token Alertmanager sends to POST /alerts/alertmanager (`http_config.authorization`); unset: that route refuses everything. */
    REWIND_ALERTS_TOKEN: secretSetting('the bearer token Alertmanager sends'),
    /** HMAC-SHA256 key for POST /alerts/generic (`X-Rewind-Signature: sha256=<hex>`); unset: that route refuses everything. */
    REWIND_ALERTS_HMAC_SECRET: secretSetting('the key the sender signs generic alerts with'),
    /** Turns on GET /api/v1/freeze/<service>/<env> (the deploy freeze for CI) on the web role, behind this bearer token. */
    REWIND_FREEZE_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .min(24, { error: 'too short: use at least 24 random characters (e.g. `openssl rand -hex 24`), or leave it unset to keep the freeze API off' })
        .optional(),
    ),
    /** The dashboard's actions (retry, clean, promote, pause...); default read-only. */
    REWIND_ADMIN_WRITE: z.preprocess((v) => (v === '' ? undefined : v), z.stringbool({ error: 'must be true or false' }).default(false)),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'missing: set it to the Bot User OAuth Token (xoxb-...) from your Slack app' });
    }
    if (env.ROLE !== 'worker' && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'missing: HTTP mode needs the Signing Secret from Basic Information (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
  });

export type Env = z.infer<typeof envSchema> & { SLACK_BOT_TOKEN: string };

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new ConfigError('environment', describeIssues(result.error.issues));
  return result.data as Env;
}

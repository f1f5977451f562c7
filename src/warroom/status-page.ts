import { refusal, type Refusal } from '../domain/refusal.js';
import type { Rollback } from '../domain/rollback.js';
import type { StatusPageStatus } from '../domain/timeline.js';

export interface StatusPageConfig {
  url: string;
  /** Name of the environment variable holding the bearer token. */
  tokenEnv?: string;
  /** `auto`: Rewind posts "Investigating" at the start and "Resolved" on success; `button`: someone presses it. */
  mode?: 'auto' | 'button';
}

/** What the status page is told for a rollback in its current state: resolved once it succeeded. */
export function statusOf(rb: Rollback): StatusPageStatus {
  return rb.state === 'succeeded' ? 'resolved' : 'investigating';
}

/**
 * The `Idempotency-Key` of one update: a repeat after a crash between the POST and its record
 * carries the same key, so a status page that honours it shows the update once.
 */
export function idempotencyKey(rb: Rollback, status: StatusPageStatus): string {
  return `rewind-${rb.id}-${rb.nonce ?? 'n'}-${status}`;
}

/** The JSON body sent to the webhook: the rendered text plus what a status page needs to route it. */
export function statusPagePayload(rb: Rollback, message: string, status: StatusPageStatus = statusOf(rb)) {
  return {
    status,
    message,
    rollback: rb.id,
    service: rb.service,
    environment: rb.environment,
    ...(rb.policy?.severity ? { severity: rb.policy.severity.id } : {}),
  };
}

/** Start-up check: the catalog names a token variable the environment lacks. */
export function statusPageEnvProblem(cfg: StatusPageConfig | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!cfg?.tokenEnv || env[cfg.tokenEnv]) return undefined;
  return `statusPage.tokenEnv names ${cfg.tokenEnv}, which is not set: status-page updates will fail until it is (set it where the workers run: ROLE=worker or all).`;
}

/**
 * POSTs an update to the configured status-page webhook. The token comes from `env` and never
 * appears in the result (a response echoing it is redacted).
 */
export async function postStatusPage(
  cfg: StatusPageConfig,
  env: NodeJS.ProcessEnv,
  body: object,
  opts: { key?: string; timeoutMs?: number } = {},
): Promise<{ refusal: Refusal } | undefined> {
  const token = cfg.tokenEnv ? env[cfg.tokenEnv] : undefined;
  const host = new URL(cfg.url).host;
  if (cfg.tokenEnv && !token) {
    return refusal(
      'not_configured',
      `${cfg.tokenEnv} is not set in Rewind's environment, so the status page at ${host} cannot be updated: set it where the workers run (the catalog names the variable, never the token).`,
    );
  }
  let res: Response;
  try {
    res = await fetch(cfg.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(opts.key ? { 'idempotency-key': opts.key } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
  } catch (error) {
    return refusal('unavailable', `The status page at ${host} did not answer (${(error as Error).name}): check statusPage.url, or update it by hand.`);
  }
  if (res.ok) return undefined;
  const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  const clean = token ? text.replaceAll(token, '[redacted]') : text;
  const hint = res.status === 401 || res.status === 403 ? ` Check the token in ${cfg.tokenEnv ?? 'statusPage.tokenEnv (none is configured)'}.` : '';
  return refusal('unavailable', `The status page at ${host} answered ${res.status}${clean ? `: ${clean}` : ''}.${hint}`);
}

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CheckConfig } from '../config/checks.js';
import { displayArgv } from '../exec/run.js';
import { checkHttp, type CheckResult } from './http.js';
import { checkJsonField } from './json-field.js';
import { checkSmoke } from './smoke.js';

export interface CheckContext {
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** Needed by `metric` checks; asked for only when one runs, so a catalog without them never loads the CloudWatch SDK. */
  cloudwatch?: () => Promise<CloudWatchClient>;
  /** The worker's environment; `smoke` checks map their env from it. */
  env?: NodeJS.ProcessEnv;
  progress?: (line: string) => void;
  now?: () => Date;
  /** How far behind now a metric window ends (default 60 s: CloudWatch's newest minute is incomplete). */
  metricLag?: number;
  /** Between SIGTERM and SIGKILL when a smoke command times out. */
  killGrace?: number;
}

/** The name a check goes by in the thread. */
export function checkLabel(check: CheckConfig): string {
  if (check.name) return check.name;
  if (check.type === 'http') return `GET ${check.url}`;
  if (check.type === 'smoke') return displayArgv(check.argv);
  return check.type;
}

/** Runs one post-rollback check with its own timeout and retries; never throws for a failed check, only on abort. */
export async function runCheck(check: CheckConfig, ctx: CheckContext): Promise<CheckResult> {
  switch (check.type) {
    case 'http': {
      const status = await checkHttp(check, { signal: ctx.signal, fetch: ctx.fetch });
      if (!status.ok || !check.json) return status;
      return checkJsonField({ ...check, json: check.json }, { signal: ctx.signal, fetch: ctx.fetch });
    }
    case 'smoke':
      if (!ctx.env) return { ok: false, summary: 'smoke checks need the worker environment: pass env to createVerifier' };
      return checkSmoke(check, { env: ctx.env, signal: ctx.signal, progress: ctx.progress, killGrace: ctx.killGrace });
    case 'metric': {
      if (!ctx.cloudwatch) return { ok: false, summary: `${check.name}: no CloudWatch client configured in this worker` };
      const [{ checkMetric }, cloudwatch] = await Promise.all([import('./metric.js'), ctx.cloudwatch()]);
      return checkMetric(check, { cloudwatch, signal: ctx.signal, now: ctx.now, lag: ctx.metricLag, progress: ctx.progress });
    }
  }
}

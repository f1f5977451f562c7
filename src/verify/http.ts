import type { HealthCheckConfig } from '../config/fields.js';

export interface CheckResult {
  ok: boolean;
  summary: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * The runbooks' `curl -f https://.../health`: GET until the expected status, with a timeout per
 * attempt and a few attempts, because a freshly rolled-back service may need a moment behind its load balancer.
 */
export async function checkHttp(cfg: HealthCheckConfig, opts: { signal: AbortSignal; fetch?: typeof fetch }): Promise<CheckResult> {
  const doFetch = opts.fetch ?? fetch;
  let last = '';
  for (let attempt = 1; attempt <= cfg.attempts; attempt++) {
    if (attempt > 1) await sleep(cfg.interval, opts.signal);
    const started = Date.now();
    try {
      const res = await doFetch(cfg.url, {
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(cfg.timeout)]),
        redirect: 'manual',
      });
      await res.body?.cancel();
      const took = Date.now() - started;
      if (res.status === cfg.expectStatus) {
        return { ok: true, summary: `GET ${cfg.url} → ${res.status} in ${took} ms` };
      }
      last = `GET ${cfg.url} → ${res.status} (expected ${cfg.expectStatus})`;
    } catch (error) {
      if (opts.signal.aborted) throw error;
      const e = error as Error & { cause?: { code?: string } };
      last = `GET ${cfg.url} failed: ${e.name === 'TimeoutError' ? `no answer within ${cfg.timeout} ms` : (e.cause?.code ?? e.message)}`;
    }
  }
  return { ok: false, summary: `${last} after ${cfg.attempts} attempt${cfg.attempts === 1 ? '' : 's'}` };
}

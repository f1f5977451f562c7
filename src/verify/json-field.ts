import type { HttpCheckConfig } from '../config/checks.js';
import type { CheckResult } from './http.js';
import { pause } from './wait.js';

/** `a.b.c` into a parsed JSON body; undefined when any part is missing. */
export function fieldAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body);
}

const show = (value: unknown) => {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
};

/** `curl -s .../health | jq .status` = "healthy": GET, parse, compare one field, with the check's attempts. */
export async function checkJsonField(
  cfg: HttpCheckConfig & { json: NonNullable<HttpCheckConfig['json']> },
  opts: { signal: AbortSignal; fetch?: typeof fetch },
): Promise<CheckResult> {
  const doFetch = opts.fetch ?? fetch;
  const { field, equals } = cfg.json;
  let last = '';
  for (let attempt = 1; attempt <= cfg.attempts; attempt++) {
    if (attempt > 1) await pause(cfg.interval, opts.signal);
    try {
      const res = await doFetch(cfg.url, {
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(cfg.timeout)]),
        redirect: 'manual',
        headers: { accept: 'application/json' },
      });
      const text = await res.text();
      if (res.status !== cfg.expectStatus) {
        last = `GET ${cfg.url} → ${res.status} (expected ${cfg.expectStatus})`;
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        last = `GET ${cfg.url} did not answer JSON, so field ${field} cannot be read`;
        continue;
      }
      const value = fieldAt(body, field);
      if (value === equals) return { ok: true, summary: `GET ${cfg.url} → ${field} = ${show(value)}` };
      last = `GET ${cfg.url} → ${field} is ${show(value)} (expected ${show(equals)})`;
    } catch (error) {
      if (opts.signal.aborted) throw error;
      const e = error as Error & { cause?: { code?: string } };
      last = `GET ${cfg.url} failed: ${e.name === 'TimeoutError' ? `no answer within ${cfg.timeout} ms` : (e.cause?.code ?? e.message)}`;
    }
  }
  return { ok: false, summary: `${last} after ${cfg.attempts} attempt${cfg.attempts === 1 ? '' : 's'}` };
}

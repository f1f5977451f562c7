import type { Logger } from 'pino';
import { z } from 'zod';
import { formatDuration } from '../../../../domain/duration.js';
import { StepFailed } from '../../../errors.js';

/** What a call is for: the fix for a refusal depends on it. */
type Purpose = 'read' | 'write' | 'logs';

export interface DopplerConnection {
  project: string;
  config: string;
  apiUrl: string;
  /** The variable the token came from: errors name it, never the token. */
  tokenEnv: string;
  token: string;
  timeout: number;
  fetch: typeof fetch;
  signal: AbortSignal;
  log: Logger;
}

const secretAnswer = z.object({ value: z.object({ raw: z.string().nullish() }) });

const logsAnswer = z.object({
  logs: z.array(
    z.object({
      id: z.string(),
      created_at: z.string().nullish(),
      user: z.object({ name: z.string().nullish(), email: z.string().nullish() }).nullish(),
      diff: z.array(z.object({ name: z.string(), added: z.string().nullish(), removed: z.string().nullish() })).nullish(),
    }),
  ),
});
export type ConfigLogEntry = z.infer<typeof logsAnswer>['logs'][number];

const errorAnswer = z.object({ messages: z.array(z.string()) });

/** Doppler's reason on one line, short, with the token cut out in case anything echoes it. */
function reason(text: string, token: string): string {
  let said = text;
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(text));
    if (parsed.success) said = parsed.data.messages.join('; ');
  } catch {
    // Not JSON (a proxy's error page): the text itself is the reason.
  }
  const line = said.replaceAll(token, '[redacted]').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Why fetch failed, in words: a timeout, or the network error and its cause (ECONNREFUSED, a DNS miss). */
function unreachable(error: unknown, timeout: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${formatDuration(timeout)}`;
  return `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`;
}

function fix(status: number, purpose: Purpose, c: DopplerConnection): string {
  const where = `${c.project}/${c.config}`;
  if (status === 401) return `put a valid Doppler service token for ${where} in ${c.tokenEnv} on the workers (the catalog names the variable, never the token)`;
  if (status === 403 && purpose === 'write')
    return `the token in ${c.tokenEnv} may not change ${where}: give Rewind a service token with read/write access to that config`;
  if (status === 403 && purpose === 'logs')
    return `revert and history read ${where}'s config logs, which the token in ${c.tokenEnv} may not: give it that access, or use on, off or set <value>`;
  if (status === 403)
    return `the token in ${c.tokenEnv} has no access to ${where}: check project and config in the catalog, and that the token was made for that config`;
  if (status === 404) return `check project (${c.project}), config (${c.config}) and secret (default: the flag's name) in the catalog`;
  if (status === 429 || status >= 500) return 'Doppler is busy or unavailable; Rewind retries, and status.doppler.com says more';
  return `check the flag's Doppler entry in the catalog`;
}

/** Doppler's config API for one config (v3: bearer token, JSON), each answer checked before use. */
export function dopplerApi(c: DopplerConnection) {
  const base = c.apiUrl.replace(/\/+$/, '');

  /** A GET with the config in the query, or a POST with `body` (which names the config itself). */
  async function call(what: string, purpose: Purpose, path: string, send: { query: Record<string, string> } | { body: unknown }): Promise<unknown> {
    const get = 'query' in send;
    const method = get ? 'GET' : 'POST';
    const url = get ? `${base}${path}?${new URLSearchParams({ project: c.project, config: c.config, ...send.query })}` : `${base}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${c.token}`, accept: 'application/json', 'user-agent': 'rewind' };
    if (!get) headers['content-type'] = 'application/json';
    const started = Date.now();
    let response: Response;
    try {
      response = await c.fetch(url, {
        method,
        headers,
        body: get ? undefined : JSON.stringify(send.body),
        signal: AbortSignal.any([c.signal, AbortSignal.timeout(c.timeout)]),
      });
    } catch (error) {
      c.signal.throwIfAborted();
      throw new StepFailed(
        'DopplerUnreachable',
        `Rewind could not reach Doppler at ${base} for ${what}: ${reason(unreachable(error, c.timeout), c.token)}`,
        `check that the workers can reach ${new URL(base).host} (apiUrl in the catalog); Rewind retries`,
        false,
      );
    }
    const text = await response.text().catch(() => '');
    c.log.debug({ method, path, project: c.project, config: c.config, status: response.status, ms: Date.now() - started }, 'doppler request');
    if (!response.ok) {
      const said = reason(text, c.token);
      throw new StepFailed(
        'DopplerRefused',
        `Doppler answered ${response.status} to ${what}${said ? ` (${said})` : ''}`,
        fix(response.status, purpose, c),
        !(response.status === 429 || response.status >= 500),
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new StepFailed('DopplerUnexpected', `Doppler's answer to ${what} is not JSON`, `check apiUrl in the catalog (default https://api.doppler.com)`);
    }
  }

  function parsed<S extends z.ZodType>(schema: S, answer: unknown, what: string): z.output<S> {
    const result = schema.safeParse(answer);
    if (!result.success)
      throw new StepFailed(
        'DopplerUnexpected',
        `Doppler's answer to ${what} lacks ${result.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        'check apiUrl in the catalog (default https://api.doppler.com)',
      );
    return result.data;
  }

  return {
    /** The secret's raw value (references unresolved, as `secrets set` writes it). */
    async readSecret(name: string): Promise<string> {
      const what = `reading ${name} in ${c.project}/${c.config}`;
      const { value } = parsed(secretAnswer, await call(what, 'read', '/v3/configs/config/secret', { query: { name } }), what);
      if (typeof value.raw !== 'string') {
        throw new StepFailed(
          'DopplerValueHidden',
          `Doppler returned ${name} in ${c.project}/${c.config} without its value`,
          `Rewind must read the flag to change it: give the secret masked or unmasked visibility (not restricted), or let the token in ${c.tokenEnv} read it`,
        );
      }
      return value.raw;
    },

    async writeSecret(name: string, value: string): Promise<void> {
      await call(`setting ${name} in ${c.project}/${c.config}`, 'write', '/v3/configs/config/secrets', {
        body: { project: c.project, config: c.config, secrets: { [name]: value } },
      });
    },

    /** One page of the config's change log, newest first. */
    async logs(page: number, perPage: number): Promise<ConfigLogEntry[]> {
      const what = `reading the logs of ${c.project}/${c.config}`;
      return parsed(logsAnswer, await call(what, 'logs', '/v3/configs/config/logs', { query: { page: String(page), per_page: String(perPage) } }), what).logs;
    },
  };
}
export type DopplerApi = ReturnType<typeof dopplerApi>;

import type { Plan } from '../../../../domain/rollback.js';
import type { StepContext } from '../../../driver.js';
import { PlanRefused, StepFailed } from '../../../errors.js';
import { replanCommand } from '../../replan.js';
import type { FlagRequest } from '../../request.js';
import type { FlagStoreOperations } from '../../store.js';
import { CALL_STEP, type HttpFlagTarget, type HttpPlanData } from './index.js';

/** Fills `{{flag}}`, `{{enabled}}` and `{{value}}`, JSON-escaped (the template supplies any quotes). */
export function renderBody(template: string, values: { flag: string; enabled: boolean }): string {
  const text = (s: string) => JSON.stringify(s).slice(1, -1);
  return template
    .replaceAll('{{flag}}', text(values.flag))
    .replaceAll('{{enabled}}', String(values.enabled))
    .replaceAll('{{value}}', values.enabled ? 'on' : 'off');
}

function tokenProblem(target: HttpFlagTarget, env: NodeJS.ProcessEnv): string | undefined {
  if (target.tokenEnv && !env[target.tokenEnv]) {
    return `${target.tokenEnv} is not set in Rewind's environment, so Rewind cannot authenticate to ${new URL(target.url).host}: set it on the workers (the catalog names the variable, never the token)`;
  }
  return undefined;
}

/** on/off through the flag service's admin API; the API keeps no history, so the current state is unknown. */
function planHttp(target: HttpFlagTarget, req: FlagRequest, env: NodeJS.ProcessEnv): Plan {
  const problem = tokenProblem(target, env);
  if (problem) throw new PlanRefused(`${problem}.`);
  const enabled = req.action === 'on';
  const key = target.key ?? req.flag;
  const body = renderBody(target.body, { flag: key, enabled });
  if (/json/i.test(target.contentType)) {
    try {
      JSON.parse(body);
    } catch {
      throw new PlanRefused(
        `The body template for ${req.flag} does not give valid JSON (${body}): fix \`body\` in the catalog, e.g. {"flag": "{{flag}}", "enabled": {{enabled}}}.`,
      );
    }
  }
  const data: HttpPlanData = { ...req, store: 'http', url: target.url, method: target.method, enabled, body, contentType: target.contentType };
  return {
    driver: 'flag',
    current: 'unknown (the flag API does not report it)',
    target: req.action,
    changes: [`${req.flag}: → ${req.action} via ${target.method} ${target.url}`],
    steps: [{ id: CALL_STEP, title: `${target.method} ${target.url} ${body}`, driver: 'flag', input: { url: target.url } }],
    // The API exposes no state to compare, so nothing can drift.
    fingerprint: `http:${req.flag}:${target.url}`,
    data,
  };
}

/** The response body on one line, short, with the token cut out in case the API echoes it. */
function excerpt(text: string, token: string | undefined): string {
  const clean = token ? text.replaceAll(token, '[redacted]') : text;
  const line = clean.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function statusHint(status: number, target: HttpFlagTarget, data: HttpPlanData): string {
  if (status === 401 || status === 403)
    return `check the token in ${target.tokenEnv ?? 'the tokenEnv variable (none is configured)'} and its permissions, then ${replanCommand(data)}`;
  if (status === 404) return `check url in the catalog for ${data.flag}`;
  if (status === 429 || status >= 500) return "Rewind retries this step; if it keeps failing, flip the flag in the service's admin UI";
  return `check the body template and key for ${data.flag} in the catalog`;
}

/** One request; setting a flag to a value is idempotent, so a repeat simply sends it again. */
async function callHttp(
  data: HttpPlanData,
  ctx: StepContext<HttpFlagTarget, HttpPlanData>,
  target: HttpFlagTarget,
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch,
): Promise<Record<string, unknown>> {
  const problem = tokenProblem(target, env);
  if (problem) throw new StepFailed('TokenMissing', `${problem}.`, `set ${target.tokenEnv} and retry the step`);
  const token = target.tokenEnv ? env[target.tokenEnv] : undefined;
  const headers: Record<string, string> = { 'content-type': data.contentType, 'user-agent': 'rewind' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetchImpl(data.url, {
      method: data.method,
      headers,
      body: data.body,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(target.timeout)]),
    });
  } catch (error) {
    ctx.signal.throwIfAborted();
    const reason = error instanceof Error ? `${error.name}: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    throw new StepFailed(
      'FlagApiUnreachable',
      `${data.method} ${data.url} failed: ${excerpt(reason, token)}`,
      `check that Rewind can reach ${new URL(data.url).host}; Rewind retries this step`,
      false,
    );
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const body = excerpt(text, token);
    throw new StepFailed(
      'FlagApiRefused',
      `${data.method} ${data.url} answered ${response.status}${body ? `: ${body}` : ''}`,
      statusHint(response.status, target, data),
      !(response.status === 429 || response.status >= 500),
    );
  }
  ctx.progress(`${data.flag} ${data.enabled ? 'on' : 'off'}: ${data.method} ${data.url} answered ${response.status}`);
  return { flag: data.flag, enabled: data.enabled, status: response.status };
}

export const adminApiOperations: FlagStoreOperations<HttpFlagTarget, HttpPlanData, never> = {
  plan: async ({ env }, target, req) => planHttp(target, req, env),
  run: async ({ env, fetch }, ctx) => callHttp(ctx.data, ctx, ctx.target, env, fetch),
};

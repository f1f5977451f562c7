import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagTargetSchema, type FlagTarget } from '../../src/drivers/flag/target.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { PlanRefused, StepFailed } from '../../src/drivers/errors.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { flagDriver } from '../../src/drivers/flag/index.js';
import { asExecutor } from '../support/driver.js';
import { renderBody } from '../../src/drivers/flag/stores/http/admin-api.js';
import { sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';

const TOKEN = 'sk-admin-3f9a7c1e';

/** The Skillancer admin API: POST /admin/flags with a bearer token. */
let api: { server: Server; url: string; requests: { method?: string; headers: IncomingHttpHeaders; body: string }[]; answer: { status: number; body: string } };

beforeEach(async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      api.requests.push({ method: req.method, headers: req.headers, body });
      res.writeHead(api.answer.status, { 'content-type': 'application/json' });
      res.end(api.answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/flags`, requests: [], answer: { status: 200, body: '{"ok":true}' } };
});

afterEach(async () => {
  api.server.closeAllConnections();
  await new Promise<void>((r) => api.server.close(() => r()));
});

const driver = (env: NodeJS.ProcessEnv = { SKILLANCER_ADMIN_TOKEN: TOKEN }) =>
  asExecutor(
    flagDriver,
    createFlagDriver({ ssm: () => new SSMClient(sdkConfig('http://127.0.0.1:9')), appconfig: () => new AppConfigClient(sdkConfig('http://127.0.0.1:9')), env }),
  );

const target = (overrides: Record<string, unknown> = {}): FlagTarget =>
  flagTargetSchema.parse({ driver: 'flag', store: 'http', url: api.url, key: 'skillpod_enabled', tokenEnv: 'SKILLANCER_ADMIN_TOKEN', ...overrides });

function request(action: string, t = target()): PlanRequest<FlagTarget> {
  return { rollbackId: 'RB-7', service: 'SkillPod', environment: 'production', target: t, options: { action } };
}

describe('flag driver: HTTP flag API', () => {
  it('posts the rendered body with the bearer token from the environment', async () => {
    const plan = await driver().plan(request('off'), driverContext());
    expect(plan.current).toBe('unknown (the flag API does not report it)');
    expect(plan.changes).toEqual([`SkillPod: → off via POST ${api.url}`]);
    expect(plan.steps[0]!.title).toBe(`POST ${api.url} {"flag": "skillpod_enabled", "enabled": false}`);
    expect(JSON.stringify(plan)).not.toContain(TOKEN);

    const { outputs } = await runAllSteps(driver(), plan, target());
    expect(outputs.call).toEqual({ flag: 'SkillPod', enabled: false, status: 200 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.method).toBe('POST');
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ flag: 'skillpod_enabled', enabled: false });
  });

  it('fails with the status and a trimmed body, never the token', async () => {
    const plan = await driver().plan(request('on'), driverContext());
    api.answer = { status: 403, body: `{"error":"token ${TOKEN} lacks scope flags:write",\n   "detail": "${'x'.repeat(400)}"}` };
    const run = stepContext(plan, 'call', target());
    const error = (await driver()
      .runStep(run.context)
      .catch((e: unknown) => e)) as StepFailed;
    expect(error).toBeInstanceOf(StepFailed);
    expect(error.name).toBe('FlagApiRefused');
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(new RegExp(`^POST ${api.url} answered 403: \\{"error":"token \\[redacted\\] lacks scope flags:write", "detail": "x+…$`));
    expect(error.message.length).toBeLessThan(400);
    expect(error.hint).toContain('check the token in SKILLANCER_ADMIN_TOKEN');
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain(TOKEN);
  });

  it('treats a 503 as retryable', async () => {
    const plan = await driver().plan(request('on'), driverContext());
    api.answer = { status: 503, body: 'upstream unavailable' };
    const run = stepContext(plan, 'call', target());
    await expect(driver().runStep(run.context)).rejects.toMatchObject({
      name: 'FlagApiRefused',
      permanent: false,
      message: `POST ${api.url} answered 503: upstream unavailable`,
    });
  });

  it('refuses to plan when the token variable is not set, naming the variable only', async () => {
    const error = await driver({})
      .plan(request('off'), driverContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanRefused);
    expect((error as Error).message).toBe(
      "SKILLANCER_ADMIN_TOKEN is not set in Rewind's environment, so Rewind cannot authenticate to " +
        `${new URL(api.url).host}: set it on the workers (the catalog names the variable, never the token).`,
    );
  });

  it('refuses a body template that does not give JSON, and escapes names in it', async () => {
    const bad = target({ body: '{"flag": {{flag}}, "enabled": {{enabled}}}' });
    await expect(driver().plan(request('off', bad), driverContext())).rejects.toThrow('does not give valid JSON');
    expect(renderBody('{"flag": "{{flag}}", "state": "{{value}}", "enabled": {{enabled}}}', { flag: 'a"b', enabled: true })).toBe(
      '{"flag": "a\\"b", "state": "on", "enabled": true}',
    );
  });
});

describe('flag driver: readiness of an HTTP flag', () => {
  it('is not checked: the API keeps no history, so there is no earlier value to keep; nothing is asked of it', async () => {
    const items = await driver().readiness!(target(), {
      ...driverContext(),
      service: 'SkillPod',
      environment: 'production',
      now: new Date(),
      backupWindowMs: 0,
    });
    expect(items).toEqual([]);
    expect(api.requests).toEqual([]);
  });
});

import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { StepFailed } from '../../src/drivers/errors.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { flagDriver } from '../../src/drivers/flag/index.js';
import { flagTargetSchema, type FlagTarget } from '../../src/drivers/flag/target.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';
import { DopplerFake } from '../fakes/doppler.js';
import { asExecutor } from '../support/driver.js';
import { refusal, stepFailure } from '../support/rejections.js';

const TOKEN = 'dp.st.prd.n0tF0rLogsOrSlack7Qx';
const SECRET = 'FEATURE_SKILLPOD_ENABLED';
const WHERE = 'skillancer/prd';

let fake: DopplerFake;

beforeEach(async () => {
  fake = await DopplerFake.start();
  fake.addToken(TOKEN, { project: 'skillancer', config: 'prd' });
});

afterEach(async () => {
  await fake.close();
});

const driver = (env: NodeJS.ProcessEnv = { DOPPLER_TOKEN_SKILLANCER: TOKEN }) => asExecutor(flagDriver, createFlagDriver({ env }));

const target = (overrides: Record<string, unknown> = {}): FlagTarget =>
  flagTargetSchema.parse({
    driver: 'flag',
    store: 'doppler',
    project: 'skillancer',
    config: 'prd',
    tokenEnv: 'DOPPLER_TOKEN_SKILLANCER',
    apiUrl: fake.url,
    values: ['beta'],
    ...overrides,
  });

function request(action: string, value?: string, t = target()): PlanRequest<FlagTarget> {
  return { rollbackId: 'RB-7', service: SECRET, environment: 'production', target: t, options: { action, ...(value ? { value } : {}) } };
}

const set = (value: string, by: { user?: string; at?: Date } = {}) => fake.setSecret('skillancer', 'prd', SECRET, value, by);

describe('flag driver: Doppler', () => {
  it('reads the catalog entry with its defaults, and refuses a token where its variable name belongs', () => {
    expect(
      flagTargetSchema.parse({ driver: 'flag', store: 'doppler', project: 'skillancer', config: 'prd', tokenEnv: 'DOPPLER_TOKEN_SKILLANCER' }),
    ).toMatchObject({
      on: 'true',
      off: 'false',
      apiUrl: 'https://api.doppler.com',
      timeout: 10_000,
    });
    const wrong = flagTargetSchema.safeParse({ driver: 'flag', store: 'doppler', project: 'skillancer', config: 'prd', tokenEnv: TOKEN });
    expect(wrong.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'tokenEnv: must be the NAME of an environment variable such as DOPPLER_TOKEN_SKILLANCER, not the token itself',
    ]);
  });

  it('turns a flag off with one write of the secret and shows current → new', async () => {
    set('true');
    const plan = await driver().plan(request('off'), driverContext());
    expect([plan.current, plan.target]).toEqual(['"true"', '"false"']);
    expect(plan.changes).toEqual([`${SECRET} (Doppler ${WHERE} ${SECRET}): "true" → "false"`]);
    expect(plan.steps.map((s) => s.title)).toEqual([`Set ${SECRET} in ${WHERE} to "false" (doppler secrets set)`]);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v3/configs/config/secret', query: { project: 'skillancer', config: 'prd', name: SECRET } });

    const { outputs, progress } = await runAllSteps(driver(), plan, target());
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('false');
    expect(fake.writes()).toEqual([
      {
        method: 'POST',
        path: '/v3/configs/config/secrets',
        query: {},
        authorization: `Bearer ${TOKEN}`,
        body: { project: 'skillancer', config: 'prd', secrets: { [SECRET]: 'false' } },
      },
    ]);
    expect(outputs['set-secret']).toEqual({ secret: SECRET, project: 'skillancer', config: 'prd', value: '"false"', previous: '"true"', wrote: true });
    expect(progress).toEqual([`${SECRET} in ${WHERE} = "false"`]);
  });

  it('turns a flag on, sets a value from the catalog`s list, and finds the secret by `secret:` when the flag is named otherwise', async () => {
    set('false');
    await runAllSteps(driver(), await driver().plan(request('on'), driverContext()), target());
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('true');

    const named = target({ secret: SECRET });
    const plan = await driver().plan({ ...request('set', 'beta', named), service: 'SkillPod' }, driverContext());
    expect(plan.changes).toEqual([`SkillPod (Doppler ${WHERE} ${SECRET}): "true" → "beta"`]);
    await runAllSteps(driver(), plan, named);
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('beta');

    expect((await refusal(driver().plan(request('set', 'beta', target({ values: undefined })), driverContext()))).message).toBe(
      `${SECRET} does not allow \`set\`: list the allowed values in the catalog (\`values: [...]\`) or use on, off or revert.`,
    );
    expect((await refusal(driver().plan({ ...request('off'), service: 'skillpod-enabled' }, driverContext()))).message).toBe(
      "skillpod-enabled cannot be a Doppler secret name (letters, digits and _ only): add `secret: <NAME>` to skillpod-enabled's Doppler entry in the catalog.",
    );
  });

  it('reverts to the value before the last change, read from the config log, and a second revert flips back', async () => {
    set('false', { user: 'alice@skillancer.com', at: new Date('2026-01-20T09:00:00Z') });
    set('true', { user: 'bob@skillancer.com', at: new Date('2026-01-22T10:00:00Z') });
    fake.setSecret('skillancer', 'prd', 'UNRELATED', 'x');
    const plan = await driver().plan(request('revert'), driverContext());
    expect(plan.changes).toEqual([`${SECRET} (Doppler ${WHERE} ${SECRET}): "true" → "false" (its value before the change by bob on 2026-01-22 10:00 UTC)`]);
    expect(fake.requests.filter((r) => r.path === '/v3/configs/config/logs').map((r) => r.query)).toEqual([
      { project: 'skillancer', config: 'prd', page: '1', per_page: '20' },
    ]);
    await runAllSteps(driver(), plan, target());
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('false');

    const again = await driver().plan({ ...request('revert'), rollbackId: 'RB-8' }, driverContext());
    expect(again.target).toBe('"true"');
    expect(again.changes[0]).toContain('(its value before the change by Rewind service token on ');
  });

  it('reads older pages of the config log when the secret changed long ago', async () => {
    set('false');
    set('true');
    for (let i = 0; i < 45; i++) fake.setSecret('skillancer', 'prd', 'BUSY', String(i));
    expect((await driver().plan(request('revert'), driverContext())).target).toBe('"false"');
    expect(fake.requests.filter((r) => r.path === '/v3/configs/config/logs').map((r) => r.query.page)).toEqual(['1', '2', '3']);
  });

  it('refuses a revert with nothing to go back to, to an undeclared value, or without access to the logs', async () => {
    set('true');
    expect((await refusal(driver().plan(request('revert'), driverContext()))).message).toBe(
      `${WHERE}'s config log shows no value of ${SECRET} other than "true", so there is nothing to revert to: use on or off.`,
    );
    set('legacy-mode', { user: 'dave@skillancer.com', at: new Date('2026-01-21T08:30:00Z') });
    set('true', { user: 'erin@skillancer.com', at: new Date('2026-01-22T08:30:00Z') });
    const undeclared = await refusal(driver().plan(request('revert'), driverContext()));
    expect(undeclared.message).toBe(
      `${SECRET}'s value before its last change by erin on 2026-01-22 08:30 UTC is not one this flag declares (on, off, values), so Rewind will neither show nor write it: add it to \`values\` if it is a flag value, or use on or off.`,
    );
    expect(undeclared.message).not.toContain('legacy-mode');

    fake.addToken('dp.st.prd.nologs', { project: 'skillancer', config: 'prd', logs: false });
    expect((await refusal(driver({ DOPPLER_TOKEN_SKILLANCER: 'dp.st.prd.nologs' }).plan(request('revert'), driverContext()))).message).toBe(
      `Doppler answered 403 to reading the logs of ${WHERE} (You do not have permission to view logs): revert and history read ${WHERE}'s config logs, ` +
        'which the token in DOPPLER_TOKEN_SKILLANCER may not: give it that access, or use on, off or set <value>.',
    );
  });

  it('reports drift, and the step refuses to overwrite someone else`s change', async () => {
    set('true');
    const plan = await driver().plan(request('off'), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    set('beta', { user: 'carol@skillancer.com' });
    expect(await driver().drift(plan, target(), driverContext())).toBe(`${SECRET} in ${WHERE} is now "beta"; it was "true" at plan time`);
    const error = await stepFailure(driver().runStep(stepContext(plan, 'set-secret', target()).context));
    expect(error).toMatchObject({ name: 'FlagDrift', permanent: true, hint: expect.stringContaining(`/rollback flag ${SECRET} off production`) });
    expect(fake.writes()).toEqual([]);
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('beta');
  });

  it('never writes twice: a repeat finds its earlier write, and a journaled step does not call Doppler again', async () => {
    set('true');
    const plan = await driver().plan(request('off'), driverContext());
    // The worker is killed after the write, before the checkpoint reaches the journal.
    const crashed = stepContext(plan, 'set-secret', target(), { save: () => Promise.reject(new Error('worker killed')) });
    await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
    expect(fake.writes()).toHaveLength(1);

    const repeat = stepContext(plan, 'set-secret', target());
    expect(await driver().runStep(repeat.context)).toMatchObject({ value: '"false"', wrote: false });
    expect(repeat.progress).toEqual([`${SECRET} in ${WHERE} = "false" (already set)`]);

    // Even if someone sets the old value back, a repeat after the checkpoint only reports it.
    set('true');
    const calls = fake.requests.length;
    const journaled = stepContext(plan, 'set-secret', target(), { journal: repeat.journal });
    expect(await driver().runStep(journaled.context)).toMatchObject({ wrote: false });
    expect(fake.requests).toHaveLength(calls);
    expect(fake.writes()).toHaveLength(1);
  });

  it('turns Doppler`s refusals into refusals that name the fix', async () => {
    set('true');
    const plan = (env?: NodeJS.ProcessEnv, t = target()) => driver(env).plan(request('off', undefined, t), driverContext());
    expect((await refusal(plan({ DOPPLER_TOKEN_SKILLANCER: 'dp.st.prd.revoked' }))).message).toBe(
      `Doppler answered 401 to reading ${SECRET} in ${WHERE} (Invalid Auth token): put a valid Doppler service token for ${WHERE} in DOPPLER_TOKEN_SKILLANCER on the workers (the catalog names the variable, never the token).`,
    );
    expect((await refusal(plan({}))).message).toBe(
      `DOPPLER_TOKEN_SKILLANCER is not set in Rewind's environment, so Rewind cannot authenticate to Doppler: set it on the workers to a service token for ${WHERE} (the catalog names the variable, never the token).`,
    );
    expect((await refusal(plan(undefined, target({ config: 'prod' })))).message).toBe(
      'Doppler answered 403 to reading FEATURE_SKILLPOD_ENABLED in skillancer/prod (This token does not have access to requested config): ' +
        'the token in DOPPLER_TOKEN_SKILLANCER has no access to skillancer/prod: check project and config in the catalog, and that the token was made for that config.',
    );
    expect((await refusal(plan(undefined, target({ secret: 'FEATURE_SKILPOD_ENABLED' })))).message).toBe(
      `Doppler answered 404 to reading FEATURE_SKILPOD_ENABLED in ${WHERE} (Could not find requested secret): check project (skillancer), config (prd) and secret (default: the flag's name) in the catalog.`,
    );

    fake.addToken('dp.st.prd.readonly', { project: 'skillancer', config: 'prd', write: false });
    const readOnly = { DOPPLER_TOKEN_SKILLANCER: 'dp.st.prd.readonly' };
    const error = await stepFailure(driver(readOnly).runStep(stepContext(await plan(readOnly), 'set-secret', target()).context));
    expect(error).toMatchObject({
      name: 'DopplerRefused',
      permanent: true,
      message: `Doppler answered 403 to setting ${SECRET} in ${WHERE} (This token does not have write access to this config)`,
    });
    expect(error.hint).toBe(`the token in DOPPLER_TOKEN_SKILLANCER may not change ${WHERE}: give Rewind a service token with read/write access to that config`);
  });

  it('retries when Doppler is unavailable', async () => {
    set('true');
    const plan = await driver().plan(request('off'), driverContext());
    fake.failNext(503, 'Service Unavailable');
    await expect(driver().runStep(stepContext(plan, 'set-secret', target()).context)).rejects.toMatchObject({ name: 'DopplerRefused', permanent: false });
    await runAllSteps(driver(), plan, target());
    expect(fake.secret('skillancer', 'prd', SECRET)).toBe('false');
  });

  it('never shows a value the catalog does not declare (a `secret:` pointing at a real secret)', async () => {
    fake.setSecret('skillancer', 'prd', 'DATABASE_URL', 'postgres://app:hunter2@db.internal/skillancer');
    const plan = await driver().plan({ ...request('off', undefined, target({ secret: 'DATABASE_URL' })), service: 'Oops' }, driverContext());
    expect(plan.current).toBe('an undeclared value (45 characters)');
    expect(JSON.stringify(plan)).not.toContain('hunter2');
  });

  it('lists the secret`s changes from the config log, newest first', async () => {
    set('false', { user: 'alice@skillancer.com', at: new Date('2026-01-20T09:00:00Z') });
    set('true', { user: 'bob@skillancer.com', at: new Date('2026-01-22T10:00:00Z') });
    fake.setSecret('skillancer', 'prd', 'UNRELATED', 'x');
    expect(await driver().history!(target({ secret: SECRET }), driverContext())).toEqual([
      { revision: 'log_0002', description: '"false" → "true" by bob on 2026-01-22 10:00 UTC', createdAt: '2026-01-22T10:00:00.000Z', current: true },
      { revision: 'log_0001', description: 'unset → "false" by alice on 2026-01-20 09:00 UTC', createdAt: '2026-01-20T09:00:00.000Z', current: false },
    ]);
    await expect(driver().history!(target(), driverContext())).rejects.toMatchObject({
      name: 'SecretNameMissing',
      hint: "add `secret: <NAME>` to the flag's Doppler entry in the catalog",
    });
  });

  it('keeps the token out of logs, errors, plans and the journal', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: 'debug' }, sink);
    const ctx = { signal: new AbortController().signal, log };
    set('true');
    const plan = await driver().plan(request('off'), ctx);
    const run = stepContext(plan, 'set-secret', target(), { log });
    const output = await driver().runStep(run.context);

    const gone = await DopplerFake.start();
    await gone.close();
    fake.failNext(500, `upstream rejected Bearer ${TOKEN}`);
    const failures = [
      await driver()
        .plan(request('on'), ctx)
        .catch((e: unknown) => e),
      await driver({ DOPPLER_TOKEN_SKILLANCER: 'dp.st.prd.revoked' })
        .plan(request('on'), ctx)
        .catch((e: unknown) => e),
      await driver()
        .plan(request('on', undefined, target({ apiUrl: gone.url })), ctx)
        .catch((e: unknown) => e),
    ];
    for (const err of failures) log.warn({ err }, 'planning failed');
    log.info({ plan, output, journal: run.journal }, 'flag changed');

    const logged = lines.join('');
    expect(logged).toContain('doppler request');
    expect(logged).toContain('upstream rejected Bearer [redacted]');
    expect(logged).toContain('ECONNREFUSED');
    expect(logged).not.toContain(TOKEN);
    expect(
      failures
        .map((e) => (e instanceof StepFailed ? `${e.message} ${e.hint} ${e.stack}` : e instanceof Error ? `${e.message} ${e.stack}` : String(e)))
        .join('\n'),
    ).not.toContain(TOKEN);
    expect(JSON.stringify({ plan, output, journal: run.journal, checkpoints: run.checkpoints })).not.toContain(TOKEN);
  });
});

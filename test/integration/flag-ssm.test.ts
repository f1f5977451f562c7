import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagTargetSchema, type FlagTarget } from '../../src/drivers/flag/target.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { StepFailed } from '../../src/drivers/errors.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { flagDriver } from '../../src/drivers/flag/index.js';
import { asExecutor } from '../support/driver.js';
import { SsmFake, sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';
import { refusal } from '../support/rejections.js';

const PARAM = '/distrocv/prod/FeatureFlags/NewMatchingAlgorithm';

let fake: SsmFake;
let ssm: SSMClient;

beforeEach(async () => {
  fake = await SsmFake.start();
  ssm = new SSMClient(sdkConfig(fake.url));
});

afterEach(async () => {
  ssm.destroy();
  await fake.close();
});

const driver = () =>
  asExecutor(
    flagDriver,
    createFlagDriver({ ssm: () => ssm, appconfig: () => new AppConfigClient(sdkConfig('http://127.0.0.1:9')), env: {}, minPollSec: 0.01 }),
  );

const target = (overrides: Record<string, unknown> = {}): FlagTarget =>
  flagTargetSchema.parse({ driver: 'flag', store: 'ssm', parameter: PARAM, ...overrides });

function request(action: string, value?: string, t = target()): PlanRequest<FlagTarget> {
  return { rollbackId: 'RB-7', service: 'NewMatchingAlgorithm', environment: 'production', target: t, options: { action, ...(value ? { value } : {}) } };
}

describe('flag driver: SSM Parameter Store', () => {
  it('turns a flag off with PutParameter overwrite and shows current → new', async () => {
    fake.putParameter(PARAM, 'true');
    const plan = await driver().plan(request('off'), driverContext());
    expect(plan.current).toBe('"true" (version 1)');
    expect(plan.target).toBe('"false"');
    expect(plan.changes).toEqual([`NewMatchingAlgorithm (SSM ${PARAM}): "true" → "false"`]);
    expect(plan.steps.map((s) => s.title)).toEqual([`Set ${PARAM} to "false" (PutParameter, overwrite)`]);

    const { outputs } = await runAllSteps(driver(), plan, target());
    expect(fake.parameter(PARAM)).toMatchObject({ Value: 'false', Version: 2 });
    expect(fake.callsOf('PutParameter')[0]!.input).toEqual({ Name: PARAM, Value: 'false', Overwrite: true });
    expect(outputs.put).toEqual({ parameter: PARAM, value: 'false', version: 2, previousValue: 'true' });
  });

  it('reverts to the latest earlier value that differs, across several versions', async () => {
    for (const v of ['false', 'true', 'false', 'true', 'true'])
      fake.putParameter(PARAM, v, { user: 'arn:aws:iam::123456789012:user/alice', at: new Date('2024-01-15T10:00:00Z') });
    const plan = await driver().plan(request('revert'), driverContext());
    expect(plan.changes).toEqual([`NewMatchingAlgorithm (SSM ${PARAM}): "true" → "false" (version 3 on 2024-01-15 10:00 UTC by alice)`]);
    await runAllSteps(driver(), plan, target());
    expect(fake.parameter(PARAM)).toMatchObject({ Value: 'false', Version: 6 });

    // Reverting again restores "true", the value before the revert.
    const again = await driver().plan({ ...request('revert'), rollbackId: 'RB-8' }, driverContext());
    expect(again.target).toBe('"true"');
  });

  it('pages through a long history', async () => {
    for (let i = 0; i < 60; i++) fake.putParameter(PARAM, i === 0 ? 'legacy' : 'true');
    const plan = await driver().plan(request('revert'), driverContext());
    expect(plan.target).toBe('"legacy"');
    expect(fake.callsOf('GetParameterHistory')).toHaveLength(2);
  });

  it('refuses plainly when there is nothing to revert to', async () => {
    fake.putParameter(PARAM, 'true');
    const only = await refusal(driver().plan(request('revert'), driverContext()));
    expect(only.message).toBe(`${PARAM} has no earlier version (version 1 is its first), so there is nothing to revert to: use on or off.`);
    fake.putParameter(PARAM, 'true');
    const same = await refusal(driver().plan(request('revert'), driverContext()));
    expect(same.message).toBe(`Every earlier version of ${PARAM} also holds "true", so revert would change nothing: use on or off.`);
  });

  it('refuses a no-op, a missing parameter and a SecureString', async () => {
    fake.putParameter(PARAM, 'false');
    expect((await refusal(driver().plan(request('off'), driverContext()))).message).toBe(
      `NewMatchingAlgorithm is already "false" in production (${PARAM}, version 1): nothing to change.`,
    );
    expect(
      (await refusal(driver().plan(request('off', undefined, target({ parameter: '/distrocv/prod/FeatureFlags/Nope' })), driverContext()))).message,
    ).toContain('SSM has no parameter /distrocv/prod/FeatureFlags/Nope');
    fake.putParameter('/secret/flag', 'x', { type: 'SecureString' });
    expect((await refusal(driver().plan(request('on', undefined, target({ parameter: '/secret/flag' })), driverContext()))).message).toContain(
      'is a SecureString',
    );
  });

  it('does not write again when the step is repeated after its write', async () => {
    fake.putParameter(PARAM, 'true');
    const plan = await driver().plan(request('off'), driverContext());
    await runAllSteps(driver(), plan, target());
    const repeat = stepContext(plan, 'put', target());
    expect(await driver().runStep(repeat.context)).toMatchObject({ value: 'false', version: 2 });
    expect(fake.callsOf('PutParameter')).toHaveLength(1);
    expect(fake.history(PARAM)).toHaveLength(2);
  });

  it('reports drift, and a step refuses to overwrite someone else`s change', async () => {
    fake.putParameter(PARAM, 'true');
    const plan = await driver().plan(request('off'), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    fake.putParameter(PARAM, 'partial', { user: 'arn:aws:iam::123456789012:user/bob' });
    expect(await driver().drift(plan, target(), driverContext())).toBe(`${PARAM} is now "partial" (version 2); it was "true" (version 1) at plan time`);
    const run = stepContext(plan, 'put', target());
    const error = await driver()
      .runStep(run.context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailed);
    expect(error).toMatchObject({ name: 'FlagDrift', permanent: true, hint: expect.stringContaining('/rollback flag NewMatchingAlgorithm off production') });
    expect(fake.parameter(PARAM)!.Value).toBe('partial');
  });

  it('retries a throttled API (ThrottlingException) and succeeds', async () => {
    fake.putParameter(PARAM, 'true');
    fake.failNext('GetParameter', 'ThrottlingException', 2);
    const plan = await driver().plan(request('off'), driverContext());
    fake.failNext('PutParameter', 'ThrottlingException', 1);
    await runAllSteps(driver(), plan, target());
    expect(
      fake
        .callsOf('GetParameter')
        .slice(0, 3)
        .map((c) => c.error),
    ).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(fake.callsOf('PutParameter').map((c) => c.error)).toEqual(['ThrottlingException', undefined]);
    expect(fake.parameter(PARAM)).toMatchObject({ Value: 'false', Version: 2 });
  });

  it('lists the parameter history newest first', async () => {
    fake.putParameter(PARAM, 'false', { at: new Date('2024-01-10T00:00:00Z') });
    fake.putParameter(PARAM, 'true', { at: new Date('2024-01-15T00:00:00Z') });
    expect((await driver().history!(target(), driverContext())).map((h) => [h.revision, h.current, h.createdAt])).toEqual([
      ['2', true, '2024-01-15T00:00:00.000Z'],
      ['1', false, '2024-01-10T00:00:00.000Z'],
    ]);
  });
});

describe('flag driver: readiness (the store answers and holds a value to revert to)', () => {
  const ready = (t = target()) =>
    driver().readiness!(t, { ...driverContext(), service: 'NewMatchingAlgorithm', environment: 'production', now: new Date(), backupWindowMs: 0 });

  it('is ready when revert has an earlier, different value, and says which', async () => {
    fake.putParameter(PARAM, 'false', { at: new Date('2024-01-10T14:02:00Z') });
    fake.putParameter(PARAM, 'true', { at: new Date('2024-01-15T16:30:00Z') });
    const [item] = await ready();
    expect(item).toMatchObject({ check: 'previous', ok: true });
    expect(item!.detail).toMatch(/^revert would set "true" \(version 2\) → "false"/);
    expect(fake.callsOf('PutParameter')).toHaveLength(0);
  });

  it('is not ready when the parameter has only one value, or is missing, with the words that still work', async () => {
    fake.putParameter(PARAM, 'true');
    expect(await ready()).toEqual([
      {
        check: 'previous',
        ok: false,
        detail: `${PARAM} has no earlier version (version 1 is its first), so there is nothing to revert to: use on or off.`,
        fix: '`/rollback flag NewMatchingAlgorithm on|off production` still works; revert needs an earlier, different value (the next change keeps the live one).',
      },
    ]);
    const [missing] = await ready(target({ parameter: '/distrocv/prod/FeatureFlags/Nope' }));
    expect(missing).toMatchObject({ ok: false, detail: expect.stringContaining('SSM has no parameter /distrocv/prod/FeatureFlags/Nope') });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSchema, type CheckConfig } from '../../src/config/checks.js';
import type { Plan } from '../../src/domain/rollback.js';
import { StepFailed } from '../../src/drivers/errors.js';
import { createVerifier, type VerifyContext } from '../../src/verify/verifier.js';
import { runCheck } from '../../src/verify/run-check.js';
import type { VerifyStepInput } from '../../src/verify/steps.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../fakes/aws/cloudwatch.js';
import { memoryCheckpoint } from '../support/driver.js';

const NOW = new Date('2026-01-22T10:32:30Z');
const ALB = { LoadBalancer: 'app/distrocv-prod/50dc6c495c0c9188' };
const log = pino({ level: 'silent' });

let cw: FakeCloudWatch;
let cloudwatch: CloudWatchClient;
let health: Server;
let healthUrl: string;
let healthBody: unknown;
let healthStatus: number;

beforeEach(async () => {
  cw = await startFakeCloudWatch();
  cloudwatch = new CloudWatchClient({ endpoint: cw.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 });
  healthBody = { status: 'healthy', checks: { database: { status: 'up' } } };
  healthStatus = 200;
  health = createServer((_req, res) => {
    res.writeHead(healthStatus, { 'content-type': 'application/json' });
    res.end(JSON.stringify(healthBody));
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
});

afterEach(async () => {
  cloudwatch.destroy();
  await cw.close();
  await new Promise((resolve) => health.close(resolve));
});

const check = (input: Record<string, unknown>): CheckConfig => checkSchema.parse({ interval: '10ms', ...input });
const run = (c: CheckConfig, extra: Record<string, unknown> = {}) =>
  runCheck(c, { signal: new AbortController().signal, cloudwatch: async () => cloudwatch, now: () => NOW, env: { PATH: process.env.PATH }, ...extra });

const errorRate = (below = 0.1) =>
  check({
    type: 'metric',
    name: 'error rate',
    metrics: {
      errors: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: ALB, stat: 'Sum' },
      requests: { namespace: 'AWS/ApplicationELB', name: 'RequestCount', dimensions: ALB, stat: 'Sum' },
    },
    expression: '100 * errors / requests',
    below,
    unit: '%',
    window: '5m',
  });
const p95 = check({
  type: 'metric',
  name: 'p95 latency',
  metric: { namespace: 'AWS/ApplicationELB', name: 'TargetResponseTime', dimensions: ALB, stat: 'p95' },
  below: 0.2,
  unit: 's',
  attempts: 2,
});

describe('metric thresholds (CloudWatch GetMetricData)', () => {
  it('passes an error rate under 0.1 % over the window after the rollback', async () => {
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: ALB }, { Sum: 3 });
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'RequestCount', dimensions: ALB }, { Sum: 12_000 });
    await expect(run(errorRate())).resolves.toEqual({ ok: true, summary: 'error rate 0.025 % < 0.1 % over 5m 00s (10:26–10:31 UTC)' });

    // One period spanning the whole window, ending a minute ago on a whole minute.
    const request = cw.requests[0]!;
    expect(request.StartTime).toBe(Date.parse('2026-01-22T10:26:00Z') / 1000);
    expect(request.EndTime).toBe(Date.parse('2026-01-22T10:31:00Z') / 1000);
    expect(request.MetricDataQueries).toEqual([
      expect.objectContaining({ Id: 'errors', ReturnData: false, MetricStat: expect.objectContaining({ Period: 300, Stat: 'Sum' }) }),
      expect.objectContaining({ Id: 'requests', ReturnData: false }),
      { Id: 'rewind_value', Expression: '100 * errors / requests', ReturnData: true },
    ]);
  });

  it('fails an error rate over the threshold after its attempts', async () => {
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: ALB }, { Sum: 60 });
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'RequestCount', dimensions: ALB }, { Sum: 12_000 });
    const result = await run(errorRate());
    expect(result).toEqual({ ok: false, summary: 'error rate 0.5 %, limit < 0.1 %, over 5m 00s (10:26–10:31 UTC) after 3 attempts' });
    expect(cw.requests).toHaveLength(3);
  });

  it('passes p95 latency under 200 ms once late datapoints settle, and fails it when it stays high', async () => {
    const latency = { namespace: 'AWS/ApplicationELB', name: 'TargetResponseTime', dimensions: ALB };
    cw.setMetric(latency, { p95: 0.35, Average: 0.1 });
    const progress: string[] = [];
    const settling = run(p95, { progress: (line: string) => (progress.push(line), cw.setMetric(latency, { p95: 0.18 })) });
    await expect(settling).resolves.toEqual({ ok: true, summary: 'p95 latency 0.18 s < 0.2 s over 5m 00s (10:26–10:31 UTC)' });
    expect(progress).toEqual(['p95 latency 0.35 s, limit < 0.2 s, over 5m 00s (10:26–10:31 UTC); attempt 1 of 2']);
    expect(cw.requests[0]!.MetricDataQueries![0]!.MetricStat!.Stat).toBe('p95');

    cw.setMetric(latency, { p95: 0.9 });
    await expect(run(p95)).resolves.toMatchObject({ ok: false, summary: expect.stringMatching(/^p95 latency 0\.9 s, limit < 0\.2 s/) });
  });

  it('treats no datapoints as a failure unless the check says missing: pass', async () => {
    const avg = { type: 'metric', name: 'average latency', metric: { namespace: 'DistroCV', name: 'RequestLatency' }, below: 500, unit: 'ms', attempts: 1 };
    await expect(run(check(avg))).resolves.toEqual({
      ok: false,
      summary: 'average latency: no datapoints 10:26–10:31 UTC (no traffic, or the metric/dimensions are wrong) after 1 attempt',
    });
    await expect(run(check({ ...avg, missing: 'pass' }))).resolves.toMatchObject({ ok: true });
    cw.setMetric({ namespace: 'DistroCV', name: 'RequestLatency' }, { Average: 142 });
    await expect(run(check(avg))).resolves.toMatchObject({ ok: true, summary: 'average latency 142 ms < 500 ms over 5m 00s (10:26–10:31 UTC)' });
  });

  it('stops at once when CloudWatch refuses the call', async () => {
    cw.failNext('GetMetricData', { code: 'AccessDeniedException', message: 'User is not authorized to perform: cloudwatch:GetMetricData' });
    const result = await run(p95);
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/^CloudWatch GetMetricData failed: AccessDenied.*check cloudwatch:GetMetricData in Rewind's role/);
    expect(cw.requests).toHaveLength(1);
  });
});

describe('HTTP health and smoke checks', () => {
  it('checks the status and a JSON field', async () => {
    const c = check({ type: 'http', url: healthUrl, json: { field: 'checks.database.status', equals: 'up' }, attempts: 2 });
    await expect(run(c)).resolves.toEqual({ ok: true, summary: `GET ${healthUrl} → checks.database.status = "up"` });
    healthBody = { status: 'degraded', checks: { database: { status: 'down' } } };
    await expect(run(c)).resolves.toEqual({ ok: false, summary: `GET ${healthUrl} → checks.database.status is "down" (expected "up") after 2 attempts` });
    healthStatus = 503;
    await expect(run(c)).resolves.toMatchObject({ ok: false, summary: expect.stringContaining('→ 503 (expected 200)') });
  });

  it('runs a smoke command without a shell and reports its output tail', async () => {
    const pass = check({ type: 'smoke', name: 'smoke tests', argv: ['sh', '-c', 'echo "3 passed"'] });
    await expect(run(pass)).resolves.toMatchObject({ ok: true, summary: expect.stringMatching(/^`sh -c 'echo "3 passed"'` passed in \d+s$/) });
    const fail = check({ type: 'smoke', argv: ['sh', '-c', 'echo "login flow: FAILED with token $T"; exit 1'], env: { T: 'SMOKE_TOKEN' } });
    const result = await run(fail, { env: { PATH: process.env.PATH, SMOKE_TOKEN: 'smoke-secret-123' } });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/exited with code 1 after \d+s:\nlogin flow: FAILED with token \[redacted\]$/);
  });
});

describe('verify driver', () => {
  const plan: Plan = { driver: 'ecs', current: 'distrocv-api:42', target: 'distrocv-api:41', changes: [], steps: [], fingerprint: 'x', data: {} };
  const escalation = [
    { role: 'cto', mentions: ['<@U0CTO>'] },
    { role: 'dba', mentions: ['<@U0DBA>', '<!subteam^S0DBA>'] },
  ];

  function stepCtx(input: VerifyStepInput, extra: Partial<VerifyContext> = {}) {
    const progress: string[] = [];
    const context: VerifyContext = {
      signal: new AbortController().signal,
      log,
      rollbackId: 'RB-12',
      plan,
      step: { id: 'verify-3-error-rate', title: 'error rate', driver: 'verify', input: { ...input } },
      target: {},
      firstStartedAt: new Date(),
      checkpoint: memoryCheckpoint().checkpoint,
      progress: (line) => progress.push(line),
      next: 'Then fix forward, or ask for another version with `/rollback api production to <version>`.',
      ...extra,
    };
    return { context, progress };
  }

  const driver = () => createVerifier({ cloudwatch: async () => cloudwatch, now: () => NOW });

  it('posts a passing result and records it as the step output', async () => {
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'TargetResponseTime', dimensions: ALB }, { p95: 0.12 });
    const run = stepCtx({ service: 'api', environment: 'production', escalation, check: p95 });
    await expect(driver().run(run.context)).resolves.toEqual({
      check: 'p95 latency',
      ok: true,
      summary: 'p95 latency 0.12 s < 0.2 s over 5m 00s (10:26–10:31 UTC)',
    });
    expect(run.progress).toEqual(['p95 latency 0.12 s < 0.2 s over 5m 00s (10:26–10:31 UTC)']);
  });

  it('fails verification naming the escalation roles and the next action', async () => {
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: ALB }, { Sum: 240 });
    cw.setMetric({ namespace: 'AWS/ApplicationELB', name: 'RequestCount', dimensions: ALB }, { Sum: 12_000 });
    const error = await driver()
      .run(stepCtx({ service: 'api', environment: 'production', escalation, check: errorRate() }).context)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StepFailed);
    const failed = error as StepFailed;
    expect(failed.code).toBe('VerificationFailed');
    expect(failed.permanent).toBe(true);
    expect(failed.message).toBe('Verification failed: error rate: error rate 2 %, limit < 0.1 %, over 5m 00s (10:26–10:31 UTC) after 3 attempts');
    expect(failed.hint).toBe(
      'Escalate now: cto (<@U0CTO>), dba (<@U0DBA> <!subteam^S0DBA>). ' +
        'Next: the rollback itself ran (distrocv-api:42 → distrocv-api:41) but this check still fails; ' +
        'look at CloudWatch AWS/ApplicationELB HTTPCode_Target_5XX_Count, AWS/ApplicationELB RequestCount for the last 5 minutes. ' +
        'Then fix forward, or ask for another version with `/rollback api production to <version>`.',
    );
  });

  it("waits out the settle time from the step's first start, so a restart does not wait again", async () => {
    const started = new Date(NOW.getTime() - 250);
    const run = stepCtx({ service: 'api', environment: 'production', escalation, settle: 300 }, { firstStartedAt: started });
    await expect(driver().run(run.context)).resolves.toEqual({ settled: 300 });
    expect(run.progress).toEqual(['waiting 0s for post-rollback metrics']);
    const resumed = stepCtx({ service: 'api', environment: 'production', escalation, settle: 300 }, { firstStartedAt: new Date(NOW.getTime() - 10_000) });
    await expect(driver().run(resumed.context)).resolves.toEqual({ settled: 300 });
    expect(resumed.progress).toEqual([]);
  });

  it('still runs the older health step form from the target', async () => {
    const run = stepCtx(
      { service: 'api', environment: 'production', escalation },
      {
        target: { health: { url: healthUrl, expectStatus: 200, timeout: 1000, attempts: 1, interval: 10 } },
        step: { id: 'verify-health', title: 'Health', driver: 'verify', input: { check: 'http' } },
      },
    );
    await expect(driver().run(run.context)).resolves.toMatchObject({ ok: true, check: `GET ${healthUrl}` });
  });
});

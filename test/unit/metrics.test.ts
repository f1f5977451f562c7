import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { ErrorCode } from '@slack/web-api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rollback, RollbackState } from '../../src/domain/rollback.js';
import { clientSource } from '../../src/drivers/clients.js';
import { routeMatches } from '../../src/http.js';
import { METRICS, Metrics, stepLabel, type CountedQueue } from '../../src/metrics.js';
import { CountedWebClient, slackOutcome } from '../../src/slack/counted-client.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

function rollback(state: RollbackState, extra: Partial<Rollback> = {}): Rollback {
  return {
    id: 'RB-7',
    target: 'api/production',
    service: 'api',
    environment: 'production',
    state,
    requestedBy: 'U0REQ',
    reason: 'r',
    approvals: [],
    createdAt: at(0),
    updatedAt: at(0),
    ...extra,
  };
}

const metrics = (rtoMs = 15 * 60_000) => new Metrics({ rtoMs, driverOf: (rb) => rb.plan?.driver ?? 'ecs', defaultMetrics: false });
/** A sample's value by series name (a histogram's `_bucket`, `_sum`, `_count` included) and labels. */
const value = async (m: Metrics, name: string, labels: Record<string, string> = {}) => {
  const samples = (await m.registry.getMetricsAsJSON()).flatMap((x) =>
    x.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? x.name })),
  );
  return samples.find((v) => v.name === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
};

describe('Metrics', () => {
  it('counts an outcome once: only the change into a terminal state counts, not a repeat or a terminal record rewritten', async () => {
    const m = metrics();
    const running = rollback('verifying', { startedAt: at(60) });
    const done = rollback('succeeded', { startedAt: at(60), finishedAt: at(300) });
    m.rollbackChanged(running, done);
    m.rollbackChanged(done, done); // a write that left the state as it was (follow-ups, card refs)
    m.rollbackChanged(done, { ...done, state: 'failed' }); // terminal to terminal does not happen; if it did, it is no new outcome
    expect(await value(m, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'succeeded' })).toBe(1);
    expect(await value(m, 'rewind_rollbacks_total', { outcome: 'failed' })).toBeUndefined();
    expect(await value(m, 'rewind_rollback_duration_seconds_bucket', { outcome: 'succeeded', le: '300' })).toBe(1);
    expect(await value(m, 'rewind_rollback_duration_seconds_bucket', { outcome: 'succeeded', le: '120' })).toBe(0);
  });

  it('times approval, and counts an RTO breach only for a rollback that ran and ended past the RTO', async () => {
    const m = metrics(10 * 60_000);
    m.rollbackChanged(rollback('awaiting_approval'), rollback('approved', { approvedAt: at(90) }));
    expect(await value(m, 'rewind_time_to_approval_seconds_sum', { driver: 'ecs' })).toBe(90);
    // Ran, 20 min after the request: a breach. Expired after 30 min: no breach (nothing ran). Refused: nothing ran.
    m.rollbackChanged(rollback('running', { startedAt: at(100) }), rollback('failed', { startedAt: at(100), finishedAt: at(1200) }));
    m.rollbackChanged(rollback('awaiting_approval'), rollback('expired', { finishedAt: at(1800) }));
    m.rollbackChanged(rollback('requested'), rollback('failed', { finishedAt: at(1), plan: undefined }));
    m.rollbackChanged(
      rollback('running', { startedAt: at(10) }),
      rollback('succeeded', {
        startedAt: at(10),
        finishedAt: at(120),
        plan: { driver: 'stack', current: '', target: '', changes: [], steps: [], fingerprint: '', data: {} },
      }),
    );
    expect(await value(m, 'rewind_rto_breaches_total', { driver: 'ecs' })).toBe(1);
    expect(await value(m, 'rewind_rto_breaches_total', { driver: 'stack' })).toBeUndefined();
    expect(await value(m, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'expired' })).toBe(1);
    expect(await value(m, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'failed' })).toBe(2);
    expect(await value(m, 'rewind_rollbacks_total', { driver: 'stack', outcome: 'succeeded' })).toBe(1);
  });

  it("starts every driver's outcome counters at zero", async () => {
    const m = metrics();
    m.initDrivers(['ecs', 'stack']);
    for (const outcome of ['succeeded', 'failed', 'cancelled', 'rejected', 'expired'])
      expect(await value(m, 'rewind_rollbacks_total', { driver: 'stack', outcome })).toBe(0);
    expect(await value(m, 'rewind_rto_breaches_total', { driver: 'ecs' })).toBe(0);
  });

  it('counts alert deliveries, suggestions and freeze answers on bounded labels, each series starting at 0', async () => {
    const m = metrics();
    expect(await value(m, 'rewind_alerts_received_total', { source: 'cloudwatch', outcome: 'unauthorized' })).toBe(0);
    expect(await value(m, 'rewind_suggestions_total', { action: 'updated' })).toBe(0);
    expect(await value(m, 'rewind_freeze_api_requests_total', { status: '423' })).toBe(0);
    m.alertReceived('generic', 'accepted');
    m.alertReceived('generic', 'accepted');
    m.alertReceived('alertmanager', 'unmatched');
    m.suggestion('posted');
    m.freezeAnswered(423);
    m.freezeAnswered(418);
    expect(await value(m, 'rewind_alerts_received_total', { source: 'generic', outcome: 'accepted' })).toBe(2);
    expect(await value(m, 'rewind_alerts_received_total', { source: 'alertmanager', outcome: 'unmatched' })).toBe(1);
    expect(await value(m, 'rewind_suggestions_total', { action: 'posted' })).toBe(1);
    expect(await value(m, 'rewind_freeze_api_requests_total', { status: '423' })).toBe(1);
    // An unexpected status never makes a new series of its own.
    expect(await value(m, 'rewind_freeze_api_requests_total', { status: '418' })).toBeUndefined();
    expect(await value(m, 'rewind_freeze_api_requests_total', { status: 'other' })).toBe(1);
  });

  it('names every metric the Prometheus way: rewind_ prefix, _total counters, base-unit histograms, snake_case labels', () => {
    for (const spec of Object.values(METRICS)) {
      expect(spec.name, spec.name).toMatch(/^rewind_[a-z][a-z0-9_]*$/);
      if (spec.type === 'counter') expect(spec.name).toMatch(/_total$/);
      else expect(spec.name).not.toMatch(/_total$/);
      if (spec.type === 'histogram') expect(spec.name).toMatch(/_seconds$/);
      for (const label of spec.labels) expect(label).toMatch(/^[a-z][a-z_]*$/);
    }
  });

  it('labels steps by the first word of their id, whatever the catalog named them', () => {
    expect(['update-service', 'wait-stable', 'redeploy-2', 'run-migrate-down', 'verify-1-error-rate', 'rollout-undo', 'sync', '9x'].map(stepLabel)).toEqual([
      'update',
      'wait',
      'redeploy',
      'run',
      'verify',
      'rollout',
      'sync',
      'other',
    ]);
  });

  it("measures a job's wait from enqueue or the end of its delay, on its first attempt only", async () => {
    const m = metrics();
    m.jobStarted('execute', { timestamp: 1000, processedOn: 1250, attemptsStarted: 1 });
    m.jobStarted('interactive', { timestamp: 1000, processedOn: 61_500, delay: 60_000, attemptsStarted: 1 });
    m.jobStarted('execute', { timestamp: 1000, processedOn: 90_000, attemptsStarted: 2 });
    expect(await value(m, 'rewind_queue_wait_seconds_sum', { queue: 'execute' })).toBe(0.25);
    expect(await value(m, 'rewind_queue_wait_seconds_count', { queue: 'execute' })).toBe(1);
    expect(await value(m, 'rewind_queue_wait_seconds_sum', { queue: 'interactive' })).toBe(0.5);
  });

  it('reads queue counts at scrape time and leaves out a queue whose Redis does not answer, without hanging the scrape', { timeout: 5000 }, async () => {
    const m = metrics();
    const quick: CountedQueue = { name: 'interactive', getJobCounts: async () => ({ waiting: 3, active: 1, delayed: 2, failed: 0 }) };
    const stuck: CountedQueue = { name: 'execute', getJobCounts: () => new Promise(() => undefined) };
    let ready = false;
    m.watchQueues([quick, stuck], () => ready);
    expect(await m.scrape()).not.toHaveProperty('body', expect.stringMatching(/rewind_queue_jobs\{/));
    ready = true;
    const { body } = await m.scrape();
    expect(body).toContain('rewind_queue_jobs{queue="interactive",state="waiting"} 3');
    expect(body).toContain('rewind_queue_jobs{queue="interactive",state="active"} 1');
    expect(body).not.toContain('queue="execute",state');
  });

  it('keeps one registry per instance: two Rewinds in one process neither collide nor share counts', async () => {
    const a = metrics();
    const b = new Metrics({ rtoMs: 1, driverOf: () => 'ecs' }); // with default process metrics, twice in one process
    const c = new Metrics({ rtoMs: 1, driverOf: () => 'ecs' });
    a.slackCall('chat.postMessage', 'ok');
    expect(await value(a, 'rewind_slack_api_calls_total', { method: 'chat.postMessage' })).toBe(1);
    expect(await value(b, 'rewind_slack_api_calls_total', { method: 'chat.postMessage' })).toBeUndefined();
    expect((await c.scrape()).body).toMatch(/^rewind_process_cpu_user_seconds_total /m);
  });
});

describe('HTTP route patterns', () => {
  it("match like Bolt's for exact paths and an optional rest", () => {
    expect(routeMatches('/metrics', '/metrics')).toBe(true);
    expect(routeMatches('/metrics', '/metrics/')).toBe(true);
    expect(routeMatches('/metrics', '/metricsx')).toBe(false);
    expect(routeMatches('/admin/queues{/*rest}', '/admin/queues')).toBe(true);
    expect(routeMatches('/admin/queues{/*rest}', '/admin/queues/static/x.js')).toBe(true);
    expect(routeMatches('/admin/queues{/*rest}', '/admin/queuesx')).toBe(false);
  });
});

describe('client instrumentation', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  it('counts each Slack Web API call by method and bounded outcome', async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.includes('chat.postMessage') ? { ok: true, ts: '1.2' } : { ok: false, error: 'channel_not_found' }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const counts: string[] = [];
    const client = new CountedWebClient(
      'xoxb-test',
      { slackApiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, retryConfig: { retries: 0 } },
      {
        slackCall: (method, outcome) => counts.push(`${method} ${outcome}`),
        slackRateLimit: () => counts.push('429'),
      },
    );
    await client.chat.postMessage({ channel: 'C1', text: 'hi' });
    await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toThrow(/channel_not_found/);
    expect(counts).toEqual(['chat.postMessage ok', 'chat.update platform_error']);
    expect(slackOutcome({ code: ErrorCode.RateLimitedError })).toBe('rate_limited');
    expect(slackOutcome({ code: ErrorCode.RequestError })).toBe('request_error');
    expect(slackOutcome(new Error('boom'))).toBe('error');
  });

  it("counts an AWS call that failed after the SDK's retries once, by service id, for made and injected clients alike", async () => {
    const errors: string[] = [];
    const unreachable = () =>
      new ECSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 2 });
    const source = clientSource({ ecs: unreachable }, { onAwsError: (service) => errors.push(service) });
    const ecs = (await source('ecs'))();
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toThrow();
    expect(errors).toEqual(['ECS']);
    // A call cancelled by shutdown is no platform error.
    await expect(ecs.send(new ListClustersCommand({}), { abortSignal: AbortSignal.abort() })).rejects.toThrow();
    expect(errors).toEqual(['ECS']);
  });
});

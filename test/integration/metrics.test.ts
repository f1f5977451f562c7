import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Rollback } from '../../src/domain/rollback.js';
import { expire } from '../../src/rollbacks/expire.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { freePort } from '../support/private-redis.js';
import { killAll, spawnRewind } from '../support/processes.js';
import { dropPrefix } from '../support/redis.js';

/** One sample's value from a Prometheus text scrape, or undefined when the series is absent. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Every label value in a scrape. */
const labelValues = (body: string) => [...body.matchAll(/\w+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers.get('server-timing')).toMatch(/^scrape;dur=[\d.]+$/);
  return res.text();
}

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('/metrics after a rollback end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    killAll();
    await h.close();
    await dropPrefix(`${h.prefix}w`);
  });

  const record = (id: string) => h.rewind.services.store.get(id);
  const waitState = (id: string, states: string[]) =>
    eventually(
      async () => {
        const rb = await record(id);
        return rb && states.includes(rb.state) ? rb : undefined;
      },
      `${id} to reach ${states.join('/')}`,
    );

  it('counts the outcome once, times the steps, approval and queue waits, counts Slack calls and 429s, with bounded labels only', async () => {
    // The first post is answered 429 once: the WebClient waits it out, the counter sees it.
    h.slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 });
    await h.slack.slashCommand(h.eventsUrl, { text: 'api production metrics drill', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    await waitState('RB-1', ['awaiting_approval']);
    const card = await eventually(
      () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')),
      'the card with its buttons',
    );
    await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    await eventually(() => h.slack.thread(WAR_ROOM, card.ts).some((m) => m.text?.includes('Internal notification')), 'the outcome in the thread');

    // The finishing code running again (a repeated job, the reconciler, a racing expiry) changes nothing and counts nothing.
    expect(await expire(h.rewind.services, 'RB-1')).toBeUndefined();
    expect((await h.rewind.services.store.transition('RB-1', 'fail', { patch: { finishedAt: new Date().toISOString() } })).changed).toBe(false);

    const body = await scrape(h.rewind.url!);
    expect(sample(body, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'succeeded' })).toBe(1);
    // Every driver of the catalog starts at 0, so alerts see the first one as an increase.
    expect(sample(body, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'failed' })).toBe(0);
    expect(sample(body, 'rewind_rollbacks_total', { driver: 'kubernetes', outcome: 'succeeded' })).toBe(0);
    expect(sample(body, 'rewind_rollback_duration_seconds_count', { driver: 'ecs', outcome: 'succeeded' })).toBe(1);
    expect(sample(body, 'rewind_rollback_duration_seconds_bucket', { driver: 'ecs', outcome: 'succeeded', le: '+Inf' })).toBe(1);
    expect(sample(body, 'rewind_time_to_approval_seconds_count', { driver: 'ecs' })).toBe(1);
    // Well inside the 15 min RTO.
    expect(sample(body, 'rewind_rto_breaches_total', { driver: 'ecs' })).toBe(0);
    // ECS steps: update-service → update, wait-stable → wait; the health check → verify.
    for (const step of ['update', 'wait', 'verify']) expect(sample(body, 'rewind_step_duration_seconds_count', { driver: 'ecs', step }), step).toBe(1);
    expect(sample(body, 'rewind_step_duration_seconds_sum', { driver: 'ecs', step: 'wait' })).toBeGreaterThan(0);
    expect(sample(body, 'rewind_queue_wait_seconds_count', { queue: 'interactive' })).toBeGreaterThan(0);
    expect(sample(body, 'rewind_queue_wait_seconds_count', { queue: 'execute' })).toBe(1);
    for (const queue of ['interactive', 'execute']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'])
        expect(sample(body, 'rewind_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
    }
    expect(sample(body, 'rewind_queue_jobs', { queue: 'execute', state: 'failed' })).toBe(0);
    expect(sample(body, 'rewind_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(body, 'rewind_slack_api_calls_total', { method: 'chat.update', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(body, 'rewind_slack_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'rewind_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(body, 'rewind_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    // Bounded labels: no rollback id, user id, channel or free text anywhere in the scrape.
    const values = labelValues(body);
    expect(values.filter((v) => /RB-|U0|C0|drill/.test(v))).toEqual([]);
    expect(body).not.toMatch(/RB-\d/);
  });

  it('counts a terminal transition exactly once when two writers race to make it', async () => {
    const now = new Date();
    const base: Rollback = {
      id: 'RB-900',
      target: 'api/staging',
      service: 'api',
      environment: 'staging',
      state: 'verifying',
      requestedBy: USERS.requester,
      reason: 'race',
      approvals: [],
      plan: { driver: 'ecs', current: 'a', target: 'b', changes: [], steps: [], fingerprint: 'f', data: {} },
      createdAt: new Date(now.getTime() - 20 * 60_000).toISOString(),
      startedAt: new Date(now.getTime() - 19 * 60_000).toISOString(),
      updatedAt: now.toISOString(),
    };
    await h.rewind.services.store.create(base, 'test record');
    const finish = () => h.rewind.services.store.transition('RB-900', 'succeed', { patch: { finishedAt: now.toISOString() } });
    const results = await Promise.all([finish(), finish(), finish()]);
    expect(results.filter((r) => r.changed)).toHaveLength(1);

    const body = await scrape(h.rewind.url!);
    expect(sample(body, 'rewind_rollbacks_total', { driver: 'ecs', outcome: 'succeeded' })).toBe(2);
    // 20 min from request to outcome, over the 15 min RTO: one breach.
    expect(sample(body, 'rewind_rto_breaches_total', { driver: 'ecs' })).toBe(1);
    expect(sample(body, 'rewind_rollback_duration_seconds_bucket', { driver: 'ecs', outcome: 'succeeded', le: '900' })).toBe(1);
  });

  it("serves /healthz and /metrics on the worker role's own PORT (no Bolt there), and no dashboard without a token", { timeout: 60_000 }, async () => {
    const port = await freePort();
    await spawnRewind(h, { role: 'worker', env: { PORT: String(port), REWIND_REDIS_PREFIX: `${h.prefix}w` } });
    const base = `http://127.0.0.1:${port}`;
    const health = await eventually(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => (r.ok ? r : undefined),
          () => undefined,
        ),
      'the worker /healthz',
      30_000,
    );
    expect(await health.json()).toEqual({ ok: true, redis: 'reachable', role: 'worker' });
    const body = await scrape(base);
    expect(sample(body, 'rewind_queue_jobs', { queue: 'execute', state: 'active' })).toBe(0);
    expect(sample(body, 'rewind_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(body).toMatch(/^# TYPE rewind_rollbacks_total counter$/m);
    expect((await fetch(`${base}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('has no queue dashboard without REWIND_ADMIN_TOKEN', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      expect((await fetch(`${h.rewind.url}${path}`)).status).toBe(404);
      expect((await fetch(`${h.rewind.url}${path}?token=${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    }
  });
});

describe('/admin/queues behind REWIND_ADMIN_TOKEN', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    killAll();
    await h?.close();
    h = undefined;
  });

  it('answers 401 without the token or with a wrong one, serves Bull Board with it, and refuses actions while read-only', async () => {
    h = await startHarness({ env: { REWIND_ADMIN_TOKEN: TOKEN } });
    const url = (path: string) => `${h!.rewind.url}${path}`;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    for (const init of [{}, { headers: bearer('wrong-token') }, { headers: bearer(`${TOKEN}x`) }, { headers: { cookie: 'rewind_admin=forged' } }]) {
      const res = await fetch(url('/admin/queues/api/queues'), init);
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).toBe('Unauthorized\n');
      expect(text).not.toContain(TOKEN.slice(0, 8));
    }
    expect((await fetch(url('/admin/queues?token=wrong'), { redirect: 'manual' })).status).toBe(401);

    const page = await fetch(url('/admin/queues'), { headers: bearer(TOKEN) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(url('/admin/queues/api/queues'), { headers: bearer(TOKEN) });
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(queues.map((q) => q.name).sort()).toEqual(['execute', 'interactive']);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);

    // A browser: ?token= once, then the cookie; the redirect drops the token from the address.
    const login = await fetch(url('/admin/queues?token=' + TOKEN), { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/queues');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^rewind_admin=[\w-]+; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toContain(TOKEN);
    const session = setCookie.split(';')[0]!;
    expect((await fetch(url('/admin/queues/api/queues'), { headers: { cookie: session } })).status).toBe(200);

    // Actions are refused read-only, even with the token: nothing is retried, cleaned or promoted.
    for (const [method, path] of [
      ['PUT', '/admin/queues/api/queues/execute/retry/failed'],
      ['PUT', '/admin/queues/api/queues/interactive/clean/completed'],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['POST', '/admin/queues/api/queues/interactive/add'],
    ] as const) {
      const res = await fetch(url(path), { method, headers: bearer(TOKEN) });
      expect(res.status, `${method} ${path}`).toBe(405);
    }
    const paused = (await (await fetch(url('/admin/queues/api/queues'), { headers: bearer(TOKEN) })).json()) as { queues: { isPaused: boolean }[] };
    expect(paused.queues.every((q) => !q.isPaused)).toBe(true);
  });

  it("allows Bull Board's actions with REWIND_ADMIN_WRITE=true", async () => {
    h = await startHarness({ env: { REWIND_ADMIN_TOKEN: TOKEN, REWIND_ADMIN_WRITE: 'true' } });
    const res = await fetch(`${h.rewind.url}/admin/queues/api/queues/interactive/clean/completed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const api = await fetch(`${h.rewind.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { queues } = (await api.json()) as { queues: { readOnlyMode: boolean }[] };
    expect(queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it('serves /metrics next to /healthz in Socket Mode too', async () => {
    h = await startHarness({ socketMode: true, env: { REWIND_ADMIN_TOKEN: TOKEN } });
    const base = `http://127.0.0.1:${h.env.PORT}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await scrape(base)).toMatch(/^rewind_queue_jobs\{queue="interactive",state="waiting"\} \d+$/m);
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it("serves the dashboard on the worker role's PORT too", { timeout: 60_000 }, async () => {
    h = await startHarness({ role: 'web', env: { REWIND_ADMIN_TOKEN: TOKEN } });
    const port = await freePort();
    await spawnRewind(h, { role: 'worker', env: { PORT: String(port) } });
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      'the worker /healthz',
      30_000,
    );
    expect((await fetch(`${base}/admin/queues/api/queues`)).status).toBe(401);
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${base}/admin/queues/api/queues/execute/retry/failed`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      405,
    );
  });
});

import { Queue } from 'bullmq';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTERACTIVE_QUEUE } from '../../jobs/queue.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { testRedisUrl } from '../support/redis.js';

const USER_CHANNEL = 'C0USERS';
const TOKEN_ENV = 'REWIND_TEST_STATUSPAGE_TOKEN';
const TOKEN = 'sp-secret-token-123';

let h: Harness;
let statusPage: { server: Server; url: string; status: number; requests: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] };
let queue: Queue;

beforeEach(async () => {
  statusPage = { status: 200, requests: [] } as unknown as typeof statusPage;
  statusPage.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      statusPage.requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(statusPage.status, { 'content-type': 'application/json' });
      res.end(statusPage.status === 200 ? '{"ok":true}' : `{"error":"maintenance window","echo":"${String(req.headers.authorization)}"}`);
    });
  });
  await new Promise<void>((r) => statusPage.server.listen(0, '127.0.0.1', r));
  statusPage.url = `http://127.0.0.1:${(statusPage.server.address() as AddressInfo).port}/incidents`;
  process.env[TOKEN_ENV] = TOKEN;
  h = await startHarness({
    catalog: (yaml) =>
      `${yaml}
userChannel: ${USER_CHANNEL}
statusPage: { url: "${statusPage.url}", tokenEnv: ${TOKEN_ENV} }
templates:
  internalNotification: "[ROLLBACK] {product} {version} - {status} ({severity}, took {duration}, {rto_verdict})"
`,
    slack: { users: { [USERS.requester]: { name: 'alice' }, [USERS.oncallViaGroup]: { name: 'bob' }, [USERS.lead]: { name: 'carol' } } },
  });
  queue = new Queue(INTERACTIVE_QUEUE, { connection: { url: testRedisUrl() }, prefix: `${h.prefix}:bull` });
});
afterEach(async () => {
  await queue.close();
  await h.close();
  await new Promise((r) => statusPage.server.close(r));
  delete process.env[TOKEN_ENV];
});

const store = () => h.rewind.services.store;

/** Requests, approves and waits for success; returns the rollback id and its card ts. */
async function rollBack(text: string, approvers: string[]) {
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const id = (await eventually(async () => (await store().recent(1))[0], 'the request')).id;
  const card = await h.slack.waitFor(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id}`) && readable(m).includes('rollback_approve')),
    { what: 'the card' },
  );
  for (const user of approvers)
    await h.slack.clickButton(h.eventsUrl, { user_id: user, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: card.ts });
  const rb = await eventually(async () => {
    const r = await store().get(id);
    return r && ['succeeded', 'failed'].includes(r.state) ? r : undefined;
  }, `${id} to finish`);
  expect(rb.state).toBe('succeeded');
  return { id, ts: card.ts };
}

const thread = (ts: string) => h.slack.thread(WAR_ROOM, ts);
const followUp = (ts: string, id: string) => thread(ts).find((m) => m.text?.includes(`Next steps for ${id}`));

function click(action_id: string, id: string, user: string, message_ts: string) {
  return h.slack.clickButton(h.eventsUrl, { user_id: user, action_id, value: id, channel: WAR_ROOM, message_ts });
}

const ephemeralTo = (user: string, pattern: RegExp) =>
  h.slack.waitFor(() => h.slack.messages(WAR_ROOM).find((m) => m.ephemeralTo === user && pattern.test(m.text ?? '')), {
    what: `an ephemeral to ${user} matching ${pattern}`,
  });

async function reminderJob(id: string) {
  return eventually(async () => (await queue.getJob(`remind-${id}`)) ?? undefined, 'the reminder job');
}

async function runReminderNow(id: string) {
  const job = await reminderJob(id);
  await job.promote();
  await eventually(async () => (await job.getState()) === 'completed', 'the reminder job to run');
}

describe('the war room after a rollback', () => {
  it('posts the catalog templates, a post-mortem draft with the real timeline, and follow-up buttons that act once', async () => {
    const { id, ts } = await rollBack('api production sev P1 Checkout errors after deploy', [USERS.oncallViaGroup, USERS.lead]);

    // The internal notification comes from the catalog's template.
    const internal = await h.slack.waitFor(() => thread(ts).find((m) => m.text?.includes('Internal notification')), { what: 'the internal notification' });
    expect(internal.text).toMatch(/\[ROLLBACK\] DistroCV distrocv-api:3 \(api:v2\.0\.1\) - completed \(P1 \(High\), took \d+s, within the 15m 00s RTO\)/);

    // The post-mortem draft: Skillancer template, uploaded into the thread, timeline from the store.
    const upload = await h.slack.waitFor(() => thread(ts).find((m) => m.files?.length), { what: 'the post-mortem upload' });
    const [file] = upload.files!;
    expect(file!.name).toBe(`post-mortem-${id}.md`);
    expect(upload.thread_ts).toBe(ts);
    const md = file!.content;
    expect(md).toContain(`# Incident Post-Mortem: DistroCV api production rollback (${id})`);
    expect(md).toContain('**Severity:** P1 (High)');
    expect(md).toContain('**Author:** alice');
    expect(md).toContain('## Root Cause');
    expect(md).toContain('| Action | Owner | Due Date |');
    const timeline = await store().timeline(id);
    const rows = md.split('\n').filter((l) => /^\| \d\d:\d\d:\d\d \|/.test(l));
    expect(rows).toHaveLength(timeline.length);
    expect(rows[0]).toMatch(/\| Requested by @alice \[P1 High\]: Checkout errors after deploy \|$/);
    expect(rows.some((r) => r.includes('Approved by @bob (1 more from lead needed)'))).toBe(true);
    expect(rows.some((r) => r.includes('Approved by @carol: approval rule met'))).toBe(true);
    expect(rows.some((r) => r.includes('Rollback succeeded'))).toBe(true);
    expect(md).not.toMatch(/<@U/);

    // The reminder waits for 36 h (48 h deadline, 12 h before it).
    const job = await reminderJob(id);
    expect(await job.getState()).toBe('delayed');
    expect(job.opts.delay).toBeGreaterThan(35.9 * 3600_000);
    expect(job.opts.delay).toBeLessThanOrEqual(36 * 3600_000);

    const message = await h.slack.waitFor(() => followUp(ts, id), { what: 'the next-steps message' });
    for (const action of ['rollback_user_notify', 'rollback_status_page', 'rollback_postmortem_scheduled']) expect(readable(message)).toContain(action);

    // User notification: only the requester or an approver, and only once however often it is clicked.
    await click('rollback_user_notify', id, USERS.outsider, message.ts);
    await ephemeralTo(USERS.outsider, /Only the requester/);
    expect(h.slack.messages(USER_CHANNEL)).toEqual([]);
    await Promise.all([click('rollback_user_notify', id, USERS.requester, message.ts), click('rollback_user_notify', id, USERS.requester, message.ts)]);
    await h.slack.waitFor(() => readable(followUp(ts, id)!).includes(`User notification posted to <#${USER_CHANNEL}> by <@${USERS.requester}>`) || undefined, {
      what: 'the follow-up to show the notification',
    });
    const posted = h.slack.messages(USER_CHANNEL);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain('Subject: Service Update - DistroCV');
    expect(posted[0]!.text).toContain('All systems are now operational.');
    expect(readable(followUp(ts, id)!)).not.toContain('rollback_user_notify');

    // Status page: a failing webhook is reported and can be retried; the token stays out of Slack.
    statusPage.status = 503;
    await click('rollback_status_page', id, USERS.lead, message.ts);
    const failure = await ephemeralTo(USERS.lead, /Status page not updated/);
    expect(failure.text).toMatch(/answered 503/);
    expect(failure.text).not.toContain(TOKEN);
    statusPage.status = 200;
    await click('rollback_status_page', id, USERS.lead, message.ts);
    await h.slack.waitFor(() => thread(ts).find((m) => m.text?.includes(`<@${USERS.lead}> updated the status page`)), { what: 'the status-page line' });
    expect(statusPage.requests).toHaveLength(2);
    expect(statusPage.requests[1]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(statusPage.requests[1]!.body).toMatchObject({
      status: 'resolved',
      rollback: id,
      service: 'api',
      environment: 'production',
      severity: 'P1',
      message: expect.stringMatching(/^Resolved: we rolled back a faulty change to DistroCV/),
    });
    expect(JSON.stringify(h.slack.calls)).not.toContain(TOKEN);

    // Marked scheduled: the reminder finds nothing to do.
    await click('rollback_postmortem_scheduled', id, USERS.outsider, message.ts);
    await h.slack.waitFor(() => readable(followUp(ts, id)!).includes(`Post-mortem scheduled by <@${USERS.outsider}>`) || undefined, {
      what: 'the scheduled mark',
    });
    await runReminderNow(id);
    expect(thread(ts).some((m) => m.text?.includes('nobody has marked it scheduled'))).toBe(false);
    const notes = (await store().timeline(id)).map((e) => e.message);
    expect(notes).toContain(`User notification posted to <#${USER_CHANNEL}> by <@${USERS.requester}>`);
    expect(notes).toContain(`Post-mortem marked scheduled by <@${USERS.outsider}>`);
    expect(notes.some((n) => n.startsWith(`Status page updated by <@${USERS.lead}>`))).toBe(true);
  });

  it('reminds the thread before the post-mortem deadline when nobody marked it scheduled', async () => {
    const { id, ts } = await rollBack('api production Latency spike', [USERS.oncall]);
    await h.slack.waitFor(() => followUp(ts, id), { what: 'the next-steps message' });
    await runReminderNow(id);
    const reminder = await h.slack.waitFor(() => thread(ts).find((m) => m.text?.includes('nobody has marked it scheduled')), { what: 'the reminder' });
    expect(reminder.text).toContain(`<@${USERS.requester}> <@${USERS.oncall}> the post-mortem for ${id} is due by`);
    expect(h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('nobody has marked it scheduled'))?.args.reply_broadcast).toBe('true');
    expect((await store().timeline(id)).at(-1)?.message).toBe('Post-mortem reminder posted: nobody had marked it scheduled');
  });
});

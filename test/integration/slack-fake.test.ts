import { App, LogLevel as BoltLogLevel } from '@slack/bolt';
import { LogLevel, WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/private-redis.js';

const SIGNING_SECRET = 'test-signing-secret';
const TOKEN = 'xoxb-test-token';
const WAR_ROOM = 'C0WARROOM';

let fake: FakeSlack;

function client(token = TOKEN): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.url,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 2, factor: 1, minTimeout: 5, maxTimeout: 5 },
  });
}

/** The error code WebClient surfaces for an `ok: false` answer. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return (error as WebAPIPlatformError).data.error;
  }
  throw new Error('expected the Slack call to fail');
}

const approveCard = (id: string) => [
  { type: 'section', text: { type: 'mrkdwn', text: `*${id}* api production: distrocv-api:42 → :41` } },
  {
    type: 'actions',
    elements: [
      { type: 'button', action_id: 'rollback_approve', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: id },
      { type: 'button', action_id: 'rollback_reject', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: id },
    ],
  },
];

beforeAll(async () => {
  fake = await startFakeSlack({
    signingSecret: SIGNING_SECRET,
    users: { U0ALICE: { name: 'alice', real_name: 'Alice Ops' }, U0BOB: { name: 'bob' } },
    usergroups: { S0ONCALL: ['U0ALICE', 'U0BOB'] },
    channels: { [WAR_ROOM]: { name: 'war-room' } },
  });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => fake.reset());

describe('Slack fake Web API, driven by the real WebClient', () => {
  it('posts, threads, updates and deletes messages, with blocks parsed back from the form body', async () => {
    const web = client();
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: 'U0REWINDBOT', bot_id: 'B0REWINDBOT', team_id: 'T0REWIND' });

    const card = await web.chat.postMessage({ channel: WAR_ROOM, text: 'RB-1 awaiting approval', blocks: approveCard('RB-1') });
    expect(card).toMatchObject({ ok: true, channel: WAR_ROOM, message: { text: 'RB-1 awaiting approval', bot_id: 'B0REWINDBOT' } });
    expect(card.ts).toMatch(/^\d{10}\.\d{6}$/);
    const posted = fake.callsTo('chat.postMessage')[0]!;
    expect(posted.args.blocks).toEqual(approveCard('RB-1'));
    expect(posted.token).toBe('xoxb-…oken');

    const reply = await web.chat.postMessage({ channel: WAR_ROOM, thread_ts: card.ts, text: 'Step 1/3 started' });
    expect(reply.ts! > card.ts!).toBe(true);
    expect(fake.thread(WAR_ROOM, card.ts!).map((m) => m.text)).toEqual(['RB-1 awaiting approval', 'Step 1/3 started']);

    await web.chat.update({ channel: WAR_ROOM, ts: card.ts!, text: 'RB-1 approved', blocks: [] });
    const updated = fake.messages(WAR_ROOM).find((m) => m.ts === card.ts)!;
    expect(updated).toMatchObject({ text: 'RB-1 approved', blocks: [] });
    expect(updated.updatedAt).toBeTypeOf('number');
    expect(await slackError(web.chat.update({ channel: WAR_ROOM, ts: '1.000001', text: 'x' }))).toBe('message_not_found');

    const link = await web.chat.getPermalink({ channel: WAR_ROOM, message_ts: reply.ts! });
    expect(link.permalink).toBe(`${fake.origin}/archives/${WAR_ROOM}/p${reply.ts!.replace('.', '')}?thread_ts=${card.ts}&cid=${WAR_ROOM}`);

    await web.chat.delete({ channel: WAR_ROOM, ts: reply.ts! });
    expect(fake.thread(WAR_ROOM, card.ts!)).toHaveLength(1);
  });

  it('keeps ephemeral messages apart, fills in block ids and enforces Block Kit limits', async () => {
    const web = client();
    const eph = await web.chat.postEphemeral({ channel: WAR_ROOM, user: 'U0ALICE', text: 'Only you can see this', blocks: approveCard('RB-2') });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    const stored = fake.messages(WAR_ROOM);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ ephemeralTo: 'U0ALICE', text: 'Only you can see this', user: 'U0REWINDBOT' });
    expect((stored[0]!.blocks as { block_id?: string }[]).every((b) => typeof b.block_id === 'string')).toBe(true);
    expect(await slackError(web.chat.update({ channel: WAR_ROOM, ts: eph.message_ts!, text: 'edited' }))).toBe('message_not_found');

    const tooLong = web.chat.postMessage({ channel: WAR_ROOM, text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }] });
    const error = await tooLong.catch((e: WebAPIPlatformError) => e);
    expect((error as WebAPIPlatformError).data).toMatchObject({
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(await slackError(web.apiCall('chat.postMessage', { channel: WAR_ROOM }))).toBe('no_text');
    expect(await slackError(web.chat.postMessage({ channel: 'not a channel', text: 'x' }))).toBe('channel_not_found');
  });

  it('answers directory lookups from its options', async () => {
    const web = client();
    expect((await web.conversations.info({ channel: WAR_ROOM })).channel).toMatchObject({ id: WAR_ROOM, name: 'war-room', is_member: true });
    expect((await web.users.info({ user: 'U0ALICE' })).user).toMatchObject({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Ops' });
    expect(await slackError(web.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
    expect((await web.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0ALICE', 'U0BOB']);
    expect(await slackError(web.usergroups.users.list({ usergroup: 'S0MISSING' }))).toBe('no_such_subteam');
  });

  it('refuses a wrong token and answers unknown methods, recording both without the token', async () => {
    expect(await slackError(client('xoxb-wrong-token-1234').chat.postMessage({ channel: WAR_ROOM, text: 'hi' }))).toBe('invalid_auth');
    expect(await slackError(client().apiCall('rewind.nonsense', { foo: 'bar' }))).toBe('unknown_method');
    expect(fake.messages()).toEqual([]);
    expect(fake.calls.map((c) => [c.method, c.error])).toEqual([
      ['chat.postMessage', 'invalid_auth'],
      ['rewind.nonsense', 'unknown_method'],
    ]);
    expect(fake.callsTo('rewind.nonsense')[0]!.args).toEqual({ foo: 'bar' });
    const log = JSON.stringify(fake.calls);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('xoxb-wrong-token-1234');
  });

  it('rate-limits with Retry-After, which WebClient waits out before retrying', async () => {
    const web = client();
    const waited: number[] = [];
    web.on(WebClientEvent.RATE_LIMITED, (sec: number) => waited.push(sec));
    fake.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 });

    const res = await web.chat.postMessage({ channel: WAR_ROOM, text: 'after the limit' });

    expect(res.ok).toBe(true);
    expect(waited).toEqual([1]);
    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect(limited!.error).toBe('ratelimited');
    expect(retried!.error).toBeUndefined();
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(990);
    expect(fake.messages(WAR_ROOM).map((m) => m.text)).toEqual(['after the limit']);
  });

  it('injects ok:false errors a given number of times', async () => {
    const web = client();
    fake.failNext('chat.update', { error: 'channel_not_found' }, 2);
    const card = await web.chat.postMessage({ channel: WAR_ROOM, text: 'card' });
    expect(await slackError(web.chat.update({ channel: WAR_ROOM, ts: card.ts!, text: 'a' }))).toBe('channel_not_found');
    expect(await slackError(web.chat.update({ channel: WAR_ROOM, ts: card.ts!, text: 'b' }))).toBe('channel_not_found');
    await web.chat.update({ channel: WAR_ROOM, ts: card.ts!, text: 'c' });
    expect(fake.messages(WAR_ROOM)[0]!.text).toBe('c');
  });

  it('lands a files.uploadV2 upload in a thread', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: WAR_ROOM, text: 'RB-3 timeline' });
    const res = await web.files.uploadV2({
      channel_id: WAR_ROOM,
      thread_ts: parent.ts!,
      filename: 'postmortem-RB-3.md',
      title: 'Post-mortem draft',
      content: '# Post-mortem RB-3\nImpact: 12 minutes',
      initial_comment: 'Post-mortem draft attached',
    });
    expect(res.ok).toBe(true);
    expect(fake.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'files.getUploadURLExternal', 'files.completeUploadExternal']);

    const thread = fake.thread(WAR_ROOM, parent.ts!);
    expect(thread).toHaveLength(2);
    expect(thread[1]).toMatchObject({
      thread_ts: parent.ts,
      text: 'Post-mortem draft attached',
      files: [{ name: 'postmortem-RB-3.md', title: 'Post-mortem draft', content: '# Post-mortem RB-3\nImpact: 12 minutes' }],
    });
  });

  it('waitFor returns the first truthy value and names what it waited for on timeout', async () => {
    const web = client();
    setTimeout(() => void web.chat.postMessage({ channel: WAR_ROOM, text: 'later' }), 30);
    const message = await fake.waitFor(() => fake.messages(WAR_ROOM)[0], { what: 'a message' });
    expect(message.text).toBe('later');
    await expect(fake.waitFor(() => false, { timeoutMs: 60, what: 'the approval card' })).rejects.toThrow(
      /timed out after 60 ms waiting for the approval card\. Last Web API calls: chat\.postMessage/,
    );
  });

  it('accepts application/json bodies with the token in the Authorization header', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: WAR_ROOM, text: 'json', blocks: approveCard('RB-9') }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: WAR_ROOM });
    expect(fake.callsTo('chat.postMessage')[0]!.args.blocks).toEqual(approveCard('RB-9'));
    const anonymous = await fetch(`${fake.url}auth.test`, { method: 'POST' });
    expect(await anonymous.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('tells listeners about every change', async () => {
    let changes = 0;
    const listener = () => changes++;
    fake.on('change', listener);
    await client().chat.postMessage({ channel: WAR_ROOM, text: 'ping' });
    fake.off('change', listener);
    expect(changes).toBeGreaterThan(0);
  });
});

describe('Slack fake driving a real Bolt app', () => {
  let app: App;
  let events: string;
  const seen: { kind: string; body: Record<string, unknown>; retryNum?: number }[] = [];

  beforeAll(async () => {
    app = new App({ signingSecret: SIGNING_SECRET, token: TOKEN, logLevel: BoltLogLevel.ERROR, clientOptions: { slackApiUrl: fake.url } });
    app.command('/rollback', async ({ ack, command, client: web, context }) => {
      seen.push({ kind: 'command', body: { ...command }, retryNum: context.retryNum });
      if (command.text === 'help') return ack({ text: 'Usage: /rollback <service> <env>' });
      if (command.text === 'reason') {
        await ack();
        await web.views.open({
          trigger_id: command.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'reject_reason',
            private_metadata: 'RB-7',
            title: { type: 'plain_text', text: 'Reject RB-7' },
            submit: { type: 'plain_text', text: 'Reject' },
            blocks: [
              { type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'text' } },
            ],
          },
        });
        return;
      }
      await ack();
      await web.chat.postMessage({ channel: command.channel_id, text: `Plan for ${command.text}`, blocks: approveCard('RB-5') });
    });
    app.action('rollback_approve', async ({ ack, body, respond }) => {
      await ack();
      seen.push({ kind: 'action', body: body as unknown as Record<string, unknown> });
      await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
    });
    app.view('reject_reason', async ({ ack, view }) => {
      const reason = view.state.values.reason?.text?.value ?? '';
      seen.push({ kind: 'view', body: { reason, metadata: view.private_metadata } });
      if (reason.length < 5) return ack({ response_action: 'errors', errors: { reason: 'Say a bit more' } });
      await ack();
    });
    const port = await freePort();
    await app.start(port);
    events = `http://127.0.0.1:${port}/slack/events`;
  });

  afterAll(async () => {
    await app.stop();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it("delivers a signed slash command with Slack's fields, and the bot answers through the Web API", async () => {
    const res = await fake.slashCommand(events, { text: 'api production', user_id: 'U0ALICE', channel_id: WAR_ROOM });
    expect(res.status).toBe(200);
    const card = await fake.waitFor(() => fake.messages(WAR_ROOM).find((m) => m.text === 'Plan for api production'), { what: 'the plan card' });
    expect(card.user).toBe('U0REWINDBOT');
    expect(seen[0]!.body).toMatchObject({
      command: '/rollback',
      text: 'api production',
      user_id: 'U0ALICE',
      user_name: 'alice',
      channel_id: WAR_ROOM,
      channel_name: 'war-room',
      team_id: 'T0REWIND',
      api_app_id: 'A0REWIND',
      trigger_id: res.triggerId,
      response_url: res.responseUrl,
    });
    expect(res.responseUrl!.startsWith(`${fake.origin}/response/`)).toBe(true);
  });

  it("shows a slash command's ack text as an ephemeral message to the caller", async () => {
    const res = await fake.slashCommand(events, { text: 'help', user_id: 'U0BOB', channel_id: WAR_ROOM });
    expect(res.json).toEqual({ text: 'Usage: /rollback <service> <env>' });
    expect(fake.messages(WAR_ROOM)).toMatchObject([{ text: 'Usage: /rollback <service> <env>', ephemeralTo: 'U0BOB' }]);
  });

  it('is refused by Bolt with 401 when forged or stale, and passes on retry headers', async () => {
    const forged = await fake.slashCommand(
      events,
      { text: 'api production', user_id: 'U0ALICE', channel_id: WAR_ROOM },
      { signature: signSlackRequest('wrong-secret', 'x', 1) },
    );
    expect(forged.status).toBe(401);
    const stale = await fake.slashCommand(
      events,
      { text: 'api production', user_id: 'U0ALICE', channel_id: WAR_ROOM },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(stale.status).toBe(401);
    expect(seen).toEqual([]);

    const first = await fake.slashCommand(events, { text: 'help', user_id: 'U0ALICE', channel_id: WAR_ROOM });
    const retry = await fake.slashCommand(
      events,
      { text: 'ignored on replay', user_id: 'U0ALICE', channel_id: WAR_ROOM },
      { retryNum: 1, sameTriggerAs: first },
    );
    expect(retry.status).toBe(200);
    expect(seen.map((s) => [s.body.trigger_id, s.body.text, s.retryNum])).toEqual([
      [first.triggerId, 'help', undefined],
      [first.triggerId, 'help', 1],
    ]);
  });

  it('delivers a button click with the stored message, and applies the response_url replacement', async () => {
    await fake.slashCommand(events, { text: 'api production', user_id: 'U0ALICE', channel_id: WAR_ROOM });
    const card = await fake.waitFor(() => fake.messages(WAR_ROOM)[0], { what: 'the plan card' });
    const blockId = (card.blocks![1] as { block_id: string }).block_id;

    const click = await fake.clickButton(events, { user_id: 'U0BOB', action_id: 'rollback_approve', value: 'RB-5', channel: WAR_ROOM, message_ts: card.ts });
    expect(click.status).toBe(200);
    await fake.waitFor(() => fake.messages(WAR_ROOM).find((m) => m.text === 'Approved by <@U0BOB>'), { what: 'the replaced card' });

    const body = seen.find((s) => s.kind === 'action')!.body;
    expect(body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0REWIND' },
      container: { type: 'message', message_ts: card.ts, channel_id: WAR_ROOM, is_ephemeral: false },
      channel: { id: WAR_ROOM, name: 'war-room' },
      message: { ts: card.ts, blocks: card.blocks },
      response_url: click.responseUrl,
      actions: [{ action_id: 'rollback_approve', block_id: blockId, value: 'RB-5', type: 'button', style: 'primary' }],
    });
    expect(fake.responses).toMatchObject([{ url: click.responseUrl, body: { replace_original: true, text: 'Approved by <@U0BOB>' } }]);
    const now = fake.messages(WAR_ROOM);
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ ts: card.ts, text: 'Approved by <@U0BOB>', blocks: card.blocks });

    await expect(
      fake.clickButton(events, { user_id: 'U0BOB', action_id: 'rollback_cancel', value: 'RB-5', channel: WAR_ROOM, message_ts: card.ts }),
    ).rejects.toThrow(/has no element with action_id 'rollback_cancel'/);
  });

  it('treats response_url posts as Slack does: ephemeral by default, in_channel, replace and delete', async () => {
    const res = await fake.slashCommand(events, { text: 'help', user_id: 'U0BOB', channel_id: WAR_ROOM });
    const post = async (body: Record<string, unknown>) =>
      (await fetch(res.responseUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

    expect(await post({ text: 'Working on it' })).toBe(200);
    expect(await post({ response_type: 'in_channel', text: 'RB-8 requested by <@U0BOB>' })).toBe(200);
    expect(fake.messages(WAR_ROOM).map((m) => [m.text, m.ephemeralTo])).toEqual([
      ['Usage: /rollback <service> <env>', 'U0BOB'],
      ['Working on it', 'U0BOB'],
      ['RB-8 requested by <@U0BOB>', undefined],
    ]);
    expect(await post({ replace_original: true, text: 'Usage (updated)' })).toBe(200);
    expect(fake.messages(WAR_ROOM)[0]!.text).toBe('Usage (updated)');
    expect(await post({ delete_original: true })).toBe(200);
    expect(fake.messages(WAR_ROOM)).toHaveLength(2);
    expect(await post({ text: 'fifth use' })).toBe(200);
    expect(await post({ text: 'sixth use' })).toBe(404);
    expect(fake.responses).toHaveLength(5);
  });

  it('lets a trigger_id open one view only, and refuses a stale hash on views.update', async () => {
    const { triggerId } = await fake.slashCommand(events, { text: 'help', user_id: 'U0ALICE', channel_id: WAR_ROOM });
    const web = client();
    const view = { type: 'modal' as const, callback_id: 'pick', title: { type: 'plain_text' as const, text: 'Pick' }, blocks: [] };
    const opened = await web.views.open({ trigger_id: triggerId, view });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'pick', state: { values: {} } });
    expect(await slackError(web.views.open({ trigger_id: triggerId, view }))).toBe('exchanged_trigger_id');
    expect(await slackError(web.views.open({ trigger_id: 'made.up.trigger', view }))).toBe('invalid_trigger_id');

    const { id, hash } = opened.view as { id: string; hash: string };
    const updated = await web.views.update({ view_id: id, hash, view: { ...view, callback_id: 'pick2' } });
    expect(fake.views('U0ALICE')).toMatchObject([{ id, view: { callback_id: 'pick2', hash: updated.view!.hash } }]);
    expect(await slackError(web.views.update({ view_id: id, hash, view }))).toBe('hash_conflict');
  });

  it('opens a modal from a trigger_id and submits it back with errors, then closes it', async () => {
    await fake.slashCommand(events, { text: 'reason', user_id: 'U0ALICE', channel_id: WAR_ROOM });
    const [modal] = await fake.waitFor(() => fake.views('U0ALICE').length > 0 && fake.views('U0ALICE'), { what: 'the reject modal' });
    expect(modal!.view).toMatchObject({ callback_id: 'reject_reason', private_metadata: 'RB-7', type: 'modal' });

    const filled = (value: string) => ({ ...modal!.view, state: { values: { reason: { text: { type: 'plain_text_input', value } } } } });
    const short = await fake.submitView(events, { user_id: 'U0ALICE', view: filled('no') });
    expect(short.json).toEqual({ response_action: 'errors', errors: { reason: 'Say a bit more' } });
    expect(fake.views('U0ALICE')[0]!.errors).toEqual({ reason: 'Say a bit more' });

    const ok = await fake.submitView(events, { user_id: 'U0ALICE', view: filled('health check flapping') });
    expect(ok.status).toBe(200);
    expect(seen.filter((s) => s.kind === 'view').map((s) => s.body)).toEqual([
      { reason: 'no', metadata: 'RB-7' },
      { reason: 'health check flapping', metadata: 'RB-7' },
    ]);
    expect(fake.views()).toEqual([]);
  });
});

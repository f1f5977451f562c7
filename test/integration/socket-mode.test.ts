import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { APP_TOKEN, eventually, readable, startHarness, USERS, WAR_ROOM, type Harness, waitForState } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ socketMode: true });
});
afterAll(async () => {
  await h?.close();
});

const waitState = (id: string, states: string[]) => waitForState(h, id, states);

describe('Rewind in Socket Mode (SLACK_APP_TOKEN, no signing secret)', () => {
  it('connects with the app-level token through SLACK_API_URL and serves /healthz on PORT', async () => {
    expect(h.env.SLACK_SIGNING_SECRET).toBeUndefined();
    expect(h.rewind.url).toBeUndefined();
    expect(h.slack.socketConnections()).toBe(1);
    const opened = h.slack.callsTo('apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.token).toMatch(/^xapp-/);
    expect(opened[0]!.error).toBeUndefined();

    const res = await eventually(() => fetch(`http://127.0.0.1:${h.env.PORT}/healthz`).catch(() => undefined), '/healthz to answer');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, redis: 'reachable', role: 'all' });
  });

  it('takes /rollback and an approval over the socket through to a verified rollback', async () => {
    const command = await h.slack.socketSlashCommand({ text: 'api production Error rate spiked', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    expect(command.ack).toEqual({});
    expect(command.payload).toMatchObject({ command: '/rollback', text: 'api production Error rate spiked' });
    await h.slack.waitFor(() => h.slack.responses.some((r) => /RB-1: reading the live state of api production/.test(String(r.body.text))), {
      what: 'the reply to the requester',
    });

    await waitState('RB-1', ['awaiting_approval']);
    const card = await eventually(() => {
      const c = h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-1'));
      return c && readable(c).includes('rollback_approve') ? c : undefined;
    }, 'the plan card with its buttons');
    expect(readable(card)).toMatch(/distrocv-api:3[\s\S]*distrocv-api:2/);
    expect(readable(card)).toContain('Error rate spiked');

    const click = await h.slack.socketClickButton({
      user_id: USERS.lead,
      action_id: 'rollback_approve',
      value: 'RB-1',
      channel: WAR_ROOM,
      message_ts: card.ts,
    });
    expect(click.ack).toEqual({});
    expect(click.payload).toMatchObject({ type: 'block_actions', user: { id: USERS.lead } });

    const done = await waitState('RB-1', ['succeeded', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.approvals.map((a) => a.user)).toEqual([USERS.lead]);
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(String(h.ecs.service('distrocv-prod', 'api').taskDefinition)).toMatch(/distrocv-api:2$/);
    const thread = await h.slack.waitFor(
      () => {
        const t = h.slack.thread(WAR_ROOM, card.ts);
        return t.some((m) => m.text?.includes('RB-1 succeeded')) ? t : undefined;
      },
      { what: 'the success line in the thread' },
    );
    expect(thread.some((m) => m.text?.includes('ROLLBACK INITIATED') && m.text.includes(`Approved by <@${USERS.lead}>`))).toBe(true);
  });
});

describe('the Slack fake in Socket Mode', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({ signingSecret: 'unused' });
  });
  afterAll(async () => {
    await slack?.close();
  });

  const open = (token: string) =>
    new WebClient(undefined, { slackApiUrl: slack.url, headers: { Authorization: `Bearer ${token}` }, retryConfig: { retries: 0 } }).apps.connections.open();

  /** A bare app: connects like @slack/socket-mode and collects what Slack sends. */
  async function connect(): Promise<{ socket: WebSocket; frames: Record<string, unknown>[] }> {
    const { url } = await open(APP_TOKEN);
    const socket = new WebSocket(url!);
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await eventually(() => frames.length > 0, 'the hello');
    return { socket, frames };
  }

  it('hands out one-time WebSocket URLs for the app-level token only, and greets with hello', async () => {
    await expect(open('xoxb-test-token')).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(open('xapp-someone-else')).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    const { socket, frames } = await connect();
    expect(frames[0]).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0REWIND' } });
    expect(slack.socketConnections()).toBe(1);
    socket.close();

    const { url } = await open(APP_TOKEN);
    const first = new WebSocket(url!);
    await new Promise((resolve) => first.once('open', resolve));
    const again = new WebSocket(url!);
    const refused = await new Promise<Error>((resolve) => again.once('error', resolve));
    expect(refused.message).toMatch(/401/);
    first.close();
  });

  it('wraps payloads in envelopes, returns the ack payload, and names a missing ack', async () => {
    const { socket, frames } = await connect();
    socket.on('message', (data) => {
      const envelope = JSON.parse(String(data)) as { envelope_id?: string; payload?: { text?: string } };
      if (envelope.envelope_id && envelope.payload?.text === 'help')
        socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'Usage: /rollback …' } }));
    });
    const answered = await slack.socketSlashCommand({ text: 'help', user_id: 'U1', channel_id: 'C1' });
    expect(answered.ack).toEqual({ text: 'Usage: /rollback …' });
    expect(frames.at(-1)).toMatchObject({
      envelope_id: answered.envelopeId,
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { command: '/rollback', text: 'help', user_id: 'U1', channel_id: 'C1' },
    });
    // Like an HTTP response body, an ack's text is shown to the user who typed the command.
    expect(slack.messages('C1')).toEqual([expect.objectContaining({ text: 'Usage: /rollback …', ephemeralTo: 'U1' })]);

    await expect(slack.socketSlashCommand({ text: 'ignored', user_id: 'U1', channel_id: 'C1' }, { timeoutMs: 200 })).rejects.toThrow(
      /did not ack Socket Mode envelope .* \(slash_commands\) within 200 ms/,
    );
    socket.close();
    await eventually(() => slack.socketConnections() === 0, 'the socket to close');
    await expect(slack.socketSlashCommand({ text: 'help', user_id: 'U1', channel_id: 'C1' })).rejects.toThrow(/No app is connected over Socket Mode/);
  });
});

import { App } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boltLogger } from '../../src/slack/bolt-logger.js';
import { futureSkew, verifiedHttpReceiver } from '../../src/slack/request-verification.js';
import { signSlackRequest } from '../fakes/slack/signing.js';

/** A real Bolt App on port 0 with the receiver main.ts uses, fed signed requests over HTTP. */

const SECRET = 'test-signing-secret';
const nowSec = () => Math.floor(Date.now() / 1000);
const warnings: string[] = [];
const commands: string[] = [];
let app: App;
let url: string;

beforeAll(async () => {
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  app = new App({
    // No token: nothing here calls Slack, and auth.test would.
    authorize: async () => ({ botToken: 'xoxb-not-used', botId: 'B0REWIND', botUserId: 'U0REWIND' }),
    logger: boltLogger(log),
    receiver: verifiedHttpReceiver({
      signingSecret: SECRET,
      logger: boltLogger(log),
      customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') }],
    }),
  });
  app.command('/rollback', async ({ ack, command }) => {
    commands.push(command.text);
    await ack();
  });
  const server = (await app.start(0)) as Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.stop();
});

async function slashCommand(text: string, timestamp: number, secret = SECRET): Promise<number> {
  const body = new URLSearchParams({
    command: '/rollback',
    text,
    user_id: 'U0ALEX',
    team_id: 'T0REWIND',
    channel_id: 'C0WARROOM',
    response_url: 'http://127.0.0.1:9/response',
    trigger_id: '1.2.3',
  }).toString();
  const res = await fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(secret, body, timestamp),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('Slack request verification in HTTP mode', () => {
  it('accepts a signed request within five minutes either way', async () => {
    expect(await slashCommand('now', nowSec())).toBe(200);
    expect(await slashCommand('slow clock', nowSec() + 240)).toBe(200);
    expect(await slashCommand('fast clock', nowSec() - 240)).toBe(200);
    expect(commands).toEqual(['now', 'slow clock', 'fast clock']);
  });

  it('refuses a correctly signed request stamped more than five minutes in the future, before any listener runs', async () => {
    commands.length = 0;
    expect(await slashCommand('future', nowSec() + 400)).toBe(401);
    expect(await slashCommand('far future', nowSec() + 86_400)).toBe(401);
    expect(commands).toEqual([]);
    expect(warnings.join('')).toMatch(/x-slack-request-timestamp is \d+ s in the future \(more than 300 s\)/);
  });

  it('keeps Bolt refusing stale timestamps, bad signatures and missing headers', async () => {
    commands.length = 0;
    expect(await slashCommand('stale', nowSec() - 400)).toBe(401);
    expect(await slashCommand('forged', nowSec(), 'another-secret')).toBe(401);
    const unsigned = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=/rollback&text=x',
    });
    expect(unsigned.status).toBe(401);
    expect(commands).toEqual([]);
  });

  it('still serves custom routes and Slack ssl_check through the wrapped receiver', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const check = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=x',
    });
    expect(check.status).toBe(200);
  });
});

describe('futureSkew', () => {
  const at = (timestamp: string | string[] | undefined) => futureSkew({ headers: { 'x-slack-request-timestamp': timestamp } as never }, 1_000_000_000_500);
  it('measures the future side of the five-minute window only', () => {
    expect(at('1000000300')).toBeUndefined();
    expect(at('1000000301')).toBe(301);
    expect(at('999999000')).toBeUndefined();
    expect(at('Infinity')).toBe(Infinity);
    for (const unreadable of [undefined, 'soon', ['1', '2']]) expect(at(unreadable)).toBeUndefined();
  });
});

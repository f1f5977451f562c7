import { WebClient } from '@slack/web-api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

/**
 * A Slack call that fails on a dropped connection carries the bot token twice: in
 * `err.original.config.headers.Authorization` and in the raw `err.original.request._header`.
 * Logging it must not print the token, whether or not the client attaches `original`.
 */

const TOKEN = 'xoxb-secret-test-token';
let server: Server;
let slackApiUrl: string;

beforeAll(async () => {
  // Every request is cut off mid-flight: axios reports ECONNRESET with the request it sent.
  server = createServer((req) => req.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  slackApiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function failedCall(attachOriginalToWebAPIRequestError: boolean): Promise<Error> {
  const client = new WebClient(TOKEN, { slackApiUrl, retryConfig: { retries: 0 }, attachOriginalToWebAPIRequestError, logger: silent });
  return client.chat.postMessage({ channel: 'C0WARROOM', text: 'RB-1 approved' }).then(
    () => expect.unreachable('the call cannot succeed against a server that drops every connection'),
    (error: Error) => error,
  );
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as never, setName() {} };

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger('debug', sink).child({ component: 'poster' }), lines };
}

describe('a failed Slack call in the logs', () => {
  it.each([
    ['with attachOriginalToWebAPIRequestError: false (as main.ts builds its client)', false],
    ['with the SDK default, which attaches the axios error (redaction alone holds)', true],
  ])('never shows the bot token %s', async (_what, attach) => {
    const error = await failedCall(attach);
    if (attach) expect(JSON.stringify((error as { original?: { config?: unknown } }).original?.config)).toContain(TOKEN);
    const { log, lines } = capture();
    log.warn({ err: error, key: 'C0WARROOM' }, 'could not deliver to Slack; will retry');
    log.error(error);
    log.error({ error, nested: { deeper: { cause: error } } }, 'other keys and depths');
    log.info({ original: (error as { original?: unknown }).original }, 'the axios error on its own');

    const output = lines.join('');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain('secret-test-token');
    // Still useful: what failed and where.
    const entry = JSON.parse(lines[0]!) as { msg: string; err: { type: string; message: string; stack: string; code: string } };
    expect(entry.msg).toBe('could not deliver to Slack; will retry');
    expect(entry.err).toMatchObject({ type: 'Error', message: expect.stringContaining('socket hang up'), code: 'slack_webapi_request_error' });
    expect(entry.err.stack).toMatch(/^Error: A request error occurred: socket hang up\n\s+at /);
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: expect.stringContaining('socket hang up'), err: { code: 'slack_webapi_request_error' } });
    if (attach) expect(output).toMatch(/"Authorization":"\[redacted\]"[\s\S]*Authorization: \[redacted\]/);
  });
});

import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

it('writes JSON lines with tokens, secrets and authorization headers redacted', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger('info', sink).child({ rollback: 'RB-1' });
  log.info(
    { token: 'xoxb-secret-1', request: { headers: { authorization: 'Bearer hunter2' } }, secret: { SecretString: 'pw' }, password: 'p' },
    'calling slack',
  );
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(entry).toMatchObject({
    msg: 'calling slack',
    rollback: 'RB-1',
    token: '[redacted]',
    password: '[redacted]',
    request: { headers: { authorization: '[redacted]' } },
  });
  expect(lines.join('')).not.toMatch(/xoxb-secret-1|hunter2|"pw"/);
});

it('redacts secret-named keys at any depth and in any case, and token-shaped text anywhere', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger('info', sink).child({ component: 'poster', note: 'Bearer child-binding-secret' });
  const error = Object.assign(new Error('call failed for xoxp-user-token-1'), {
    code: 'E_SLACK',
    original: {
      config: { headers: { AUTHORIZATION: 'Bearer hunter3', Cookie: 'session=s3cr3t' } },
      request: { _header: 'POST /api\r\nAuthorization: Basic dXNlcjpwYXNz\r\nHost: x\r\n' },
    },
  });
  const multiline = 'first\nxoxb-line-start\nBearer line-bearer\nBasic dXNlcjpsaW5l';
  log.error(
    {
      err: error,
      a: { b: { c: { d: { ApiKey: 'k-123', x_slack_signature: 'v0=abc' } } } },
      url: 'https://h/x?token=t0k3n&ok=1',
      secretId: 'distrocv/database',
      multiline,
    },
    'slack said xapp-1-A0-app-token',
  );
  log.info('Basic checks passed');
  const out = lines.join('');
  expect(out).not.toMatch(/xoxp-user|hunter3|s3cr3t|dXNlcjpwYXNz|k-123|v0=abc|t0k3n|xapp-1|child-binding-secret|line-start|line-bearer|dXNlcjpsaW5l/);
  expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'Basic checks passed' });
  const entry = JSON.parse(lines[0]!) as { err: { type: string; message: string; stack: string; code: string }; secretId: string; url: string };
  expect(entry.err).toMatchObject({ type: 'Error', message: 'call failed for [redacted]', code: 'E_SLACK' });
  expect(entry.err.stack).toMatch(/^Error: call failed for \[redacted\]\n\s+at /);
  // Names of secrets stay: they say which secret changed without giving it away.
  expect(entry).toMatchObject({ secretId: 'distrocv/database', url: 'https://h/x?token=[redacted]&ok=1' });
});

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
  log.info({ token: 'xoxb-secret-1', request: { headers: { authorization: 'Bearer hunter2' } }, secret: { SecretString: 'pw' }, password: 'p' }, 'calling slack');
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(entry).toMatchObject({ msg: 'calling slack', rollback: 'RB-1', token: '[redacted]', password: '[redacted]', request: { headers: { authorization: '[redacted]' } } });
  expect(lines.join('')).not.toMatch(/xoxb-secret-1|hunter2|"pw"/);
});

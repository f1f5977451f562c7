import { pino, type DestinationStream, type Logger } from 'pino';

/** Keys whose values never reach a log line, at any depth pino can see. */
const REDACT = [
  'token',
  'password',
  'secret',
  'authorization',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  '*.SecretString',
  '*.secretString',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: 'rewind' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

export type { Logger };

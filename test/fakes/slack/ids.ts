import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Slack-style ids: a type letter plus upper-case alphanumerics (V… views, F… files). */
export function slackId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}

/** Slack fills in a short random block_id for blocks posted without one. */
export function blockId(): string {
  return randomBytes(4).toString('base64url').slice(0, 5);
}

export function triggerId(): string {
  const digits = () => String(Math.floor(Math.random() * 1e12)).padStart(12, '0');
  return `${digits()}.${digits().slice(0, 10)}.${randomBytes(16).toString('hex')}`;
}

/** Message timestamps: 'seconds.micros', unique and strictly increasing, close to the wall clock. */
export class TsClock {
  private lastMicros = 0;

  next(): string {
    const micros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

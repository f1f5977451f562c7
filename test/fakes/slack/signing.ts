import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: `v0=` + hex HMAC-SHA256 of `v0:${timestamp}:${rawBody}` under the signing secret. */
export function signSlackRequest(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** What the fake records instead of a token: enough to tell tokens apart, never the secret part. */
export function maskToken(token: string): string {
  return token.length > 12 ? `${token.slice(0, 5)}…${token.slice(-4)}` : '…';
}

import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import type { IncomingMessage, RequestListener } from 'node:http';

/** Slack's reference check: |now - timestamp| ≤ five minutes. */
export const MAX_CLOCK_SKEW_SEC = 5 * 60;

/**
 * Seconds a request's `x-slack-request-timestamp` lies beyond the future side of the window, or
 * undefined when it is inside it. A missing or unreadable header is left to Bolt, which refuses it.
 */
export function futureSkew(req: Pick<IncomingMessage, 'headers'>, nowMs: number): number | undefined {
  const header = req.headers['x-slack-request-timestamp'];
  if (typeof header !== 'string') return undefined;
  const timestamp = Number(header);
  if (Number.isNaN(timestamp)) return undefined;
  const ahead = timestamp - Math.floor(nowMs / 1000);
  return ahead > MAX_CLOCK_SKEW_SEC ? ahead : undefined;
}

/**
 * Bolt's HTTPReceiver, whose verification (signature, and timestamps older than five minutes)
 * stays as it is, with the missing half added: timestamps more than five minutes in the future
 * are refused with 401 before Bolt reads the body. Bolt refuses only the past side, so a request
 * signed with a timestamp ahead of time would stay replayable until that time plus five minutes.
 * `requestListener` is the receiver's public entry point (its own server calls it per request),
 * so wrapping it keeps everything else of the receiver: routes, dispatch errors, acks.
 */
export function verifiedHttpReceiver(options: HTTPReceiverOptions, now: () => number = Date.now): HTTPReceiver {
  const receiver = new HTTPReceiver(options);
  const bolt = receiver.requestListener;
  receiver.requestListener = function rejectFutureTimestamps(req, res) {
    const ahead = futureSkew(req, now());
    if (ahead === undefined) return bolt(req, res);
    options.logger?.warn(
      `Failed to verify authenticity: x-slack-request-timestamp is ${ahead} s in the future (more than ${MAX_CLOCK_SKEW_SEC} s); check this host's clock if Slack's requests are refused`,
    );
    req.resume();
    res.writeHead(401);
    res.end();
  } satisfies RequestListener;
  return receiver;
}

import { ErrorCode, WebClient, WebClientEvent, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';

/** Where Slack API outcomes are counted (src/metrics.ts). */
export interface SlackCounter {
  slackCall(method: string, outcome: string): void;
  slackRateLimit(): void;
}

const OUTCOMES: Partial<Record<string, string>> = {
  [ErrorCode.PlatformError]: 'platform_error',
  [ErrorCode.RateLimitedError]: 'rate_limited',
  [ErrorCode.HTTPError]: 'http_error',
  [ErrorCode.RequestError]: 'request_error',
};

/** A bounded outcome label for a failed call: the WebClient's error code, never its message. */
export function slackOutcome(error: unknown): string {
  return OUTCOMES[String((error as { code?: unknown } | undefined)?.code)] ?? 'error';
}

/** Counts one call made outside the counted client (Bolt's own listener client): `method` and how it ended. */
export async function countedCall<T>(counter: SlackCounter, method: string, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    counter.slackCall(method, 'ok');
    return result;
  } catch (error) {
    counter.slackCall(method, slackOutcome(error));
    throw error;
  }
}

/** Counts every 429 a WebClient (ours or one Bolt made) waits out; once per client. */
const watched = new WeakMap<WebClient, WeakSet<SlackCounter>>();
export function countRateLimits(client: WebClient, counter: SlackCounter): void {
  const counters = watched.get(client) ?? new WeakSet<SlackCounter>();
  if (counters.has(counter)) return;
  counters.add(counter);
  watched.set(client, counters);
  client.on(WebClientEvent.RATE_LIMITED, () => counter.slackRateLimit());
}

/**
 * The bot's WebClient with every Web API call counted by method and outcome. Every shortcut
 * (`chat.postMessage`...) goes through `apiCall`, bound when the client is built, so overriding it
 * here counts them all, once per call after the client's own retries.
 */
export class CountedWebClient extends WebClient {
  private counter: SlackCounter | undefined;

  constructor(token: string | undefined, options: WebClientOptions, counter: SlackCounter) {
    super(token, options);
    this.counter = counter;
    countRateLimits(this, counter);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    const counter = this.counter;
    if (!counter) return super.apiCall(method, options);
    return countedCall(counter, method, () => super.apiCall(method, options));
  }
}

import type { CustomRoute } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RollbackJobs } from '../../jobs/queue.js';
import { bearerToken, sameSecret } from '../../src/bearer.js';
import type { Catalog } from '../../src/config/catalog.js';
import type { RoutedAlert } from '../../src/domain/alert.js';
import type { AlertSource, Metrics } from '../../src/metrics.js';
import { sendJson } from '../../src/json-response.js';
import { parseAlertmanager } from './alertmanager.js';
import { parseAlarm } from './cloudwatch.js';
import { parseGeneric, SIGNATURE_HEADER, validHmac } from './generic.js';
import { httpsGet, snsEnvelope, snsUrl, type SnsVerifier } from './sns.js';

export interface AlertIntake {
  catalog: Catalog;
  jobs: Pick<RollbackJobs, 'alert'>;
  log: Logger;
  now: () => Date;
  /** REWIND_ALERTS_TOKEN: Alertmanager's bearer token. */
  alertmanagerToken?: string;
  /** REWIND_ALERTS_HMAC_SECRET: the generic route's HMAC key. */
  hmacSecret?: string;
  sns: SnsVerifier;
  metrics: Pick<Metrics, 'alertReceived'>;
}

/** Alert bodies are small; anything bigger is refused before it is parsed. */
const MAX_BODY = 1024 * 1024;

class TooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function json(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The intake only authenticates, parses, matches against the catalog and enqueues one job per
 * (alert, target); the worker correlates and posts. Forged or unsigned bodies get 401 and nothing else happens.
 */
export function alertRoutes(d: AlertIntake): CustomRoute[] {
  /** An answer that is not an alert's (bad token, bad body): counted as what became of that delivery. */
  function refuse(res: ServerResponse, source: AlertSource, status: number, body: Record<string, unknown>): void {
    d.metrics.alertReceived(source, status === 401 || status === 403 ? 'unauthorized' : 'invalid');
    sendJson(res, status, body);
  }

  async function enqueue(res: ServerResponse, parsed: { routed: RoutedAlert[] } | { error: string }, source: AlertSource): Promise<void> {
    if ('error' in parsed) return refuse(res, source, 400, { error: parsed.error });
    await Promise.all(parsed.routed.map((r) => d.jobs.alert(r)));
    d.metrics.alertReceived(source, parsed.routed.length ? 'accepted' : 'unmatched');
    d.log.info({ source, alerts: parsed.routed.map((r) => `${r.alert.name}→${r.service}/${r.environment} ${r.alert.status}`) }, 'alerts received');
    // Nothing matched is still a 2xx: the sender must not retry an alert Rewind has no target for.
    sendJson(res, 202, { accepted: parsed.routed.length, ...(parsed.routed.length ? {} : { note: 'no alerts.targets entry matches these alerts' }) });
  }

  /** Reads the body, maps a size or JSON problem to its answer, and hands the rest to `handle`. */
  const route = (path: string, source: AlertSource, handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>): CustomRoute => ({
    path,
    method: ['POST'],
    handler: async function receiveAlert(req, res) {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (error) {
        if (error instanceof TooLarge) return refuse(res, source, 413, { error: `body larger than ${MAX_BODY} bytes` });
        throw error;
      }
      await handle(req, res, body);
    },
  });

  return [
    route('/alerts/alertmanager', 'alertmanager', async (req, res, body) => {
      const bearer = bearerToken(req);
      if (!d.alertmanagerToken || !bearer || !sameSecret(bearer, d.alertmanagerToken))
        return refuse(res, 'alertmanager', 401, { error: 'missing or wrong bearer token: set http_config.authorization.credentials to REWIND_ALERTS_TOKEN' });
      return enqueue(res, parseAlertmanager(json(body), d.catalog), 'alertmanager');
    }),

    route('/alerts/generic', 'generic', async (req, res, body) => {
      const signature = req.headers[SIGNATURE_HEADER];
      if (!d.hmacSecret || !validHmac(d.hmacSecret, body, Array.isArray(signature) ? signature[0] : signature))
        return refuse(res, 'generic', 401, {
          error: `missing or wrong ${SIGNATURE_HEADER}: send sha256=<hex HMAC-SHA256 of the body keyed with REWIND_ALERTS_HMAC_SECRET>`,
        });
      return enqueue(res, parseGeneric(json(body), d.catalog, d.now()), 'generic');
    }),

    route('/alerts/sns', 'cloudwatch', async (_req, res, body) => {
      const envelope = snsEnvelope.safeParse(json(body));
      if (!envelope.success) return refuse(res, 'cloudwatch', 400, { error: 'not an SNS message' });
      const m = envelope.data;
      if (!(await d.sns.verify(m))) return refuse(res, 'cloudwatch', 401, { error: 'the SNS signature does not verify' });
      if (!d.catalog.alerts?.snsTopics.includes(m.TopicArn)) {
        d.log.warn({ topic: m.TopicArn, type: m.Type }, 'SNS message from a topic not listed in alerts.snsTopics; ignored');
        return refuse(res, 'cloudwatch', 403, { error: `topic ${m.TopicArn} is not listed in alerts.snsTopics in the Rewind catalog` });
      }
      if (m.Type === 'SubscriptionConfirmation') {
        const url = snsUrl(m.SubscribeURL, d.sns.opts.certHost);
        if (!url) return sendJson(res, 400, { error: 'SubscribeURL is not an https URL on an SNS host' });
        try {
          await httpsGet(url, d.sns.opts);
        } catch (error) {
          d.log.warn({ err: error, topic: m.TopicArn }, 'could not confirm the SNS subscription');
          return sendJson(res, 502, { error: 'could not confirm the subscription; SNS will retry' });
        }
        d.log.info({ topic: m.TopicArn }, 'SNS subscription confirmed');
        return sendJson(res, 200, { confirmed: m.TopicArn });
      }
      if (m.Type === 'UnsubscribeConfirmation') return sendJson(res, 200, { ignored: 'unsubscribe confirmation' });
      return enqueue(res, parseAlarm(m.Message, d.catalog), 'cloudwatch');
    }),
  ];
}

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { parseCatalog } from '../src/config/catalog.js';
import { parseEnv } from '../src/config/env.js';
import { createLogger } from '../src/log.js';
import { startRewind, type Rewind } from '../src/main.js';
import { startFakeSlack, type FakeSlack } from '../test/fakes/slack.js';
import { statusPageReceiver, type StatusPageReceiver } from '../test/fakes/status-page.js';
import { alertTargets } from './alerts.js';
import { startEstate, type Estate } from './estate/index.js';
import { BOT, ONCALL_GROUP, PEOPLE, SUPPORT_CHANNEL, USER_CHANNEL, WAR_ROOM } from './people.js';
import { sandboxRedis } from './redis.js';
import { startPageServer, type BotAccess } from './server.js';

export const CATALOG_FILE = fileURLToPath(new URL('./catalog.yaml', import.meta.url));

/**
 * Requests that roll back several estate pieces under one card and one approval: the catalog's
 * `stacks:`, once through the decision matrix (`full`: the `outage` row names `distrocv`) and once
 * by name. Each works on a fresh sandbox; they touch different targets, so both can run.
 */
export const STACK_EXAMPLES = ['/rollback full production Full regression after v2.0.1', '/rollback stack skillancer-p0 production Site down after rc.6'];

export interface SandboxOptions {
  /** Default: REDIS_URL, else a private redis-server. */
  redisUrl?: string;
  /** The page's port; default any free port. */
  port?: number;
  /** For tests: rollouts take a fraction of a second and bot posts are not paced. */
  fast?: boolean;
  /** Start with the rollback target's image crash-looping. */
  crashloop?: boolean;
  /** The bot's log level; default 'warn'. */
  logLevel?: string;
  /** Where the bot logs; default JSON lines on stdout, as in production. */
  logDestination?: DestinationStream;
}

export interface Sandbox {
  /** The page. */
  url: string;
  redis: string;
  estate: Estate;
  slack: FakeSlack;
  /** The local status-page receiver (catalog `statusPage`). */
  statusPage: StatusPageReceiver;
  rewind: Rewind;
  /** Requests worth typing: one per estate piece, then the stacks. */
  examples: string[];
  close(): Promise<void>;
}

/**
 * Everything on one machine: Redis, the fake estate, the Slack fake, the real bot in HTTP mode
 * and the page. The bot starts through startRewind exactly as in production; only the Slack API
 * URL and the cloud clients' endpoints point at the fakes.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const closers: (() => Promise<unknown>)[] = [];
  let closing: Promise<void> | undefined;
  // Last started, first stopped; Redis goes last so the bot can finish its writes.
  const closeAll = () =>
    (closing ??= (async () => {
      for (const close of [...closers].reverse()) await close().catch(() => undefined);
    })());
  try {
    const redis = await sandboxRedis(opts.redisUrl);
    const prefix = `sandbox-${randomBytes(4).toString('hex')}`;
    closers.push(() => redis.release(prefix));

    const estate = await startEstate({ fast: opts.fast, crashloop: opts.crashloop });
    closers.push(() => estate.close());

    // A fresh secret per run: the bot listens on a real port and must only trust this run's Slack fake.
    const signingSecret = randomBytes(24).toString('hex');
    const slack = await startFakeSlack({
      signingSecret,
      botUserId: BOT.id,
      users: Object.fromEntries(Object.values(PEOPLE).map((p) => [p.id, { name: p.name }])),
      usergroups: { [ONCALL_GROUP]: [PEOPLE.oncall.id] },
      channels: Object.fromEntries([WAR_ROOM, USER_CHANNEL, SUPPORT_CHANNEL].map((c) => [c.id, { name: c.name }])),
    });
    closers.push(() => slack.close());

    const statusPage = statusPageReceiver();

    // The page server starts first (the catalog's health URLs point at it); it learns the bot's URL once that listens.
    const bot: { eventsUrl?: string; access?: BotAccess } = {};
    const examples = [...estate.pieces.map((p) => p.example), ...STACK_EXAMPLES];
    const catalogText = readFileSync(CATALOG_FILE, 'utf8');
    const product = /^product:\s*(.+)$/m.exec(catalogText)?.[1];
    const page = await startPageServer({ slack, estate, statusPage, eventsUrl: () => bot.eventsUrl, bot: () => bot.access, examples, product }, opts.port);
    closers.push(() => page.close());

    const catalog = parseCatalog(catalogText.replaceAll('{{sandbox}}', page.url.replace(/\/$/, '')), CATALOG_FILE);
    // This run's own secrets for the alert intake and the freeze API; the page server sends them like Alertmanager and a CI step would.
    const alertsToken = randomBytes(24).toString('hex');
    const freezeToken = randomBytes(24).toString('hex');
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      PORT: '0',
      REDIS_URL: redis.url,
      REWIND_REDIS_PREFIX: prefix,
      ROLE: 'all',
      LOG_LEVEL: opts.logLevel ?? 'warn',
      REWIND_ALERTS_TOKEN: alertsToken,
      REWIND_FREEZE_TOKEN: freezeToken,
    });
    const rewind = await startRewind({
      env,
      catalog,
      log: createLogger(env.LOG_LEVEL, opts.logDestination),
      clients: estate.clients,
      slackMinIntervalMs: opts.fast ? 0 : 500,
      progressIntervalMs: opts.fast ? 200 : 2000,
      minPollSec: opts.fast ? 0.05 : undefined,
      // Like everything else the sandbox starts: reachable from this machine only.
      host: '127.0.0.1',
    });
    closers.push(() => rewind.close());
    bot.eventsUrl = `${rewind.url}/slack/events`;
    bot.access = {
      url: rewind.url!,
      alertsToken,
      freezeToken,
      alertTargets: alertTargets(catalog),
      freezeTargets: Object.entries(catalog.services).flatMap(([service, envs]) => Object.keys(envs).map((environment) => ({ service, environment }))),
    };

    return { url: page.url, redis: redis.description, estate, slack, statusPage, rewind, examples, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

import { App, type CustomRoute } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { registerListeners } from '../handlers/register.js';
import type { WorkerServices } from './rollbacks/context.js';
import { RollbackJobs } from '../jobs/queue.js';
import { startWorker } from '../jobs/worker.js';
import { driverKinds, loadCatalog, type Catalog } from './config/catalog.js';
import { parseEnv, type Env } from './config/env.js';
import { ConfigError } from './config/errors.js';
import { clientSource, type Clients } from './drivers/clients.js';
import { loadDrivers } from './drivers/index.js';
import { healthRoute } from './health.js';
import { createLogger } from './log.js';
import type { Services } from './rollbacks/context.js';
import { boltLogger } from './slack/bolt-logger.js';
import { verifiedHttpReceiver } from './slack/request-verification.js';
import { Poster } from './slack/poster.js';
import { RoleDirectory } from './slack/roles.js';
import { StepJournal } from './store/journal.js';
import { TargetLocks } from './store/locks.js';
import { Outbox } from './store/outbox.js';
import { OutboxPoster } from './warroom/outbox-poster.js';
import { RollbackStore } from './store/rollbacks.js';
import { createVerifier } from './verify/verifier.js';

export interface RewindOptions {
  env: Env;
  catalog: Catalog;
  log?: Logger;
  /** Cloud clients to use instead of the SDKs' standard chains (tests and the sandbox point them at fakes). */
  clients?: Partial<Clients>;
  /** Pace of thread posts per channel and of progress lines; tests shorten them. */
  slackMinIntervalMs?: number;
  progressIntervalMs?: number;
  /** Floor for driver poll intervals in seconds (protects cloud APIs from a tiny catalog value); tests lower it. */
  minPollSec?: number;
  /** How often an idle outbox poster looks for lines written by other processes. */
  outboxPollMs?: number;
  /** close() returns within this, whatever Redis or Slack are doing. */
  shutdownMs?: number;
  /** Interface the HTTP receiver listens on (HTTP mode); default every interface, as production needs. The sandbox keeps it on loopback. */
  host?: string;
}

/** SIGTERM to exit: Kubernetes' default grace period is 30 s; stay well inside it. */
const SHUTDOWN_MS = 10_000;

/**
 * BullMQ's production guidance: Redis must keep data (AOF) and never evict keys. Without that a
 * restart loses every rollback in flight, so say so loudly at start-up.
 */
async function warnIfRedisMayLoseData(redis: Redis, log: Logger): Promise<void> {
  try {
    const info = await redis.info('persistence');
    const aof = /aof_enabled:1/.test(info);
    const policy = /maxmemory_policy:(\S+)/.exec(await redis.info('memory'))?.[1];
    if (!aof) log.warn({ aof }, 'Redis has no append-only file: a Redis restart can lose rollbacks in flight. Run Redis with --appendonly yes (README "Running Redis in production").');
    if (policy && policy !== 'noeviction') log.warn({ policy }, `Redis maxmemory-policy is ${policy}: it may evict Rewind's records and locks. Set maxmemory-policy noeviction.`);
  } catch (error) {
    log.warn({ err: error }, 'could not check Redis persistence settings');
  }
}

export interface Rewind {
  services: Services;
  /** Base URL of the HTTP receiver (HTTP mode, web role). */
  url?: string;
  /** The address the HTTP receiver is bound to (HTTP mode, web role). */
  address?: AddressInfo;
  close(): Promise<void>;
}

/** The composition root: config → services → (worker) the catalog's drivers and their clients → Bolt app and/or worker. */
export async function startRewind(opts: RewindOptions): Promise<Rewind> {
  const { env, catalog } = opts;
  const log = opts.log ?? createLogger(env.LOG_LEVEL);
  const prefix = env.REWIND_REDIS_PREFIX;
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3 });
  const bullConnection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  for (const connection of [redis, bullConnection]) {
    connection.on('error', (error: Error) => log.warn({ err: error }, 'redis connection error (ioredis reconnects by itself)'));
  }
  const slack = new WebClient(env.SLACK_BOT_TOKEN, {
    slackApiUrl: env.SLACK_API_URL,
    // The original axios error carries the Authorization header: never attach it to errors that get logged.
    attachOriginalToWebAPIRequestError: false,
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    logger: boltLogger(log),
  });
  const outbox = new Outbox(redis, prefix);
  const store = new RollbackStore(redis, prefix);
  store.onSay = () => outbox.appended();
  const services: Services = {
    catalog,
    redis,
    prefix,
    store,
    locks: new TargetLocks(redis, prefix),
    journal: new StepJournal(redis, prefix),
    outbox,
    roles: new RoleDirectory(catalog, slack),
    poster: new Poster(slack, log.child({ component: 'poster' }), opts.slackMinIntervalMs ?? 1000),
    log,
    now: () => new Date(),
  };
  const jobs = RollbackJobs.open(bullConnection, prefix, (error) => log.warn({ err: error }, 'queue connection error (reconnecting)'));
  const closers: (() => Promise<unknown>)[] = [];

  void warnIfRedisMayLoseData(redis, log);

  if (env.ROLE !== 'web') {
    // Only the drivers this catalog uses are created, and with them only their SDKs.
    const client = clientSource(opts.clients);
    const drivers = await loadDrivers(driverKinds(catalog), { client, log, now: services.now, env: process.env, minPollSec: opts.minPollSec, rpo: catalog.rpo });
    const verify = createVerifier({ cloudwatch: async (region) => (await client('cloudwatch'))(region), env: process.env });
    const x: WorkerServices = { ...services, drivers, verify, jobs, progressIntervalMs: opts.progressIntervalMs ?? 5000, executionLockMs: Math.max(1500, env.REWIND_JOB_LOCK_MS) };
    const worker = startWorker(x, bullConnection, { concurrency: env.REWIND_WORKER_CONCURRENCY, lockDurationMs: env.REWIND_JOB_LOCK_MS });
    const poster = new OutboxPoster(services, opts.outboxPollMs);
    poster.start();
    await jobs.scheduleReconcile(env.REWIND_RECONCILE_MS);
    closers.push(() => worker.close(), () => poster.stop(2000));
    log.info({ concurrency: env.REWIND_WORKER_CONCURRENCY }, 'worker role started');
  }

  let url: string | undefined;
  let bound: AddressInfo | undefined;
  if (env.ROLE !== 'worker') {
    const socketMode = Boolean(env.SLACK_APP_TOKEN);
    const customRoutes: CustomRoute[] = [healthRoute(redis, env.ROLE)];
    const app = new App({
      token: env.SLACK_BOT_TOKEN,
      ...(socketMode
        ? { appToken: env.SLACK_APP_TOKEN, socketMode: true, installerOptions: { port: env.PORT }, customRoutes }
        : // Bolt checks the signature and stale timestamps; this receiver also refuses timestamps more than 5 min ahead.
          { receiver: verifiedHttpReceiver({ signingSecret: env.SLACK_SIGNING_SECRET!, customRoutes, logger: boltLogger(log) }) }),
      clientOptions: { slackApiUrl: env.SLACK_API_URL, attachOriginalToWebAPIRequestError: false },
      logger: boltLogger(log),
    });
    // Listeners keep working after ack(); shutdown waits for them before closing Redis.
    const inFlight = new Set<Promise<void>>();
    app.use(async function trackInFlight({ next }) {
      const work = next();
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    });
    registerListeners(app, { ...services, jobs });
    const server = (await app.start(opts.host === undefined ? env.PORT : { port: env.PORT, host: opts.host })) as Server | undefined;
    const address = server?.address?.() as AddressInfo | null | undefined;
    if (address && typeof address === 'object') {
      bound = address;
      url = `http://127.0.0.1:${address.port}`;
    }
    closers.push(async () => {
      await app.stop();
      await Promise.allSettled([...inFlight]);
    });
    log.info({ mode: socketMode ? 'socket' : 'http', port: address?.port ?? env.PORT }, 'web role started');
  }

  return {
    services,
    url,
    address: bound,
    async close() {
      // Web first (no new work), then the worker (hands running jobs back), then pending Slack posts.
      // Every stage has a deadline: with Redis gone, BullMQ and ioredis would otherwise retry for ever.
      const deadline = Date.now() + (opts.shutdownMs ?? SHUTDOWN_MS);
      const within = (work: Promise<unknown>) => Promise.race([work.catch((error: unknown) => log.warn({ err: error }, 'error while stopping')), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      for (const close of closers.reverse()) await within(close());
      await within(services.poster.idle());
      await within(jobs.close());
      await within(Promise.all([bullConnection.quit(), redis.quit()]));
      bullConnection.disconnect();
      redis.disconnect();
    },
  };
}

async function main(): Promise<void> {
  await import('dotenv/config');
  let env: Env;
  let catalog: Catalog;
  try {
    env = parseEnv(process.env);
    catalog = loadCatalog(env.REWIND_CONFIG);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Rewind cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const rewind = await startRewind({ env, catalog });
  const stop = async (signal: string) => {
    rewind.services.log.info({ signal }, 'shutting down');
    // Belt and braces: close() has its own deadline; this one covers anything that ignores it.
    setTimeout(() => process.exit(1), SHUTDOWN_MS + 2000).unref();
    await rewind.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Rewind crashed while starting: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}

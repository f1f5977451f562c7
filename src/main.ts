import { App, type CustomRoute } from '@slack/bolt';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { alertRoutes } from '../handlers/alerts/route.js';
import { AWS_SNS_HOST, SnsVerifier, type SnsOptions } from '../handlers/alerts/sns.js';
import { registerListeners } from '../handlers/register.js';
import type { WorkerServices } from './rollbacks/context.js';
import { RollbackJobs } from '../jobs/queue.js';
import { startWorker } from '../jobs/worker.js';
import { adminRoute } from './admin.js';
import { driverKinds, loadCatalog, targetOf, type Catalog } from './config/catalog.js';
import { builtInMatrixWarnings } from './config/approval-checks.js';
import { parseEnv, type Env } from './config/env.js';
import { ConfigError } from './config/errors.js';
import { freezeRoute } from './freeze-api.js';
import { clientSource, type Clients } from './drivers/clients.js';
import { loadDrivers } from './drivers/index.js';
import type { Rollback } from './domain/rollback.js';
import { healthRoute } from './health.js';
import { metricsRoute, serveRoutes } from './http.js';
import { createLogger } from './log.js';
import { Metrics } from './metrics.js';
import type { Services } from './rollbacks/context.js';
import { boltLogger } from './slack/bolt-logger.js';
import { CountedWebClient, countRateLimits } from './slack/counted-client.js';
import { verifiedHttpReceiver } from './slack/request-verification.js';
import { Poster } from './slack/poster.js';
import { RoleDirectory } from './slack/roles.js';
import { StepJournal } from './store/journal.js';
import { TargetLocks } from './store/locks.js';
import { Outbox } from './store/outbox.js';
import { OutboxPoster } from './warroom/outbox-poster.js';
import { RollbackStore } from './store/rollbacks.js';
import { Freezes } from './store/freezes.js';
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
  /** Where SNS signing certificates may come from (default: https sns.<region>.amazonaws.com); tests point it at a local CA. */
  sns?: SnsOptions;
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
    if (!aof)
      log.warn(
        { aof },
        'Redis has no append-only file: a Redis restart can lose rollbacks in flight. Run Redis with --appendonly yes (README "Running Redis in production").',
      );
    if (policy && policy !== 'noeviction')
      log.warn({ policy }, `Redis maxmemory-policy is ${policy}: it may evict Rewind's records and locks. Set maxmemory-policy noeviction.`);
  } catch (error) {
    log.warn({ err: error }, 'could not check Redis persistence settings');
  }
}

export interface Rewind {
  services: Services;
  /** Base URL of the HTTP server: Bolt's receiver (HTTP mode, web role) or the worker role's own (/healthz, /metrics). */
  url?: string;
  /** The address that HTTP server is bound to. */
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
  // One registry per Rewind: several can run in one process (tests), none touches prom-client's global one.
  const metrics = new Metrics({
    rtoMs: catalog.rto,
    driverOf: (rb: Rollback) => rb.plan?.driver ?? (rb.stack ? 'stack' : (targetOf(catalog, rb.service, rb.environment)?.driver ?? 'unknown')),
  });
  metrics.initDrivers([...driverKinds(catalog), ...(catalog.stacks && Object.keys(catalog.stacks).length ? ['stack'] : [])]);
  const slack = new CountedWebClient(
    env.SLACK_BOT_TOKEN,
    {
      slackApiUrl: env.SLACK_API_URL,
      // The original axios error carries the Authorization header: never attach it to errors that get logged.
      attachOriginalToWebAPIRequestError: false,
      retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
      logger: boltLogger(log),
    },
    metrics,
  );
  const outbox = new Outbox(redis, prefix);
  const store = new RollbackStore(redis, prefix);
  store.onSay = () => outbox.appended();
  // Only the write that actually changed a record reaches here: each outcome is counted once.
  store.onChange = (before, after) => metrics.rollbackChanged(before, after);
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
    metrics,
  };
  const jobs = RollbackJobs.open(bullConnection, prefix, (error) => log.warn({ err: error }, 'queue connection error (reconnecting)'));
  metrics.watchQueues([jobs.interactive, jobs.execution], () => bullConnection.status === 'ready');
  const closers: (() => Promise<unknown>)[] = [];
  // Served on PORT in every role: through Bolt by the web role (and ROLE=all), by a plain HTTP server in ROLE=worker.
  const sharedRoutes: CustomRoute[] = [metricsRoute(metrics, log)];
  if (env.REWIND_ADMIN_TOKEN) {
    sharedRoutes.push(await adminRoute({ token: env.REWIND_ADMIN_TOKEN, write: env.REWIND_ADMIN_WRITE, queues: [jobs.interactive, jobs.execution] }));
    log.info({ path: '/admin/queues', write: env.REWIND_ADMIN_WRITE }, 'queue dashboard enabled');
  }

  void warnIfRedisMayLoseData(redis, log);
  for (const warning of builtInMatrixWarnings(catalog)) log.warn(warning);

  let url: string | undefined;
  let bound: AddressInfo | undefined;
  if (env.ROLE === 'worker') {
    // No Bolt here: a plain HTTP server on PORT for probes and scrapes (and the queue dashboard when enabled).
    const http = await serveRoutes([healthRoute(redis, env.ROLE), ...sharedRoutes], env.PORT, opts.host, log);
    bound = http.address;
    url = `http://127.0.0.1:${http.address.port}`;
    closers.push(() => http.close());
    log.info({ port: http.address.port }, 'worker HTTP server started (/healthz, /metrics)');
  }

  if (env.ROLE !== 'web') {
    // Only the drivers this catalog uses are created, and with them only their SDKs.
    const client = clientSource(opts.clients, { onAwsError: (service) => metrics.platformError(service) });
    const drivers = await loadDrivers(driverKinds(catalog), {
      client,
      log,
      now: services.now,
      env: process.env,
      minPollSec: opts.minPollSec,
      rpo: catalog.rpo,
    });
    const verify = createVerifier({ cloudwatch: async (region) => (await client('cloudwatch'))(region), env: process.env });
    const x: WorkerServices = {
      ...services,
      drivers,
      verify,
      jobs,
      progressIntervalMs: opts.progressIntervalMs ?? 5000,
      executionLockMs: Math.max(1500, env.REWIND_JOB_LOCK_MS),
    };
    const worker = startWorker(x, bullConnection, { concurrency: env.REWIND_WORKER_CONCURRENCY, lockDurationMs: env.REWIND_JOB_LOCK_MS });
    const poster = new OutboxPoster(services, opts.outboxPollMs);
    poster.start();
    await jobs.scheduleReconcile(env.REWIND_RECONCILE_MS);
    await jobs.scheduleReadinessSummary(catalog.readiness?.daily);
    closers.push(
      () => worker.close(),
      () => poster.stop(2000),
    );
    log.info({ concurrency: env.REWIND_WORKER_CONCURRENCY }, 'worker role started');
  }

  if (env.ROLE !== 'worker') {
    const socketMode = Boolean(env.SLACK_APP_TOKEN);
    const customRoutes: CustomRoute[] = [healthRoute(redis, env.ROLE), ...sharedRoutes];
    if (catalog.alerts) {
      customRoutes.push(
        ...alertRoutes({
          catalog,
          jobs,
          log: log.child({ component: 'alerts' }),
          now: services.now,
          alertmanagerToken: env.REWIND_ALERTS_TOKEN,
          hmacSecret: env.REWIND_ALERTS_HMAC_SECRET,
          sns: new SnsVerifier(opts.sns ?? { certHost: AWS_SNS_HOST }),
          metrics,
        }),
      );
      log.info(
        { alertmanager: Boolean(env.REWIND_ALERTS_TOKEN), generic: Boolean(env.REWIND_ALERTS_HMAC_SECRET), snsTopics: catalog.alerts.snsTopics.length },
        'alert intake on /alerts/alertmanager, /alerts/sns, /alerts/generic',
      );
    }
    if (env.REWIND_FREEZE_TOKEN) {
      customRoutes.push(freezeRoute({ token: env.REWIND_FREEZE_TOKEN, catalog, freezes: new Freezes(redis, prefix), log, metrics }));
      log.info({ path: '/api/v1/freeze/<service>/<environment>' }, 'deploy freeze API enabled');
    }
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
    // Bolt makes its own WebClient for listeners: count the 429s it waits out too.
    countRateLimits(app.client, metrics);
    app.use(async function countSlackRateLimits({ client, next }) {
      countRateLimits(client, metrics);
      await next();
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
      const within = (work: Promise<unknown>) =>
        Promise.race([
          work.catch((error: unknown) => log.warn({ err: error }, 'error while stopping')),
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref()),
        ]);
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

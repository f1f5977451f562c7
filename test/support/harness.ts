import { ECSClient } from '@aws-sdk/client-ecs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCatalog } from '../../src/config/catalog.js';
import type { Rollback } from '../../src/domain/rollback.js';
import { parseEnv } from '../../src/config/env.js';
import { startRewind, type Rewind, type RewindOptions } from '../../src/main.js';
import type { Clients } from '../../src/drivers/clients.js';
import { KubeConfig } from '@kubernetes/client-node';
import { SSMClient } from '@aws-sdk/client-ssm';
import { sdkConfig, SsmFake } from '../fakes/aws/index.js';
import { seedDistroCvApi } from '../../sandbox/estate/ecs.js';
import { seedSkillancerDeployments } from '../../sandbox/estate/kubernetes.js';
import { startFakeEcs, type FakeEcs } from '../fakes/aws/ecs.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../fakes/slack.js';
import { freePort } from './private-redis.js';
import { dropPrefix, testRedisUrl, uniquePrefix } from './redis.js';

export const SIGNING_SECRET = 'test-signing-secret';
/** The fake's default app-level token, for Socket Mode. */
export const APP_TOKEN = 'xapp-test-token';
export const WAR_ROOM = 'C0WARROOM';
export const USERS = { requester: 'U0REQ', oncall: 'U0ONCALL1', oncallViaGroup: 'U0ONCALL2', lead: 'U0LEAD', outsider: 'U0OUTSIDE' };

export const CATALOG_YAML = (healthUrl: string) => `
product: DistroCV
warRoom: ${WAR_ROOM}
rto: 15m
approvalTimeout: 30m
roles:
  oncall: { users: [${USERS.oncall}], usergroups: [S0ONCALL] }
  lead: { users: [${USERS.lead}] }
services:
  api:
    production:
      driver: ecs
      cluster: distrocv-prod
      service: api
      pollInterval: 50ms
      health: { url: ${healthUrl}, attempts: 2, interval: 50ms }
      approval: { from: [oncall, lead], count: 1 }
    staging:
      driver: ecs
      cluster: distrocv-staging
      service: api
      approval: { from: [oncall], count: 1 }
  web:
    production:
      driver: kubernetes
      context: fake
      namespace: production
      deployments: [skillancer-web, skillancer-api]
      resyncInterval: 250ms
      progressTimeout: 20s
      approval: { from: [oncall, lead], count: 1 }
flags:
  NewMatchingAlgorithm:
    production:
      driver: flag
      store: ssm
      parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm
      approval: { from: [oncall], count: 1 }
`;

export interface Harness {
  slack: FakeSlack;
  ecs: FakeEcs;
  kube: FakeKube;
  ssm: SsmFake;
  rewind: Rewind;
  prefix: string;
  health: { status: number; server: Server; url: string };
  env: Record<string, string>;
  catalogYaml: string;
  /** Where signed HTTP requests go; empty in Socket Mode, where payloads travel over the app's WebSocket. */
  eventsUrl: string;
  close(): Promise<void>;
}

async function startHealth(): Promise<Harness['health']> {
  const health = { status: 200 } as Harness['health'];
  health.server = createServer((_req, res) => {
    res.writeHead(health.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: health.status === 200 ? 'healthy' : 'unhealthy' }));
  });
  await new Promise<void>((r) => health.server.listen(0, '127.0.0.1', r));
  health.url = `http://127.0.0.1:${(health.server.address() as AddressInfo).port}/health`;
  return health;
}

export interface HarnessOptions {
  role?: 'all' | 'web';
  tickMs?: number;
  /** The Kubernetes controller's own pace, when it should differ from the ECS fake's `tickMs`. */
  kubeTickMs?: number;
  /** Clients for fakes the harness does not start (S3 and CloudFront for a frontend target...). */
  clients?: Partial<Clients>;
  redisUrl?: string;
  /** Edits the catalog text before it is parsed (extra roles, matrix, templates...). */
  catalog?: (yaml: string) => string;
  /** Extra Slack fake options (users for users.info, channels...). */
  slack?: Omit<FakeSlackOptions, 'signingSecret'>;
  /** Pace of posts per channel (production: 1000); tests post without pacing. */
  slackMinIntervalMs?: number;
  /** Socket Mode: SLACK_APP_TOKEN instead of a signing secret, and a free PORT for /healthz (Bolt does not report the port it bound). */
  socketMode?: boolean;
  /** Extra environment for Rewind (REWIND_ADMIN_TOKEN...); also passed to processes spawned from this harness. */
  env?: Record<string, string>;
  /** Where SNS signing certificates may come from (tests: a local https host and its CA). */
  sns?: RewindOptions['sns'];
}

/** Fakes + Rewind in this process; `role` 'web' leaves the worker to a child process. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const slack = await startFakeSlack({ signingSecret: SIGNING_SECRET, usergroups: { S0ONCALL: [USERS.oncallViaGroup] }, ...opts.slack });
  const ecs = await startFakeEcs({ tickMs: opts.tickMs ?? 20 });
  seedDistroCvApi(ecs);
  const kube = await startFakeKube({ tickMs: opts.kubeTickMs ?? opts.tickMs ?? 20 });
  seedSkillancerDeployments(kube);
  const ssm = await SsmFake.start();
  ssm.putParameter('/distrocv/prod/FeatureFlags/NewMatchingAlgorithm', 'false');
  ssm.putParameter('/distrocv/prod/FeatureFlags/NewMatchingAlgorithm', 'true');
  const health = await startHealth();
  const prefix = uniquePrefix();
  const catalogYaml = (opts.catalog ?? ((yaml: string) => yaml))(CATALOG_YAML(health.url));
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    ...(opts.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: slack.url,
    PORT: opts.socketMode ? String(await freePort()) : '0',
    REDIS_URL: opts.redisUrl ?? testRedisUrl(),
    REWIND_REDIS_PREFIX: prefix,
    ROLE: opts.role ?? 'all',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REWIND_JOB_LOCK_MS: '2000',
    ...opts.env,
  };
  const rewind = await startRewind({
    env: parseEnv(env),
    catalog: parseCatalog(catalogYaml, 'test-catalog.yaml'),
    clients: {
      ecs: () => new ECSClient({ endpoint: ecs.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
      ssm: () => new SSMClient(sdkConfig(ssm.url)),
      kubeConfigFor: (target) => {
        const kc = new KubeConfig();
        kc.loadFromFile(kube.kubeconfigPath);
        if (target.context) kc.setCurrentContext(target.context);
        return kc;
      },
      ...opts.clients,
    },
    slackMinIntervalMs: opts.slackMinIntervalMs ?? 0,
    progressIntervalMs: 100,
    minPollSec: 0.05,
    outboxPollMs: 50,
    shutdownMs: 5000,
    ...(opts.sns ? { sns: opts.sns } : {}),
  });
  return {
    slack,
    ecs,
    kube,
    ssm,
    rewind,
    prefix,
    health,
    env,
    catalogYaml,
    eventsUrl: rewind.url ? `${rewind.url}/slack/events` : '',
    async close() {
      await rewind.close();
      await Promise.all([slack.close(), ecs.close(), kube.close(), ssm.close(), new Promise((r) => health.server.close(r))]);
      await dropPrefix(prefix, opts.redisUrl);
    },
  };
}

/** Text of a message including its blocks, for assertions on what a human would read. */
export function readable(message: { text?: string; blocks?: unknown[] }): string {
  return `${message.text ?? ''}\n${JSON.stringify(message.blocks ?? [])}`;
}

/** Polls the harness's store until rollback `id` is in one of `states`; fails naming what it waited for. */
export function waitForState(h: Harness, id: string, states: string[], timeoutMs = 15_000): Promise<Rollback> {
  return eventually(
    async () => {
      const rb = await h.rewind.services.store.get(id);
      return rb && states.includes(rb.state) ? rb : undefined;
    },
    `${id} to reach ${states.join('/')}`,
    timeoutMs,
  );
}

/** Polls an async check until it returns a value; fails naming what never happened. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

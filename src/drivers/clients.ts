import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeContext } from './shared/kubernetes/api.js';

/** Every cloud client a driver may ask for by name; tests and the sandbox inject their own. */
export interface Clients {
  ecs: (region?: string) => ECSClient;
  rds: (region?: string) => RDSClient;
  secrets: (region?: string) => SecretsManagerClient;
  cloudwatch: (region?: string) => CloudWatchClient;
  s3: (region?: string) => S3Client;
  ssm: (region?: string) => SSMClient;
  appconfig: (region?: string) => AppConfigClient;
  cloudfront: CloudFrontClient;
  route53: Route53Client;
  kubeConfigFor: (where: KubeContext) => KubeConfig;
}
export type ClientName = keyof Clients;

/** Hands out a client by name: made on first request, once per process. */
export type ClientSource = <N extends ClientName>(name: N) => Promise<Clients[N]>;

function perRegion<T>(make: (region?: string) => T): (region?: string) => T {
  const cache = new Map<string, T>();
  return (region) => {
    const key = region ?? '';
    if (!cache.has(key)) cache.set(key, make(region));
    return cache.get(key)!;
  };
}

const inRegion = (region?: string) => (region ? { region } : {});

/** Makes `make`'s client once, however often and however concurrently it is asked for. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** The part of an AWS SDK v3 client the error count needs. */
interface AwsClient {
  config: { serviceId?: string };
  middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

const isAwsClient = (value: unknown): value is AwsClient =>
  typeof value === 'object' &&
  value !== null &&
  'middlewareStack' in value &&
  'config' in value &&
  typeof (value as AwsClient).middlewareStack?.add === 'function';

export interface ClientSourceOptions {
  /**
   * Told once per AWS SDK call that failed after the SDK's own retries, with the client's service id
   * (`ECS`, `S3`, `CloudFront`...): the platform error count. Cancellations (shutdown) are not errors.
   */
  onAwsError?: (service: string) => void;
}

/**
 * Adds the error-count middleware to an AWS client (once: it replaces its own earlier copy). At the
 * initialize step it wraps the whole call, retries included, so one failed call counts once.
 */
function countAwsErrors<T>(client: T, onError: (service: string) => void): T {
  if (!isAwsClient(client)) return client;
  const service = client.config.serviceId ?? 'unknown';
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if ((error as Error | undefined)?.name !== 'AbortError') onError(service);
        throw error;
      }
    },
    { step: 'initialize', name: 'rewindCountPlatformErrors', override: true },
  );
  return client;
}

/**
 * Clients for one Rewind process: `injected` ones as given, the others made on first request from
 * their SDK's own standard chain (AWS_REGION, AWS_ENDPOINT_URL_*, ...). Each SDK is imported only
 * then, so a catalog that never uses one never loads it. Every AWS client, injected or made, counts
 * its failed calls through `opts.onAwsError`.
 */
export function clientSource(injected: Partial<Clients> = {}, opts: ClientSourceOptions = {}): ClientSource {
  const counted = new WeakSet<object>();
  const count = <T>(client: T): T => {
    if (!opts.onAwsError || typeof client !== 'object' || client === null || counted.has(client)) return client;
    counted.add(client);
    return countAwsErrors(client, opts.onAwsError);
  };
  /** Region-keyed factories hand out counted clients; a client object is counted itself. */
  const instrument = <T>(given: T): T =>
    typeof given === 'function' ? (((...args: unknown[]) => count((given as (...a: unknown[]) => unknown)(...args))) as T) : count(given);
  const make: { [N in ClientName]: () => Promise<Clients[N]> } = {
    ecs: once(async () => {
      const { ECSClient } = await import('@aws-sdk/client-ecs');
      return perRegion((region) => new ECSClient(inRegion(region)));
    }),
    rds: once(async () => {
      const { RDSClient } = await import('@aws-sdk/client-rds');
      return perRegion((region) => new RDSClient(inRegion(region)));
    }),
    secrets: once(async () => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return perRegion((region) => new SecretsManagerClient(inRegion(region)));
    }),
    cloudwatch: once(async () => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      return perRegion((region) => new CloudWatchClient(inRegion(region)));
    }),
    s3: once(async () => {
      const { S3Client } = await import('@aws-sdk/client-s3');
      // Local S3 endpoints (the sandbox's fake, MinIO) only speak path-style requests.
      const forcePathStyle = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
      return perRegion((region) => new S3Client({ ...inRegion(region), forcePathStyle }));
    }),
    ssm: once(async () => {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      return perRegion((region) => new SSMClient(inRegion(region)));
    }),
    appconfig: once(async () => {
      const { AppConfigClient } = await import('@aws-sdk/client-appconfig');
      return perRegion((region) => new AppConfigClient(inRegion(region)));
    }),
    // CloudFront and Route 53 are global services, signed in us-east-1.
    cloudfront: once(async () => new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ region: 'us-east-1' })),
    route53: once(async () => new (await import('@aws-sdk/client-route-53')).Route53Client({ region: 'us-east-1' })),
    kubeConfigFor: once(async () => (await import('./kubernetes/kubeconfig.js')).kubeConfigFromEnvironment()),
  };
  const handed = new Map<ClientName, Promise<unknown>>();
  return <N extends ClientName>(name: N) => {
    if (!handed.has(name)) {
      const given = injected[name];
      // kubeConfigFor is no AWS client: handed out as it is.
      handed.set(
        name,
        (given ? Promise.resolve(given) : make[name]()).then((client) => (name === 'kubeConfigFor' ? client : instrument(client))),
      );
    }
    return handed.get(name) as Promise<Clients[N]>;
  };
}

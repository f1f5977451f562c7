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
import type { KubernetesTarget } from './kubernetes/target.js';

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
  kubeConfigFor: (target: KubernetesTarget) => KubeConfig;
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

/**
 * Clients for one Rewind process: `injected` ones as given, the others made on first request from
 * their SDK's own standard chain (AWS_REGION, AWS_ENDPOINT_URL_*, ...). Each SDK is imported only
 * then, so a catalog that never uses one never loads it.
 */
export function clientSource(injected: Partial<Clients> = {}): ClientSource {
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
  return (name) => {
    const given = injected[name];
    return given ? Promise.resolve(given) : make[name]();
  };
}

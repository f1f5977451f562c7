import type { AppConfigFake } from './appconfig.js';
import type { CloudFrontFake } from './cloudfront.js';
import type { Route53Fake } from './route53.js';
import type { S3Fake } from './s3.js';
import type { SsmFake } from './ssm.js';

/**
 * The runbooks' fast-lever estate for `npm run sandbox` (and the test that proves it plans):
 * DistroCV's frontend buckets and distribution, its SSM and AppConfig feature flags, and
 * Skillancer's MAINTENANCE_MODE flag and apex record.
 */
export const ESTATE = {
  versionsBucket: 'distrocv-frontend-versions',
  liveBucket: 'distrocv-frontend-prod',
  /** Not in the runbook: where Rewind records what it made live, a bucket CloudFront does not serve. */
  stateBucket: 'distrocv-rewind-state',
  distributionId: 'E1234567890',
  flagPrefix: '/distrocv/prod/FeatureFlags/',
  maintenanceParameter: '/skillancer/prod/MAINTENANCE_MODE',
  hostedZoneId: 'Z1234567890ABC',
  albAlias: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'dualstack.skillancer-prod-1234567890.us-east-1.elb.amazonaws.com.', EvaluateTargetHealth: true },
} as const;

/** Catalog entries for the seeded estate; merge `services` and add `flags`/`maintenance` to a catalog. */
export const ESTATE_CATALOG = {
  services: `
  web:
    production:
      driver: frontend
      versions: { bucket: ${ESTATE.versionsBucket} }
      live: { bucket: ${ESTATE.liveBucket} }
      distributionId: ${ESTATE.distributionId}
  site:
    production:
      driver: dns
      hostedZoneId: ${ESTATE.hostedZoneId}
      name: skillancer.com
      maintenance: { alias: { hostedZoneId: Z2MAINTENANCE, dnsName: maintenance.skillancer.com } }
`,
  flags: `
flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: ${ESTATE.flagPrefix}NewMatchingAlgorithm }
  EnhancedInterviewPrep:
    production: { driver: flag, store: ssm, parameter: ${ESTATE.flagPrefix}EnhancedInterviewPrep }
  BetaFeatures:
    production: { driver: flag, store: ssm, parameter: ${ESTATE.flagPrefix}BetaFeatures }
  FeatureFlags:
    production: { driver: flag, store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant }
  MAINTENANCE_MODE:
    production: { driver: flag, store: ssm, parameter: ${ESTATE.maintenanceParameter} }
maintenance: MAINTENANCE_MODE
`,
};

const DAY = 24 * 3600_000;

/**
 * Three builds (v2.0.1 live), each with `sharedFiles` unchanged assets plus a few that differ. As in the
 * runbook, the pipeline syncs a build into the live bucket and writes nothing else: no `.rewind/live.json`.
 */
export function seedFrontend(s3: S3Fake, cloudfront: CloudFrontFake, options: { sharedFiles?: number; now?: Date } = {}): void {
  const now = options.now?.getTime() ?? Date.now();
  const shared = Array.from({ length: options.sharedFiles ?? 120 }, (_, i): [string, string] => [
    `static/img/photo-${String(i).padStart(4, '0')}.webp`,
    `image ${i}`,
  ]);
  const builds = [
    { version: 'v1.9.0', daysAgo: 21, hash: '7c1e' },
    { version: 'v2.0.0-previous', daysAgo: 9, hash: 'a41f' },
    { version: 'v2.0.1', daysAgo: 1, hash: 'e90b' },
  ];
  for (const b of builds) {
    const at = new Date(now - b.daysAgo * DAY);
    const files: [string, string][] = [
      ...shared,
      ['index.html', `<!doctype html><title>DistroCV ${b.version}</title><script src="/assets/app-${b.hash}.js"></script>`],
      [`assets/app-${b.hash}.js`, `console.log("DistroCV ${b.version}")`],
      [`assets/app-${b.hash}.css`, `body { --version: "${b.version}" }`],
      ['robots.txt', 'User-agent: *\nAllow: /'],
    ];
    for (const [key, body] of files) s3.putObject(ESTATE.versionsBucket, `${b.version}/${key}`, body, { lastModified: at });
  }
  const live = builds[2]!;
  for (const [key, body] of Object.entries(s3.contents(ESTATE.versionsBucket, `${live.version}/`))) s3.putObject(ESTATE.liveBucket, key, body);
  cloudfront.addDistribution(ESTATE.distributionId);
}

/** The build the live bucket holds (what a user would see), by comparing contents; undefined when it holds none exactly. */
export function liveBuild(s3: S3Fake): string | undefined {
  const live = JSON.stringify(s3.contents(ESTATE.liveBucket));
  const builds = new Set(Object.keys(s3.contents(ESTATE.versionsBucket)).map((key) => key.split('/')[0]!));
  return [...builds].find((b) => JSON.stringify(s3.contents(ESTATE.versionsBucket, `${b}/`)) === live);
}

/** DistroCV's appsettings flags in SSM (NewMatchingAlgorithm recently turned on) and Skillancer's MAINTENANCE_MODE. */
export function seedFlags(ssm: SsmFake, options: { now?: Date } = {}): void {
  const now = options.now?.getTime() ?? Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY);
  ssm.putParameter(`${ESTATE.flagPrefix}NewMatchingAlgorithm`, 'false', { at: at(14), user: 'arn:aws:iam::123456789012:user/priya' });
  ssm.putParameter(`${ESTATE.flagPrefix}NewMatchingAlgorithm`, 'true', { at: at(1), user: 'arn:aws:iam::123456789012:user/marco' });
  ssm.putParameter(`${ESTATE.flagPrefix}EnhancedInterviewPrep`, 'true', { at: at(30) });
  ssm.putParameter(`${ESTATE.flagPrefix}BetaFeatures`, 'false', { at: at(30) });
  ssm.putParameter(ESTATE.maintenanceParameter, 'false', { at: at(60) });
}

/** AppConfig `distrocv`/`prod`/`feature-flags`: version 2 then 3 deployed with strategy `instant`. */
export function seedAppConfig(appconfig: AppConfigFake, options: { now?: Date } = {}): void {
  const now = options.now?.getTime() ?? Date.now();
  appconfig.addApplication('distrocv', {
    environments: ['prod'],
    profiles: { 'feature-flags': { name: 'FeatureFlags', versions: ['1', '2', '3'] } },
    strategies: ['instant'],
  });
  appconfig.seedDeployment('distrocv', 'prod', 'feature-flags', '2', new Date(now - 14 * DAY));
  appconfig.seedDeployment('distrocv', 'prod', 'feature-flags', '3', new Date(now - DAY));
}

/** skillancer.com A → the production load balancer. */
export function seedDns(route53: Route53Fake): void {
  route53.putRecord(ESTATE.hostedZoneId, { Name: 'skillancer.com', Type: 'A', AliasTarget: { ...ESTATE.albAlias } });
}

import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlagCommand, parseMaintenanceCommand, type FlagCommand } from '../../commands/flag.js';
import { parseCatalog, targetOf, type Catalog } from '../../src/config/catalog.js';
import { flagTarget } from '../../src/drivers/flag/target.js';
import type { DnsTarget } from '../../src/drivers/dns/target.js';
import type { FrontendTarget } from '../../src/drivers/frontend/target.js';
import { createDnsDriver } from '../../src/drivers/dns/driver.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { createFrontendDriver } from '../../src/drivers/frontend/driver.js';
import { ESTATE_CATALOG, seedAppConfig, seedDns, seedFlags, seedFrontend } from '../fakes/aws/estate.js';
import { AppConfigFake, CloudFrontFake, Route53Fake, S3Fake, sdkConfig, SsmFake } from '../fakes/aws/index.js';
import { driverContext } from '../fakes/aws/steps.js';

let fakes: { s3: S3Fake; cf: CloudFrontFake; ssm: SsmFake; appconfig: AppConfigFake; route53: Route53Fake };
let catalog: Catalog;

beforeAll(async () => {
  fakes = {
    s3: await S3Fake.start(),
    cf: await CloudFrontFake.start(),
    ssm: await SsmFake.start(),
    appconfig: await AppConfigFake.start(),
    route53: await Route53Fake.start(),
  };
  seedFrontend(fakes.s3, fakes.cf);
  seedFlags(fakes.ssm);
  seedAppConfig(fakes.appconfig);
  seedDns(fakes.route53);
  catalog = parseCatalog(
    `warRoom: C0WARROOM\napproval: { from: [oncall] }\nroles: { oncall: { users: [U0ONCALL1] } }\nservices:${ESTATE_CATALOG.services}${ESTATE_CATALOG.flags}`,
    'sandbox.yaml',
  );
});

afterAll(async () => {
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

function flagDriver() {
  return createFlagDriver({
    ssm: () => new SSMClient(sdkConfig(fakes.ssm.url)),
    appconfig: () => new AppConfigClient(sdkConfig(fakes.appconfig.url)),
    env: {},
  });
}

async function planFlag(command: FlagCommand) {
  const target = flagTarget(catalog, command.flag, command.environment)!;
  return flagDriver().plan(
    {
      rollbackId: 'RB-1',
      service: command.flag,
      environment: command.environment,
      target,
      options: { action: command.action, ...(command.value ? { value: command.value } : {}) },
    },
    driverContext(),
  );
}

describe('sandbox estate', () => {
  it('plans the DistroCV frontend rollback to v2.0.0-previous, finding v2.0.1 live without a marker', async () => {
    const driver = createFrontendDriver({
      s3: () => new S3Client({ ...sdkConfig(fakes.s3.url), forcePathStyle: true }),
      cloudfront: new CloudFrontClient(sdkConfig(fakes.cf.url)),
    });
    const target = targetOf(catalog, 'web', 'production') as FrontendTarget;
    const plan = await driver.plan({ rollbackId: 'RB-1', service: 'web', environment: 'production', target }, driverContext());
    expect([plan.current, plan.target]).toEqual(['v2.0.1', 'v2.0.0-previous']);
    expect(plan.changes.slice(1, 3)).toEqual([
      'live version found by comparing the 124 objects in s3://distrocv-frontend-prod/ with each version (key, ETag, size)',
      '124 objects in v2.0.0-previous: 3 to copy, 2 to delete, 121 unchanged',
    ]);
  });

  it('plans `/rollback flag NewMatchingAlgorithm off production` and `revert`, and the AppConfig revert', async () => {
    const off = parseFlagCommand(['NewMatchingAlgorithm', 'off', 'production'], catalog) as FlagCommand;
    expect((await planFlag(off)).changes).toEqual(['NewMatchingAlgorithm (SSM /distrocv/prod/FeatureFlags/NewMatchingAlgorithm): "true" → "false"']);
    const revert = parseFlagCommand(['NewMatchingAlgorithm', 'revert', 'production'], catalog) as FlagCommand;
    expect((await planFlag(revert)).target).toBe('"false"');
    const appconfig = parseFlagCommand(['FeatureFlags', 'revert', 'production'], catalog) as FlagCommand;
    expect((await planFlag(appconfig)).target).toBe('version 2');
  });

  it('plans `/rollback maintenance on production` for Skillancer', async () => {
    const on = parseMaintenanceCommand(['on', 'production'], catalog) as FlagCommand;
    expect((await planFlag(on)).changes).toEqual(['MAINTENANCE_MODE (SSM /skillancer/prod/MAINTENANCE_MODE): "false" → "true"']);
  });

  it('plans the Skillancer switch to the maintenance page', async () => {
    const target = targetOf(catalog, 'site', 'production') as DnsTarget;
    const plan = await createDnsDriver({ route53: new Route53Client(sdkConfig(fakes.route53.url)) }).plan(
      { rollbackId: 'RB-1', service: 'site', environment: 'production', target },
      driverContext(),
    );
    expect(plan.target).toBe('alias maintenance.skillancer.com. (Z2MAINTENANCE)');
  });
});

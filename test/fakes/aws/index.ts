/** Wire-level AWS fakes for tests and `npm run sandbox`; point real SDK clients at `fake.url`. */
export { AppConfigFake, type AppConfigFakeOptions, type FakeDeployment } from './appconfig.js';
export { CloudFrontFake, type CloudFrontFakeOptions, type FakeDistribution, type FakeInvalidation } from './cloudfront.js';
export { CloudWatchFake, startFakeCloudWatch, type FakeCloudWatch, type MetricKey } from './cloudwatch.js';
export { EcsFake, startFakeEcs, type ContainerSeed, type EcsFakeOptions, type FakeEcs } from './ecs.js';
export { RdsFake, startFakeRds, type FakeInstance, type FakeRds, type FakeSnapshot, type RdsFakeOptions } from './rds.js';
export { Route53Fake, fqdn, type FakeRecordSet, type Route53FakeOptions } from './route53.js';
export { S3Fake, type S3Object } from './s3.js';
export { SecretsManagerFake, startFakeSecretsManager, type FakeRotation, type FakeSecretsManager } from './secrets-manager.js';
export { AwsFake, type Fault, type FakeCall, type FakeOptions } from './server.js';
export { SsmFake, type ParameterVersion } from './ssm.js';

/** Client options for a real SDK client talking to a fake (add `forcePathStyle: true` for S3). */
export function sdkConfig(url: string) {
  return { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 };
}

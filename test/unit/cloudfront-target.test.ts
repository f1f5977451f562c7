import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { oneTargetCatalog, targetProblems } from '../support/target-catalog.js';

const catalog = (production: string) => oneTargetCatalog('cdn', production);
const problems = (production: string) => targetProblems('cdn', production);

describe('catalog: driver cloudfront', () => {
  it('parses a distribution with its backup object and fills the defaults', () => {
    const parsed = parseCatalog(
      catalog('driver: cloudfront\ndistributionId: E1234567890ABC\nbackup: { bucket: skillancer-cloudfront-backups, key: cloudfront/E1234567890ABC.json }'),
      'rewind.config.yaml',
    );
    expect(parsed.services.cdn?.production).toEqual({
      driver: 'cloudfront',
      distributionId: 'E1234567890ABC',
      backup: { bucket: 'skillancer-cloudfront-backups', key: 'cloudfront/E1234567890ABC.json' },
      deployTimeout: 25 * 60_000,
      pollInterval: 10_000,
    });
    expect(problems('driver: cloudfront\ndistributionId: E1234567890ABC')).toEqual([]);
  });

  it('says what is wrong and how to fix it', () => {
    expect(
      problems('driver: cloudfront\ndistributionId: d111111abcdef8.cloudfront.net\nbackup: { bucket: s3://backups, key: cloudfront/ }\ndeployTimeout: soon'),
    ).toEqual([
      'services.cdn.production.distributionId: is not a CloudFront distribution id: copy the ID column of the CloudFront console, e.g. E1234567890',
      'services.cdn.production.backup.bucket: is not an S3 bucket name: write the bare name such as skillancer-cloudfront-backups (no s3://, no slashes)',
      'services.cdn.production.backup.key: must be the key of one object such as cloudfront/E1234567890.json (no leading /, not a folder ending in /)',
      'services.cdn.production.deployTimeout: "soon" is not a duration: write it like 15m, 30s or 2h (how long to wait for CloudFront to deploy the change to its edge locations)',
    ]);
    expect(problems('driver: cloudfront\ndistributionId: E1234567890ABC\nbackup: { bucket: backups }\nversions: { bucket: backups }')).toEqual([
      "services.cdn.production.backup.key: missing: add it with the backup object's key, e.g. cloudfront/E1234567890.json",
      'services.cdn.production: unknown key "versions": remove it or fix the spelling',
    ]);
  });
});

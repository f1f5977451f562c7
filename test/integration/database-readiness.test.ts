import { RDSClient } from '@aws-sdk/client-rds';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabaseDriver } from '../../src/drivers/database/driver.js';
import { databaseTarget } from '../../src/drivers/database/target.js';
import type { ReadinessItem } from '../../src/drivers/readiness.js';
import { startFakeRds, type FakeRds } from '../fakes/aws/rds.js';

const HOUR = 3600_000;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };

let rds: FakeRds;
let client: RDSClient;
beforeEach(async () => {
  rds = await startFakeRds();
  client = new RDSClient({ ...aws, endpoint: rds.url });
});
afterEach(async () => {
  client.destroy();
  await rds.close();
});

/** The database driver's readiness items for `instance`, with backups required over the last 24 hours. */
function readiness(instance: string): Promise<ReadinessItem[]> {
  const driver = createDatabaseDriver({
    rds: () => client,
    secrets: () => {
      throw new Error('readiness reads no secret');
    },
    restart: {
      ecs: () => {
        throw new Error('readiness restarts nothing');
      },
      kube: () => Promise.reject(new Error('readiness restarts nothing')),
    },
    rpo: 5 * 60_000,
  });
  const target = databaseTarget.parse({ driver: 'database', instance, secret: { id: 'distrocv/database' }, approval: { from: ['cto'], count: 1 } });
  return driver.readiness!(target, {
    service: 'database',
    environment: 'production',
    signal: AbortSignal.timeout(10_000),
    log: pino({ level: 'silent' }),
    now: new Date(),
    backupWindowMs: 24 * HOUR,
  });
}

describe('database readiness: a snapshot or point-in-time window covering the last 24 hours', () => {
  it('a week of automated backups covers it', async () => {
    rds.addInstance('distrocv-prod');
    const [item] = await readiness('distrocv-prod');
    expect(item).toMatchObject({ check: 'backup', ok: true });
    expect(item!.detail).toMatch(/^point-in-time window .* → .* covers the last 24h 00m$/);
  });

  it('backups off: only a snapshot from within the window will do, else the fix names the command', async () => {
    rds.addInstance('distrocv-prod', { retentionDays: 0 });
    rds.addSnapshot('distrocv-prod-old', 'distrocv-prod', new Date(Date.now() - 30 * HOUR));
    rds.addSnapshot('distrocv-prod-creating', 'distrocv-prod', new Date(Date.now() - HOUR), { status: 'creating' });
    const [missing] = await readiness('distrocv-prod');
    expect(missing).toMatchObject({ check: 'backup', ok: false });
    expect(missing!.detail).toBe(
      'distrocv-prod: automated backups are off (backup retention 0 days), so there is no point-in-time window, and no available snapshot from the last 24h 00m',
    );
    expect(missing!.fix).toContain('aws rds create-db-snapshot --db-instance-identifier distrocv-prod');

    rds.addSnapshot('distrocv-prod-pre-deploy', 'distrocv-prod', new Date(Date.now() - 2 * HOUR));
    const [covered] = await readiness('distrocv-prod');
    expect(covered).toMatchObject({ check: 'backup', ok: true });
    expect(covered!.detail).toMatch(/^snapshot distrocv-prod-pre-deploy taken .*, within the last 24h 00m$/);
  });

  it('an instance that does not exist says where to look', async () => {
    expect(await readiness('nosuch-db')).toEqual([
      { check: 'backup', ok: false, detail: 'RDS has no instance nosuch-db', fix: 'Check `instance` and `region` in the Rewind catalog.' },
    ]);
  });
});

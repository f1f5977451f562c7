import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/grammar.js';
import { driverKinds, targetOf, type Catalog } from '../../src/config/catalog.js';
import type { Rollback } from '../../src/domain/rollback.js';
import { clientSource } from '../../src/drivers/clients.js';
import { DRIVER_KINDS, loadDrivers } from '../../src/drivers/index.js';
import { everyDriverCatalog } from '../support/catalogs.js';

const NOW = new Date('2026-01-22T10:30:00Z');

/** What a typed request asks for: the parts a re-plan must reproduce. */
function asked(text: string, catalog: Catalog) {
  const parsed = parseCommand(text, catalog, NOW);
  if (parsed.kind !== 'rollback') throw new Error(`\`/rollback ${text}\` is not a rollback: ${JSON.stringify(parsed)}`);
  return { service: parsed.service, environment: parsed.environment, version: parsed.version, options: parsed.options };
}

const REQUESTS = [
  'api production Error rate spiked',
  'api production to 41',
  'api staging to distrocv-api:40 sev P1 checkout broken',
  'skillancer production to 3',
  'frontend production to v2.0.0',
  'site production',
  'site production to original',
  'db production at -15m',
  'db production at 2026-01-22T10:00+01:00',
  'db production snapshot rds:distrocv-prod-2026-01-21',
  'migrations production to 20260101',
  'migrations production to reset',
  'migrations production step down to=20260101 sev P1 schema broke',
  'migrations production to=20260101 step down',
  'migrations production step reset',
  'flag NewMatchingAlgorithm off production matches look wrong',
  'flag newmatchingalgorithm revert production',
  'flag FeatureFlags set 2 production',
  'flag FEATURE_SKILLPOD_ENABLED revert production skillpod sessions drop',
  'maintenance on production',
  'beta-switch production',
  'cdn production',
  'cdn production to disabled',
  'cdn production to 3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbr_Y',
  'api-secrets production leaked JWT signing key',
  'api-secrets production sev security-breach',
  'infra production vpc routes broken',
];

describe("each driver's replan(rb)", async () => {
  const catalog = everyDriverCatalog();
  const drivers = await loadDrivers(driverKinds(catalog), { client: clientSource(), log: pino({ level: 'silent' }), now: () => NOW, env: {}, rpo: 300_000 });

  it('covers every driver kind', () => {
    const kinds = new Set(REQUESTS.map((text) => asked(text, catalog)).map((a) => targetOf(catalog, a.service, a.environment)!.driver));
    expect([...kinds].sort()).toEqual([...DRIVER_KINDS].sort());
  });

  it.each(REQUESTS)('`/rollback %s` asked again parses back to the same target', (text) => {
    const first = asked(text, catalog);
    const driver = drivers[targetOf(catalog, first.service, first.environment)!.driver]!;
    const rb: Rollback = {
      id: 'RB-7',
      target: `${first.service}/${first.environment}`,
      service: first.service,
      environment: first.environment,
      state: 'failed',
      requestedBy: 'U0SAM',
      reason: 'test',
      ...(first.version ? { requestedVersion: first.version } : {}),
      ...(first.options ? { options: first.options } : {}),
      approvals: [],
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    };
    const again = driver.replan(rb);
    expect(again).toMatch(/^\/rollback /);
    expect(asked(again.slice('/rollback '.length), catalog)).toEqual(first);
  });
});

import { catalogProblems } from '../support/catalogs.js';
import { describe, expect, it } from 'vitest';
import { approvalRuleOf, parseCatalog } from '../../src/config/catalog.js';
import { flagTarget, maintenanceFlag } from '../../src/drivers/flag/target.js';

const base = `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1] }
  lead: { users: [U0LEAD] }
services: {}
`;

const problems = catalogProblems;

describe('catalog flags', () => {
  it('reads flags with defaults and a lighter approval rule than the default', () => {
    const catalog = parseCatalog(
      `${base}approval: { from: [oncall, lead], count: 2 }
flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm, approval: { from: [oncall] } }
  MAINTENANCE_MODE:
    production: { driver: flag, store: ssm, parameter: /skillancer/prod/MAINTENANCE_MODE, on: true, off: false }
maintenance: MAINTENANCE_MODE
`,
      'rewind.config.yaml',
    );
    const flag = flagTarget(catalog, 'NewMatchingAlgorithm', 'production')!;
    expect(flag).toMatchObject({ driver: 'flag', store: 'ssm', on: 'true', off: 'false' });
    expect(approvalRuleOf(catalog, flag)).toEqual({ from: ['oncall'], count: 1 });
    expect(approvalRuleOf(catalog, flagTarget(catalog, 'MAINTENANCE_MODE', 'production')!)).toEqual({ from: ['oncall', 'lead'], count: 2 });
    expect(maintenanceFlag(catalog, 'production')).toBe('MAINTENANCE_MODE');
    expect(flagTarget(catalog, 'NewMatchingAlgorithm', 'staging')).toBeUndefined();
  });

  it('names the key path and the fix for each mistake', () => {
    expect(
      problems(`${base}flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: sms, parameter: /x }
  skillpod_enabled:
    production: { driver: flag, store: http, url: https://api.skillancer.com/admin/flags, tokenEnv: "sk-live-123", approval: { from: [oncall] } }
`),
    ).toEqual([
      'flags.NewMatchingAlgorithm.production.store: store must be one of: ssm, appconfig, http, doppler',
      'flags.skillpod_enabled.production.tokenEnv: must be the NAME of an environment variable such as SKILLANCER_ADMIN_TOKEN, not the token itself',
    ]);
  });

  it('checks roles and the maintenance flag against the rest of the catalog', () => {
    expect(
      problems(`${base}flags:
  BetaFeatures:
    production: { driver: flag, store: ssm, parameter: /x, approval: { from: [cto] } }
  MAINTENANCE_MODE:
    production: { driver: flag, store: ssm, parameter: /skillancer/prod/MAINTENANCE_MODE, approval: { from: [oncall] } }
maintenance: { production: MAINTENANCE, staging: MAINTENANCE_MODE }
`),
    ).toEqual([
      'flags.BetaFeatures.production.approval.from.0: role "cto" is not defined: add it under roles, or use one of: oncall, lead',
      'maintenance.production: flag "MAINTENANCE" is not defined under flags: add it there, or use one of: BetaFeatures, MAINTENANCE_MODE',
      'maintenance.staging: flag "MAINTENANCE_MODE" has no "staging" environment: add flags.MAINTENANCE_MODE.staging',
    ]);
  });

  it('refuses a flag named like a service', () => {
    expect(
      problems(`${base.replace('services: {}', 'services: { web: { production: { driver: frontend, versions: { bucket: v-bucket }, live: { bucket: l-bucket }, distributionId: E1234567890, approval: { from: [oncall] } } } }')}flags:
  web:
    production: { driver: flag, store: ssm, parameter: /x, approval: { from: [oncall] } }
`),
    ).toEqual(['flags.web: "web" is also a service name: rename the flag or the service']);
  });

  it('requires an approval rule on a flag when the catalog has no default', () => {
    expect(
      problems(`${base}flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm }
`),
    ).toEqual(['flags.NewMatchingAlgorithm.production.approval: missing: add `approval: { from: [oncall], count: 1 }` here or a top-level `approval` default']);
  });
});

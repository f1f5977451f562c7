import { describe, expect, it } from 'vitest';
import { flagHelp, parseFlagCommand, parseMaintenanceCommand } from '../../commands/flag.js';
import { parseCatalog } from '../../src/config/catalog.js';

const YAML = `
warRoom: C0WARROOM
approval: { from: [oncall, lead], count: 1 }
roles:
  oncall: { users: [U0ONCALL1] }
  lead: { users: [U0LEAD] }
services: {}
flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm, approval: { from: [oncall] } }
    staging: { driver: flag, store: ssm, parameter: /distrocv/staging/FeatureFlags/NewMatchingAlgorithm }
  FeatureFlags:
    production: { driver: flag, store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant, off: 2 }
  skillpod_enabled:
    production: { driver: flag, store: http, url: https://api.skillancer.com/admin/flags, tokenEnv: SKILLANCER_ADMIN_TOKEN }
  BetaFeatures:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/BetaFeatures, values: [internal, everyone] }
  MAINTENANCE_MODE:
    production: { driver: flag, store: ssm, parameter: /skillancer/prod/MAINTENANCE_MODE }
maintenance: MAINTENANCE_MODE
`;
const catalog = parseCatalog(YAML, 'rewind.config.yaml');
const words = (text: string) => text.split(' ');

describe('parseFlagCommand', () => {
  it('reads `<Flag> off <env> <reason>`', () => {
    expect(parseFlagCommand(words('NewMatchingAlgorithm off production matches are wrong'), catalog)).toEqual({
      kind: 'flag',
      flag: 'NewMatchingAlgorithm',
      action: 'off',
      environment: 'production',
      reason: 'matches are wrong',
    });
  });

  it('accepts the flag name in any case and enable/disable for on/off', () => {
    expect(parseFlagCommand(words('newmatchingalgorithm disable staging'), catalog)).toMatchObject({
      flag: 'NewMatchingAlgorithm',
      action: 'off',
      environment: 'staging',
      reason: '',
    });
    expect(parseFlagCommand(words('NewMatchingAlgorithm enable production'), catalog)).toMatchObject({ action: 'on' });
    expect(parseFlagCommand(words('NewMatchingAlgorithm revert production'), catalog)).toMatchObject({ action: 'revert' });
  });

  it('refuses an unknown flag, suggests the closest and lists the known ones', () => {
    expect(parseFlagCommand(words('NewMatchingAlgo off production'), catalog)).toEqual({
      error:
        'Unknown flag `NewMatchingAlgo`. Did you mean `NewMatchingAlgorithm`? Known flags: `NewMatchingAlgorithm`, `FeatureFlags`, `skillpod_enabled`, `BetaFeatures`, `MAINTENANCE_MODE`.',
    });
  });

  it('says which environments a flag has', () => {
    expect(parseFlagCommand(words('NewMatchingAlgorithm off prod'), catalog)).toEqual({
      error: '`NewMatchingAlgorithm` has no environment `prod`: choose one of `production`, `staging`.',
    });
    expect(parseFlagCommand(words('NewMatchingAlgorithm off'), catalog)).toMatchObject({
      error: expect.stringContaining('Which environment? `NewMatchingAlgorithm` is configured for `production`, `staging`.'),
    });
  });

  it('asks for an action it understands', () => {
    expect(parseFlagCommand(words('NewMatchingAlgorithm toggle production'), catalog)).toMatchObject({
      error: expect.stringContaining('`toggle` is not a flag action. Say what to do with `NewMatchingAlgorithm`: on, off, revert, or set <value>.'),
    });
    expect(parseFlagCommand([], catalog)).toMatchObject({ error: expect.stringContaining('Which flag?') });
  });

  it('allows `set` only to the values the catalog lists', () => {
    expect(parseFlagCommand(words('BetaFeatures set internal production rollout paused'), catalog)).toEqual({
      kind: 'flag',
      flag: 'BetaFeatures',
      action: 'set',
      value: 'internal',
      environment: 'production',
      reason: 'rollout paused',
    });
    expect(parseFlagCommand(words('BetaFeatures set nobody production'), catalog)).toEqual({
      error: 'BetaFeatures can be set to "internal", "everyone" only.',
    });
    expect(parseFlagCommand(words('NewMatchingAlgorithm set maybe production'), catalog)).toMatchObject({
      error: expect.stringContaining('does not allow `set`'),
    });
    expect(parseFlagCommand(words('BetaFeatures set $(rm production'), catalog)).toMatchObject({
      error: expect.stringContaining('is not a value Rewind will write'),
    });
  });

  it('refuses what a store cannot do, with the fix', () => {
    expect(parseFlagCommand(words('skillpod_enabled revert production'), catalog)).toEqual({
      error: 'skillpod_enabled is changed through an HTTP API that keeps no history, so only on and off work.',
    });
    expect(parseFlagCommand(words('FeatureFlags on production'), catalog)).toEqual({
      error: 'FeatureFlags has no configuration version for "on": add `on: <version>` to the catalog, or use revert or set <version>.',
    });
    expect(parseFlagCommand(words('FeatureFlags off production'), catalog)).toMatchObject({ kind: 'flag', action: 'off' });
    expect(parseFlagCommand(words('FeatureFlags set 3 production'), catalog)).toMatchObject({ kind: 'flag', action: 'set', value: '3' });
  });
});

describe('parseMaintenanceCommand', () => {
  it('toggles the catalog`s maintenance flag', () => {
    expect(parseMaintenanceCommand(words('on production deploy broke checkout'), catalog)).toEqual({
      kind: 'flag',
      flag: 'MAINTENANCE_MODE',
      action: 'on',
      environment: 'production',
      reason: 'deploy broke checkout',
    });
    expect(parseMaintenanceCommand(words('off production'), catalog)).toMatchObject({ flag: 'MAINTENANCE_MODE', action: 'off' });
  });

  it('refuses an environment without maintenance mode and anything but on/off', () => {
    expect(parseMaintenanceCommand(words('on staging'), catalog)).toEqual({
      error: 'Maintenance mode is not configured for `staging`. Choose one of `production`: `/rollback maintenance on|off <environment> [reason]`.',
    });
    expect(parseMaintenanceCommand(words('revert production'), catalog)).toEqual({
      error: 'Say on or off: `/rollback maintenance on|off <environment> [reason]`.',
    });
  });

  it('uses the per-environment map and explains a catalog without one', () => {
    const perEnv = parseCatalog(YAML.replace('maintenance: MAINTENANCE_MODE', 'maintenance: { staging: NewMatchingAlgorithm }'), 'x.yaml');
    expect(parseMaintenanceCommand(words('on staging'), perEnv)).toMatchObject({ flag: 'NewMatchingAlgorithm', environment: 'staging', action: 'on' });
    const none = parseCatalog(YAML.replace('maintenance: MAINTENANCE_MODE', ''), 'x.yaml');
    expect(parseMaintenanceCommand(words('on production'), none)).toEqual({
      error: 'No maintenance flag is configured: add `maintenance: MAINTENANCE_MODE` (a flag from `flags:`) to the catalog.',
    });
  });
});

describe('flagHelp', () => {
  it('lists the flags and the maintenance shortcut', () => {
    const lines = flagHelp(catalog);
    expect(lines[1]).toContain('/rollback maintenance on|off');
    expect(lines[2]).toBe(
      'Flags: `NewMatchingAlgorithm` (production, staging), `FeatureFlags` (production), `skillpod_enabled` (production), `BetaFeatures` (production), `MAINTENANCE_MODE` (production)',
    );
  });
});

describe('unknown flags', () => {
  it('suggests the known flag that is spelled most alike', () => {
    const catalog = parseCatalog(
      `warRoom: C0WARROOM
approval: { from: [oncall], count: 1 }
roles: { oncall: { users: [U0ONCALL1] } }
services: {}
flags:
  NewMatchingAlgorithm: { production: { driver: flag, store: ssm, parameter: /p/NewMatchingAlgorithm } }
  MAINTENANCE_MODE: { production: { driver: flag, store: ssm, parameter: /p/MAINTENANCE_MODE } }
`,
      'test.yaml',
    );
    expect(parseFlagCommand(['NewMatching', 'off', 'production'], catalog)).toEqual({
      error: expect.stringMatching(/^Unknown flag `NewMatching`\. Did you mean `NewMatchingAlgorithm`\? Known flags:/),
    });
    expect(parseFlagCommand(['Zebra', 'off', 'production'], catalog)).toEqual({ error: expect.not.stringMatching(/Did you mean/) });
  });
});

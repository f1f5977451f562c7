import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { ConfigError } from '../../src/config/errors.js';
import { flagActionProblem, flagPlaces, flagTarget } from '../../src/drivers/flag/target.js';

const base = `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1] }
services: {}
approval: { from: [oncall] }
`;

const SSM = '{ store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm }';
const APPCONFIG = '{ store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant, off: 2, on: 3 }';

function problems(flag: string): string[] {
  try {
    parseCatalog(`${base}flags:\n  NewMatchingAlgorithm:\n    production: ${flag}\n`, 'rewind.config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('catalog: a flag kept in several stores', () => {
  it('reads the stores in order, each with its own defaults, under one approval rule', () => {
    const catalog = parseCatalog(
      `${base}flags:\n  NewMatchingAlgorithm:\n    production: { driver: flag, stores: [${SSM}, ${APPCONFIG}], approval: { from: [oncall], count: 1 } }\n`,
      'rewind.config.yaml',
    );
    const flag = flagTarget(catalog, 'NewMatchingAlgorithm', 'production')!;
    expect(flagPlaces(flag)).toEqual([
      expect.objectContaining({ driver: 'flag', store: 'ssm', on: 'true', off: 'false' }),
      expect.objectContaining({ driver: 'flag', store: 'appconfig', on: '3', off: '2', pollInterval: 2000 }),
    ]);
    expect(flag.approval).toEqual({ from: ['oncall'], count: 1 });
  });

  it('asks every store whether it can do the action, naming the store that cannot', () => {
    const catalog = parseCatalog(
      `${base}flags:\n  NewMatchingAlgorithm:\n    production: { driver: flag, stores: [${SSM}, { store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant }] }\n`,
      'rewind.config.yaml',
    );
    const flag = flagTarget(catalog, 'NewMatchingAlgorithm', 'production')!;
    expect(flagActionProblem(flag, 'NewMatchingAlgorithm', 'off')).toBe(
      'NewMatchingAlgorithm has no configuration version for "off": add `off: <version>` to the catalog, or use revert or set <version> (stores[1], appconfig)',
    );
    expect(flagActionProblem(flag, 'NewMatchingAlgorithm', 'revert')).toBeUndefined();
  });

  it('names the key path and the fix for each mistake', () => {
    expect(problems(`{ driver: flag, stores: [${SSM}] }`)).toEqual([
      'flags.NewMatchingAlgorithm.production.stores: must list two or more stores; for one, write its fields next to `store:`',
    ]);
    expect(problems(`{ driver: flag, stores: [${SSM}, { store: ssm }] }`)).toEqual([
      'flags.NewMatchingAlgorithm.production.stores.1.parameter: missing: add it with the SSM parameter name, e.g. /distrocv/prod/FeatureFlags/NewMatchingAlgorithm',
    ]);
    expect(problems(`{ driver: flag, stores: [${SSM}, { store: sms, parameter: /x }] }`)).toEqual([
      'flags.NewMatchingAlgorithm.production.stores.1.store: store must be one of: ssm, appconfig, http, doppler',
    ]);
    expect(problems(`{ driver: flag, stores: [${SSM}, ${SSM}] }`)).toEqual([
      'flags.NewMatchingAlgorithm.production.stores.1: is the same place as stores[0]: remove the duplicate',
    ]);
    expect(problems(`{ driver: flag, stores: [${SSM}, { store: ssm, parameter: /x, approval: { from: [oncall] } }] }`)).toEqual([
      'flags.NewMatchingAlgorithm.production.stores.1: approval and health belong to the flag, not to one of its stores: move them up next to `stores`',
    ]);
    expect(problems('{ driver: flag }')).toEqual([
      'flags.NewMatchingAlgorithm.production.stores: missing: name the store (`store: ssm`, ...) or list several in order (`stores: [{ store: ssm, ... }, ...]`)',
    ]);
  });
});

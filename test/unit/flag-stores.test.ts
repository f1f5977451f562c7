import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { flagDriver } from '../../src/drivers/flag/index.js';
import { FLAG_STORES } from '../../src/drivers/flag/stores/index.js';
import { flagTargetSchema } from '../../src/drivers/flag/target.js';

const ctx = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };

describe('the flag store list', () => {
  it('gives every store its own name and step id (the driver finds steps by id)', () => {
    const names = FLAG_STORES.map((s) => s.store);
    const steps = FLAG_STORES.map((s) => s.step);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('makes a client only when a flag of a store that needs it is planned', async () => {
    const asked: string[] = [];
    const driver = await flagDriver.load({
      client: async (name) => {
        asked.push(name);
        throw new Error('no client in this test');
      },
      log: ctx.log,
      now: () => new Date(),
      env: {},
      rpo: 300_000,
    });
    const request = (target: Record<string, unknown>) => ({
      rollbackId: 'RB-1',
      service: 'Beta',
      environment: 'production',
      target: flagTargetSchema.parse({ driver: 'flag', ...target }),
      options: { action: 'off' },
    });
    await driver.plan(request({ store: 'http', url: 'https://flags.example.com/admin/flags' }), ctx);
    expect(asked).toEqual([]);
    await expect(driver.plan(request({ store: 'ssm', parameter: '/flags/Beta' }), ctx)).rejects.toThrow('no client in this test');
    expect(asked).toEqual(['ssm']);
  });
});

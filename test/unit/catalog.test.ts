import { describe, expect, it } from 'vitest';
import { parseCatalog, loadCatalog } from '../../src/config/catalog.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseEnv } from '../../src/config/env.js';

const valid = `
warRoom: C0WARROOM
rto: 15m
roles:
  oncall: { users: [U0ONCALL1], usergroups: [S0ONCALL] }
services:
  api:
    production:
      driver: ecs
      cluster: distrocv-prod
      service: api
      approval: { from: [oncall], count: 1 }
`;

function problems(yaml: string): string[] {
  try {
    parseCatalog(yaml, 'rewind.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^rewind\.config\.yaml: \d+ problems?/);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('catalog validation', () => {
  it('accepts the documented shape and fills defaults', () => {
    const catalog = parseCatalog(valid, 'rewind.config.yaml');
    expect(catalog.rto).toBe(15 * 60_000);
    expect(catalog.approvalTimeout).toBe(30 * 60_000);
    expect(catalog.services.api?.production).toMatchObject({ driver: 'ecs', cluster: 'distrocv-prod', pollInterval: 2000 });
  });

  it('reads the war-room follow-ups: statusPage mode (button unless auto) and supportChannel, with fix-it messages', () => {
    const withPage = (extra: string) => `${valid}statusPage: { url: https://status.example.com/hook${extra} }\n`;
    expect(parseCatalog(withPage(''), 'rewind.config.yaml').statusPage?.mode).toBe('button');
    expect(parseCatalog(`${withPage(', mode: auto')}supportChannel: C0SUPPORT\n`, 'rewind.config.yaml')).toMatchObject({
      statusPage: { mode: 'auto' },
      supportChannel: 'C0SUPPORT',
    });
    expect(problems(withPage(', mode: always'))).toEqual(['statusPage.mode: must be one of "auto", "button"']);
    expect(problems(`${valid}supportChannel: "#support"\n`)).toEqual([expect.stringMatching(/supportChannel: must be a Slack channel id/)]);
  });

  it('reads the readiness settings, and names the fix for a bad daily time or freeze token', () => {
    expect(parseCatalog(valid, 'rewind.config.yaml').readiness).toBeUndefined();
    expect(parseCatalog(`${valid}readiness: { daily: "09:30" }\n`, 'rewind.config.yaml').readiness).toEqual({ backupWindow: 24 * 3600_000, daily: '09:30' });
    expect(problems(`${valid}readiness: { backupWindow: 2d, daily: 9am }\n`)).toEqual([
      'readiness.daily: must be a UTC time of day such as 09:00 (when the war room gets the daily readiness summary)',
    ]);
    expect(() => parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REWIND_FREEZE_TOKEN: 'short' })).toThrow(
      /REWIND_FREEZE_TOKEN: too short: use at least 24 random characters/,
    );
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REWIND_FREEZE_TOKEN: '' }).REWIND_FREEZE_TOKEN).toBeUndefined();
  });

  it('names the key path and the fix for each problem', () => {
    const broken = valid
      .replace('cluster: distrocv-prod', 'clustr: distrocv-prod')
      .replace('warRoom: C0WARROOM', 'warRoom: "#war-room"')
      .replace('rto: 15m', 'rto: soon')
      .replace('from: [oncall]', 'from: [oncal]');
    const list = problems(broken);
    expect(list).toContainEqual(expect.stringMatching(/^warRoom: must be a Slack channel id such as C0WARROOM/));
    expect(list).toContainEqual(expect.stringMatching(/^rto: "soon" is not a duration: write it like 15m/));
    expect(list).toContainEqual(expect.stringMatching(/^services\.api\.production\.cluster: missing: add it with the ECS cluster name/));
    expect(list).toContainEqual(expect.stringMatching(/^services\.api\.production: unknown key "clustr": remove it or fix the spelling/));
  });

  it('refuses approval roles that are not defined, listing the defined ones', () => {
    expect(problems(valid.replace('from: [oncall]', 'from: [oncal]'))).toContainEqual(
      expect.stringMatching(/^services\.api\.production\.approval\.from\.0: role "oncal" is not defined: .*use one of: oncall/),
    );
  });

  it('names unknown drivers and YAML syntax errors with their line', () => {
    expect(problems(valid.replace('driver: ecs', 'driver: nomad')).join('\n')).toMatch(/services\.api\.production\.driver: .*ecs/);
    expect(problems('warRoom: [unclosed\n').join('\n')).toMatch(/line \d+, column \d+: .*Fix the YAML syntax there/);
  });

  it('says how to create a missing file', () => {
    expect(() => loadCatalog('/nonexistent/rewind.config.yaml')).toThrow(/file not found\. Fix: copy rewind\.config\.example\.yaml/);
  });
});

describe('environment validation', () => {
  it('requires the bot token and, in HTTP mode, the signing secret', () => {
    expect(() => parseEnv({})).toThrow(/SLACK_BOT_TOKEN: missing: set it to the Bot User OAuth Token/);
    expect(() => parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: missing: HTTP mode needs the Signing Secret/);
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).SLACK_API_URL).toBe('https://slack.com/api/');
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', ROLE: 'worker' }).ROLE).toBe('worker');
  });

  it('never echoes a secret value in its errors', () => {
    try {
      parseEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token-secret-123', SLACK_SIGNING_SECRET: 's' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).toMatch(/SLACK_BOT_TOKEN: must be the bot token/);
      expect((error as Error).message).not.toContain('secret-123');
    }
  });
});

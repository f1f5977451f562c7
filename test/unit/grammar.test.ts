import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/grammar.js';
import { parseCatalog } from '../../src/config/catalog.js';

const catalog = parseCatalog(
  `
warRoom: C0WARROOM
roles: { oncall: { users: [U0ONCALL1] } }
approval: { from: [oncall] }
services:
  api:
    production: { driver: ecs, cluster: c, service: api }
    staging: { driver: ecs, cluster: c, service: api }
`,
  'inline',
);

describe('/rollback grammar', () => {
  it.each([
    ['', { kind: 'modal' }],
    ['help', { kind: 'help' }],
    ['status rb-12', { kind: 'status', id: 'RB-12' }],
    ['api production', { kind: 'rollback', service: 'api', environment: 'production', reason: '' }],
    [
      'api production Error rate spiked after deploy',
      { kind: 'rollback', service: 'api', environment: 'production', reason: 'Error rate spiked after deploy' },
    ],
    ['api production to 41', { kind: 'rollback', service: 'api', environment: 'production', version: '41', reason: '' }],
    [
      '  api   production  to distrocv-api:41  bad   image ',
      { kind: 'rollback', service: 'api', environment: 'production', version: 'distrocv-api:41', reason: 'bad image' },
    ],
    [
      'api production to arn:aws:ecs:us-east-1:1:task-definition/distrocv-api:41',
      { kind: 'rollback', version: 'arn:aws:ecs:us-east-1:1:task-definition/distrocv-api:41' },
    ],
  ])('parses %j', (text, expected) => {
    expect(parseCommand(text, catalog)).toMatchObject(expected);
  });

  it.each([
    ['status', /Usage: `\/rollback status RB-12`/],
    ['status 12', /Usage/],
    ['web production', /Unknown service `web`\. Known services: `api`/],
    ['api', /Which environment of `api`\? Choose one of `production`, `staging`/],
    ['api prod', /`api` has no environment `prod`\. Did you mean `production`\?/],
    ['api production to', /`to` needs a version/],
    ['api production to ../../etc/passwd', /not a valid version/],
    ['api production to `rm -rf`', /not a valid version/],
  ])('refuses %j with a message naming the problem', (text, message) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toMatch(message);
  });
});

import { refusedCatalogProblems } from '../support/catalogs.js';
import { describe, expect, it } from 'vitest';
import { helpText, parseCommand } from '../../commands/grammar.js';
import { parseCatalog } from '../../src/config/catalog.js';
import { COMMAND_WORDS } from '../../src/config/command-words.js';

const base = `
warRoom: C0WARROOM
roles: { oncall: { users: [U0ONCALL1, U0ONCALL2] } }
approval: { from: [oncall] }
services:
  api:
    production: { driver: ecs, cluster: c, service: api }
`;
const flagsAndStacks = `flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm }
stacks:
  distrocv:
    production:
      components:
        api: { service: api }
`;
const catalog = parseCatalog(base + flagsAndStacks, 'inline');

const problems = refusedCatalogProblems;

/** The words a service could be given: the catalog's name rule (lowercase, digits, dashes). */
const nameable = COMMAND_WORDS.filter((w) => /^[a-z0-9][a-z0-9-]*$/.test(w));

describe('command words are reserved', () => {
  it('every word the help text documents after `/rollback` is a command word or a placeholder', () => {
    const documented = [...helpText(catalog).matchAll(/`\/rollback ([^\s`]+)/g)].map((m) => m[1]!);
    const words = [...new Set(documented.filter((w) => !w.startsWith('<') && !w.startsWith('[')))];
    expect(words.length).toBeGreaterThan(10);
    for (const word of words) expect(COMMAND_WORDS, `\`/rollback ${word}\` is documented`).toContain(word);
  });

  it.each(COMMAND_WORDS)('the grammar reads `%s` first as its command, never as a service', (word) => {
    const parsed = parseCommand(`${word} production`, catalog);
    expect(parsed).not.toMatchObject({ kind: 'rollback', service: word });
    if (parsed.kind === 'error') expect(parsed.message).not.toContain(`Unknown service \`${word}\``);
  });

  it.each(nameable)('start-up refuses a service named `%s`, naming it and the fix', (word) => {
    const yaml = base.replace('  api:\n', `  ${word}:\n    production: { driver: ecs, cluster: c, service: x }\n  api:\n`);
    expect(problems(yaml)).toContain(
      `services.${word}: "${word}" is a /rollback command word (\`/rollback ${word} …\` means that command), so this service could never be reached: rename it, e.g. "${word}-app". Reserved: ${COMMAND_WORDS.join(', ')}`,
    );
  });

  it('refuses a flag and a stack named after command words too, and accepts names that only start like one', () => {
    const yaml = base.replace('  api:\n', '  ready-api:\n    production: { driver: ecs, cluster: c, service: x }\n  api:\n') + flagsAndStacks;
    expect(parseCatalog(yaml, 'inline').services['ready-api']).toBeDefined();
    const found = problems(yaml.replace('  NewMatchingAlgorithm:\n', '  status:\n').replace('  distrocv:\n', '  full:\n'));
    expect(found.filter((p) => p.includes('is a /rollback command word'))).toEqual([
      expect.stringMatching(/^flags\.status: "status" is a \/rollback command word .* so this flag could never be reached: rename it/),
      expect.stringMatching(/^stacks\.full: "full" is a \/rollback command word .* so this stack could never be reached: rename it/),
    ]);
  });
});

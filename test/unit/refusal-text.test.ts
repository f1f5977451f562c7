import { expect, it } from 'vitest';
import { clause, refusalText, sentence } from '../../src/domain/refusal.js';

it('a hint used as a clause loses its closing punctuation, whatever it was', () => {
  expect(`${clause('Grant the Role in this namespace.')}, then ask again.`).toBe('Grant the Role in this namespace, then ask again.');
  expect(clause('Check the token;  ')).toBe('Check the token');
  expect(clause('retry once the variable is set')).toBe('retry once the variable is set');
  expect(clause('see `/rollback status RB-2`.')).toBe('see `/rollback status RB-2`');
});

it('a message followed by its hint ends as a sentence, without doubling a stop', () => {
  expect(refusalText({ code: 'busy', message: 'api production is locked by RB-3', hint: 'Wait for it.' })).toBe(
    'api production is locked by RB-3. Wait for it.',
  );
  expect(refusalText({ code: 'busy', message: 'api production is locked.', hint: 'Wait for it.' })).toBe('api production is locked. Wait for it.');
  expect(refusalText({ code: 'missing', message: 'No such rollback RB-9' })).toBe('No such rollback RB-9');
  expect(sentence('Unknown severity `P7`: use one of `P0`')).toBe('Unknown severity `P7`: use one of `P0`');
});

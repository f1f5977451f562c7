import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_VARIABLES } from '../../src/templates/variables.js';

describe('docs/catalog.md', () => {
  it('lists exactly the template variables start-up accepts, in their order', () => {
    const doc = readFileSync(new URL('../../docs/catalog.md', import.meta.url), 'utf8');
    const listed = /may use these `\{variables\}`: ([a-z_, ]+)\./.exec(doc)?.[1]?.split(', ');
    expect(listed).toEqual(Object.keys(TEMPLATE_VARIABLES));
  });
});

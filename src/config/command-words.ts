/**
 * The words `/rollback` reads as a command when they come first. commands/grammar.ts dispatches on
 * exactly these (its table is typed by this list, so a word it handles cannot be missing here),
 * which is why a service, flag or stack may not be named after one: `/rollback ready production`
 * could never reach a service called `ready`.
 */
export const COMMAND_WORDS = [
  'help',
  '-h',
  '--help',
  'matrix',
  'flag',
  'maintenance',
  'stack',
  'full',
  'unfreeze',
  'ready',
  'retry',
  'kill-stuck',
  'status',
  'versions',
  'history',
] as const;
export type CommandWord = (typeof COMMAND_WORDS)[number];

const WORDS: ReadonlySet<string> = new Set(COMMAND_WORDS);

export function isCommandWord(word: string): word is CommandWord {
  return WORDS.has(word);
}

/** The names a catalog gives its services, flags and stacks. */
interface Named {
  services: Record<string, unknown>;
  flags?: Record<string, unknown>;
  stacks?: Record<string, unknown>;
}

/** One issue per service, flag or stack named after a `/rollback` command word, with the rename to do. */
export function commandWordIssues(catalog: Named): { path: string[]; message: string }[] {
  const sections = [
    ['services', catalog.services, 'service'],
    ['flags', catalog.flags, 'flag'],
    ['stacks', catalog.stacks, 'stack'],
  ] as const;
  return sections.flatMap(([key, names, what]) =>
    Object.keys(names ?? {})
      .filter(isCommandWord)
      .map((name) => ({
        path: [key, name],
        message: `"${name}" is a /rollback command word (\`/rollback ${name} …\` means that command), so this ${what} could never be reached: rename it, e.g. "${name}-app". Reserved: ${COMMAND_WORDS.join(', ')}`,
      })),
  );
}

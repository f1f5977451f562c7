import { VERSION_PATTERN } from '../../domain/version.js';
import type { RequestGrammar } from '../request-grammar.js';

/**
 * The runbook grammar, the words after `/rollback <service> <env>`, in any order, before the severity and reason:
 *   step <name>          which of the target's steps (needed when it has several)
 *   <param>=<value>      a declared parameter (`migration=20240101_add_x`), checked against its catalog pattern at plan time
 *   to <value>           the one parameter of a one-parameter step, or a step name (as before parameters had names)
 *   from <command>       start a sequence at this command (the ones before it already ran)
 * Values are not judged here (the patterns are in the catalog): the plan refuses what does not match.
 */
const RUNBOOK_USAGE = '`step <name>`, then its parameters as `name=value` (e.g. `migration=20240101_add_x`)';

const PAIR = /^([a-z][a-z0-9_]*)=(.*)$/;
const KEYWORDS = ['step', 'from', 'to'] as const;

/** How many leading words belong to the request: keyword pairs and `name=value` words, up to the first other word. */
function countWords(more: readonly string[]): number {
  let n = 0;
  while (n < more.length) {
    const word = more[n]!;
    if ((KEYWORDS as readonly string[]).includes(word)) n += 2;
    else if (PAIR.test(word)) n += 1;
    else break;
  }
  return Math.min(n, more.length);
}

export const runbookGrammar: RequestGrammar = {
  words: countWords,
  parse(words) {
    const options: Record<string, string> = {};
    let version: string | undefined;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const pair = PAIR.exec(word);
      if (pair) {
        const name = pair[1]!;
        const value = pair[2]!;
        if (!value) return { error: `\`${word}\` has no value: write it as \`${name}=<value>\`, e.g. \`migration=20240101_add_x\`.` };
        if (Object.hasOwn(options, name)) return { error: `\`${name}\` is given twice: give each parameter once.` };
        options[name] = value;
        continue;
      }
      const value = words[++i];
      if (!value) return { error: `\`${word}\` needs a value after it. Say what to run: ${RUNBOOK_USAGE}.` };
      if (word === 'to') {
        if (version !== undefined) return { error: '`to` is given twice: give it once.' };
        if (!VERSION_PATTERN.test(value)) {
          return { error: `\`${value}\` is not a valid value after \`to\`: use letters, digits and . : / _ @ + -, or name the parameter: ${RUNBOOK_USAGE}.` };
        }
        version = value;
      } else if (Object.hasOwn(options, word)) {
        return { error: `\`${word}\` is given twice: give it once.` };
      } else {
        options[word] = value;
      }
    }
    return { options, ...(version !== undefined ? { version } : {}) };
  },
  help: '`/rollback <runbook> <environment> step <name> migration=20240101_add_x`: run a runbook step with its parameters (`from <command>` resumes a sequence)',
};

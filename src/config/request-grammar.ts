import { REQUEST_GRAMMARS, type RequestGrammar } from '../drivers/index.js';
import { serviceTarget, type Catalog } from './catalog.js';

/** The words a service's driver reads in place of `to <version>`, if it has its own (a database's `at <time>`). */
export function requestGrammarOf(catalog: Catalog, service: string, environment: string): RequestGrammar | undefined {
  const target = serviceTarget(catalog, service, environment);
  return target && REQUEST_GRAMMARS.get(target.driver);
}

/** One `/rollback help` line per kind with words of its own, in registry order. */
export function requestGrammarHelp(): string[] {
  return [...REQUEST_GRAMMARS.values()].map((g) => g.help);
}

/**
 * Words a driver reads after `/rollback <service> <env>` in place of `to <version>` (a database's
 * `at <time>`). Declarative and pure: commands/ parses with it on every slash command, through
 * src/config, so it may not import the driver's implementation or its SDK.
 */
export interface RequestGrammar {
  /** How many words the request takes (or counts them: a runbook's `name=value` pairs vary); the severity and reason follow them. */
  words: number | ((more: readonly string[]) => number);
  /** A word that lists what can be restored, as `/rollback history <service> <env>` does, instead of asking for a rollback. */
  list?: string;
  /**
   * The request as flat strings (they travel as `PlanRequest.options`) and, for a kind that also takes
   * `to <version>`, the version; or what is wrong with it. `now` anchors relative times.
   */
  parse(words: readonly string[], now: Date): { options: Record<string, string>; version?: string } | { error: string };
  /** The line `/rollback help` shows for this kind. */
  help: string;
}

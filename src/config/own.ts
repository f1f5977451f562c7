/**
 * `record[key]` only when `key` is the record's own: a name typed in Slack such as `constructor` or
 * `__proto__` must not be answered by Object.prototype (DESIGN.md, Safety rules: own keys only).
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string | undefined): T | undefined {
  return record !== undefined && key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

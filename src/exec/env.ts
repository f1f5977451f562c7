/** The child's environment: a few basics plus exactly the variables the catalog maps, never the worker's secrets. */

/** Enough for programs to find their tools and locale; none of these hold secrets. */
const BASE = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

export type ChildEnv = { env: Record<string, string>; secrets: string[] } | { missing: string[] };

/** `mapping` is child name → worker variable name (catalog `env: { DATABASE_URL: DISTROCV_DATABASE_URL }`). */
export function childEnv(mapping: Record<string, string>, source: NodeJS.ProcessEnv): ChildEnv {
  const env: Record<string, string> = {};
  for (const name of BASE) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  const missing: string[] = [];
  const secrets: string[] = [];
  for (const [child, worker] of Object.entries(mapping)) {
    const value = source[worker];
    if (value === undefined || value === '') {
      missing.push(worker);
      continue;
    }
    env[child] = value;
    secrets.push(value);
  }
  return missing.length ? { missing } : { env, secrets };
}

export function describeMissing(missing: string[], step: string): string {
  const list = missing.join(', ');
  return `the worker has no environment variable${missing.length > 1 ? 's' : ''} ${list}, which step ${step} needs: set ${missing.length > 1 ? 'them' : 'it'} in the worker's environment (or fix the env mapping in the catalog)`;
}

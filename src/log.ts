import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/**
 * Secrets never reach a log line (DESIGN.md, Safety rules). pino's `redact` paths are fixed-depth and
 * case-sensitive, but a failed Slack call carries the bot token at `err.original.config.headers.Authorization`
 * and inside `err.original.request._header`. So: (1) every object logged is copied with secret-named
 * keys censored at any depth and in any case, (2) every finished line is scrubbed of token-shaped text.
 */
const CENSOR = '[redacted]';

/** Keys whose values are secrets, at any depth and in any case. */
const SECRET_KEY = /authorization|token|secret|passw(or)?d|cookie|signature|api[-_]?key|credential/i;
/** `secretId`, `tokenEnv`, `SecretName`: names of secrets, which say which one without giving it away. */
const NAME_OF_SECRET = /(Id|Arn|Name|Env)$/;

/**
 * Token-shaped text anywhere in a JSON line: Slack tokens, auth schemes, raw header lines, query and form
 * fields. In JSON text a new line starts after a `\n` escape, so `\b` alone would miss a line's first word.
 */
const SECRET_TEXT: [RegExp, string][] = [
  [/x(?:ox[a-z]|app)-[A-Za-z0-9-]*/g, CENSOR],
  [/(\\[nrt]|\b)(Bearer)\s+[^\s"'\\,;]+/gi, `$1$2 ${CENSOR}`],
  // Basic credentials are base64; a short word after "Basic" is prose.
  [/(\\[nrt]|\b)(Basic)\s+[A-Za-z0-9+/=]{8,}/gi, `$1$2 ${CENSOR}`],
  [/(\\[nrt]|[\s"])((?:proxy-)?authorization|cookie|set-cookie|x-slack-signature):[^"\\]*/gi, `$1$2: ${CENSOR}`],
  [/\b([\w-]*(?:token|secret|password|signature)[\w-]*)=[^&\s"'\\]+/gi, `$1=${CENSOR}`],
];

/** pino's own limits (depthLimit 5, edgeLimit 100), with room for the wrapper keys. */
const MAX_DEPTH = 8;
const MAX_KEYS = 100;

export function scrubText(text: string): string {
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** A JSON-ready copy with secret-named keys censored; errors keep type, message, stack and code. */
export function scrubValue(value: unknown, depth = 0, path = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Error) value = stdSerializers.err(value);
  else if (ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
  else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
    if (value === null || typeof value !== 'object') return value;
  }
  const object = value as Record<string, unknown>;
  if (path.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[Array]' : '[Object]';
  path.add(object);
  try {
    if (Array.isArray(object)) return object.slice(0, MAX_KEYS).map((item) => scrubValue(item, depth + 1, path));
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(object).slice(0, MAX_KEYS)) {
      copy[key] = SECRET_KEY.test(key) && !NAME_OF_SECRET.test(key) ? CENSOR : readSafely(object, key, depth, path);
    }
    return copy;
  } finally {
    path.delete(object);
  }
}

/** Getters (sockets, streams) may throw; a log line must not. */
function readSafely(object: Record<string, unknown>, key: string, depth: number, path: WeakSet<object>): unknown {
  try {
    return scrubValue(object[key], depth + 1, path);
  } catch {
    return '[unreadable]';
  }
}

/** Fixed paths as well: pino resets the bindings formatter for `child()`, and child bindings get only these and the text pass. */
const REDACT = [
  'token',
  'password',
  'secret',
  'authorization',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'rewind' },
      redact: { paths: REDACT, censor: CENSOR },
      formatters: { log: (object) => scrubValue(object) as Record<string, unknown> },
      // `err` is already serialized by the copy; pino's serializer would re-type it as `Object`.
      serializers: { err: (err: unknown) => err },
      // Last line of defence: the message (`log.error(err)` takes err.message) and the child bindings.
      hooks: { streamWrite: scrubText },
    },
    destination,
  );
}

export type { Logger };

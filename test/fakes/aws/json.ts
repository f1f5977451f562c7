import { AwsError, type FakeRequest, type FakeResponse, type Route } from './server.js';

/** Just enough AWS JSON 1.0 / 1.1 for the fakes (POST /, `X-Amz-Target: <prefix><Operation>`, JSON bodies). */

export type JsonVersion = '1.0' | '1.1';

export function jsonResponse(body: unknown, status = 200, version: JsonVersion = '1.1', headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': `application/x-amz-json-${version}`, ...headers }, body: JSON.stringify(body) };
}

/**
 * Routes a JSON-protocol request to `operations[<Operation>]` and answers with what it returns;
 * undefined (the server's unknown operation) for another target or an operation the fake lacks.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the operations' input is whatever JSON the SDK sent
export function jsonRoute<I = any>(
  req: FakeRequest,
  prefix: string,
  operations: Record<string, (input: I) => unknown>,
  version: JsonVersion = '1.1',
): Route | undefined {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target.startsWith(prefix)) return undefined;
  const op = target.slice(prefix.length);
  if (!Object.hasOwn(operations, op)) return undefined;
  let input: I;
  try {
    input = JSON.parse(req.body.toString('utf8') || '{}') as I;
  } catch {
    throw new AwsError('SerializationException', 400, 'Request body is not JSON.');
  }
  const run = operations[op]!;
  return { op, input: input as Record<string, unknown>, run: () => jsonResponse(run(input), 200, version) };
}

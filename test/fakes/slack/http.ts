import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** multipart/form-data as undici parses it; file parts come back as Buffers. */
export async function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, string | Buffer>> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const out: Record<string, string | Buffer> = {};
  for (const [key, value] of form.entries()) {
    out[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
  }
  return out;
}

/** Arguments of a Web API call from the query string plus a form-encoded, JSON or multipart body. */
export async function readArgs(req: IncomingMessage, query: URLSearchParams): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = Object.fromEntries(query);
  const raw = await readRaw(req);
  if (raw.length === 0) return args;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) Object.assign(args, parsed);
  } else if (type.startsWith('multipart/form-data')) {
    Object.assign(args, await parseMultipart(raw, type));
  } else {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  return args;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

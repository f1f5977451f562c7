import { createHash } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { children, escapeXml, parseXml, textOf } from './xml.js';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function md5Etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** Decodes an `aws-chunked` body (`size;chunk-signature=…\r\n data \r\n … 0\r\n trailers`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * A path-style S3 (REST-XML): ListObjectsV2 with prefix/delimiter/continuation,
 * Get/Head/Put/Copy/DeleteObject, DeleteObjects, CreateBucket. ETags are MD5s.
 */
export class S3Fake extends AwsFake {
  private readonly buckets = new Map<string, Map<string, S3Object>>();

  static start(options?: FakeOptions): Promise<S3Fake> {
    return new S3Fake(options).start();
  }

  createBucket(name: string): this {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    return this;
  }

  /** Seeds an object (creating the bucket); `lastModified` dates a version. */
  putObject(bucket: string, key: string, body: string | Buffer, options: { lastModified?: Date; contentType?: string } = {}): S3Object {
    const data = Buffer.from(body);
    const object = {
      body: data,
      etag: md5Etag(data),
      lastModified: options.lastModified ?? new Date(),
      contentType: options.contentType ?? 'application/octet-stream',
    };
    this.createBucket(bucket).buckets.get(bucket)!.set(key, object);
    return object;
  }

  getObject(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  deleteObject(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }

  /** Every key in a bucket under a prefix, sorted, with its body as text. */
  contents(bucket: string, prefix = ''): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of this.sortedKeys(bucket)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = this.getObject(bucket, key)!.body.toString();
    return out;
  }

  private bucket(name: string): Map<string, S3Object> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist');
    return bucket;
  }

  private sortedKeys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  protected route(req: FakeRequest): Route | undefined {
    const [, rawBucket = '', ...rest] = req.path.split('/');
    const bucket = decodeURIComponent(rawBucket);
    const key = rest.map(decodeURIComponent).join('/');
    if (!bucket) return undefined;
    if (!key) {
      if (req.method === 'GET' && req.query.get('list-type') === '2') {
        return { op: 'ListObjectsV2', input: { bucket, prefix: req.query.get('prefix') ?? '', delimiter: req.query.get('delimiter') ?? '' }, run: () => this.list(bucket, req.query) };
      }
      if (req.method === 'POST' && req.query.has('delete')) {
        return { op: 'DeleteObjects', input: { bucket }, run: () => this.deleteMany(bucket, req.body) };
      }
      if (req.method === 'PUT') return { op: 'CreateBucket', input: { bucket }, run: () => (this.createBucket(bucket), { status: 200, headers: { location: `/${bucket}` } }) };
      if (req.method === 'HEAD') return { op: 'HeadBucket', input: { bucket }, run: () => (this.bucket(bucket), { status: 200 }) };
      return undefined;
    }
    switch (req.method) {
      case 'GET':
        return { op: 'GetObject', input: { bucket, key }, run: () => this.get(bucket, key, true) };
      case 'HEAD':
        return { op: 'HeadObject', input: { bucket, key }, run: () => this.get(bucket, key, false) };
      case 'PUT': {
        const source = req.headers['x-amz-copy-source'];
        if (typeof source === 'string') {
          return { op: 'CopyObject', input: { bucket, key, source: decodeURIComponent(source) }, run: () => this.copy(bucket, key, source) };
        }
        return { op: 'PutObject', input: { bucket, key }, run: () => this.put(bucket, key, req) };
      }
      case 'DELETE':
        return { op: 'DeleteObject', input: { bucket, key }, run: () => (this.bucket(bucket).delete(key), { status: 204 }) };
      default:
        return undefined;
    }
  }

  private get(bucket: string, key: string, withBody: boolean): FakeResponse {
    const object = this.bucket(bucket).get(key);
    if (!object) {
      // HEAD answers carry no body; the SDK names the error from the status (NotFound).
      if (!withBody) throw new AwsError('NotFound', 404, '');
      throw new AwsError('NoSuchKey', 404, 'The specified key does not exist.');
    }
    return {
      status: 200,
      headers: {
        etag: object.etag,
        'content-type': object.contentType,
        'content-length': String(object.body.length),
        'last-modified': object.lastModified.toUTCString(),
      },
      body: withBody ? object.body : undefined,
    };
  }

  private put(bucket: string, key: string, req: FakeRequest): FakeResponse {
    const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
    const body = chunked ? decodeAwsChunked(req.body) : req.body;
    this.bucket(bucket);
    const object = this.putObject(bucket, key, body, { contentType: String(req.headers['content-type'] ?? 'application/octet-stream') });
    return { status: 200, headers: { etag: object.etag } };
  }

  private copy(bucket: string, key: string, rawSource: string): FakeResponse {
    const source = decodeURIComponent(rawSource.split('?')[0]!).replace(/^\//, '');
    const slash = source.indexOf('/');
    const from = this.bucket(source.slice(0, slash)).get(source.slice(slash + 1));
    if (!from) throw new AwsError('NoSuchKey', 404, `The specified key does not exist: ${source}`);
    this.bucket(bucket).set(key, { ...from, lastModified: new Date() });
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: xmlDocument(`<CopyObjectResult xmlns="${NS}"><LastModified>${new Date().toISOString()}</LastModified><ETag>${escapeXml(from.etag)}</ETag></CopyObjectResult>`),
    };
  }

  private deleteMany(bucket: string, body: Buffer): FakeResponse {
    const objects = this.bucket(bucket);
    const request = parseXml(body.toString('utf8'));
    const quiet = textOf(request, 'Quiet') === 'true';
    const deleted = children(request, 'Object').map((o) => textOf(o, 'Key') ?? '');
    for (const key of deleted) objects.delete(key);
    const items = quiet ? '' : deleted.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('');
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument(`<DeleteResult xmlns="${NS}">${items}</DeleteResult>`) };
  }

  private list(bucket: string, query: URLSearchParams): FakeResponse {
    this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000);
    const token = query.get('continuation-token');
    const resume = token ? (JSON.parse(Buffer.from(token, 'base64url').toString()) as { after: string; skip?: string }) : undefined;
    const after = resume?.after ?? query.get('start-after') ?? '';
    const entries: ({ key: string } | { commonPrefix: string })[] = [];
    let lastPrefix: string | undefined = resume?.skip;
    for (const key of this.sortedKeys(bucket)) {
      if (!key.startsWith(prefix) || (after && key <= after)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const commonPrefix = key.slice(0, cut + delimiter.length);
        if (commonPrefix === lastPrefix) continue;
        lastPrefix = commonPrefix;
        entries.push({ commonPrefix });
      } else entries.push({ key });
      if (entries.length > maxKeys) break;
    }
    const truncated = entries.length > maxKeys;
    const page = entries.slice(0, maxKeys);
    const last = page[page.length - 1];
    const next =
      truncated && last
        ? Buffer.from(JSON.stringify('key' in last ? { after: last.key } : { after: last.commonPrefix, skip: last.commonPrefix })).toString('base64url')
        : undefined;
    const objects = this.buckets.get(bucket)!;
    const xml = [
      `<ListBucketResult xmlns="${NS}">`,
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
      delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : '',
      `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>`,
      token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
      next ? `<NextContinuationToken>${next}</NextContinuationToken>` : '',
      ...page.map((e) => {
        if ('commonPrefix' in e) return `<CommonPrefixes><Prefix>${escapeXml(e.commonPrefix)}</Prefix></CommonPrefixes>`;
        const o = objects.get(e.key)!;
        return `<Contents><Key>${escapeXml(e.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      }),
      '</ListBucketResult>',
    ].join('');
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument(xml) };
  }

  protected renderError(error: AwsError, req: FakeRequest): FakeResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'application/xml' },
      body: req.method === 'HEAD' ? undefined : xmlDocument(`<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId()}</RequestId></Error>`),
    };
  }
}

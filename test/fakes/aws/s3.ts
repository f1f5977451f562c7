import { createHash, randomBytes } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { children, escapeXml, parseXml, textOf } from './xml.js';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
  /** `null` (the text) in a bucket without versioning, as S3 says. */
  versionId: string;
}

/** What a DELETE leaves in a versioned bucket. */
interface DeleteMarker {
  deleteMarker: true;
  versionId: string;
  lastModified: Date;
}
type ObjectVersion = S3Object | DeleteMarker;

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function md5Etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** 32 characters of letters, digits, `.` and `_`, like S3's version ids. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url').replaceAll('-', '.');
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
 * Buckets with versioning keep every version (and delete markers): ListObjectVersions,
 * GetObject?versionId, and version ids in Put/Get answers.
 */
export class S3Fake extends AwsFake {
  private readonly buckets = new Map<string, Map<string, S3Object>>();
  /** Versioned buckets: key → its versions, oldest first. */
  private readonly versions = new Map<string, Map<string, ObjectVersion[]>>();

  static start(options?: FakeOptions): Promise<S3Fake> {
    return new S3Fake(options).start();
  }

  createBucket(name: string): this {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    return this;
  }

  /** Turns versioning on (creating the bucket); objects already there become version `null`, as in S3. */
  enableVersioning(bucket: string): this {
    if (this.versions.has(bucket)) return this;
    const history = new Map<string, ObjectVersion[]>();
    for (const [key, object] of this.createBucket(bucket).buckets.get(bucket)!) history.set(key, [object]);
    this.versions.set(bucket, history);
    return this;
  }

  /** Seeds an object (creating the bucket); `lastModified` dates a version. */
  putObject(bucket: string, key: string, body: string | Buffer, options: { lastModified?: Date; contentType?: string } = {}): S3Object {
    const data = Buffer.from(body);
    return this.store(bucket, key, {
      body: data,
      etag: md5Etag(data),
      lastModified: options.lastModified ?? new Date(),
      contentType: options.contentType ?? 'application/octet-stream',
    });
  }

  getObject(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  deleteObject(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
    this.versions.get(bucket)?.get(key)?.push({ deleteMarker: true, versionId: newVersionId(), lastModified: new Date() });
  }

  /** Makes an object the current one, and one more version of its key in a versioned bucket. */
  private store(bucket: string, key: string, content: Omit<S3Object, 'versionId'>): S3Object {
    const history = this.createBucket(bucket).versions.get(bucket);
    const object = { ...content, versionId: history ? newVersionId() : 'null' };
    this.buckets.get(bucket)!.set(key, object);
    if (history) history.set(key, [...(history.get(key) ?? []), object]);
    return object;
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

  /** Keys in S3's (UTF-8 byte) order; `withHistory`: also keys whose versions are all deleted. */
  private sortedKeys(bucket: string, withHistory = false): string[] {
    const keys = new Set(this.buckets.get(bucket)?.keys() ?? []);
    if (withHistory) for (const key of this.versions.get(bucket)?.keys() ?? []) keys.add(key);
    return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  protected route(req: FakeRequest): Route | undefined {
    const [, rawBucket = '', ...rest] = req.path.split('/');
    const bucket = decodeURIComponent(rawBucket);
    const key = rest.map(decodeURIComponent).join('/');
    if (!bucket) return undefined;
    if (!key) {
      if (req.method === 'GET' && req.query.has('versions')) {
        return { op: 'ListObjectVersions', input: { bucket, prefix: req.query.get('prefix') ?? '' }, run: () => this.listVersions(bucket, req.query) };
      }
      if (req.method === 'GET' && req.query.get('list-type') === '2') {
        return {
          op: 'ListObjectsV2',
          input: { bucket, prefix: req.query.get('prefix') ?? '', delimiter: req.query.get('delimiter') ?? '' },
          run: () => this.list(bucket, req.query),
        };
      }
      if (req.method === 'POST' && req.query.has('delete')) {
        return { op: 'DeleteObjects', input: { bucket }, run: () => this.deleteMany(bucket, req.body) };
      }
      if (req.method === 'PUT')
        return { op: 'CreateBucket', input: { bucket }, run: () => (this.createBucket(bucket), { status: 200, headers: { location: `/${bucket}` } }) };
      if (req.method === 'HEAD') return { op: 'HeadBucket', input: { bucket }, run: () => (this.bucket(bucket), { status: 200 }) };
      return undefined;
    }
    switch (req.method) {
      case 'GET': {
        const versionId = req.query.get('versionId') ?? undefined;
        return { op: 'GetObject', input: { bucket, key, ...(versionId ? { versionId } : {}) }, run: () => this.get(bucket, key, true, versionId) };
      }
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
        return { op: 'DeleteObject', input: { bucket, key }, run: () => (this.bucket(bucket), this.deleteObject(bucket, key), { status: 204 }) };
      default:
        return undefined;
    }
  }

  /** One version of a key; S3 answers 400 for an id it never issued, 404 for one of another key, 405 for a delete marker. */
  private version(bucket: string, key: string, versionId: string): S3Object {
    const history = this.versions.get(bucket)?.get(key);
    const current = this.bucket(bucket).get(key);
    const found = history ? history.find((v) => v.versionId === versionId) : current?.versionId === versionId ? current : undefined;
    if (!found) {
      if (versionId !== 'null' && !/^[A-Za-z0-9._]{32}$/.test(versionId)) throw new AwsError('InvalidArgument', 400, 'Invalid version id specified');
      throw new AwsError('NoSuchVersion', 404, 'The specified version does not exist.');
    }
    if ('deleteMarker' in found) throw new AwsError('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
    return found;
  }

  private get(bucket: string, key: string, withBody: boolean, versionId?: string): FakeResponse {
    const object = versionId ? this.version(bucket, key, versionId) : this.bucket(bucket).get(key);
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
        ...(this.versions.has(bucket) ? { 'x-amz-version-id': object.versionId } : {}),
      },
      body: withBody ? object.body : undefined,
    };
  }

  private put(bucket: string, key: string, req: FakeRequest): FakeResponse {
    const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
    const body = chunked ? decodeAwsChunked(req.body) : req.body;
    this.bucket(bucket);
    const object = this.putObject(bucket, key, body, { contentType: String(req.headers['content-type'] ?? 'application/octet-stream') });
    return { status: 200, headers: { etag: object.etag, ...(this.versions.has(bucket) ? { 'x-amz-version-id': object.versionId } : {}) } };
  }

  private copy(bucket: string, key: string, rawSource: string): FakeResponse {
    const source = decodeURIComponent(rawSource.split('?')[0]!).replace(/^\//, '');
    const slash = source.indexOf('/');
    const from = this.bucket(source.slice(0, slash)).get(source.slice(slash + 1));
    if (!from) throw new AwsError('NoSuchKey', 404, `The specified key does not exist: ${source}`);
    this.bucket(bucket);
    this.store(bucket, key, { ...from, lastModified: new Date() });
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: xmlDocument(
        `<CopyObjectResult xmlns="${NS}"><LastModified>${new Date().toISOString()}</LastModified><ETag>${escapeXml(from.etag)}</ETag></CopyObjectResult>`,
      ),
    };
  }

  private deleteMany(bucket: string, body: Buffer): FakeResponse {
    this.bucket(bucket);
    const request = parseXml(body.toString('utf8'));
    const quiet = textOf(request, 'Quiet') === 'true';
    const deleted = children(request, 'Object').map((o) => textOf(o, 'Key') ?? '');
    for (const key of deleted) this.deleteObject(bucket, key);
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

  /** Versions of the keys under a prefix: keys in order, each key's versions newest first, paged by key and version id markers. */
  private listVersions(bucket: string, query: URLSearchParams): FakeResponse {
    const current = this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000);
    const keyMarker = query.get('key-marker') ?? '';
    const versionIdMarker = query.get('version-id-marker') ?? '';
    const history = this.versions.get(bucket);
    const all = this.sortedKeys(bucket, true)
      .filter((key) => key.startsWith(prefix))
      .flatMap((key) => (history?.get(key) ?? [current.get(key)!]).map((v, i, list) => ({ key, v, latest: i === list.length - 1 })).reverse());
    let start = 0;
    if (keyMarker) {
      const marker = versionIdMarker ? all.findIndex((e) => e.key === keyMarker && e.v.versionId === versionIdMarker) : -1;
      start = marker >= 0 ? marker + 1 : all.findIndex((e) => e.key > keyMarker);
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + maxKeys);
    const truncated = start + maxKeys < all.length;
    const last = page[page.length - 1];
    const entries = page.map(({ key, v, latest }) => {
      const common = `<Key>${escapeXml(key)}</Key><VersionId>${escapeXml(v.versionId)}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
      if ('deleteMarker' in v) return `<DeleteMarker>${common}</DeleteMarker>`;
      return `<Version>${common}<ETag>${escapeXml(v.etag)}</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`;
    });
    const xml = [
      `<ListVersionsResult xmlns="${NS}">`,
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyMarker>${escapeXml(keyMarker)}</KeyMarker><VersionIdMarker>${escapeXml(versionIdMarker)}</VersionIdMarker>`,
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
      truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${escapeXml(last.v.versionId)}</NextVersionIdMarker>` : '',
      ...entries,
      '</ListVersionsResult>',
    ].join('');
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument(xml) };
  }

  protected renderError(error: AwsError, req: FakeRequest): FakeResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'application/xml' },
      body:
        req.method === 'HEAD'
          ? undefined
          : xmlDocument(
              `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId()}</RequestId></Error>`,
            ),
    };
  }
}

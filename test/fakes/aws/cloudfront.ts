import { randomBytes } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { child, children, escapeXml, parseXml, textOf } from './xml.js';

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

export interface FakeInvalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createdAt: Date;
  completesAt: number;
}

export interface CloudFrontFakeOptions extends FakeOptions {
  /** How long an invalidation stays InProgress (real CloudFront: tens of seconds to minutes). */
  invalidationDelayMs?: number;
}

/**
 * CloudFront's invalidation API (REST-XML, 2020-05-31). Like CloudFront, a repeated
 * CreateInvalidation with the same CallerReference and paths returns the earlier
 * invalidation; with other paths it fails with InvalidationBatchAlreadyExists.
 */
export class CloudFrontFake extends AwsFake {
  readonly invalidations: FakeInvalidation[] = [];
  invalidationDelayMs: number;
  private readonly distributions = new Set<string>();

  constructor(options: CloudFrontFakeOptions = {}) {
    super(options);
    this.invalidationDelayMs = options.invalidationDelayMs ?? 0;
  }

  static start(options?: CloudFrontFakeOptions): Promise<CloudFrontFake> {
    return new CloudFrontFake(options).start();
  }

  addDistribution(id: string): this {
    this.distributions.add(id);
    return this;
  }

  status(inv: FakeInvalidation): 'InProgress' | 'Completed' {
    return Date.now() >= inv.completesAt ? 'Completed' : 'InProgress';
  }

  protected route(req: FakeRequest): Route | undefined {
    const m = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation(?:\/([^/]+))?$/.exec(req.path);
    if (!m) return undefined;
    const distributionId = decodeURIComponent(m[1]!);
    const id = m[2] && decodeURIComponent(m[2]);
    if (req.method === 'POST' && !id) {
      const batch = parseXml(req.body.toString('utf8'));
      const callerReference = textOf(batch, 'CallerReference') ?? '';
      const paths = children(child(child(batch, 'Paths'), 'Items'), 'Path').map((p) => p.text);
      return { op: 'CreateInvalidation', input: { distributionId, callerReference, paths }, run: () => this.create(distributionId, callerReference, paths) };
    }
    if (req.method === 'GET' && id) return { op: 'GetInvalidation', input: { distributionId, id }, run: () => this.get(distributionId, id) };
    if (req.method === 'GET') return { op: 'ListInvalidations', input: { distributionId }, run: () => this.list(distributionId, req.query) };
    return undefined;
  }

  private distribution(id: string): void {
    if (!this.distributions.has(id)) throw new AwsError('NoSuchDistribution', 404, 'The specified distribution does not exist.');
  }

  private create(distributionId: string, callerReference: string, paths: string[]): FakeResponse {
    this.distribution(distributionId);
    if (paths.length === 0) throw new AwsError('InvalidArgument', 400, 'Paths must contain at least one path.');
    const earlier = this.invalidations.find((i) => i.distributionId === distributionId && i.callerReference === callerReference);
    if (earlier) {
      if ([...earlier.paths].sort().join('\n') !== [...paths].sort().join('\n')) {
        throw new AwsError('InvalidationBatchAlreadyExists', 409, 'The CallerReference you attempted to create the invalidation with is already in use.');
      }
      return this.render(earlier, 201);
    }
    const inv: FakeInvalidation = {
      id: `I${randomBytes(9).toString('hex').toUpperCase().slice(0, 13)}`,
      distributionId,
      callerReference,
      paths,
      createdAt: new Date(),
      completesAt: Date.now() + this.invalidationDelayMs,
    };
    this.invalidations.push(inv);
    return this.render(inv, 201);
  }

  private get(distributionId: string, id: string): FakeResponse {
    this.distribution(distributionId);
    const inv = this.invalidations.find((i) => i.distributionId === distributionId && i.id === id);
    if (!inv) throw new AwsError('NoSuchInvalidation', 404, 'The specified invalidation does not exist.');
    return this.render(inv, 200);
  }

  private list(distributionId: string, query: URLSearchParams): FakeResponse {
    this.distribution(distributionId);
    const all = this.invalidations.filter((i) => i.distributionId === distributionId).reverse();
    const max = Number(query.get('MaxItems') ?? 100);
    const marker = query.get('Marker');
    const start = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    const items = page
      .map((i) => `<InvalidationSummary><Id>${i.id}</Id><CreateTime>${i.createdAt.toISOString()}</CreateTime><Status>${this.status(i)}</Status></InvalidationSummary>`)
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: xmlDocument(
        `<InvalidationList xmlns="${NS}"><Marker>${escapeXml(marker ?? '')}</Marker>${truncated ? `<NextMarker>${page[page.length - 1]!.id}</NextMarker>` : ''}<MaxItems>${max}</MaxItems><IsTruncated>${truncated}</IsTruncated><Quantity>${page.length}</Quantity>${page.length ? `<Items>${items}</Items>` : ''}</InvalidationList>`,
      ),
    };
  }

  private render(inv: FakeInvalidation, status: number): FakeResponse {
    const paths = inv.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
    return {
      status,
      headers: {
        'content-type': 'text/xml',
        ...(status === 201 ? { location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${inv.distributionId}/invalidation/${inv.id}` } : {}),
      },
      body: xmlDocument(
        `<Invalidation xmlns="${NS}"><Id>${inv.id}</Id><Status>${this.status(inv)}</Status><CreateTime>${inv.createdAt.toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${inv.paths.length}</Quantity><Items>${paths}</Items></Paths><CallerReference>${escapeXml(inv.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`,
      ),
    };
  }

  protected renderError(error: AwsError): FakeResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml' },
      body: xmlDocument(
        `<ErrorResponse xmlns="${NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      ),
    };
  }
}

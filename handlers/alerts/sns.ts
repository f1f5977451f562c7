import { createVerify, X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { z } from 'zod';

/** Where AWS publishes SNS signing certificates and subscription links: `https://sns.<region>.amazonaws.com[.cn]/...`. */
export const AWS_SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export interface SnsOptions {
  /** Hosts Rewind fetches signing certificates and SubscribeURLs from (production: AWS_SNS_HOST; tests: a local https server). */
  certHost: RegExp;
  /** Extra trusted CA (PEM) for those fetches; tests only. */
  ca?: string;
  timeoutMs?: number;
}

/** An SNS HTTP(S) delivery (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html). */
export const snsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2'], { error: 'SignatureVersion must be 1 or 2' }),
  // Empty or missing signatures are still SNS-shaped: they fail verification (401), not parsing.
  Signature: z.string().default(''),
  SigningCertURL: z.string().min(1),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelope>;

/** The canonical text SNS signs: named fields in this order, each as `Name\nvalue\n`. */
export function stringToSign(m: SnsEnvelope): string {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', ...(m.Subject != null ? (['Subject'] as const) : []), 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields.map((f) => `${f}\n${m[f] ?? ''}\n`).join('');
}

/** An https URL on an allowed SNS host, or undefined: nothing else is ever fetched. */
export function snsUrl(raw: string | undefined, certHost: RegExp): URL | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && !url.username && !url.password && certHost.test(url.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** One small https GET with the configured CA and a deadline; rejects on non-2xx. */
export function httpsGet(url: URL, opts: SnsOptions, maxBytes = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ...(opts.ca ? { ca: opts.ca } : {}), timeout: opts.timeoutMs ?? 5000 }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        return reject(new Error(`GET ${url.host}${url.pathname} answered ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) req.destroy(new Error(`GET ${url.host}${url.pathname}: answer larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.host}${url.pathname}: no answer in time`)));
    req.on('error', reject);
  });
}

/** Verifies SNS signatures against certificates fetched (once each) from allowed hosts only. */
export class SnsVerifier {
  private readonly certs = new Map<string, Promise<X509Certificate>>();

  constructor(readonly opts: SnsOptions) {}

  /** True only when the certificate URL is allowed, the certificate loads, and the signature over the canonical text verifies. */
  async verify(m: SnsEnvelope): Promise<boolean> {
    const url = snsUrl(m.SigningCertURL, this.opts.certHost);
    if (!m.Signature || !url || !url.pathname.endsWith('.pem')) return false;
    let cert: X509Certificate;
    try {
      cert = await this.certificate(url);
    } catch {
      return false;
    }
    const verifier = createVerify(m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(stringToSign(m), 'utf8');
    try {
      return verifier.verify(cert.publicKey, m.Signature, 'base64');
    } catch {
      return false;
    }
  }

  private certificate(url: URL): Promise<X509Certificate> {
    const key = url.href;
    let cert = this.certs.get(key);
    if (!cert) {
      cert = httpsGet(url, this.opts).then((pem) => new X509Certificate(pem));
      // A failed fetch is not remembered: the next delivery tries again.
      cert.catch(() => this.certs.delete(key));
      this.certs.set(key, cert);
    }
    return cert;
  }
}

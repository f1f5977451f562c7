import { createSign, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SnsEnvelope } from '../../handlers/alerts/sns.js';
import { stringToSign } from '../../handlers/alerts/sns.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/sns/${name}`, import.meta.url)), 'utf8');

/** Test-only keys (test/fixtures/sns/make.sh). */
export const SNS_CA = fixture('ca.pem');
export const SIGNING_KEY = fixture('signing.key');
export const CERT_PATH = '/SimpleNotificationService-test.pem';

/** A local stand-in for sns.<region>.amazonaws.com: serves the signing certificate and records subscription confirmations. */
export interface CertHost {
  origin: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startCertHost(): Promise<CertHost> {
  const requests: string[] = [];
  const server: Server = createServer({ key: fixture('server.key'), cert: fixture('server.pem') }, (req, res) => {
    requests.push(req.url ?? '');
    if (req.url === CERT_PATH) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      return void res.end(fixture('signing.pem'));
    }
    if (req.url?.startsWith('/confirm')) {
      res.writeHead(200, { 'content-type': 'text/xml' });
      return void res.end('<ConfirmSubscriptionResponse/>');
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return { origin, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** An SNS delivery signed with the test key, as SNS would send it (SignatureVersion 1: SHA1, 2: SHA256). */
export function signedSns(
  fields: Pick<SnsEnvelope, 'Type' | 'Message' | 'TopicArn'> & Partial<SnsEnvelope>,
  certOrigin: string,
  version: '1' | '2' = '2',
  key = SIGNING_KEY,
): SnsEnvelope {
  const unsigned: SnsEnvelope = {
    MessageId: randomUUID(),
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    SigningCertURL: `${certOrigin}${CERT_PATH}`,
    Signature: '',
    ...fields,
  };
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(unsigned), 'utf8');
  return { ...unsigned, Signature: signer.sign(key, 'base64') };
}

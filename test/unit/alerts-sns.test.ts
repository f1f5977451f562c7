import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SNS_HOST, SnsVerifier, snsUrl, stringToSign } from '../../handlers/alerts/sns.js';
import { CERT_PATH, signedSns, SNS_CA, startCertHost, type CertHost } from '../support/sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:distrocv-alarms';
let host: CertHost;
let verifier: SnsVerifier;
beforeAll(async () => {
  host = await startCertHost();
  verifier = new SnsVerifier({ certHost: /^localhost$/, ca: SNS_CA });
});
afterAll(() => host.close());

const alarm = JSON.stringify({ AlarmName: 'distrocv-api-5xx', NewStateValue: 'ALARM', StateChangeTime: '2026-01-22T10:00:00.000+0000' });

describe('SNS signature verification (the real code, a test key served over https by a local CA)', () => {
  it.each(['1', '2'] as const)('accepts a notification signed with SignatureVersion %s', async (version) => {
    expect(await verifier.verify(signedSns({ Type: 'Notification', Message: alarm, TopicArn: TOPIC, Subject: 'ALARM' }, host.origin, version))).toBe(true);
  });

  it('accepts a signed SubscriptionConfirmation (its own field list)', async () => {
    const m = signedSns(
      { Type: 'SubscriptionConfirmation', Message: 'confirm', TopicArn: TOPIC, SubscribeURL: `${host.origin}/confirm?x=1`, Token: 't0k' },
      host.origin,
    );
    expect(await verifier.verify(m)).toBe(true);
  });

  it('refuses a forged message: changed after signing, signed by another key, or with a signature of another message', async () => {
    const genuine = signedSns({ Type: 'Notification', Message: alarm, TopicArn: TOPIC }, host.origin);
    expect(await verifier.verify({ ...genuine, Message: alarm.replace('ALARM', 'OK') })).toBe(false);
    expect(await verifier.verify({ ...genuine, TopicArn: 'arn:aws:sns:us-east-1:999999999999:evil' })).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(await verifier.verify(signedSns({ Type: 'Notification', Message: alarm, TopicArn: TOPIC }, host.origin, '2', other))).toBe(false);
    const another = signedSns({ Type: 'Notification', Message: 'something else', TopicArn: TOPIC }, host.origin);
    expect(await verifier.verify({ ...genuine, Signature: another.Signature })).toBe(false);
    expect(await verifier.verify({ ...genuine, Signature: 'not base64 at all' })).toBe(false);
  });

  it('fetches certificates only from https URLs on the allowed host, ending in .pem', async () => {
    const before = host.requests.length;
    const m = signedSns({ Type: 'Notification', Message: alarm, TopicArn: TOPIC }, host.origin);
    for (const url of [
      m.SigningCertURL.replace('https:', 'http:'),
      m.SigningCertURL.replace('localhost', '127.0.0.1'),
      `${host.origin}/cert.txt`,
      `https://user:pw@localhost${CERT_PATH}`,
      'not a url',
    ]) {
      expect(await verifier.verify({ ...m, SigningCertURL: url })).toBe(false);
    }
    expect(host.requests.slice(before)).toEqual([]);
  });

  it('in production only https sns.<region>.amazonaws.com hosts are allowed', () => {
    expect(snsUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem', AWS_SNS_HOST)?.hostname).toBe('sns.eu-west-1.amazonaws.com');
    expect(snsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem', AWS_SNS_HOST)).toBeDefined();
    for (const bad of [
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/x.pem',
      'https://evil.com/sns.us-east-1.amazonaws.com/x.pem',
      'https://s3.amazonaws.com/x.pem',
    ])
      expect(snsUrl(bad, AWS_SNS_HOST)).toBeUndefined();
  });

  it('signs the fields AWS documents, in order, leaving Subject out when absent', () => {
    const m = {
      Type: 'Notification',
      MessageId: 'id',
      TopicArn: 't',
      Message: 'm',
      Timestamp: 'ts',
      SignatureVersion: '2',
      Signature: '',
      SigningCertURL: '',
    } as const;
    expect(stringToSign(m)).toBe('Message\nm\nMessageId\nid\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
    expect(stringToSign({ ...m, Subject: 's' })).toBe('Message\nm\nMessageId\nid\nSubject\ns\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
  });
});

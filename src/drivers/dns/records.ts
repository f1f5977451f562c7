import { ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client, type RRType } from '@aws-sdk/client-route-53';
import { fromAwsError, PlanRefused } from '../errors.js';
import type { RecordPointer } from './target.js';

/** The parts of a record set Rewind reads, writes and stores in plans (JSON only). */
export interface RecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  ResourceRecords?: { Value: string }[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
}

/** `Skillancer.com` → `skillancer.com.`, the form Route 53 answers with. */
export function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function plain(r: ResourceRecordSet): RecordSet {
  return {
    Name: fqdn(r.Name ?? ''),
    Type: r.Type ?? '',
    ...(r.TTL !== undefined ? { TTL: r.TTL } : {}),
    ...(r.ResourceRecords ? { ResourceRecords: r.ResourceRecords.map((v) => ({ Value: v.Value ?? '' })) } : {}),
    ...(r.AliasTarget
      ? {
          AliasTarget: {
            HostedZoneId: r.AliasTarget.HostedZoneId ?? '',
            DNSName: r.AliasTarget.DNSName ?? '',
            EvaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
  };
}

/** The simple-routing record set with this name and type; undefined when there is none. */
export async function readRecord(route53: Route53Client, zone: string, name: string, type: string, signal: AbortSignal): Promise<RecordSet | undefined> {
  const page = await route53
    .send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: name, StartRecordType: type as RRType, MaxItems: 1 }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(
        error,
        `ListResourceRecordSets in ${zone}`,
        'check hostedZoneId in the catalog and that Rewind may route53:ListResourceRecordSets on it (docs/drivers/dns.md, IAM)',
      );
    });
  const found = page.ResourceRecordSets?.[0];
  if (!found || fqdn(found.Name ?? '') !== fqdn(name) || found.Type !== type) return undefined;
  if (found.SetIdentifier) {
    throw new PlanRefused(
      `${fqdn(name)} ${type} in ${zone} uses a routing policy (set identifier "${found.SetIdentifier}"); Rewind switches simple records only. Switch it in the Route 53 console.`,
    );
  }
  return plain(found);
}

/** The record set a catalog pointer describes. */
export function recordFor(name: string, type: string, pointer: RecordPointer): RecordSet {
  if ('alias' in pointer) {
    return {
      Name: fqdn(name),
      Type: type,
      AliasTarget: { HostedZoneId: pointer.alias.hostedZoneId, DNSName: fqdn(pointer.alias.dnsName), EvaluateTargetHealth: pointer.alias.evaluateTargetHealth },
    };
  }
  return { Name: fqdn(name), Type: type, TTL: pointer.ttl, ResourceRecords: pointer.values.map((Value) => ({ Value })) };
}

/** Where a record points, for the card: `alias maintenance.skillancer.com. (Z2MAINTENANCE)` or `203.0.113.10 (TTL 60)`. */
export function describeTarget(r: RecordSet): string {
  if (r.AliasTarget) return `alias ${fqdn(r.AliasTarget.DNSName)} (${r.AliasTarget.HostedZoneId})`;
  return `${(r.ResourceRecords ?? []).map((v) => v.Value).join(', ')} (TTL ${r.TTL ?? '?'})`;
}

/** Same answer: same alias target, or the same values and TTL. */
export function samePointer(a: RecordSet, b: RecordSet): boolean {
  const key = (r: RecordSet) =>
    r.AliasTarget
      ? `alias|${r.AliasTarget.HostedZoneId}|${fqdn(r.AliasTarget.DNSName)}|${r.AliasTarget.EvaluateTargetHealth}`
      : `values|${r.TTL}|${(r.ResourceRecords ?? [])
          .map((v) => v.Value)
          .sort()
          .join(',')}`;
  return a.Type === b.Type && key(a) === key(b);
}

/** For the SDK, whose Type is an enum of record types. */
export function toSdk(r: RecordSet): ResourceRecordSet {
  return { ...r, Type: r.Type as RRType };
}

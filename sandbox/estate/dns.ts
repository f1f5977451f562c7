import { Route53Client } from '@aws-sdk/client-route-53';
import { ESTATE, seedDns } from '../../test/fakes/aws/estate.js';
import { Route53Fake } from '../../test/fakes/aws/index.js';
import { fakeAws } from './aws.js';
import type { EstatePiece } from './types.js';

/**
 * Skillancer "CDN/DNS Rollback": skillancer.com A (alias) → the production load balancer, which a
 * rollback switches to maintenance.skillancer.com. Seeded by test/fakes/aws/estate.ts's seedDns.
 */
export async function startDnsPiece(opts: { changeDelayMs: number }): Promise<EstatePiece> {
  const route53 = await Route53Fake.start({ changeDelayMs: opts.changeDelayMs });
  seedDns(route53);

  return {
    summary: 'Skillancer DNS: skillancer.com → the production load balancer (Route 53)',
    example: '/rollback site production Switch to the maintenance page',
    clients: { route53: new Route53Client(fakeAws(route53.url)) },
    view() {
      const record = route53.record(ESTATE.hostedZoneId, 'skillancer.com', 'A');
      const target = record?.AliasTarget ? `alias ${record.AliasTarget.DNSName}` : (record?.ResourceRecords?.join(', ') ?? '(no record)');
      return [{ id: 'dns', title: 'Route 53 skillancer.com A', status: 'steady', lines: [`→ ${target}`] }];
    },
    toggles: () => [],
    setToggle: () => false,
    health: {},
    close: () => route53.close(),
  };
}

import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseCatalog, type Catalog } from '../../src/config/catalog.js';
import { ConfigError } from '../../src/config/errors.js';

/** The sandbox estate plus a database, a runbook, a staging environment, a flag configured as a service, a Doppler flag, a CloudFront distribution, a secret, a Terraform root module and a stack: every driver kind. */
export function everyDriverCatalog(): Catalog {
  const doc = parse(readFileSync(new URL('../../sandbox/catalog.yaml', import.meta.url), 'utf8').replaceAll('{{sandbox}}', 'http://127.0.0.1:9')) as {
    services: Record<string, unknown>;
    flags: Record<string, unknown>;
    stacks?: Record<string, unknown>;
  };
  doc.services.api = { ...(doc.services.api as object), staging: { driver: 'ecs', cluster: 'distrocv-staging', service: 'api' } };
  doc.services.db = {
    production: { driver: 'database', instance: 'distrocv-prod', secret: { id: 'distrocv/database' }, approval: { from: ['cto'], count: 1 } },
  };
  doc.services.migrations = {
    production: {
      driver: 'runbook',
      steps: {
        down: { argv: ['npm', 'run', 'migrate:down', '{to}'], params: { to: { pattern: '^[0-9]{1,14}$' } } },
        reset: { argv: ['npm', 'run', 'migrate:reset'] },
      },
    },
  };
  doc.services['beta-switch'] = { production: { driver: 'flag', store: 'ssm', parameter: '/distrocv/prod/FeatureFlags/BetaSwitch' } };
  doc.flags.FEATURE_SKILLPOD_ENABLED = {
    production: { driver: 'flag', store: 'doppler', project: 'skillancer', config: 'prd', tokenEnv: 'DOPPLER_TOKEN_SKILLANCER' },
  };
  doc.services.cdn = {
    production: {
      driver: 'cloudfront',
      distributionId: 'E1234567890ABC',
      backup: { bucket: 'skillancer-cloudfront-backups', key: 'cloudfront/E1234567890ABC.json' },
    },
  };
  doc.services['api-secrets'] = {
    production: {
      driver: 'secret',
      secretId: 'distrocv/api',
      rotation: { generate: { keys: ['JWT_SECRET'] } },
      dependents: [{ ecs: { cluster: 'distrocv-prod', service: 'api' } }, { kubernetes: { namespace: 'production', deployment: 'skillancer-api' } }],
      approval: { from: ['cto', 'security'], count: 2 },
    },
  };
  doc.services.infra = { production: { driver: 'terraform', dir: '/srv/skillancer/infrastructure/terraform/production', targets: ['module.ecs'] } };
  doc.stacks = {
    ...doc.stacks,
    everything: { production: { components: { api: { service: 'api' }, cdn: { service: 'cdn', after: ['api'] }, beta: { service: 'beta-switch' } } } },
  };
  return parseCatalog(stringify(doc), 'sandbox/catalog.yaml + db, migrations, beta-switch, FEATURE_SKILLPOD_ENABLED, cdn, api-secrets, infra, a stack');
}

/** What start-up would say of a catalog: its problems, or none. */
export function catalogProblems(yaml: string): string[] {
  try {
    parseCatalog(yaml, 'rewind.config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** The problems start-up names for a catalog that must be refused; throws when it is accepted. */
export function refusedCatalogProblems(yaml: string): string[] {
  const found = catalogProblems(yaml);
  if (!found.length) throw new Error('expected a ConfigError');
  return found;
}

/** A three-component stack over the harness catalog: a flag first, then the ECS api; the frontend on its own. */
export const DISTROCV_STACK = `
stacks:
  distrocv:
    production:
      components:
        matching: { flag: NewMatchingAlgorithm, action: off }
        api: { service: api, after: [matching] }
        web: { service: web }
`;

import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { oneTargetCatalog, targetProblems } from '../support/target-catalog.js';

const catalog = (production: string) => oneTargetCatalog('web', production);
const problems = (production: string) => targetProblems('web', production);

describe('catalog: driver kubernetes', () => {
  it('parses a service with several Deployments and fills the defaults', () => {
    const parsed = parseCatalog(
      catalog(`
driver: kubernetes
context: prod-eu
namespace: production
deployments: [skillancer-web, skillancer-api]
health: { url: https://skillancer.example.com/health }
`),
      'rewind.config.yaml',
    );
    expect(parsed.services.web?.production).toMatchObject({
      driver: 'kubernetes',
      context: 'prod-eu',
      inCluster: false,
      namespace: 'production',
      deployments: ['skillancer-web', 'skillancer-api'],
      progressTimeout: 600_000,
      resyncInterval: 10_000,
    });
  });

  it('says what is wrong and how to fix it', () => {
    expect(problems('driver: kubernetes\nnamespace: Production\ndeployments: []')).toEqual([
      'services.web.production.namespace: must be a Kubernetes namespace name such as production (lowercase letters, digits and dashes)',
      'services.web.production.deployments: must list at least one Deployment, e.g. [skillancer-web, skillancer-api]',
    ]);
    expect(problems('driver: kubernetes\nnamespace: production\ndeployments: [web, web]')).toEqual([
      'services.web.production.deployments: lists a Deployment twice: remove the duplicate',
    ]);
    expect(problems('driver: kubernetes\nnamespace: production\ninCluster: true\ncontext: prod\ndeployments: [web]')).toEqual([
      'services.web.production.context: cannot be combined with `inCluster: true`: in-cluster config has no contexts; remove one of them',
    ]);
    expect(problems('driver: kubernetes\nnamespace: production\ndeployments: [Web_App]\nprogressTimeout: soon')[0]).toMatch(
      /^services\.web\.production\.deployments\.0: is not a Deployment name/,
    );
  });
});

import type { CustomRoute } from '@slack/bolt';
import type { Logger } from 'pino';
import { bearerToken, sameSecret } from './bearer.js';
import { targetOf, type Catalog } from './config/catalog.js';
import { own } from './config/own.js';
import { sendJson } from './json-response.js';
import { unfreezeCommand } from './domain/freeze.js';
import type { Metrics } from './metrics.js';
import type { Freezes } from './store/freezes.js';

/** Where CI pipelines ask whether they may deploy: `GET /api/v1/freeze/<service>/<environment>`. */
const FREEZE_PATH = '/api/v1/freeze';

export interface FreezeApiOptions {
  /** REWIND_FREEZE_TOKEN: without it the route is not served. */
  token: string;
  catalog: Catalog;
  freezes: Freezes;
  log: Logger;
  metrics: Pick<Metrics, 'freezeAnswered'>;
}

/** Why a path names no catalog target, with what exists; undefined when it names one. */
function unknownTarget(catalog: Catalog, service: string, environment: string): string | undefined {
  if (targetOf(catalog, service, environment)) return undefined;
  const envs = own(catalog.services, service) ?? own(catalog.flags, service);
  if (envs) return `${service} has no environment "${environment}": use one of ${Object.keys(envs).join(', ')}.`;
  const names = [...Object.keys(catalog.services), ...Object.keys(catalog.flags ?? {})];
  return `Unknown service "${service}": use one of ${names.join(', ') || '(none configured)'}, as the Rewind catalog names them.`;
}

/**
 * The deploy freeze for CI: 423 with who froze it, why, the rollback and since when while deploys
 * are held; 200 `{frozen:false}` otherwise. The bearer token is checked first, in constant time,
 * so a missing or forged one learns nothing (not even whether the target exists). Redis away: 503,
 * which fails a `curl -f` step too (no deploy on an unknown answer).
 */
export function freezeRoute(opts: FreezeApiOptions): CustomRoute {
  return {
    path: `${FREEZE_PATH}{/*rest}`,
    method: ['GET'],
    handler: async function freezeStatus(req, res) {
      const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
        opts.metrics.freezeAnswered(status);
        sendJson(res, status, body, headers);
      };
      const given = bearerToken(req);
      if (given === undefined || !sameSecret(given, opts.token)) {
        return send(
          401,
          { error: 'unauthorized', message: 'Send the header `Authorization: Bearer <token>` with the token Rewind has in REWIND_FREEZE_TOKEN.' },
          { 'www-authenticate': 'Bearer realm="rewind-freeze"' },
        );
      }
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const parts = pathname.slice(FREEZE_PATH.length).split('/').filter(Boolean);
      let service: string;
      let environment: string;
      try {
        [service = '', environment = ''] = parts.map(decodeURIComponent);
      } catch {
        return send(404, { error: 'not_found', message: 'The path is not valid URL encoding: use GET /api/v1/freeze/<service>/<environment>.' });
      }
      if (parts.length !== 2)
        return send(404, { error: 'not_found', message: 'Use GET /api/v1/freeze/<service>/<environment>, e.g. /api/v1/freeze/api/production.' });
      const unknown = unknownTarget(opts.catalog, service, environment);
      if (unknown) return send(404, { error: 'not_found', message: unknown });
      try {
        const freeze = await opts.freezes.get(service, environment);
        if (!freeze) return send(200, { frozen: false, service, environment });
        return send(423, {
          frozen: true,
          by: freeze.by,
          reason: freeze.reason,
          rollback: freeze.rollback,
          since: freeze.since,
          service,
          environment,
          message: `Deploys to ${service} ${environment} are held since ${freeze.since} after ${freeze.rollback}: fix forward first; an approver lifts it with \`${unfreezeCommand(service, environment)}\`.`,
        });
      } catch (error) {
        opts.log.warn({ err: error, service, environment }, 'could not read the deploy freeze');
        return send(503, { error: 'unavailable', message: 'Rewind cannot read its freezes just now (Redis unreachable): try again shortly.' });
      }
    },
  };
}

import type { Clients } from '../../src/drivers/clients.js';
import { startDnsPiece } from './dns.js';
import { startEcsPiece } from './ecs.js';
import { startFlagsPiece } from './flags.js';
import { startFrontendPiece } from './frontend.js';
import { startKubernetesPiece } from './kubernetes.js';
import type { EstateItem, EstatePiece, EstateToggle } from './types.js';

export interface EstateOptions {
  /** Tests: rollouts in a fraction of a second instead of a few seconds. */
  fast?: boolean;
  crashloop?: boolean;
}

/** The fake estate as one thing: every piece's clients, panel items, failure switches and health endpoints. */
export interface Estate {
  pieces: EstatePiece[];
  clients: Partial<Clients>;
  view(): { items: EstateItem[]; toggles: EstateToggle[] };
  setToggle(id: string, on: boolean): boolean;
  healthy(name: string): boolean | undefined;
  close(): Promise<void>;
}

/**
 * Starts each estate piece the bot has a driver for. A piece is one fake seeded by its own
 * function (sandbox/estate/<piece>.ts), so adding a driver's estate is one line here.
 */
export async function startEstate(opts: EstateOptions = {}): Promise<Estate> {
  const pieces: EstatePiece[] = [];
  try {
    // Believable pace: a rollout takes a few seconds, CloudFront, AppConfig and Route 53 a few more.
    const tickMs = opts.fast ? 30 : 1000;
    const settleMs = opts.fast ? 100 : 4000;
    pieces.push(await startEcsPiece({ tickMs, crashloop: opts.crashloop }));
    pieces.push(await startKubernetesPiece({ tickMs, crashloop: opts.crashloop }));
    pieces.push(await startFrontendPiece({ invalidationDelayMs: settleMs }));
    pieces.push(await startFlagsPiece({ deploymentDelayMs: settleMs }));
    pieces.push(await startDnsPiece({ changeDelayMs: settleMs }));
  } catch (error) {
    await Promise.allSettled(pieces.map((p) => p.close()));
    throw error;
  }
  return {
    pieces,
    clients: Object.assign({}, ...pieces.map((p) => p.clients)) as Partial<Clients>,
    view: () => ({ items: pieces.flatMap((p) => p.view()), toggles: pieces.flatMap((p) => p.toggles()) }),
    setToggle: (id, on) => pieces.some((p) => p.setToggle(id, on)),
    healthy: (name) => pieces.find((p) => p.health[name])?.health[name]?.(),
    async close() {
      await Promise.allSettled(pieces.map((p) => p.close()));
    },
  };
}

import type { Clients } from '../../src/drivers/clients.js';

/** One thing the page's estate panel shows, e.g. the ECS service and its deployments. */
export interface EstateItem {
  id: string;
  title: string;
  /** 'busy' while a rollout runs, 'failing' when it is failing. */
  status: 'steady' | 'busy' | 'failing';
  lines: string[];
}

/** A failure the person rehearsing can switch on, e.g. a crash-looping image. */
export interface EstateToggle {
  id: string;
  label: string;
  on: boolean;
}

/** One estate piece: a fake (or several) seeded like a runbook's system, and how the bot reaches it. */
export interface EstatePiece {
  /** Printed at start, e.g. "DistroCV ECS api (distrocv-prod)". */
  summary: string;
  /** Example request shown on the page and in the terminal. */
  example: string;
  clients: Partial<Clients>;
  view(): EstateItem[];
  toggles(): EstateToggle[];
  setToggle(id: string, on: boolean): boolean;
  /** Fake health endpoints served under /estate/health/<name>; true = healthy. */
  health: Record<string, () => boolean>;
  close(): Promise<void>;
}

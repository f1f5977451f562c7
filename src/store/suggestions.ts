import type { Redis } from 'ioredis';
import type { Alert } from '../domain/alert.js';
import { keys } from './keys.js';

/** One target's suggested rollback as Redis keeps it: a hash, so alert updates never overwrite each other. */
export interface SuggestionRecord {
  /** The job that posts it (`<job id>|<ms>`). */
  claim?: string;
  /** When the post was attempted: after a crash, Slack is searched from here before posting again. */
  postingAt?: number;
  message?: { channel: string; ts: string };
  /** The correlation and plan as posted (JSON, the use case's shape). */
  body?: string;
  alerts: Alert[];
}

/** While something fires the suggestion stays the incident's; an hour after everything resolved, a new alert is a new incident. */
const FIRING_TTL_SEC = 24 * 3600;
const RESOLVED_TTL_SEC = 3600;

/**
 * Claims the right to post: the first caller, a repeat of the claimer's own job, or a takeover of a
 * claim that never posted within `staleMs` (its job died). Atomic, so concurrent deliveries get one winner.
 */
const CLAIM = `
if redis.call('HSETNX', KEYS[1], 'claim', ARGV[1] .. '|' .. ARGV[2]) == 1 then return 1 end
if redis.call('HEXISTS', KEYS[1], 'ts') == 1 then return 0 end
local claim = redis.call('HGET', KEYS[1], 'claim')
local sep = string.find(claim, '|', 1, true)
local owner = string.sub(claim, 1, sep - 1)
local at = tonumber(string.sub(claim, sep + 1))
if owner == ARGV[1] or tonumber(ARGV[2]) - at > tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'claim', ARGV[1] .. '|' .. ARGV[2])
  return 1
end
return 0
`;

/** How an incoming alert state changes the stored one; undefined when it adds nothing (a duplicate, or older news). */
export function mergeAlert(stored: Alert | undefined, incoming: Alert): Alert | undefined {
  if (!stored) return incoming;
  const later = Date.parse(incoming.startsAt) > Date.parse(stored.startsAt);
  if (incoming.status === 'firing') {
    // Fired again after it resolved: a refire of the same incident.
    if (stored.status === 'resolved' && later) return incoming;
    return undefined;
  }
  if (stored.status === 'resolved') return undefined;
  const endsAt = incoming.endsAt ?? incoming.startsAt;
  if (Date.parse(endsAt) < Date.parse(stored.startsAt)) return undefined; // resolves an earlier firing
  return { ...stored, status: 'resolved', endsAt };
}

export class SuggestionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(target: string): string {
    return keys(this.prefix).suggestion(target);
  }

  /** Records the alert's new state (if it is news) and sets how long the incident lasts; true when it changed anything. */
  async apply(target: string, alert: Alert): Promise<boolean> {
    const key = this.key(target);
    const field = `alert:${alert.key}`;
    const raw = await this.redis.hget(key, field);
    const next = mergeAlert(raw ? (JSON.parse(raw) as Alert) : undefined, alert);
    if (next) await this.redis.hset(key, field, JSON.stringify(next));
    const firing = (await this.get(target)).alerts.some((a) => a.status === 'firing');
    await this.redis.expire(key, firing ? FIRING_TTL_SEC : RESOLVED_TTL_SEC);
    return Boolean(next);
  }

  async claim(target: string, owner: string, nowMs: number, staleMs: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, this.key(target), owner, String(nowMs), String(staleMs))) === 1;
  }

  async posting(target: string, body: string, atMs: number): Promise<void> {
    await this.redis.hset(this.key(target), { body, postingAt: String(atMs) });
  }

  async posted(target: string, message: { channel: string; ts: string }): Promise<void> {
    await this.redis.hset(this.key(target), { channel: message.channel, ts: message.ts });
  }

  async get(target: string): Promise<SuggestionRecord> {
    const h = await this.redis.hgetall(this.key(target));
    const alerts = Object.entries(h)
      .filter(([f]) => f.startsWith('alert:'))
      .map(([, v]) => JSON.parse(v) as Alert)
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.key.localeCompare(b.key));
    return {
      ...(h.claim ? { claim: h.claim } : {}),
      ...(h.postingAt ? { postingAt: Number(h.postingAt) } : {}),
      ...(h.channel && h.ts ? { message: { channel: h.channel, ts: h.ts } } : {}),
      ...(h.body ? { body: h.body } : {}),
      alerts,
    };
  }
}

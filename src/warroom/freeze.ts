import { frozenTargets, unfreezeCommand } from '../domain/freeze.js';
import type { Rollback } from '../domain/rollback.js';
import type { Services } from '../rollbacks/context.js';
import { hhmm } from '../slack/blocks.js';
import { Freezes } from '../store/freezes.js';

/**
 * Where the deploy freeze a succeeded rollback set stands, one line per target, for its card:
 * held (with the command that lifts it), lifted (by whom, why), or held now by a later rollback.
 */
export async function freezeLines(s: Services, rb: Rollback): Promise<string[]> {
  const targets = frozenTargets(rb);
  if (!targets.length) return [];
  const freezes = new Freezes(s.redis, s.prefix);
  const [current, lifted] = await Promise.all([Promise.all(targets.map((t) => freezes.get(t.service, t.environment))), freezes.liftedOf(rb.id)]);
  return targets.map((t, i) => {
    const name = `${t.service} ${t.environment}`;
    const lift = lifted[t.target];
    if (lift) return `:unlock: Deploy freeze on *${name}* lifted by <@${lift.by}> at ${hhmm(lift.at)} UTC: ${lift.reason}`;
    const freeze = current[i];
    if (freeze && freeze.rollback !== rb.id) return `:ice_cube: Deploys to *${name}* are held by the later ${freeze.rollback}`;
    // Not written yet (the success is a moment old) or held by this rollback: both read the same.
    return `:ice_cube: *Deploys held* to *${name}* since ${hhmm(freeze?.since ?? rb.finishedAt ?? rb.updatedAt)} UTC: fix forward first. Lift: \`${unfreezeCommand(t.service, t.environment)}\``;
  });
}

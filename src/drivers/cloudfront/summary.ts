import type { DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import { sameSettings } from './config.js';

/** Top-level fields the lines below describe in full; any other that differs is named in `also changes`. */
const DESCRIBED = new Set(['CallerReference', 'Enabled', 'Aliases', 'PriceClass', 'Comment', 'DefaultRootObject', 'Origins', 'DefaultCacheBehavior']);

const none = (text: string | undefined) => text || '(none)';

function originLabel(o: Origin): string {
  return `${o.DomainName ?? '?'}${o.OriginPath ?? ''}`;
}

function originLines(from: DistributionConfig, to: DistributionConfig): string[] {
  const before = new Map((from.Origins?.Items ?? []).map((o) => [o.Id ?? '', o]));
  const after = new Map((to.Origins?.Items ?? []).map((o) => [o.Id ?? '', o]));
  const lines: string[] = [];
  for (const [id, o] of before) if (!after.has(id)) lines.push(`origin ${id} removed (${originLabel(o)})`);
  for (const [id, o] of after) {
    const was = before.get(id);
    if (!was) lines.push(`origin ${id} added: ${originLabel(o)}`);
    else if (originLabel(was) !== originLabel(o)) lines.push(`origin ${id}: ${originLabel(was)} → ${originLabel(o)}`);
    // Never the values: origin custom headers often carry a shared secret.
    else if (!sameSettings(was, o)) lines.push(`origin ${id}: other settings change (timeouts, protocols, headers, access)`);
  }
  return lines;
}

/** Short lines for the card: what UpdateDistribution will change, live (`from`) → restored (`to`). */
export function describeChanges(from: DistributionConfig, to: DistributionConfig): string[] {
  const lines: string[] = [];
  if ((from.Enabled !== false) !== (to.Enabled !== false))
    lines.push(to.Enabled === false ? 'distribution: enabled → disabled (serves nothing)' : 'distribution: disabled → enabled');
  lines.push(...originLines(from, to));
  const fromOrigin = from.DefaultCacheBehavior?.TargetOriginId;
  const toOrigin = to.DefaultCacheBehavior?.TargetOriginId;
  if (fromOrigin !== toOrigin) lines.push(`default cache behavior: origin ${none(fromOrigin)} → ${none(toOrigin)}`);
  const aliases = (c: DistributionConfig) => none((c.Aliases?.Items ?? []).join(', '));
  if (aliases(from) !== aliases(to)) lines.push(`aliases: ${aliases(from)} → ${aliases(to)}`);
  if (from.PriceClass !== to.PriceClass) lines.push(`price class: ${none(from.PriceClass)} → ${none(to.PriceClass)}`);
  if ((from.Comment ?? '') !== (to.Comment ?? '')) lines.push(`comment: "${from.Comment ?? ''}" → "${to.Comment ?? ''}"`);
  if ((from.DefaultRootObject ?? '') !== (to.DefaultRootObject ?? ''))
    lines.push(`default root object: ${none(from.DefaultRootObject)} → ${none(to.DefaultRootObject)}`);

  const before = new Map(Object.entries(from));
  const after = new Map(Object.entries(to));
  const others = [...new Set([...before.keys(), ...after.keys()])].filter((key) => !DESCRIBED.has(key) && !sameSettings(before.get(key), after.get(key)));
  const behavior = (c: DistributionConfig) => ({ ...c.DefaultCacheBehavior, TargetOriginId: undefined });
  if (!sameSettings(behavior(from), behavior(to))) others.unshift('DefaultCacheBehavior (cache policy, methods, functions…)');
  if (others.length) lines.push(`also changes: ${others.join(', ')}`);
  return lines;
}

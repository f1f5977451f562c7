import type { TimelineEvent } from '../domain/timeline.js';

/** Slack markup a Markdown file cannot show: `<@U…>` mentions become names, `<#C…>` channel ids. */
function plainSlack(text: string, name: (id: string) => string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g, (_m, id: string) => `@${name(id)}`)
    .replace(/<#([CG][A-Z0-9]+)(\|([^>]*))?>/g, (_m, id: string, _l, label?: string) => `#${label ?? id}`)
    .replace(/<(https?:[^|>]+)(\|([^>]*))?>/g, (_m, url: string, _l, label?: string) => (label ? `[${label}](${url})` : url));
}

function cell(text: string, name: (id: string) => string): string {
  return plainSlack(text, name)
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

/** The post-mortem's timeline from the recorded events (UTC), after a row for when it was first seen. */
export function timelineTable(events: readonly TimelineEvent[], name: (id: string) => string): string {
  return [
    '| Time (UTC) | Event |',
    '| ---------- | ----- |',
    '| _fill in_ | Issue first detected |',
    ...events.map((e) => `| ${e.at.slice(11, 19)} | ${cell(e.message, name)} |`),
  ].join('\n');
}

/**
 * Slack mrkdwn → HTML, the subset Rewind writes: *bold*, _italic_, ~strike~, `code`, ```pre```,
 * <@U…> / <#C…> / <!subteam^S…> mentions, <url|label> links, :emoji: and line breaks.
 * Everything else is escaped, so message text can never inject markup into the page.
 */

const EMOJI = {
  alarm_clock: '⏰',
  arrow_forward: '▶️',
  arrow_right: '➡️',
  arrows_counterclockwise: '🔄',
  ballot_box_with_check: '☑️',
  bell: '🔔',
  calendar: '📆',
  clipboard: '📋',
  double_vertical_bar: '⏸️',
  eyes: '👀',
  fast_forward: '⏩',
  fire: '🔥',
  globe_with_meridians: '🌐',
  heavy_check_mark: '✔️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  information_source: 'ℹ️',
  large_blue_circle: '🔵',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  lock: '🔒',
  mag: '🔍',
  mega: '📣',
  memo: '📝',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  raised_hand: '✋',
  red_circle: '🔴',
  rewind: '⏪',
  rocket: '🚀',
  rotating_light: '🚨',
  small_blue_diamond: '🔹',
  small_orange_diamond: '🔸',
  stopwatch: '⏱️',
  tada: '🎉',
  thumbsup: '👍',
  warning: '⚠️',
  white_check_mark: '✅',
  white_small_square: '▫️',
  x: '❌',
};

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Slack escapes &, < and > in message text; undo that before escaping for HTML. */
function decode(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function emojiHtml(name) {
  return EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : undefined;
}

/** plain_text objects: escaped, with :emoji: when the block allows it. */
export function plainText(text, emoji = true) {
  const html = escapeHtml(text);
  return emoji ? html.replace(/:([a-z0-9_+-]+):/g, (m, name) => emojiHtml(name) ?? m) : html;
}

/** `<…>` tokens: mentions and links. Unknown forms stay visible as typed. */
function token(inner, names) {
  const [target, label] = inner.split('|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(label ?? names.users[id] ?? id)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${escapeHtml(label ?? names.channels[id] ?? id)}</span>`;
  }
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    return `<span class="mention">${escapeHtml(label ?? `@${names.groups[id] ?? id}`)}</span>`;
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1).split('^')[0])}</span>`;
  if (/^(https?:|mailto:)/.test(target)) {
    return `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${escapeHtml(decode(label ?? target))}</a>`;
  }
  return undefined;
}

/**
 * @param {string} text Slack mrkdwn
 * @param {{ users: Record<string,string>, channels: Record<string,string>, groups: Record<string,string> }} names
 */
export function mrkdwn(text, names) {
  const stash = [];
  // Finished HTML is parked behind a placeholder so later rules never rewrite it.
  const keep = (html) => `\uE000${stash.push(html) - 1}\uE001`;
  let s = String(text ?? '');
  s = s.replace(/```([\s\S]*?)```/g, (_, body) => keep(`<pre>${escapeHtml(decode(body.replace(/^\n/, '')))}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, body) => keep(`<code>${escapeHtml(decode(body))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (m, inner) => keep(token(inner, names) ?? escapeHtml(decode(m))));
  s = escapeHtml(decode(s));
  s = s.replace(/:([a-z0-9_+-]+):/g, (m, name) => (EMOJI[name] ? keep(emojiHtml(name)) : m));
  s = s.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1<b>$2</b>');
  s = s.replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?!\w)/g, '$1<i>$2</i>');
  s = s.replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?!\w)/g, '$1<s>$2</s>');
  s = s.replace(/\n/g, '<br>');
  return s.replace(/\uE000(\d+)\uE001/g, (_, i) => stash[Number(i)]);
}

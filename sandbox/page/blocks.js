import { escapeHtml, mrkdwn, plainText } from './mrkdwn.js';

/**
 * Block Kit → HTML for messages: header, section (text, fields, accessory), context, divider,
 * actions (buttons with their styles and confirm dialogs), image, rich_text; anything else is
 * named rather than hidden. Interactive elements are registered with `onButton` and rendered with
 * a data-button index the page's click handler looks up.
 */

/** A text object (plain_text or mrkdwn). */
export function textObject(t, names) {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text, names) : plainText(t.text, t.emoji !== false);
}

function button(el, ctx) {
  const index = ctx.onButton(el);
  const style = el.style === 'primary' || el.style === 'danger' ? ` ${el.style}` : '';
  return `<button type="button" class="bk-button${style}" data-button="${index}" data-action-id="${escapeHtml(el.action_id)}">${textObject(el.text, ctx.names)}</button>`;
}

function element(el, ctx) {
  switch (el.type) {
    case 'button':
      return button(el, ctx);
    case 'image':
      return `<span class="bk-image-alt" title="${escapeHtml(el.image_url)}">🖼 ${escapeHtml(el.alt_text)}</span>`;
    case 'mrkdwn':
    case 'plain_text':
      return `<span>${textObject(el, ctx.names)}</span>`;
    default:
      return `<span class="bk-unsupported">[${escapeHtml(el.type)}${el.placeholder ? `: ${textObject(el.placeholder, ctx.names)}` : ''}]</span>`;
  }
}

function richText(elements, names) {
  const inline = (e) => {
    switch (e.type) {
      case 'text': {
        let html = escapeHtml(e.text).replace(/\n/g, '<br>');
        if (e.style?.code) html = `<code>${html}</code>`;
        if (e.style?.bold) html = `<b>${html}</b>`;
        if (e.style?.italic) html = `<i>${html}</i>`;
        if (e.style?.strike) html = `<s>${html}</s>`;
        return html;
      }
      case 'user':
        return `<span class="mention">@${escapeHtml(names.users[e.user_id] ?? e.user_id)}</span>`;
      case 'channel':
        return `<span class="mention">#${escapeHtml(names.channels[e.channel_id] ?? e.channel_id)}</span>`;
      case 'emoji':
        return plainText(`:${e.name}:`);
      case 'link':
        return `<a href="${escapeHtml(e.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(e.text ?? e.url)}</a>`;
      default:
        return '';
    }
  };
  return (elements ?? [])
    .map((part) => {
      const body = (part.elements ?? []).map((e) => (e.type === 'rich_text_section' ? (e.elements ?? []).map(inline).join('') : inline(e))).join('');
      if (part.type === 'rich_text_preformatted') return `<pre>${body}</pre>`;
      if (part.type === 'rich_text_quote') return `<blockquote>${body}</blockquote>`;
      if (part.type === 'rich_text_list') return `<ul>${(part.elements ?? []).map((e) => `<li>${(e.elements ?? []).map(inline).join('')}</li>`).join('')}</ul>`;
      return `<div>${body}</div>`;
    })
    .join('');
}

function block(b, ctx) {
  const { names } = ctx;
  switch (b.type) {
    case 'header':
      return `<div class="bk-header">${textObject(b.text, names)}</div>`;
    case 'section': {
      const text = b.text ? `<div class="bk-text">${textObject(b.text, names)}</div>` : '';
      const fields = b.fields?.length
        ? `<div class="bk-fields">${b.fields.map((f) => `<div class="bk-field">${textObject(f, names)}</div>`).join('')}</div>`
        : '';
      const accessory = b.accessory ? `<div class="bk-accessory">${element(b.accessory, ctx)}</div>` : '';
      return `<div class="bk-section"><div class="bk-section-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="bk-context">${(b.elements ?? []).map((e) => element(e, ctx)).join('')}</div>`;
    case 'divider':
      return '<hr class="bk-divider">';
    case 'actions':
      return `<div class="bk-actions">${(b.elements ?? []).map((e) => element(e, ctx)).join('')}</div>`;
    case 'image':
      return `<div class="bk-image">${b.title ? `<div>${textObject(b.title, names)}</div>` : ''}<span class="bk-image-alt">🖼 ${escapeHtml(b.alt_text)}</span></div>`;
    case 'rich_text':
      return `<div class="bk-rich">${richText(b.elements, names)}</div>`;
    default:
      return `<div class="bk-unsupported">[${escapeHtml(b.type)} block]</div>`;
  }
}

/**
 * @param {unknown[]} blocks
 * @param {{ names: object, onButton: (element: object) => number }} ctx
 */
export function renderBlocks(blocks, ctx) {
  return (blocks ?? []).map((b) => block(b, ctx)).join('');
}

/** Legacy attachments: a coloured bar with text, fields or blocks. */
export function renderAttachments(attachments, ctx) {
  return (attachments ?? [])
    .map((a) => {
      const color = /^#?[0-9a-fA-F]{6}$/.test(a.color ?? '')
        ? `#${a.color.replace('#', '')}`
        : a.color === 'danger'
          ? '#e01e5a'
          : a.color === 'good'
            ? '#2eb67d'
            : a.color === 'warning'
              ? '#ecb22e'
              : '#ddd';
      const inner = a.blocks
        ? renderBlocks(a.blocks, ctx)
        : [
            a.title ? `<b>${escapeHtml(a.title)}</b>` : '',
            a.text ? mrkdwn(a.text, ctx.names) : '',
            ...(a.fields ?? []).map((f) => `<div><b>${escapeHtml(f.title)}</b><br>${mrkdwn(f.value, ctx.names)}</div>`),
          ]
            .filter(Boolean)
            .join('<br>');
      return `<div class="attachment" style="border-left-color:${color}">${inner}</div>`;
    })
    .join('');
}

/** An input block of a modal as a form field; `data-block` names the block its answer belongs to. */
export function renderInput(b, names) {
  const el = b.element ?? {};
  const id = escapeHtml(b.block_id);
  const placeholder = el.placeholder ? ` placeholder="${escapeHtml(el.placeholder.text)}"` : '';
  const max = el.max_length ? ` maxlength="${Number(el.max_length)}"` : '';
  // Slack itself refuses to submit a form with a required field left empty.
  const required = b.optional ? '' : ' required';
  let field;
  switch (el.type) {
    case 'plain_text_input':
      field = el.multiline
        ? `<textarea data-block="${id}" data-kind="text" rows="3"${placeholder}${max}${required}>${escapeHtml(el.initial_value ?? '')}</textarea>`
        : `<input data-block="${id}" data-kind="text" value="${escapeHtml(el.initial_value ?? '')}"${placeholder}${max}${required}>`;
      break;
    case 'static_select':
      field = `<select data-block="${id}" data-kind="select"${required}><option value="">${el.placeholder ? escapeHtml(el.placeholder.text) : 'Choose…'}</option>${(
        el.options ?? []
      )
        .map((o) => `<option value="${escapeHtml(o.value)}"${el.initial_option?.value === o.value ? ' selected' : ''}>${escapeHtml(o.text?.text)}</option>`)
        .join('')}</select>`;
      break;
    case 'checkboxes':
    case 'radio_buttons': {
      const type = el.type === 'checkboxes' ? 'checkbox' : 'radio';
      field = `<div data-block="${id}" data-kind="${type}">${(el.options ?? [])
        .map((o) => `<label class="choice"><input type="${type}" name="${id}" value="${escapeHtml(o.value)}"><span>${textObject(o.text, names)}</span></label>`)
        .join('')}</div>`;
      break;
    }
    default:
      field = `<div class="bk-unsupported">[${escapeHtml(el.type)} input is not supported in the sandbox]</div>`;
  }
  return `<div class="bk-input">
    <label class="bk-label">${textObject(b.label, names)}${b.optional ? ' <small>(optional)</small>' : ''}</label>
    ${field}
    ${b.hint ? `<div class="bk-hint">${textObject(b.hint, names)}</div>` : ''}
    <div class="bk-error" data-error-for="${id}"></div>
  </div>`;
}

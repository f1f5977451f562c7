/* global document, window, fetch, EventSource */
import { renderAttachments, renderBlocks, renderInput, textObject } from './blocks.js';
import { escapeHtml, mrkdwn } from './mrkdwn.js';

/**
 * The sandbox page: a Slack channel imitation. It shows the war room as the chosen person sees it
 * (ephemeral messages only for them), sends what they type or click to the sandbox server, which
 * has the Slack fake sign it and deliver it to the bot, and re-renders on every pushed snapshot.
 */

const $ = (id) => document.getElementById(id);
const state = {
  workspace: undefined,
  me: undefined,
  snapshot: { messages: [], views: [], estate: { items: [], toggles: [] }, elsewhere: { channels: [], statusPage: [] } },
  names: { users: {}, channels: {}, groups: {} },
};
let buttons = [];
/** Modals the person closed with Cancel (Slack only tells the app when it asked to be notified). */
const dismissed = new Set();
let shownModal;

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

function notice(text) {
  $('notice').textContent = text ?? '';
}

/** One convention on the whole page, the one Rewind stamps its lines with: UTC, 24 h, labelled. */
function utc(date) {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

function time(ts) {
  return utc(new Date(Number(ts) * 1000));
}

function author(m) {
  const bot = state.workspace.bot;
  if (!m.user || m.user === bot.id) return { name: bot.name, bot: true, initial: '↺' };
  const name = state.names.users[m.user] ?? m.user;
  return { name, bot: false, initial: name[0].toUpperCase(), color: `hsl(${([...m.user].reduce((n, c) => n + c.charCodeAt(0), 0) * 47) % 360} 45% 45%)` };
}

/** Slack folds a run of messages from one author within a few minutes under one name and avatar. */
function continues(prev, m) {
  return prev && (prev.user ?? '') === (m.user ?? '') && Boolean(prev.ephemeralTo) === Boolean(m.ephemeralTo) && Math.abs(Number(m.ts) - Number(prev.ts)) < 300;
}

function messageHtml(m, compact = false) {
  const who = author(m);
  const ctx = { names: state.names, onButton: (element) => buttons.push({ element, ts: m.ts }) - 1 };
  // Slack shows the blocks when there are any, the text otherwise.
  const body = m.blocks?.length ? renderBlocks(m.blocks, ctx) : mrkdwn(m.text, state.names);
  const files = (m.files ?? []).map((f) => `<div class="bk-context">📎 ${escapeHtml(f.title ?? f.name)}</div>`).join('');
  if (compact) {
    return `<div class="message compact${m.ephemeralTo ? ' ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}">
    <div class="gutter-time">${time(m.ts).slice(0, 5)}</div>
    <div><div class="body">${body}${renderAttachments(m.attachments, ctx)}${files}</div></div>
  </div>`;
  }
  return `<div class="message${m.ephemeralTo ? ' ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}">
    <div class="avatar${who.bot ? ' bot' : ''}"${who.color ? ` style="background:${who.color}"` : ''}>${escapeHtml(who.initial)}</div>
    <div>
      <div class="meta"><span class="author">${escapeHtml(who.name)}</span>${who.bot ? '<span class="app-badge">APP</span>' : ''}<span class="time">${time(m.ts)}</span>${
        m.ephemeralTo ? '<span class="only-you">👁 Only visible to you</span>' : ''
      }</div>
      <div class="body">${body}${renderAttachments(m.attachments, ctx)}${files}</div>
    </div>
  </div>`;
}

function renderMessages() {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  buttons = [];
  const visible = state.snapshot.messages.filter((m) => !m.ephemeralTo || m.ephemeralTo === state.me);
  const replies = new Map();
  for (const m of visible) {
    if (m.thread_ts && m.thread_ts !== m.ts) replies.set(m.thread_ts, [...(replies.get(m.thread_ts) ?? []), m]);
  }
  const top = visible.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  list.innerHTML = top.length
    ? top
        .map((m, i) => {
          const thread = replies.get(m.ts) ?? [];
          const threadHtml = thread.length
            ? `<div class="thread" data-thread="${escapeHtml(m.ts)}"><div class="thread-title">${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}</div>${thread
                .map((r, j) => messageHtml(r, continues(thread[j - 1], r)))
                .join('')}</div>`
            : '';
          const prev = top[i - 1];
          return messageHtml(m, !replies.has(prev?.ts) && continues(prev, m)) + threadHtml;
        })
        .join('')
    : `<div class="empty">Nothing here yet. Type <code>${escapeHtml(state.workspace.examples[0] ?? '/rollback help')}</code> below to ask Rewind for a rollback.</div>`;
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** What reached the status page and the channels outside the war room, newest last. */
function renderElsewhere() {
  const { channels, statusPage } = state.snapshot.elsewhere ?? { channels: [], statusPage: [] };
  $('status-page').innerHTML = statusPage.length
    ? statusPage
        .map(
          (u) =>
            `<div class="estate-item status-${escapeHtml(u.status)}"><div class="title">${escapeHtml(u.status)} · ${escapeHtml(u.rollback ?? '')} · ${utc(new Date(u.at))}</div><ul><li>${escapeHtml(u.message)}</li></ul></div>`,
        )
        .join('')
    : '<div class="empty">No update yet.</div>';
  $('elsewhere').innerHTML = channels
    .map(
      (c) =>
        `<div class="estate-item channel-${escapeHtml(c.name)}"><div class="title"># ${escapeHtml(c.name)}</div>${
          c.messages.length
            ? c.messages.map((m) => `<div class="body"><span class="time">${time(m.ts)}</span> ${mrkdwn(m.text, state.names)}</div>`).join('')
            : '<div class="empty">Nothing posted yet.</div>'
        }</div>`,
    )
    .join('');
}

function renderEstate() {
  const { items, toggles } = state.snapshot.estate;
  $('estate-items').innerHTML = items
    .map(
      (i) =>
        `<div class="estate-item ${escapeHtml(i.status)}"><div class="title">${escapeHtml(i.title)}</div><ul>${i.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></div>`,
    )
    .join('');
  $('estate-toggles').innerHTML = toggles
    .map(
      (t) =>
        `<label class="toggle"><input type="checkbox" data-toggle="${escapeHtml(t.id)}"${t.on ? ' checked' : ''}><span>${escapeHtml(t.label)}</span></label>`,
    )
    .join('');
}

/** Each service environment's answer from the bot's freeze API, as a CI step would read it. */
async function refreshFreezes() {
  const res = await fetch('/api/freeze');
  if (!res.ok) return;
  const answers = await res.json();
  $('freezes').innerHTML = answers
    .map((f) => {
      const name = `${f.service} ${f.environment}`;
      if (f.status === 423)
        return `<div class="estate-item freeze-held" data-freeze="${escapeHtml(name)}"><div class="title">${escapeHtml(name)}: deploys held (423)</div><ul><li>${escapeHtml(f.rollback)} by ${escapeHtml(state.names.users[f.by] ?? f.by)} since ${utc(new Date(f.since))}</li><li>${escapeHtml(f.reason)}</li><li><code>/rollback unfreeze ${escapeHtml(name)} &lt;reason&gt;</code> lifts it</li></ul></div>`;
      const what = f.status === 200 ? 'deploys open (200)' : `HTTP ${f.status}: ${f.message ?? f.error ?? ''}`;
      return `<div class="estate-item freeze-open" data-freeze="${escapeHtml(name)}"><div class="title">${escapeHtml(name)}: ${escapeHtml(what)}</div></div>`;
    })
    .join('');
}

async function sendAlert(status) {
  try {
    await post('/api/alert', { target: $('alert-target').value, status });
  } catch (error) {
    notice(error.message);
  }
}

/** The current person's top modal (e.g. the reject reason or `/rollback form`), kept in step with the fake's view stack. */
function renderModal() {
  const dialog = $('modal');
  const view = state.snapshot.views.filter((v) => v.user === state.me && v.kind === 'modal' && !dismissed.has(v.id)).at(-1);
  if (!view) {
    shownModal = undefined;
    if (dialog.open) dialog.close('gone');
    return;
  }
  const key = `${view.id}:${view.view.hash}`;
  // Re-render only when the view itself changed, so nothing typed is lost on unrelated updates.
  if (shownModal !== key) {
    shownModal = key;
    const v = view.view;
    $('modal-title').innerHTML = textObject(v.title, state.names);
    $('modal-close').innerHTML = textObject(v.close ?? { type: 'plain_text', text: 'Cancel' }, state.names);
    $('modal-submit').innerHTML = textObject(v.submit ?? { type: 'plain_text', text: 'Submit' }, state.names);
    $('modal-submit').hidden = !v.submit;
    const ctx = { names: state.names, onButton: () => -1 };
    $('modal-body').innerHTML = (v.blocks ?? []).map((b) => (b.type === 'input' ? renderInput(b, state.names) : renderBlocks([b], ctx))).join('');
    $('modal-body').dataset.viewId = view.id;
    $('modal-notice').textContent = '';
  }
  for (const slot of $('modal-body').querySelectorAll('[data-error-for]')) slot.textContent = view.errors?.[slot.dataset.errorFor] ?? '';
  if (!dialog.open) dialog.showModal();
}

function answers() {
  const out = {};
  for (const field of $('modal-body').querySelectorAll('[data-block]')) {
    const kind = field.dataset.kind;
    if (kind === 'checkbox') out[field.dataset.block] = [...field.querySelectorAll('input:checked')].map((i) => i.value);
    else if (kind === 'radio') out[field.dataset.block] = field.querySelector('input:checked')?.value ?? '';
    else out[field.dataset.block] = field.value;
  }
  return out;
}

async function onModalSubmit(event) {
  const viewId = $('modal-body').dataset.viewId;
  if (event.submitter?.value !== 'submit') {
    dismissed.add(viewId);
    return;
  }
  event.preventDefault();
  $('modal-submit').disabled = true;
  try {
    await post('/api/submit', { user: state.me, view_id: viewId, answers: answers() });
  } catch (error) {
    $('modal-notice').textContent = error.message;
  } finally {
    $('modal-submit').disabled = false;
  }
}

/** Block Kit `confirm` objects become a modal dialog; resolves true when confirmed. */
function confirmDialog(confirm) {
  const dialog = $('confirm');
  $('confirm-title').innerHTML = textObject(confirm.title ?? { type: 'plain_text', text: 'Are you sure?' }, state.names);
  $('confirm-text').innerHTML = textObject(confirm.text, state.names);
  $('confirm-ok').innerHTML = textObject(confirm.confirm ?? { type: 'plain_text', text: 'Yes' }, state.names);
  $('confirm-deny').innerHTML = textObject(confirm.deny ?? { type: 'plain_text', text: 'Cancel' }, state.names);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function onClick(event) {
  const target = event.target.closest('[data-button]');
  if (!target || !buttons[Number(target.dataset.button)]) return;
  const { element, ts } = buttons[Number(target.dataset.button)];
  if (element.confirm && !(await confirmDialog(element.confirm))) return;
  target.disabled = true;
  notice('');
  try {
    await post('/api/click', { user: state.me, action_id: element.action_id, value: element.value ?? '', message_ts: ts });
  } catch (error) {
    notice(error.message);
  } finally {
    target.disabled = false;
  }
}

async function onSubmit(event) {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  notice('');
  $('send').disabled = true;
  try {
    await post('/api/command', { user: state.me, text });
    input.value = '';
  } catch (error) {
    notice(error.message);
  } finally {
    $('send').disabled = false;
    input.focus();
  }
}

function setMe(id) {
  state.me = id;
  const person = state.workspace.people.find((p) => p.id === id);
  $('who-part').textContent = person ? person.part : '';
  renderMessages();
  renderModal();
}

function connect() {
  const live = $('live');
  const events = new EventSource('/api/events');
  events.addEventListener('snapshot', (e) => {
    state.snapshot = JSON.parse(e.data);
    live.textContent = 'live';
    live.className = 'live on';
    renderMessages();
    renderEstate();
    renderElsewhere();
    renderModal();
  });
  events.addEventListener('error', () => {
    live.textContent = 'disconnected: is the sandbox still running? (retrying)';
    live.className = 'live off';
  });
}

async function main() {
  state.workspace = await (await fetch('/api/workspace')).json();
  const ws = state.workspace;
  for (const p of ws.people) state.names.users[p.id] = p.name;
  state.names.users[ws.bot.id] = ws.bot.name;
  for (const c of ws.channels) state.names.channels[c.id] = c.name;
  state.names.groups.S0ONCALL = 'oncall';
  if (ws.product) $('workspace-name').textContent = `${ws.product} (sandbox)`;
  $('who').innerHTML = ws.people.map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} (${escapeHtml(p.who)})</option>`).join('');
  $('who').addEventListener('change', (e) => setMe(e.target.value));
  $('examples').innerHTML = ['/rollback help', ...ws.examples]
    .map((x) => `<button type="button" data-example="${escapeHtml(x)}">${escapeHtml(x)}</button>`)
    .join('');
  $('examples').addEventListener('click', (e) => {
    const x = e.target.closest('[data-example]');
    if (x) {
      $('composer-input').value = x.dataset.example;
      $('composer-input').focus();
    }
  });
  $('messages').addEventListener('click', (e) => void onClick(e));
  $('composer').addEventListener('submit', (e) => void onSubmit(e));
  $('modal-form').addEventListener('submit', (e) => void onModalSubmit(e));
  $('modal').addEventListener('cancel', () => dismissed.add($('modal-body').dataset.viewId));
  $('estate-toggles').addEventListener('change', (e) => {
    const box = e.target.closest('[data-toggle]');
    if (box) post('/api/toggle', { id: box.dataset.toggle, on: box.checked }).catch((error) => notice(error.message));
  });
  $('alert-target').innerHTML = ws.alerts.map((a) => `<option value="${escapeHtml(a)}">${escapeHtml(a)}</option>`).join('');
  $('fire-alert').addEventListener('click', () => void sendAlert('firing'));
  $('resolve-alert').addEventListener('click', () => void sendAlert('resolved'));
  setMe(ws.people[0].id);
  connect();
  const freezes = () => refreshFreezes().catch(() => undefined);
  void freezes();
  window.setInterval(freezes, 1000);
}

main().catch((error) => {
  window.alert(`The sandbox page could not start: ${error.message}`);
});

import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTERACTIVE_QUEUE } from '../../jobs/queue.js';
import { DEFAULT_CHECKLIST } from '../../src/policy/checklist.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';
import { testRedisUrl } from '../support/redis.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DEV = 'C0DEVCHAT';
const ALL = DEFAULT_CHECKLIST.map((_, i) => i);
type Obj = Record<string, unknown>;

async function openForm() {
  await h.slack.slashCommand(h.eventsUrl, { text: '', user_id: USERS.requester, channel_id: DEV });
  const [modal] = await h.slack.waitFor(() => h.slack.views(USERS.requester).length > 0 && h.slack.views(USERS.requester), { what: 'the rollback form' });
  return modal!;
}

/** The form's version input block as the fake stores it now. */
function versionField(): Obj {
  const view = h.slack.views(USERS.requester)[0]!;
  return (view.view.blocks as Obj[]).find((b) => b.block_id === 'version')!;
}

const chooseTarget = (viewId: string, target: string) =>
  h.slack.viewAction(h.eventsUrl, {
    user_id: USERS.requester,
    view_id: viewId,
    action_id: 'target',
    value: target,
    values: { target: { target: { type: 'static_select', selected_option: { value: target } } } },
  });

/** Waits until the worker has replaced the version field with one for `target`. */
function listFor(target: string) {
  return h.slack.waitFor(
    () => {
      const element = versionField().element as Obj;
      return element.action_id === `version@${target}` && (element.options as { text: { text: string }; value: string }[]);
    },
    { what: `the version select for ${target}` },
  );
}

/** The filled-in form; `version` is the version block's state as Slack sends it. */
function formValues(target: string, version: Obj) {
  return {
    target: { target: { type: 'static_select', selected_option: { value: target } } },
    scenario: { scenario: { type: 'static_select', selected_option: { value: 'outage' } } },
    severity: { severity: { type: 'static_select', selected_option: null } },
    reason: { reason: { type: 'plain_text_input', value: 'v2.0.1 returns 500 on /orders' } },
    override: { override: { type: 'plain_text_input', value: null } },
    version,
    checklist: { checklist: { type: 'checkboxes', selected_options: ALL.map((i) => ({ value: String(i) })) } },
  };
}
const picked = (target: string, value: string) => ({
  [`version@${target}`]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
});

describe("the rollback form lists the target's versions", () => {
  it('fills the version select from the ECS history after the target is chosen, and rolls back to the picked revision', async () => {
    const modal = await openForm();
    expect((versionField().element as Obj).type).toBe('plain_text_input');

    const ack = await chooseTarget(modal.id, 'api/production');
    expect(ack.status).toBe(200);
    const options = await listFor('api/production');

    // Newest first, the running revision left out (named in the hint), "previous" first and preselected.
    expect(options.map((o) => o.value)).toEqual(['@previous', 'distrocv-api:2', 'distrocv-api:1']);
    expect(options[0]!.text.text).toBe('previous version (default)');
    expect(options[1]!.text.text).toMatch(/^distrocv-api:2 · api:v2\.0\.0 · deployed · \d+h ago$/);
    for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
    const field = versionField();
    expect(field).toMatchObject({
      label: { text: 'Target version of api production' },
      hint: { text: 'Running now: distrocv-api:3 · api:v2.0.1 · deployed.' },
      element: { initial_option: { value: '@previous' } },
    });
    const [update] = h.slack.callsTo('views.update');
    expect(update!.args).toMatchObject({ view_id: modal.id, hash: modal.view.hash });
    // The rest of the form is rebuilt as it was: same callback, same reply channel.
    expect(h.slack.views(USERS.requester)[0]!.view).toMatchObject({ callback_id: 'rollback_request', private_metadata: JSON.stringify({ channel: DEV }) });

    const ok = await h.slack.submitView(h.eventsUrl, {
      user_id: USERS.requester,
      view: { id: modal.id, state: { values: formValues('api/production', picked('api/production', 'distrocv-api:1')) } },
    });
    expect(ok.body).toBe('');
    const rb = await eventually(async () => (await h.rewind.services.store.recent(1))[0], 'the rollback');
    expect(rb.requestedVersion).toBe('distrocv-api:1');
    const card = await h.slack.waitFor(
      () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${rb.id}`) && readable(m).includes('rollback_approve')),
      { what: 'the card' },
    );
    expect(readable(card)).toContain('distrocv-api:3 (api:v2.0.1)');
    expect(readable(card)).toContain('distrocv-api:1 (api:v1.9.0)');
    expect((await h.rewind.services.store.get(rb.id))?.plan?.target).toBe('distrocv-api:1 (api:v1.9.0)');
  });

  it('keeps "previous version" as the default, refuses a pick listed for another target, and falls back to free text without a history', async () => {
    const modal = await openForm();
    await chooseTarget(modal.id, 'api/production');
    await listFor('api/production');

    // The target changed after the list was filled: a revision from the old list is not taken for the new target.
    const stale = await h.slack.submitView(h.eventsUrl, {
      user_id: USERS.requester,
      view: { id: modal.id, state: { values: formValues('web/production', picked('api/production', 'distrocv-api:2')) } },
    });
    expect(stale.json).toMatchObject({
      response_action: 'errors',
      errors: { version: expect.stringMatching(/from the list for api production; choose the target again/) },
    });

    // api staging has no ECS service to read: the field goes back to free text and says why.
    await chooseTarget(modal.id, 'api/staging');
    const text = await h.slack.waitFor(
      () => {
        const f = versionField();
        return (f.element as Obj).type === 'plain_text_input' && f;
      },
      { what: 'the free-text version field' },
    );
    expect((text.hint as Obj).text).toMatch(
      /^Could not read the history of api staging: .*distrocv-staging.*Type a revision or tag, or leave it empty for the previous version\.$/,
    );

    // "previous version" submits no version: the driver picks the previous one as for `/rollback api production`.
    await chooseTarget(modal.id, 'api/production');
    await listFor('api/production');
    const ok = await h.slack.submitView(h.eventsUrl, {
      user_id: USERS.requester,
      view: { id: modal.id, state: { values: formValues('api/production', picked('api/production', '@previous')) } },
    });
    expect(ok.body).toBe('');
    const rb = await eventually(async () => (await h.rewind.services.store.recent(1))[0], 'the rollback');
    expect(rb.requestedVersion).toBeUndefined();
    const planned = await eventually(async () => (await h.rewind.services.store.get(rb.id))?.plan, 'the plan');
    expect(planned.target).toBe('distrocv-api:2 (api:v2.0.0)');
  });

  it('ignores quietly a list that arrives after the form changed (hash_conflict)', async () => {
    const modal = await openForm();
    const first = await chooseTarget(modal.id, 'api/production');
    await listFor('api/production');
    const hashNow = h.slack.views(USERS.requester)[0]!.view.hash;

    // Slack retries the first action: it carries the hash from before the update.
    await h.slack.viewAction(
      h.eventsUrl,
      { user_id: USERS.requester, view_id: modal.id, action_id: 'target', value: 'api/production' },
      { sameTriggerAs: { triggerId: first.triggerId }, retryNum: 1 },
    );
    const refused = await h.slack.waitFor(() => h.slack.callsTo('views.update').find((c) => c.error === 'hash_conflict'), { what: 'the refused update' });
    expect(refused.args).toMatchObject({ view_id: modal.id, hash: modal.view.hash });
    expect(h.slack.views(USERS.requester)[0]!.view.hash).toBe(hashNow);
    // Quiet: the job completes without a retry (a thrown error would be retried: a third update), nothing is posted.
    const queue = new Queue(INTERACTIVE_QUEUE, { connection: { url: testRedisUrl() }, prefix: `${h.prefix}:bull` });
    try {
      await eventually(async () => {
        const open = await queue.getJobs(['active', 'wait', 'delayed', 'prioritized']);
        return open.every((job) => job.name !== 'versions') || undefined;
      }, 'the versions job to finish');
      expect((await queue.getJobs(['failed'])).filter((job) => job.name === 'versions')).toEqual([]);
    } finally {
      await queue.close();
    }
    expect(h.slack.callsTo('views.update')).toHaveLength(2);
    expect(h.slack.messages(DEV)).toEqual([]);
  });
});

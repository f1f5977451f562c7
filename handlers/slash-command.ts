import { setImmediate } from 'node:timers/promises';
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpText, parseCommand } from '../commands/grammar.js';
import { decisionMatrix } from '../src/policy/matrix.js';
import { unfreeze } from '../src/rollbacks/freeze.js';
import { countedCall } from '../src/slack/counted-client.js';
import { matrixText } from '../src/slack/matrix.js';
import { requestModal } from '../src/slack/modal.js';
import type { WebServices } from './context.js';
import { historyText } from './history-text.js';
import { modalChoices } from './modal.js';
import { statusText } from './status-text.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function rollbackCommand(w: WebServices) {
  return async function handleRollbackCommand({ command, ack, respond, client }: Args) {
    await ack();
    // Yield once so a burst's other requests are read and acked before this one's work runs.
    await setImmediate();
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    try {
      await answer(w, command, reply, client);
    } catch (error) {
      // Acked already: the person who typed it must still hear that nothing happened, and why.
      w.log.error({ err: error, text: command.text }, '/rollback failed after ack');
      await reply(
        `:warning: Rewind could not handle \`/rollback ${command.text}\`: ${(error as Error).message}. Nothing was started; try again in a moment, or follow the runbook by hand.`,
      ).catch((replyError: unknown) => w.log.error({ err: replyError }, 'could not tell the requester either'));
    }
  };
}

/** Everything a `/rollback` asks, after the ack. */
async function answer(w: WebServices, command: Args['command'], reply: (text: string) => Promise<unknown>, client: Args['client']): Promise<unknown> {
  const parsed = parseCommand(command.text, w.catalog);
  switch (parsed.kind) {
    case 'help':
      return reply(helpText(w.catalog));
    case 'error':
      return reply(`:warning: ${parsed.message}`);
    case 'modal':
      // Acked above; the trigger_id stays valid for 3 s, plenty for one views.open.
      try {
        await countedCall(w.metrics, 'views.open', () =>
          client.views.open({ trigger_id: command.trigger_id, view: requestModal(modalChoices(w.catalog), command.channel_id) }),
        );
      } catch (error) {
        w.log.warn({ err: error }, 'could not open the rollback form');
        return reply(
          `:warning: Slack did not open the rollback form (${(error as Error).message}). Try again, or type \`/rollback <service> <environment> sev <severity> <reason>\`.`,
        );
      }
      return;
    case 'matrix':
      return reply(matrixText(decisionMatrix(w.catalog)));
    case 'history':
      return reply(historyText(await w.store.recent(parsed.service ? 200 : 50), parsed.service, w.now()));
    case 'status': {
      const rb = await w.store.get(parsed.id);
      return reply(
        rb ? statusText(rb, await w.store.timeline(rb.id)) : `No rollback ${parsed.id}. \`/rollback status RB-<number>\` takes the id shown on a card.`,
      );
    }
    case 'retry':
      await w.jobs.retry(command.trigger_id, {
        id: parsed.id,
        reason: parsed.reason,
        user: command.user_id,
        channel: command.channel_id,
        responseUrl: command.response_url,
      });
      return reply(`:repeat: Looking at what ${parsed.id} left undone…`);
    case 'kill-stuck':
      await w.jobs.killStuck(command.trigger_id, {
        id: parsed.id,
        reason: parsed.reason,
        user: command.user_id,
        channel: command.channel_id,
        responseUrl: command.response_url,
      });
      return reply(`:warning: Looking at ${parsed.id}'s stuck deployment…`);
    case 'versions':
      await w.jobs.versions({
        service: parsed.service,
        environment: parsed.environment,
        user: command.user_id,
        channel: command.channel_id,
        responseUrl: command.response_url,
      });
      return reply(`:mag: Reading the history of ${parsed.service} ${parsed.environment}…`);
    case 'versionTable':
      await w.jobs.versionTable({ environment: parsed.environment, user: command.user_id, channel: command.channel_id, responseUrl: command.response_url });
      return reply(`:mag: Reading the live versions of every target in ${parsed.environment}…`);
    case 'ready':
      await w.jobs.ready({
        service: parsed.service,
        environment: parsed.environment,
        ...(parsed.stack ? { stack: true as const } : {}),
        user: command.user_id,
        channel: command.channel_id,
        responseUrl: command.response_url,
      });
      return reply(`:mag: Checking whether ${parsed.stack ? 'stack ' : ''}${parsed.service} ${parsed.environment} is ready: reading live state…`);
    case 'unfreeze': {
      const { service, environment, reason } = parsed;
      const res = await unfreeze(w, { service, environment, reason, user: command.user_id });
      if ('refused' in res) return reply(`:no_entry: ${res.refused}`);
      if ('none' in res) return reply(`:information_source: ${res.none}`);
      return reply(
        `:unlock: Deploys to ${service} ${environment} may resume (the freeze ${res.lifted.rollback} set is lifted); the war room <#${w.catalog.warRoom}> was told why.`,
      );
    }
    case 'rollback': {
      // Nothing else here: the worker records, locks, replies and plans (acks stay fast under a burst).
      const { kind: _kind, ...request } = parsed;
      await w.jobs.request(command.trigger_id, { ...request, user: command.user_id, channel: command.channel_id, responseUrl: command.response_url });
      return;
    }
  }
}

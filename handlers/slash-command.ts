import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpText, parseCommand } from '../commands/grammar.js';
import { stateLabel } from '../src/slack/blocks.js';
import { requestRollback } from '../src/service/requests.js';
import { claimOnce } from '../src/store/once.js';
import { statusText } from './status-text.js';
import type { WebServices } from './context.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function rollbackCommand(w: WebServices) {
  return async function handleRollbackCommand({ command, ack, respond }: Args) {
    await ack();
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    const parsed = parseCommand(command.text, w.catalog);
    switch (parsed.kind) {
      case 'help':
        return reply(helpText(w.catalog));
      case 'error':
        return reply(`:warning: ${parsed.message}`);
      case 'status': {
        const rb = await w.store.get(parsed.id);
        return reply(rb ? statusText(rb, await w.store.timeline(rb.id)) : `No rollback ${parsed.id}. \`/rollback status RB-<number>\` takes the id shown on a card.`);
      }
      case 'versions':
        await w.jobs.versions({ service: parsed.service, environment: parsed.environment, user: command.user_id, channel: command.channel_id, responseUrl: command.response_url });
        return reply(`:mag: Reading the history of ${parsed.service} ${parsed.environment}…`);
      case 'rollback': {
        // Slack may deliver the same command twice; its trigger_id is unique per invocation.
        if (!(await claimOnce(w.redis, w.prefix, `trigger:${command.trigger_id}`, 3600))) return;
        const outcome = await requestRollback(w, {
          service: parsed.service,
          environment: parsed.environment,
          version: parsed.version,
          options: parsed.options,
          reason: parsed.reason,
          user: command.user_id,
          origin: { channel: command.channel_id, responseUrl: command.response_url },
        });
        if (outcome.kind === 'busy') {
          const h = outcome.holder;
          return reply(
            h
              ? `:no_entry: ${parsed.service} ${parsed.environment} is already being rolled back by ${h.id} (${stateLabel(h.state)}, requested by <@${h.requestedBy}>). Follow it in <#${h.card?.channel ?? w.catalog.warRoom}> or \`/rollback status ${h.id}\`; cancel it there first if you need a different plan.`
              : `:no_entry: ${parsed.service} ${parsed.environment} is locked by ${outcome.holderId}. \`/rollback status ${outcome.holderId}\` shows it.`,
          );
        }
        await w.jobs.plan(outcome.rollback.id);
        return reply(`:hourglass_flowing_sand: ${outcome.rollback.id}: reading the live state of ${parsed.service} ${parsed.environment}; the plan card will appear in <#${w.catalog.warRoom}> for approval.`);
      }
    }
  };
}

import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { targetOf } from '../src/config/catalog.js';
import type { WebServices } from './context.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

const buttonValue = z.object({ service: z.string(), environment: z.string(), alert: z.string().max(200).optional() });

/**
 * "Request rollback" on a suggestion: files the same request `/rollback <service> <env>` would, in
 * the clicker's name. It is only a request: the card asks the usual approvers, never the clicker.
 */
export function requestFromSuggestion(w: WebServices) {
  return async function handleSuggestionRequest({ ack, action, body }: Args) {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id ?? w.catalog.warRoom;
    let value: unknown;
    try {
      value = JSON.parse(action.value ?? '');
    } catch {
      value = undefined;
    }
    const parsed = buttonValue.safeParse(value);
    if (!parsed.success || !targetOf(w.catalog, parsed.data.service, parsed.data.environment))
      return w.poster.ephemeral(channel, body.user.id, ':warning: This suggestion names a target the catalog no longer has: nothing was requested.');
    const { service, environment, alert } = parsed.data;
    // The card and the announcements say which alert led here, not only that one did.
    const reason = alert ? `Alert ${alert} fired (requested from Rewind's suggestion)` : 'Requested from an alert suggestion';
    await w.jobs.request(body.trigger_id, { service, environment, reason, user: body.user.id, channel });
  };
}

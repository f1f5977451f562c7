import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT } from '../src/slack/blocks.js';
import { VIEW_REJECT, VIEW_REQUEST } from '../src/slack/modal.js';
import { approveAction, cancelAction, rejectAction, rejectSubmission } from './actions.js';
import type { WebServices } from './context.js';
import { requestSubmission } from './modal.js';
import { rollbackCommand } from './slash-command.js';

export function registerListeners(app: App, w: WebServices): void {
  app.command('/rollback', rollbackCommand(w));
  app.action<BlockButtonAction>(ACTION_APPROVE, approveAction(w));
  app.action<BlockButtonAction>(ACTION_REJECT, rejectAction(w));
  app.action<BlockButtonAction>(ACTION_CANCEL, cancelAction(w));
  app.view(VIEW_REQUEST, requestSubmission(w));
  app.view(VIEW_REJECT, rejectSubmission(w));
  app.error(async (error) => {
    w.log.error({ err: error }, 'listener failed');
  });
}

import type { App, BlockButtonAction, BlockStaticSelectAction } from '@slack/bolt';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT } from '../src/slack/blocks.js';
import { ACTION_KILL_STUCK, ACTION_POSTMORTEM_SCHEDULED, ACTION_STATUS_INVESTIGATING, ACTION_STATUS_PAGE, ACTION_USER_NOTIFY } from '../src/slack/follow-up.js';
import { statusPageEnvProblem } from '../src/warroom/status-page.js';
import { FIELD, VIEW_REJECT, VIEW_REQUEST } from '../src/slack/modal.js';
import { approveAction, cancelAction, rejectAction, rejectSubmission } from './actions.js';
import type { WebServices } from './context.js';
import { appHomeOpened } from './home.js';
import { killStuckAction, postMortemScheduledAction, statusPageAction, userNotifyAction } from './follow-up.js';
import { requestSubmission, targetChosen } from './modal.js';
import { rollbackCommand } from './slash-command.js';
import { requestFromSuggestion } from './suggestion.js';
import { ACTION_REQUEST_FROM_SUGGESTION } from '../src/slack/suggestion.js';

/** `env` holds the status-page token (catalog `statusPage.tokenEnv`); process.env unless a caller passes its own. */
export function registerListeners(app: App, w: WebServices, env: NodeJS.ProcessEnv = process.env): void {
  const statusPageProblem = statusPageEnvProblem(w.catalog.statusPage, env);
  if (statusPageProblem) w.log.error(statusPageProblem);
  app.command('/rollback', rollbackCommand(w));
  app.action<BlockButtonAction>(ACTION_APPROVE, approveAction(w));
  app.action<BlockButtonAction>(ACTION_REJECT, rejectAction(w));
  app.action<BlockButtonAction>(ACTION_CANCEL, cancelAction(w));
  app.action<BlockStaticSelectAction>(FIELD.target, targetChosen(w));
  app.view(VIEW_REQUEST, requestSubmission(w));
  app.view(VIEW_REJECT, rejectSubmission(w));
  app.action<BlockButtonAction>(ACTION_USER_NOTIFY, userNotifyAction(w));
  app.action<BlockButtonAction>(ACTION_STATUS_INVESTIGATING, statusPageAction(w, 'investigating'));
  app.action<BlockButtonAction>(ACTION_STATUS_PAGE, statusPageAction(w, 'statusPage'));
  app.action<BlockButtonAction>(ACTION_POSTMORTEM_SCHEDULED, postMortemScheduledAction(w));
  app.action<BlockButtonAction>(ACTION_KILL_STUCK, killStuckAction(w));
  app.action<BlockButtonAction>(ACTION_REQUEST_FROM_SUGGESTION, requestFromSuggestion(w));
  app.event('app_home_opened', appHomeOpened(w));
  app.error(async (error) => {
    w.log.error({ err: error }, 'listener failed');
  });
}

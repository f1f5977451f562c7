import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { openHome } from '../src/warroom/home.js';
import type { WebServices } from './context.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** The App Home tab: Bolt acknowledges events before listeners run; this remembers the viewer and publishes their view. */
export function appHomeOpened(w: WebServices) {
  return async function handleAppHomeOpened({ event }: Args) {
    if (event.tab !== 'home') return;
    await openHome(w, event.user);
  };
}

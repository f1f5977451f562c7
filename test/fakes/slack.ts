/** Wire-level Slack fake: see slack/server.ts. Tests and `npm run sandbox` import from here. */
export { startFakeSlack } from './slack/server.js';
export { signSlackRequest } from './slack/signing.js';
export type {
  AppHomeOpenedInput,
  ClickInput,
  FakeFile,
  FakeMessage,
  FakeSlack,
  FakeSlackOptions,
  FakeView,
  InjectedFailure,
  RecordedCall,
  RecordedResponse,
  SendOptions,
  SendResult,
  SlashCommandInput,
  SocketSendOptions,
  SocketSendResult,
  SubmitInput,
} from './slack/types.js';

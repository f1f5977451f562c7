/**
 * The baseline for bench/slack-ack.ts: a bare Bolt app that only acks `/rollback`, in a process
 * of its own like the Rewind under test. Env: PORT, SLACK_SIGNING_SECRET, SLACK_API_URL.
 */
import { App } from '@slack/bolt';

const app = new App({ token: 'xoxb-test-token', signingSecret: process.env.SLACK_SIGNING_SECRET!, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
app.command('/rollback', async function ackOnly({ ack }) {
  await ack();
});
await app.start(Number(process.env.PORT));
process.stdout.write('ready\n');

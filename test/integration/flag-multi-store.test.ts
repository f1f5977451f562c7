import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedAppConfig } from '../fakes/aws/estate.js';
import { AppConfigFake, sdkConfig } from '../fakes/aws/index.js';
import { eventually, readable, startHarness, USERS, waitForState, WAR_ROOM, type Harness } from '../support/harness.js';

const PARAM = '/distrocv/prod/FeatureFlags/NewMatchingAlgorithm';

/** DistroCV §5 as one flag: the parameter first, then the AppConfig "config refresh" (version 2 is the one before the feature). */
const TWO_STORES = `    production:
      driver: flag
      stores:
        - { store: ssm, parameter: ${PARAM} }
        - { store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant, off: 2, on: 3, pollInterval: 50ms }
      approval: { from: [oncall], count: 1 }
`;

let h: Harness;
let appconfig: AppConfigFake;

beforeEach(async () => {
  appconfig = await AppConfigFake.start({ deploymentDelayMs: 150 });
  seedAppConfig(appconfig);
  h = await startHarness({
    clients: { appconfig: () => new AppConfigClient(sdkConfig(appconfig.url)) },
    catalog: (yaml) => yaml.replace(/( {2}NewMatchingAlgorithm:\n)[\s\S]*$/, `$1${TWO_STORES}`),
  });
});

afterEach(async () => {
  await h.close();
  await appconfig.close();
});

/** The card's section texts as a person reads them. */
function sectionTexts(blocks: unknown[] = []): string {
  return (blocks as { text?: { text?: string } }[]).map((b) => b.text?.text ?? '').join('\n');
}

/** Asks for a flag change, approves it once as on-call and waits for the outcome; returns the card and the record. */
async function changeFlag(text: string, id: string) {
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(id) && readable(m).includes('rollback_approve')),
    `the ${id} card`,
  );
  const planned = sectionTexts(card.blocks);
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: card.ts });
  const rb = await waitForState(h, id, ['succeeded', 'failed']);
  return { card, planned, rb };
}

const servedVersion = () => appconfig.deployments.at(-1)!.version;

describe('a flag kept in SSM and AppConfig (DistroCV §5)', () => {
  it('plans both writes on one card, takes one approval, writes SSM then deploys AppConfig, and reverts both', async () => {
    const off = await changeFlag('flag NewMatchingAlgorithm off production matching returns garbage', 'RB-1');
    expect(off.planned).toContain(`NewMatchingAlgorithm (SSM ${PARAM}): "true" → "false"`);
    expect(off.planned).toMatch(
      /NewMatchingAlgorithm \(AppConfig distrocv\/prod profile feature-flags\): version 3 \(deployment #2, [^)]+\) → version 2, strategy instant/,
    );
    expect(off.planned).toContain('*Needs*: 1 from oncall (NewMatchingAlgorithm production rule), never the requester');
    expect(off.rb.error).toBeUndefined();
    expect(off.rb.plan!.steps.map((s) => s.id)).toEqual(['put-1', 'deploy-2']);
    expect(off.rb.approvals.map((a) => a.user)).toEqual([USERS.oncall]);

    expect(h.ssm.parameter(PARAM)?.Value).toBe('false');
    expect(servedVersion()).toBe('2');
    expect(appconfig.deployments.at(-1)!.description).toBe('Rewind RB-1: NewMatchingAlgorithm off (production)');
    const [put] = h.ssm.callsOf('PutParameter');
    const [deploy] = appconfig.callsOf('StartDeployment');
    expect(put!.at).toBeLessThanOrEqual(deploy!.at);
    // Each write once.
    expect(h.ssm.callsOf('PutParameter')).toHaveLength(1);
    expect(appconfig.callsOf('StartDeployment')).toHaveLength(1);

    // The thread reports each write (the poster delivers after the record is final).
    await eventually(() => {
      const thread = h.slack
        .thread(WAR_ROOM, off.card.ts)
        .map((m) => m.text ?? '')
        .join('\n');
      return thread.includes(`${PARAM} = "false"`) && /AppConfig deployment #3 of version 2: COMPLETE 100%/.test(thread);
    }, 'both writes in the thread');

    const revert = await changeFlag('flag NewMatchingAlgorithm revert production the garbage was a bad fixture', 'RB-2');
    expect(revert.planned).toContain(`NewMatchingAlgorithm (SSM ${PARAM}): "false" → "true" (version 2`);
    expect(revert.planned).toMatch(/version 2 \(deployment #3, [^)]+\) → version 3 \(served by deployment #2/);
    expect(revert.rb.error).toBeUndefined();
    expect(h.ssm.parameter(PARAM)?.Value).toBe('true');
    expect(servedVersion()).toBe('3');
  });

  it('leaves out a store that is already there and says so on the card', async () => {
    h.ssm.putParameter(PARAM, 'false');
    const off = await changeFlag('flag NewMatchingAlgorithm off production half done by hand', 'RB-1');
    expect(off.planned).toContain(`unchanged: NewMatchingAlgorithm is already "false" in production (${PARAM}, version 3): nothing to change.`);
    expect(off.rb.plan!.steps.map((s) => s.id)).toEqual(['deploy-2']);
    expect(h.ssm.callsOf('PutParameter')).toHaveLength(0);
    expect(servedVersion()).toBe('2');
  });

  it('stops before writing anything when one store moved after planning, naming it', async () => {
    await h.slack.slashCommand(h.eventsUrl, { text: 'flag NewMatchingAlgorithm off production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    const card = await eventually(
      () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('RB-1') && readable(m).includes('rollback_approve')),
      'the RB-1 card',
    );
    appconfig.seedDeployment('distrocv', 'prod', 'feature-flags', '1');
    await h.slack.clickButton(h.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
    const rb = await waitForState(h, 'RB-1', ['failed', 'succeeded']);
    expect(rb.state).toBe('failed');
    expect(rb.error?.message).toMatch(/distrocv\/prod profile feature-flags now serves version 1 .*; at plan time it served 3/);
    expect(h.ssm.callsOf('PutParameter')).toHaveLength(0);
    expect(appconfig.callsOf('StartDeployment')).toHaveLength(0);
  });

  it('stops at the store that fails: SSM is written, AppConfig refuses, the card names the store and the fix', async () => {
    appconfig.failNext('StartDeployment', { code: 'BadRequestException', status: 400, message: 'Deployment strategy instant does not exist' });
    const off = await changeFlag('flag NewMatchingAlgorithm off production', 'RB-1');
    expect(off.rb.state).toBe('failed');
    expect(off.rb.error).toMatchObject({ name: 'BadRequestException', stepId: 'deploy-2' });
    expect(h.ssm.parameter(PARAM)?.Value).toBe('false');
    expect(servedVersion()).toBe('3');
  });
});

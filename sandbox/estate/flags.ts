import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ESTATE, seedAppConfig, seedFlags } from '../../test/fakes/aws/estate.js';
import { AppConfigFake, SsmFake } from '../../test/fakes/aws/index.js';
import { fakeAws } from './aws.js';
import type { EstatePiece } from './types.js';

const SSM_FLAGS = ['NewMatchingAlgorithm', 'EnhancedInterviewPrep', 'BetaFeatures'];

/**
 * Feature flags of both runbooks: DistroCV's /distrocv/prod/FeatureFlags/* in SSM (NewMatchingAlgorithm
 * turned on yesterday) and its AppConfig profile distrocv/prod/feature-flags (version 3 deployed),
 * and Skillancer's MAINTENANCE_MODE. Seeded by test/fakes/aws/estate.ts (seedFlags, seedAppConfig).
 */
export async function startFlagsPiece(opts: { deploymentDelayMs: number }): Promise<EstatePiece> {
  const ssm = await SsmFake.start();
  const appconfig = await AppConfigFake.start({ deploymentDelayMs: opts.deploymentDelayMs }).catch(async (error: unknown) => {
    await ssm.close();
    throw error;
  });
  seedFlags(ssm);
  seedAppConfig(appconfig);

  return {
    summary: 'Feature flags: DistroCV NewMatchingAlgorithm, EnhancedInterviewPrep, BetaFeatures (SSM), FeatureFlags (AppConfig); Skillancer MAINTENANCE_MODE',
    example: '/rollback flag NewMatchingAlgorithm off production Matches look wrong since yesterday',
    clients: {
      ssm: () => new SSMClient(fakeAws(ssm.url)),
      appconfig: () => new AppConfigClient(fakeAws(appconfig.url)),
    },
    view() {
      const latest = appconfig.deployments.filter((d) => d.profileId === 'feature-flags').at(-1);
      const state = latest ? appconfig.state(latest) : undefined;
      return [
        {
          id: 'flags',
          title: 'Feature flags (SSM, AppConfig)',
          status: state && state !== 'COMPLETE' && state !== 'ROLLED_BACK' ? 'busy' : 'steady',
          lines: [
            ...SSM_FLAGS.map((f) => `${f} = ${ssm.parameter(`${ESTATE.flagPrefix}${f}`)?.Value ?? '(unset)'}`),
            `MAINTENANCE_MODE = ${ssm.parameter(ESTATE.maintenanceParameter)?.Value ?? '(unset)'}`,
            latest
              ? `AppConfig feature-flags: version ${latest.version}, ${state?.toLowerCase().replace('_', ' ')}`
              : 'AppConfig feature-flags: never deployed',
          ],
        },
      ];
    },
    toggles: () => [],
    setToggle: () => false,
    health: {},
    close: async () => {
      await Promise.allSettled([ssm.close(), appconfig.close()]);
    },
  };
}

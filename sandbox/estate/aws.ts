import { sdkConfig } from '../../test/fakes/aws/index.js';

/** SDK options for a client talking to one of the AWS fakes (any credentials sign; the fakes do not check them). */
export function fakeAws(url: string) {
  return { ...sdkConfig(url), credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } };
}

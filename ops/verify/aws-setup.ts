/**
 * What verify needs before its first AWS call: a region and credentials, each resolved the way the SDK
 * resolves them (environment, then the shared config and credentials files, then the instance or container
 * role). Asked of the client's own providers, so the answer is the SDK's, and a missing one is named in a
 * sentence that says what to set, instead of the SDK's `Region is missing` after the first call.
 */
import { VerifyError } from './markers';

/** The two providers every SDK v3 client's resolved config has. */
export interface ResolvedAwsConfig {
  readonly config: {
    region(): Promise<string>;
    credentials(): Promise<unknown>;
  };
}

export async function checkAwsSetup(client: ResolvedAwsConfig): Promise<{ region: string }> {
  let region: string;
  try {
    region = await client.config.region();
  } catch {
    region = '';
  }
  if (!region) {
    throw new VerifyError(
      'no AWS region: set the region the stage is deployed in, with AWS_REGION (e.g. export AWS_REGION=eu-west-1) ' +
        'or `region = …` in the profile you use (~/.aws/config; AWS_PROFILE names the profile)',
    );
  }
  try {
    await client.config.credentials();
  } catch (error) {
    throw new VerifyError(
      `no AWS credentials (${(error as Error).message.split('\n')[0]}): configure the account the stage is deployed in, ` +
        'with AWS_PROFILE (a profile in ~/.aws/config or ~/.aws/credentials, e.g. after aws configure or aws sso login) ' +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  return { region };
}

/**
 * What an AWS SDK error means for the operator running verify: no credentials, a stage not deployed, no
 * permission. Shared by the CloudFormation, SSM and S3 calls (cli.ts) and the Glue and Athena ones (glue-athena.ts).
 */
import { VerifyError } from './markers';

/** A clear message for the errors a user meets first: no credentials, no stack, no permission. */
export function explainAwsError(err: unknown, doing: string): Error {
  if (err instanceof VerifyError) return err;
  const e = err as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(e.message ?? '')) {
    return new VerifyError(
      `no AWS credentials while ${doing}: configure a profile (AWS_PROFILE) or environment credentials for the account the stage is deployed in`,
    );
  }
  if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) {
    return new VerifyError(
      `${doing}: ${e.message} — the stage is not deployed in this account and region (npm run deploy -- -c stage=...)`,
    );
  }
  if (e.name === 'EntityNotFoundException' || e.name === 'ResourceNotFoundException') {
    return new VerifyError(
      `${doing}: ${e.message ?? e.name} — not in this account and region: is the stage deployed (npm run deploy -- -c stage=...)?`,
    );
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied') return new VerifyError(`access denied while ${doing}: ${e.message}`);
  return new VerifyError(`${doing} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
}

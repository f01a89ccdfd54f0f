// The control-number secret on AWS: the functions get CONTROL_SECRET_ARN, never the secret itself in
// their environment, and read it from Secrets Manager once, at cold start. Locally CONTROL_SECRET is
// set and nothing is fetched.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAwsClient } from '../aws/clients.ts';

/** At least 32 bytes, as lower-case hex: what the stateful stack generates. */
export const CONTROL_SECRET_PATTERN = /^[0-9a-f]{64,}$/;

export interface FetchedSecret {
  /** The ARN (or name) it was read from. */
  readonly arn: string;
  readonly value: string;
}

type SecretReader = Pick<SecretsManagerClient, 'send'>;

/** Reads the control-number secret; throws naming the ARN (never the value) when it is missing or malformed. */
export async function fetchControlSecret(arn: string, client?: SecretReader): Promise<FetchedSecret> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const reader = client ?? createAwsClient(sdk.SecretsManagerClient);
  const out = await reader.send(new sdk.GetSecretValueCommand({ SecretId: arn }));
  const value = out.SecretString?.trim() ?? '';
  if (!CONTROL_SECRET_PATTERN.test(value)) {
    throw new Error(`the secret ${arn} is not at least 64 lower-case hex digits (32 bytes)`);
  }
  return { arn, value };
}

/**
 * The secret to fetch before the functions start: only when CONTROL_SECRET is absent and
 * CONTROL_SECRET_ARN is present (on AWS). Resolves undefined otherwise, touching nothing.
 */
export async function controlSecretAtColdStart(
  env: Record<string, string | undefined>,
  client?: SecretReader,
): Promise<FetchedSecret | undefined> {
  const arn = env.CONTROL_SECRET_ARN?.trim();
  if (env.CONTROL_SECRET !== undefined || !arn) return undefined;
  return fetchControlSecret(arn, client);
}

/** The environment with CONTROL_SECRET filled in from the fetched secret, when it was fetched for this ARN. */
export function withControlSecret(
  env: Record<string, string | undefined>,
  fetched: FetchedSecret | undefined,
): Record<string, string | undefined> {
  if (env.CONTROL_SECRET !== undefined || !fetched) return env;
  if (env.CONTROL_SECRET_ARN?.trim() !== fetched.arn) return env;
  return { ...env, CONTROL_SECRET: fetched.value };
}

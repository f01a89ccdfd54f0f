// The one place AWS SDK clients are built. On AWS the SDK's defaults apply (region and credentials
// from the Lambda environment); locally an endpoint points at the local stand-in (DynamoDB Local, the
// SES endpoint, s3rver) with a fixed region and that stand-in's credentials. Every client gets the
// call recorder (shared/aws/call-recorder.ts): it does nothing unless a test switched it on.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { installCallRecorder, type RecordableClient } from './call-recorder.ts';

export const LOCAL_REGION = 'us-east-1';
/** DynamoDB Local and the SES endpoint accept any key; these say the call is local. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** s3rver accepts only its one built-in access key. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface AwsEndpointConfig {
  /** A local endpoint such as http://127.0.0.1:8000; absent on AWS. */
  endpoint?: string | undefined;
  /** Default LOCAL_REGION with a local endpoint, the SDK's resolution otherwise. */
  region?: string | undefined;
  /** Attempts per call, including the first (SDK default 3). */
  maxAttempts?: number | undefined;
  /** Milliseconds to wait for a connection (default 3 s). */
  connectionTimeoutMs?: number | undefined;
  /** Milliseconds a request may take before it is abandoned (default: none). */
  requestTimeoutMs?: number | undefined;
  /** Sockets kept per host (default 50). */
  maxSockets?: number | undefined;
  /** Credentials of the local endpoint (default LOCAL_CREDENTIALS). */
  localCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/** The options every client shares (handler, timeouts, endpoint, region, credentials). */
export function awsClientOptions(config: AwsEndpointConfig = {}): Record<string, unknown> {
  const maxSockets = config.maxSockets ?? 50;
  const options: Record<string, unknown> = {
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      ...(config.requestTimeoutMs !== undefined ? { requestTimeout: config.requestTimeoutMs } : {}),
    },
  };
  if (config.maxAttempts !== undefined) options.maxAttempts = config.maxAttempts;
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    options.region = config.region ?? LOCAL_REGION;
    options.credentials = config.localCredentials ?? LOCAL_CREDENTIALS;
  } else if (config.region) {
    options.region = config.region;
  }
  return options;
}

/**
 * A client of any AWS service: `createAwsClient(SESClient, { endpoint })`. `extra` holds options of
 * that service alone (S3's forcePathStyle, for instance).
 */
export function createAwsClient<C extends RecordableClient, O extends object>(
  Client: new (options: O) => C,
  config: AwsEndpointConfig = {},
  extra: Partial<O> = {},
): C {
  const client = new Client({ ...awsClientOptions(config), ...extra } as O);
  installCallRecorder(client);
  return client;
}

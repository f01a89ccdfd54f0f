// Signed HTTP calls to AWS APIs this project has no SDK client for (the Lambda API to enable an event
// source mapping, S3 for the register uploads and print files): AWS Signature Version 4 over fetch.
// Credentials come from the SDK's default chain (through an SQS client, which the project has), so
// the Lambda role, a profile or the environment all work.
import { createHash, createHmac } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignInput {
  method: string;
  url: string;
  service: string;
  region: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  credentials: AwsCredentials;
  /** The signing instant (default now). */
  date?: Date;
  /** S3 encodes each path segment once; the other services twice. */
  singleEncodePath?: boolean;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ percent-encoded, upper-case hex. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The request's headers with x-amz-date, x-amz-content-sha256, the session token and Authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  const url = new URL(input.url);
  const date = input.date ?? new Date();
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(input.body ?? '');
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payloadHash,
  };
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;

  const segments = url.pathname.split('/').map((s) => {
    const raw = decodeURIComponent(s);
    return input.singleEncodePath ? uriEncode(raw) : uriEncode(uriEncode(raw));
  });
  const canonicalUri = segments.join('/') || '/';
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] as string).replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri,
    query,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, input.region), input.service), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

let credentialSource: SQSClient | null = null;

/** The SDK's default credential chain (Lambda role, environment, profile, SSO). */
export async function defaultCredentials(region: string): Promise<AwsCredentials> {
  credentialSource ??= new SQSClient({ region });
  const c = await credentialSource.config.credentials();
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}

export interface AwsResponse {
  status: number;
  text: string;
}

export async function awsFetch(
  input: Omit<SignInput, 'credentials'> & { credentials?: AwsCredentials },
): Promise<AwsResponse> {
  const credentials = input.credentials ?? (await defaultCredentials(input.region));
  const headers = signRequest({ ...input, credentials });
  const { host: _host, ...sent } = headers;
  const res = await fetch(input.url, {
    method: input.method,
    headers: sent,
    ...(input.body !== undefined ? { body: input.body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

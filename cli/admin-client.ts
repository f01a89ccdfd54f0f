// The CLI's client of the admin API: every request signed with AWS Signature Version 4 (service
// execute-api) by the credentials of the AWS default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID..., SSO,
// assumed roles), as API Gateway's IAM authorization and the local stack's adapter both require. The
// signer is the one the SDK uses (@smithy/signature-v4); nothing here computes a signature itself.
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UsageError } from './io.ts';

export const ADMIN_CONNECTION_USAGE =
  '  They call the admin API at --api URL (or PROXYVOTE_API), signed with the AWS credentials of the\n' +
  '  default chain (AWS_PROFILE, ...), each allowed only its role: see docs/operators.md.\n';

export interface AdminResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

export interface AdminClient {
  readonly api: string;
  request(
    method: 'GET' | 'POST',
    path: string,
    options?: { query?: Record<string, string>; body?: unknown },
  ): Promise<AdminResponse>;
  /** GET a JSON answer; a refusal becomes an AdminRefused naming the status and the API's message. */
  getJson<T>(path: string, query?: Record<string, string>): Promise<T>;
}

/** The admin API could not be reached at all (nothing was sent or answered). */
export class ApiUnreachable extends Error {
  constructor(
    readonly api: string,
    readonly why: string,
  ) {
    super(
      `cannot reach the admin API at ${api} (${why}): is \`npm start\` running (locally), and is --api (or PROXYVOTE_API) right?`,
    );
    this.name = 'ApiUnreachable';
  }
}

export class AdminRefused extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    /** What the refusal left undone, said after the API's reason ("nothing written"). */
    readonly consequence?: string,
  ) {
    super(`refused (${status}): ${text}${consequence ? `; ${consequence}` : ''}`);
    this.name = 'AdminRefused';
  }
}

/** fetch's "fetch failed" names its reason in `cause` (ECONNREFUSED, ENOTFOUND, ...). */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** Static credentials or a provider of them, as the signer takes them. */
export type SigningCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** The Region of an execute-api host (abc123.execute-api.eu-west-1.amazonaws.com), else none. */
export function regionOfHost(hostname: string): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(hostname)?.[1];
}

/**
 * A client of the admin API at `values.api` (or PROXYVOTE_API). `credentials` replaces the default
 * chain (tests sign with a given local key this way; the CLI never passes it).
 */
export function adminClient(
  values: { api?: string | undefined },
  credentials: SigningCredentials = fromNodeProviderChain(),
): AdminClient {
  const raw = values.api ?? process.env.PROXYVOTE_API;
  if (!raw) throw new UsageError('--api URL (or PROXYVOTE_API) is required');
  let base: URL;
  try {
    base = new URL(raw);
  } catch {
    throw new UsageError(
      `--api must be a URL such as https://abc123.execute-api.us-east-1.amazonaws.com, not "${raw}"`,
    );
  }
  const region =
    regionOfHost(base.hostname) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const prefix = base.pathname.replace(/\/$/, '');

  const request: AdminClient['request'] = async (method, path, options = {}) => {
    const url = new URL(`${prefix}${path}`, base);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prior = query[k];
      query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
    }
    let signed: Awaited<ReturnType<SignatureV4['sign']>>;
    try {
      signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { host: url.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body }),
      });
    } catch (e) {
      throw new UsageError(
        `no AWS credentials to sign the request with (${(e as Error).message}): set AWS_PROFILE to an operator ` +
          "role's profile (locally, the keys `npm start` prints)",
      );
    }
    // fetch sets Host itself, from the same URL.
    const { host: _host, ...headers } = signed.headers;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (e) {
      throw new ApiUnreachable(base.origin, causeOf(e));
    }
    return { status: res.status, ok: res.ok, headers: res.headers, text: await res.text() };
  };

  return {
    api: base.toString(),
    request,
    async getJson<T>(path: string, query?: Record<string, string>): Promise<T> {
      const res = await request('GET', path, query ? { query } : {});
      if (!res.ok) throw new AdminRefused(res.status, res.text);
      return JSON.parse(res.text) as T;
    },
  };
}

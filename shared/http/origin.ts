// The public routes answer only requests that came through CloudFront (and so through its WAF).
// CloudFront adds two headers to every request it forwards to the API: the origin's secret (a custom
// origin header, its value from Secrets Manager) and CloudFront-Viewer-Address, the viewer's address
// and port. A request without the secret reached the API's own execute-api endpoint, skipping the
// WAF: it is refused (403). With it, the viewer's address is CloudFront-Viewer-Address, which the
// guessing limit keys on; the address API Gateway sees is CloudFront's edge, shared by thousands.
//
// The secret rotates: the functions accept the current value and the previous one (Secrets Manager's
// AWSCURRENT and AWSPREVIOUS), so CloudFront may still send the old one until it is redeployed. A
// value that matches neither makes the function read the secret again (at most once a minute).
// Locally, ORIGIN_SECRET holds the value(s), comma-separated, and the HTTP adapter plays CloudFront.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorResponse, HttpError } from './json.ts';

/** The custom origin header CloudFront adds (lower case, as API Gateway passes headers). */
export const ORIGIN_SECRET_HEADER = 'x-proxyvote-origin';
/** CloudFront's header with the viewer's address and port: 198.51.100.10:46532, 2001:db8::1:46532. */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';
/** The origin secret: 32 to 128 characters of letters and digits (what the stateful stack generates). */
export const ORIGIN_SECRET_PATTERN = /^[A-Za-z0-9]{32,128}$/;
const REFRESH_AFTER_MS = 60_000;

/** The viewer's address from CloudFront-Viewer-Address (the port after the last colon), or null. */
export function parseViewerAddress(value: string | undefined): string | null {
  if (!value) return null;
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || !/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  const address = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return isIP(address) ? address : null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time: whether the header carries one of the accepted values. */
export function originSecretMatches(given: string | undefined, accepted: readonly string[]): boolean {
  if (!given) return false;
  const g = digest(given);
  let ok = false;
  for (const a of accepted) ok = timingSafeEqual(g, digest(a)) || ok;
  return ok;
}

export type OriginCheck =
  | { ok: true; viewer: string }
  | { ok: false; reason: 'no-origin-secret' | 'no-viewer-address' };

export function checkOrigin(
  headers: Record<string, string | undefined> | undefined,
  accepted: readonly string[],
): OriginCheck {
  if (!originSecretMatches(headers?.[ORIGIN_SECRET_HEADER], accepted))
    return { ok: false, reason: 'no-origin-secret' };
  const viewer = parseViewerAddress(headers?.[VIEWER_ADDRESS_HEADER]);
  return viewer ? { ok: true, viewer } : { ok: false, reason: 'no-viewer-address' };
}

type SecretReader = Pick<SecretsManagerClient, 'send'>;

/** The current and (when there is one) the previous value of the origin secret in Secrets Manager. */
export async function fetchOriginSecrets(arn: string, client?: SecretReader): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const reader = client ?? new sdk.SecretsManagerClient({});
  const read = async (stage: string): Promise<string | null> => {
    try {
      const out = await reader.send(new sdk.GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
      return out.SecretString?.trim() ?? null;
    } catch (e) {
      if (stage !== 'AWSCURRENT' && e instanceof sdk.ResourceNotFoundException) return null;
      throw e;
    }
  };
  const [current, previous] = await Promise.all([read('AWSCURRENT'), read('AWSPREVIOUS')]);
  if (!current || !ORIGIN_SECRET_PATTERN.test(current)) {
    throw new Error(`the secret ${arn} is not 32 to 128 letters and digits`);
  }
  return previous && ORIGIN_SECRET_PATTERN.test(previous) ? [current, previous] : [current];
}

/** Where the accepted values come from: ORIGIN_SECRET (local) or ORIGIN_SECRET_ARN (AWS). Fails closed. */
export class OriginSecrets {
  private fetchedAt: number;
  private constructor(
    private values: readonly string[],
    private readonly refetch: (() => Promise<string[]>) | null,
    private readonly now: () => number,
  ) {
    this.fetchedAt = now();
  }

  static async fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: { client?: SecretReader; now?: () => number } = {},
  ): Promise<OriginSecrets> {
    const now = options.now ?? Date.now;
    const local = env.ORIGIN_SECRET?.trim();
    if (local) {
      const values = local.split(',').map((v) => v.trim());
      if (!values.every((v) => ORIGIN_SECRET_PATTERN.test(v))) {
        throw new Error('ORIGIN_SECRET must be 32 to 128 letters and digits (two values: current,previous)');
      }
      return new OriginSecrets(values, null, now);
    }
    const arn = env.ORIGIN_SECRET_ARN?.trim();
    if (!arn) throw new Error('ORIGIN_SECRET_ARN (or, locally, ORIGIN_SECRET) is not set');
    const fetch = () => fetchOriginSecrets(arn, options.client);
    return new OriginSecrets(await fetch(), fetch, now);
  }

  async check(headers: Record<string, string | undefined> | undefined): Promise<OriginCheck> {
    const first = checkOrigin(headers, this.values);
    if (first.ok || first.reason !== 'no-origin-secret' || !this.refetch) return first;
    if (this.now() - this.fetchedAt < REFRESH_AFTER_MS) return first;
    this.fetchedAt = this.now();
    this.values = await this.refetch();
    return checkOrigin(headers, this.values);
  }
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const NOT_THROUGH_CLOUDFRONT = new HttpError(
  403,
  'forbidden',
  'This address does not serve the voting site. Use the address in your notice.',
);

/**
 * A public route's handler, answering only what came through CloudFront; the handler sees the
 * viewer's address as requestContext.http.sourceIp.
 */
export function cloudFrontOnly(handler: Handler, secrets: OriginSecrets | Promise<OriginSecrets>): Handler {
  return async (event, context) => {
    const check = await (await secrets).check(event.headers);
    if (!check.ok) return errorResponse(NOT_THROUGH_CLOUDFRONT);
    const http = { ...event.requestContext.http, sourceIp: check.viewer };
    return handler({ ...event, requestContext: { ...event.requestContext, http } }, context);
  };
}

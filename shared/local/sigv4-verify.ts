// The local stand-in for API Gateway's IAM authorization of the admin routes: local key pairs (one per
// operator role, made by `npm start`), and the check of an AWS Signature Version 4 request against
// them. The signature is recomputed with the same signer the CLI uses (@smithy/signature-v4) over the
// headers the request says it signed; the date must be within 5 minutes of now, the Host one this
// server answers to, the body the one whose hash was signed. What passes gets API Gateway's IAM
// authorizer context (requestContext.authorizer.iam), so that the handlers read the operator the way
// they do on AWS.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IamCaller, OperatorRole } from '../http/operators.ts';

/** API Gateway refuses a signature dated more than 5 minutes from its clock; so does this check. */
export const MAX_SKEW_MS = 5 * 60_000;
export const LOCAL_ACCOUNT = '000000000000';
const SERVICE = 'execute-api';
const sha256 = Hash.bind(null, 'sha256');

export interface LocalKey {
  accessKeyId: string;
  secretAccessKey: string;
  role: OperatorRole;
  /** The principal recorded as the operator, e.g. arn:aws:iam::000000000000:user/local-clerk. */
  userArn: string;
  userId: string;
}

/** A local key pair for one role: an IAM-user-like principal named `name` (default local-<role>). */
export function createLocalKey(role: OperatorRole, name = `local-${role}`): LocalKey {
  if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new Error(`"${name}" is not a usable IAM user name`);
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    role,
    userArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/${name}`,
    userId: `AIDA${randomBytes(8).toString('hex').toUpperCase()}`,
  };
}

/** An AWS shared credentials file (~/.aws/credentials format) with one profile per key. */
export function credentialsFile(keys: ReadonlyArray<{ profile: string; key: LocalKey }>): string {
  return keys
    .map(
      ({ profile, key }) =>
        `[${profile}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
    )
    .join('\n');
}

export interface SignedRequest {
  method: string;
  /** The path as it arrived (before the "?"). */
  path: string;
  rawQueryString: string;
  /** Lower-case names; repeated headers joined with ",". */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export type Verdict =
  | { ok: true; key: LocalKey; iam: IamCaller }
  | { ok: false; status: 401; code: string; message: string };

const refuse = (code: string, message: string): Verdict => ({ ok: false, status: 401, code, message });

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** 20020520T170000Z -> epoch ms, or NaN. */
function amzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Checks one request's signature. `hosts` are the Host values this server answers to (e.g.
 * 127.0.0.1:3000 and localhost:3000); `now` the server's clock.
 */
export async function verifySigV4(
  req: SignedRequest,
  keys: ReadonlyMap<string, LocalKey>,
  hosts: readonly string[],
  now: number,
): Promise<Verdict> {
  const authorization = req.headers.authorization;
  if (!authorization) {
    return refuse(
      'missing_signature',
      'Admin requests must be signed with AWS Signature Version 4 (service execute-api): no Authorization header.',
    );
  }
  const m = AUTH.exec(authorization.trim());
  if (!m) {
    return refuse(
      'malformed_signature',
      'The Authorization header is not an AWS4-HMAC-SHA256 signature (Credential, SignedHeaders, Signature).',
    );
  }
  const [, accessKeyId = '', scopeDate = '', region = '', service = '', signedList = '', signature = ''] = m;
  if (service !== SERVICE)
    return refuse('wrong_service', `The request is signed for the service "${service}", not "${SERVICE}".`);
  const key = keys.get(accessKeyId);
  if (!key) {
    return refuse(
      'unknown_key',
      'The access key that signed the request is not one of this local stack (npm start prints its keys).',
    );
  }
  const dateHeader = req.headers['x-amz-date'] ?? '';
  const signedAt = amzDate(dateHeader);
  if (Number.isNaN(signedAt) || dateHeader.slice(0, 8) !== scopeDate) {
    return refuse(
      'malformed_signature',
      'The X-Amz-Date header is missing or does not match the credential scope.',
    );
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return refuse(
      'signature_expired',
      `The signature is dated ${new Date(signedAt).toISOString()}, more than 5 minutes from this server's clock (${new Date(now).toISOString()}): check the computer's clock and sign again.`,
    );
  }
  const signed = signedList.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) {
    return refuse('malformed_signature', 'The signature must cover the Host and X-Amz-Date headers.');
  }
  const host = req.headers.host ?? '';
  if (!hosts.includes(host)) {
    return refuse(
      'wrong_host',
      `The request is for the host "${host}", which this server is not (${hosts.join(', ')}).`,
    );
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value === undefined) return refuse('malformed_signature', `The signed header "${name}" is missing.`);
    headers[name] = value;
  }
  const bodyHash = new Hash('sha256');
  bodyHash.update(req.body);
  const digest = Buffer.from(await bodyHash.digest()).toString('hex');
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== digest) {
    return refuse('body_mismatch', 'The body is not the one that was signed (X-Amz-Content-SHA256 differs).');
  }

  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(req.rawQueryString)) {
    const prior = query[k];
    query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  const signer = new SignatureV4({
    service: SERVICE,
    region,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    sha256,
    applyChecksum: false,
  });
  const recomputed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: host,
      path: req.path,
      query,
      headers,
      body: req.body,
    },
    { signingDate: new Date(signedAt), signableHeaders: new Set(signed) },
  );
  const expected = AUTH.exec(String(recomputed.headers.authorization ?? ''));
  const same =
    expected?.[5] === signedList &&
    timingSafeEqual(Buffer.from(expected[6] ?? '', 'hex'), Buffer.from(signature, 'hex'));
  if (!same) {
    return refuse(
      'signature_mismatch',
      'The signature does not match: the request was changed after signing, or signed with another secret key.',
    );
  }
  return {
    ok: true,
    key,
    iam: {
      accessKey: key.accessKeyId,
      accountId: LOCAL_ACCOUNT,
      callerId: key.userId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: key.userArn,
      userId: key.userId,
    },
  };
}

export type AdminCheck =
  | { ok: true; iam: IamCaller }
  | { ok: false; status: 401 | 403; error: { code: string; message: string; fields: [] } };

/**
 * What the local adapter asks for an admin route: a valid signature by a key of the route's role.
 * 401 for a missing or bad signature, 403 for a valid one by another role's key.
 */
export async function checkAdminRequest(
  req: SignedRequest,
  route: { method: string; path: string; role?: OperatorRole | undefined },
  keys: ReadonlyMap<string, LocalKey>,
  hosts: readonly string[],
  now: number,
): Promise<AdminCheck> {
  const verdict = await verifySigV4(req, keys, hosts, now);
  if (!verdict.ok)
    return { ok: false, status: 401, error: { code: verdict.code, message: verdict.message, fields: [] } };
  if (route.role === undefined || verdict.key.role !== route.role) {
    return {
      ok: false,
      status: 403,
      error: {
        code: 'wrong_role',
        message: `${verdict.key.userArn} signs as the ${verdict.key.role}; ${route.method} ${route.path} is ${
          route.role ? `the ${route.role}'s` : "no role's"
        }: sign with the ${route.role ?? 'right'} role's key.`,
        fields: [],
      },
    };
  }
  return { ok: true, iam: verdict.iam };
}

/** The keys by access key id, refusing two keys with one id. */
export function keyring(keys: readonly LocalKey[]): ReadonlyMap<string, LocalKey> {
  const map = new Map<string, LocalKey>();
  for (const key of keys) {
    if (map.has(key.accessKeyId)) throw new Error(`two local keys have the id ${key.accessKeyId}`);
    map.set(key.accessKeyId, key);
  }
  return map;
}

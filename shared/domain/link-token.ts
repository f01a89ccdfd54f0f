// What a link in a notice carries instead of the control number: an opaque link token, good once,
// until the internet cut-off. The page exchanges it by its own POST (a link scanner's GET never does)
// for a short ballot session held in an HttpOnly cookie; after that, the holder types the control
// number printed in the notice. So nothing a browser, a proxy or a scanner keeps from a URL can vote.
//
// The token is derived from the control number with the meeting's secret (HMAC), so whoever sends the
// notice can compute it again without storing it; only a keyed hash of the token is stored, beside
// the control number's. Session ids are random and stored the same way. Pure: randomness and the
// secret come in as arguments.
import { createHmac } from 'node:crypto';

/** 22 base64url characters: 132 bits. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** 43 base64url characters: 256 bits. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const SESSION_COOKIE = 'pv_session';
/** How long a ballot session lasts (never past the internet cut-off). */
export const SESSION_TTL_MS = 20 * 60_000;

const hmac = (secret: Uint8Array | string, purpose: string, value: string) =>
  createHmac('sha256', secret).update(`${purpose}\n${value}`);

/** The link token of a control number (16 digits). */
export function linkTokenFor(controlNumber: string, secret: Uint8Array | string): string {
  return hmac(secret, 'proxyvote link token', controlNumber).digest('base64url').slice(0, 22);
}

/** The stored form of a link token. */
export function linkTokenHash(token: string, secret: Uint8Array | string): string {
  return hmac(secret, 'proxyvote link token hash', token).digest('hex');
}

export function newSessionId(randomBytes: (n: number) => Uint8Array): string {
  return Buffer.from(randomBytes(32)).toString('base64url');
}

/** The stored form of a session id. */
export function sessionHash(id: string, secret: Uint8Array | string): string {
  return hmac(secret, 'proxyvote ballot session', id).digest('hex');
}

/** When a session opened at `now` ends: after SESSION_TTL_MS, or at the cut-off if that comes first. */
export function sessionEnds(now: number, cutoff: number): number {
  return Math.min(now + SESSION_TTL_MS, cutoff);
}

/**
 * The Set-Cookie value of a session: HttpOnly (the page's script never sees it), SameSite=Strict, only
 * for the API's paths, and without Max-Age or Expires, so the browser keeps it in memory and drops it
 * when it closes; the server ends it after SESSION_TTL_MS whatever the browser does.
 */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/api; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The session id among a request's cookies (`name=value` strings), when well-formed. */
export function sessionIdFrom(cookies: readonly string[] | undefined): string | null {
  for (const c of cookies ?? []) {
    const eq = c.indexOf('=');
    if (eq < 0 || c.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = c.slice(eq + 1).trim();
    if (SESSION_ID_PATTERN.test(value)) return value;
  }
  return null;
}

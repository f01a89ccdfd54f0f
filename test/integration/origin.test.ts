// The public routes answer only what came through CloudFront: without the origin's secret header
// (the API's own endpoint, skipping the WAF) every one of them answers 403; the current and the
// previous secret are both accepted (rotation); the viewer's address is CloudFront-Viewer-Address,
// never one the client sent, and the guessing limit keys on it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { luhnCheckDigit } from '../../shared/domain/control-number.ts';
import { checkOrigin, OriginSecrets, parseViewerAddress } from '../../shared/http/origin.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { hemacare, holder } from '../support/builders.ts';
import { jsonOf } from '../support/http.ts';
import { postJson, startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const CURRENT = randomBytes(24).toString('hex');
const PREVIOUS = randomBytes(24).toString('hex');
let stack: VotingStack;
const extra: HttpAdapter[] = [];
const meeting = hemacare();

beforeAll(async () => {
  process.env.ORIGIN_SECRET = `${CURRENT},${PREVIOUS}`;
  stack = await startVotingStack({
    label: 'origin',
    holders: [holder('A-1', 1_000), holder('CEDE', meeting.sharesOutstanding - 1_000, { nominee: true })],
    asOf: '2002-06-01T17:00:00Z',
    env: { MAX_CONTROL_FAILURES: '3' },
  });
});

afterAll(async () => {
  await Promise.all(extra.map((a) => a.close()));
  await stack?.stop();
});

async function adapter(originSecret: string | false): Promise<HttpAdapter> {
  const a = await startHttpAdapter({ routes, port: 0, originSecret });
  extra.push(a);
  return a;
}

function guess(): string {
  const payload = Array.from(randomBytes(15), (b) => String(b % 10)).join('');
  return payload + String(luhnCheckDigit(payload));
}

describe('the origin secret', () => {
  it('refuses every public route reached without CloudFront, whatever headers the client sends', async () => {
    const bare = await adapter(false);
    const publicRoutes = routes.filter((r) => r.auth !== 'iam');
    expect(publicRoutes.length).toBeGreaterThan(5);
    for (const r of publicRoutes) {
      const res = await fetch(`${bare.url}${r.path}`, {
        method: r.method,
        headers: {
          'content-type': 'application/json',
          'cloudfront-viewer-address': '198.51.100.1:443',
          'x-proxyvote-origin': 'not-the-secret-0000000000000000000000',
        },
        ...(r.method === 'POST'
          ? { body: JSON.stringify({ controlNumber: stack.controls.get('A-1') }) }
          : {}),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect((await jsonOf(res)).error.code).toBe('forbidden');
    }
  });

  it('accepts the current and the previous secret, and nothing else', async () => {
    const number = stack.controls.get('A-1');
    for (const [secret, status] of [
      [CURRENT, 200],
      [PREVIOUS, 200],
      [randomBytes(24).toString('hex'), 403],
    ] as const) {
      const a = await adapter(secret);
      const res = await postJson(a.url, '/api/ballot', { controlNumber: number });
      expect(res.status).toBe(status);
    }
  });

  it('keys the guessing limit on the viewer CloudFront saw, not on a header the client forged', async () => {
    // Through the adapter playing CloudFront, a forged CloudFront-Viewer-Address is replaced: rotating
    // it buys nothing.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await postJson(
        stack.api.url,
        '/api/ballot',
        { controlNumber: guess() },
        { 'cloudfront-viewer-address': `203.0.113.${i}:1234` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const res = await postJson(stack.api.url, '/api/ballot', { controlNumber: guess() });
    expect((await jsonOf(res)).error.message).toMatch(/Try again in about \d+ minutes?/);
  });
});

describe('the origin secrets of a function', () => {
  it('fail closed: a function without a secret, or with a malformed one, does not start', async () => {
    await expect(OriginSecrets.fromEnv({})).rejects.toThrow(
      /ORIGIN_SECRET_ARN \(or, locally, ORIGIN_SECRET\) is not set/,
    );
    await expect(OriginSecrets.fromEnv({ ORIGIN_SECRET: 'short' })).rejects.toThrow(
      /32 to 128 letters and digits/,
    );
    const both = await OriginSecrets.fromEnv({ ORIGIN_SECRET: `${CURRENT},${PREVIOUS}` });
    const headers = (secret: string) => ({
      'x-proxyvote-origin': secret,
      'cloudfront-viewer-address': '192.0.2.9:1',
    });
    expect((await both.check(headers(PREVIOUS))).ok).toBe(true);
    expect((await both.check(headers(`${CURRENT}x`))).ok).toBe(false);
  });
});

describe('reading the viewer address (pure)', () => {
  it('takes the address before the port, IPv4 and IPv6, and refuses anything else', () => {
    expect(parseViewerAddress('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(parseViewerAddress('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(parseViewerAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    for (const bad of ['', '198.51.100.10', 'evil:80', '999.1.1.1:80', '1.2.3.4:port', '1.2.3.4, 5.6.7.8:80'])
      expect(parseViewerAddress(bad)).toBeNull();
  });

  it('needs the secret first, then a viewer address', () => {
    const ok = { 'x-proxyvote-origin': CURRENT, 'cloudfront-viewer-address': '192.0.2.1:1' };
    expect(checkOrigin(ok, [CURRENT])).toEqual({ ok: true, viewer: '192.0.2.1' });
    expect(checkOrigin(ok, [PREVIOUS])).toEqual({ ok: false, reason: 'no-origin-secret' });
    expect(checkOrigin({ 'x-proxyvote-origin': CURRENT }, [CURRENT])).toEqual({
      ok: false,
      reason: 'no-viewer-address',
    });
    expect(checkOrigin(undefined, [CURRENT]).ok).toBe(false);
  });
});

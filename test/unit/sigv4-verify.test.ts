// The local check of an admin request's signature, on a fixed clock: the same signer as the CLI's
// signs, the check recomputes; the 5-minute window holds to the second, whichever way the clock is off.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { regionOfHost } from '../../cli/admin-client.ts';
import { createLocalKey, keyring, MAX_SKEW_MS, verifySigV4 } from '../../shared/local/sigv4-verify.ts';

const HOST = '127.0.0.1:3000';
const key = createLocalKey('inspector');
const keys = keyring([key, createLocalKey('clerk')]);
const SIGNED_AT = Date.UTC(2026, 11, 7, 12, 0, 0);

async function request(body = '{"kind":"final"}') {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'eu-west-1',
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const out = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/admin/tally',
      query: { a: ['1', '2'] },
      headers: { host: HOST, 'content-type': 'application/json' },
      body,
    },
    { signingDate: new Date(SIGNED_AT) },
  );
  return {
    method: 'POST',
    path: '/admin/tally',
    rawQueryString: 'a=1&a=2',
    headers: out.headers as Record<string, string>,
    body: Buffer.from(body),
  };
}

describe('verifySigV4', () => {
  it('accepts the signature up to 5 minutes either side of the signing time, and names the key', async () => {
    const r = await request();
    for (const now of [SIGNED_AT, SIGNED_AT - MAX_SKEW_MS, SIGNED_AT + MAX_SKEW_MS]) {
      const v = await verifySigV4(r, keys, [HOST], now);
      expect(v.ok && v.iam.userArn).toBe('arn:aws:iam::000000000000:user/local-inspector');
    }
  });

  it('refuses it a second beyond, either way', async () => {
    const r = await request();
    for (const now of [SIGNED_AT - MAX_SKEW_MS - 1000, SIGNED_AT + MAX_SKEW_MS + 1000]) {
      const v = await verifySigV4(r, keys, [HOST], now);
      expect(v.ok ? 'accepted' : v.code).toBe('signature_expired');
    }
  });

  it('refuses a query value or a header changed after signing (the order of repeated values is canonical)', async () => {
    const r = await request();
    const reordered = await verifySigV4({ ...r, rawQueryString: 'a=2&a=1' }, keys, [HOST], SIGNED_AT);
    expect(reordered.ok).toBe(true);
    const changed = await verifySigV4({ ...r, rawQueryString: 'a=1&a=3' }, keys, [HOST], SIGNED_AT);
    expect(changed.ok ? 'accepted' : changed.code).toBe('signature_mismatch');
    const retyped = await verifySigV4(
      { ...r, headers: { ...r.headers, 'content-type': 'text/plain' } },
      keys,
      [HOST],
      SIGNED_AT,
    );
    expect(retyped.ok ? 'accepted' : retyped.code).toBe('signature_mismatch');
  });
});

describe('regionOfHost', () => {
  it('reads the Region of an execute-api host, and nothing from another host', () => {
    expect(regionOfHost('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(regionOfHost('a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1');
    expect(regionOfHost('vote.example.com')).toBeUndefined();
    expect(regionOfHost('127.0.0.1')).toBeUndefined();
  });
});

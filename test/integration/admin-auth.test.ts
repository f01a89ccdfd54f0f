// The admin routes behind the local adapter need an AWS Signature Version 4 signature by a key of the
// route's role, as API Gateway's IAM authorization and the three operator roles do on AWS: a missing,
// malformed, expired, re-targeted or tampered signature is refused (401), a valid one by another role's
// key too (403), and the handler reads the signer from requestContext.authorizer.iam, where API Gateway
// puts it. The CLI signs with the default credential chain (a profile) and is refused the same way.
import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import type { HttpHandler, HttpRoute } from '../../shared/http/route.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { createLocalKey, type LocalKey } from '../../shared/local/sigv4-verify.ts';
import type { Json } from '../support/http.ts';
import { localOperators } from '../support/operators.ts';

const operators = localOperators();
const events: APIGatewayProxyEventV2[] = [];
const echo: HttpHandler = async (event) => {
  events.push(event);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"done":true}' };
};
const adminRoute = (method: HttpRoute['method'], path: string, role: HttpRoute['role']): HttpRoute => ({
  method,
  path,
  function: `echo-${role}`,
  handler: async () => ({ handler: echo }),
  auth: 'iam',
  role,
});

let api: HttpAdapter;
beforeAll(async () => {
  api = await startHttpAdapter({
    routes: [
      adminRoute('POST', '/admin/entries', 'clerk'),
      adminRoute('GET', '/admin/tally', 'inspector'),
      adminRoute('POST', '/admin/polls/close', 'supervisor'),
      { method: 'GET', path: '/health', function: 'health', handler: async () => ({ handler: echo }) },
    ],
    port: 0,
    adminKeys: operators.all,
    logError: () => {},
  });
});
afterAll(() => api?.close());

interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A request with exactly these headers (Host included), not what fetch would add. */
function send(r: Raw): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: api.port,
        method: r.method,
        path: r.path,
        headers: r.headers,
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Signs with the SDK's signer, as any AWS client would; `at` and `host` can be chosen. */
async function signed(
  key: Pick<LocalKey, 'accessKeyId' | 'secretAccessKey'>,
  r: { method: string; path: string; body?: string; query?: Record<string, string> },
  options: { at?: Date; host?: string; service?: string } = {},
): Promise<Raw> {
  const host = options.host ?? `127.0.0.1:${api.port}`;
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: 'us-east-1',
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const out = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: host.split(':')[0] ?? host,
      path: r.path,
      query: r.query ?? {},
      headers: { host, ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(r.body === undefined ? {} : { body: r.body }),
    },
    options.at ? { signingDate: options.at } : {},
  );
  const qs = new URLSearchParams(r.query ?? {}).toString();
  return {
    method: r.method,
    path: qs ? `${r.path}?${qs}` : r.path,
    headers: out.headers as Record<string, string>,
    ...(r.body === undefined ? {} : { body: r.body }),
  };
}

const entry = JSON.stringify({ kind: 'revocation', account: 'A-1' });
const clerkPost = () => ({ method: 'POST', path: '/admin/entries', body: entry });

describe('a valid signature by the route role', () => {
  it("reaches the handler with API Gateway's IAM authorizer context naming the signer", async () => {
    const clerk = operators.keys.clerk;
    const before = events.length;
    const res = await send(await signed(clerk, clerkPost()));
    expect(res.status).toBe(200);
    expect(events.length).toBe(before + 1);
    const event = events.at(-1) as APIGatewayProxyEventV2 & { requestContext: { authorizer?: Json } };
    expect(event.requestContext.authorizer).toEqual({
      iam: {
        accessKey: clerk.accessKeyId,
        accountId: '000000000000',
        callerId: clerk.userId,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: 'arn:aws:iam::000000000000:user/local-clerk',
        userId: clerk.userId,
      },
    });
    expect(event.body).toBe(entry);
  });

  it('covers the query string and a signature made a few minutes ago', async () => {
    const r = { method: 'GET', path: '/admin/tally', query: { limit: '5', cursor: 'a b/c' } };
    const fourMinutesAgo = new Date(Date.now() - 4 * 60_000);
    expect((await send(await signed(operators.keys.inspector, r, { at: fourMinutesAgo }))).status).toBe(200);
  });

  it('leaves the public routes alone: no signature needed, no authorizer context', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(
      (events.at(-1) as { requestContext: { authorizer?: unknown } }).requestContext.authorizer,
    ).toBeUndefined();
  });
});

describe('refused before the handler runs', () => {
  const refusedWith = async (raw: Raw | Promise<Raw>, status: number, code: string) => {
    const before = events.length;
    const res = await send(await raw);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(typeof res.json.error.message).toBe('string');
    expect(events.length).toBe(before);
    return res;
  };

  it('no signature at all (401)', async () => {
    await refusedWith(
      {
        method: 'POST',
        path: '/admin/entries',
        headers: { host: `127.0.0.1:${api.port}`, 'content-type': 'application/json' },
        body: entry,
      },
      401,
      'missing_signature',
    );
  });

  it('the old bearer token and x-operator header (401)', async () => {
    await refusedWith(
      {
        method: 'POST',
        path: '/admin/entries',
        headers: {
          host: `127.0.0.1:${api.port}`,
          authorization: 'Bearer 0123456789abcdef',
          'x-operator': 'clerk',
        },
        body: entry,
      },
      401,
      'malformed_signature',
    );
  });

  it('a key this stack does not know (401)', async () => {
    await refusedWith(signed(createLocalKey('clerk'), clerkPost()), 401, 'unknown_key');
  });

  it('a known key id signed with another secret (401)', async () => {
    const forged = {
      accessKeyId: operators.keys.clerk.accessKeyId,
      secretAccessKey: createLocalKey('clerk').secretAccessKey,
    };
    await refusedWith(signed(forged, clerkPost()), 401, 'signature_mismatch');
  });

  it('a signature dated more than 5 minutes ago, or ahead (401)', async () => {
    const res = await refusedWith(
      signed(operators.keys.clerk, clerkPost(), { at: new Date(Date.now() - 6 * 60_000) }),
      401,
      'signature_expired',
    );
    expect(res.json.error.message).toMatch(/more than 5 minutes/);
    await refusedWith(
      signed(operators.keys.clerk, clerkPost(), { at: new Date(Date.now() + 6 * 60_000) }),
      401,
      'signature_expired',
    );
  });

  it('a signature for another host (401)', async () => {
    await refusedWith(
      signed(operators.keys.clerk, clerkPost(), { host: 'abc123.execute-api.us-east-1.amazonaws.com' }),
      401,
      'wrong_host',
    );
  });

  it('a signature for another service (401)', async () => {
    await refusedWith(signed(operators.keys.clerk, clerkPost(), { service: 's3' }), 401, 'wrong_service');
  });

  it('a body changed after signing (401)', async () => {
    const raw = await signed(operators.keys.clerk, clerkPost());
    await refusedWith({ ...raw, body: entry.replace('A-1', 'A-2') }, 401, 'body_mismatch');
  });

  it('a query string changed after signing (401)', async () => {
    const raw = await signed(operators.keys.inspector, {
      method: 'GET',
      path: '/admin/tally',
      query: { limit: '5' },
    });
    await refusedWith({ ...raw, path: '/admin/tally?limit=6' }, 401, 'signature_mismatch');
  });

  it("a valid signature by another role's key (403, naming both roles)", async () => {
    const res = await refusedWith(signed(operators.keys.supervisor, clerkPost()), 403, 'wrong_role');
    expect(res.json.error.message).toContain('signs as the supervisor');
    expect(res.json.error.message).toContain("POST /admin/entries is the clerk's");
    await refusedWith(
      signed(operators.keys.clerk, { method: 'POST', path: '/admin/polls/close', body: '{}' }),
      403,
      'wrong_role',
    );
    await refusedWith(
      signed(operators.keys.clerk, { method: 'GET', path: '/admin/tally' }),
      403,
      'wrong_role',
    );
  });
});

describe('the CLI, signing with the default credential chain', () => {
  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  it("works with the role's profile and is refused with another role's", async () => {
    const before = events.length;
    const ok = await operators.asProfile('supervisor', api.url, () =>
      cli(['polls', 'close', '--yes', '--override', 'adjourned for the test']),
    );
    expect(ok.code, ok.err).toBe(0);
    expect(events.length).toBe(before + 1);
    expect((events.at(-1) as { requestContext: Json }).requestContext.authorizer.iam.userArn).toBe(
      operators.keys.supervisor.userArn,
    );
    const wrong = await operators.asProfile('inspector', api.url, () =>
      cli(['polls', 'close', '--yes', '--override', 'adjourned for the test']),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('refused (403)');
    expect(wrong.err).toContain('wrong_role');
    expect(events.length).toBe(before + 1);
  });

  it('without credentials, says how to get them and sends nothing', async () => {
    const names = [
      'AWS_PROFILE',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
      'AWS_EC2_METADATA_DISABLED',
    ];
    const saved = names.map((n) => process.env[n]);
    Object.assign(process.env, {
      AWS_PROFILE: 'nobody-here',
      AWS_SHARED_CREDENTIALS_FILE: operators.credentialsFile,
      AWS_CONFIG_FILE: operators.credentialsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const before = events.length;
    try {
      const res = await cli(['polls', 'close', '--yes', '--api', api.url]);
      expect(res.code).toBe(1);
      expect(res.err).toContain('no AWS credentials to sign the request with');
      expect(res.err).toContain('AWS_PROFILE');
    } finally {
      names.forEach((n, i) => {
        const v = saved[i];
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      });
    }
    expect(events.length).toBe(before);
  });

  it('is refused with a profile whose key the stack does not know', async () => {
    const stranger = localOperators();
    const res = await stranger.asProfile('supervisor', api.url, () =>
      cli(['polls', 'close', '--yes', '--override', 'adjourned for the test']),
    );
    expect(res.code).toBe(1);
    expect(res.err).toContain('refused (401)');
    expect(res.err).toContain('unknown_key');
  });
});

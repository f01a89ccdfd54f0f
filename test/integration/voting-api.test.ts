// The voting JSON API through the local HTTP adapter (API Gateway v2 events -> the Lambda handlers),
// against DynamoDB Local and the SES endpoint: status codes, error shape, confirmation e-mail.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { hemacare, holder } from '../support/builders.ts';
import { jsonOf } from '../support/http.ts';
import { postJson, startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const meeting = hemacare();
const email = `holder-${randomBytes(4).toString('hex')}@example.com`;
let stack: VotingStack;
let control: string;

beforeAll(async () => {
  stack = await startVotingStack({
    label: 'votingapi',
    holders: [
      holder('V-1', 5_000, { name: 'Vera <b>Lynn</b>', email, eDelivery: true }),
      holder('REST', meeting.sharesOutstanding - 5_000),
    ],
    asOf: '2002-06-01T17:00:00.000Z',
    env: { MAX_CONTROL_FAILURES: '3' },
  });
  control = stack.controls.get('V-1') as string;
});

afterAll(() => stack?.stop());

const post = (path: string, body: unknown, headers?: Record<string, string>) =>
  postJson(stack.api.url, path, body, headers);

describe('the voting API', () => {
  it('POST /api/ballot returns the meeting, the holder and no current vote', async () => {
    const res = await post('/api/ballot', { controlNumber: control });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.meeting.company.name).toBe('HemaCare Corporation');
    expect(body.meeting.proposals.map((p: { id: string }) => p.id)).toEqual(['1', '2']);
    expect(body.holder).toEqual({ name: 'Vera <b>Lynn</b>', jointNames: [], shares: 5_000, nominee: false });
    expect(body.current).toBeNull();
  });

  it('POST /api/proxy answers 201 with the receipt, 200 for its retry, and e-mails the same receipt', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const request = { controlNumber: control, votes: { '2': 'AGAINST' }, idempotencyKey: 'key-00000001' };
    const res = await post('/api/proxy', request);
    expect(res.status).toBe(201);
    const receipt = await jsonOf(res);
    expect(receipt).toMatchObject({
      kind: 'proxy',
      effective: true,
      replayed: false,
      votes: { '2': 'AGAINST' },
    });
    expect(Date.parse(receipt.executedAt)).toBeGreaterThanOrEqual(Date.parse('2002-06-01T17:00:00.000Z'));
    const retry = await post('/api/proxy', request);
    expect(retry.status).toBe(200);
    expect((await jsonOf(retry)).receiptCode).toBe(receipt.receiptCode);
    const reused = await post('/api/proxy', { ...request, votes: { '2': 'FOR' } });
    expect(reused.status).toBe(409);

    // The confirmation goes from the votes stream, not inside the request: run its worker now.
    await stack.drainConfirmations();
    const store = (await jsonOf(await fetch(`${inject('sesEndpoint')}/store?since=${since}`))) as {
      emails: Array<{ destination: { to: string[] }; subject: string; body: { text: string; html: string } }>;
    };
    const mine = store.emails.filter((m) => m.destination.to.includes(email));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.subject).toContain(receipt.receiptCode);
    expect(mine[0]?.body.text).toContain(`Receipt code: ${receipt.receiptCode}`);
    expect(mine[0]?.body.text).toContain('Proposal 2, Other business');
    expect(mine[0]?.body.text).toContain('  Alan C. Darlington: For');
    // The holder's name is escaped in the HTML part.
    expect(mine[0]?.body.html).toContain('Vera &lt;b&gt;Lynn&lt;/b&gt;');
    expect(mine[0]?.body.html).not.toContain('<b>Lynn</b>');

    const ballot = await jsonOf(await post('/api/ballot', { controlNumber: control }));
    expect(ballot.current).toMatchObject({ receiptCode: receipt.receiptCode, votes: { '2': 'AGAINST' } });
  });

  it('POST /api/revoke answers 201; the ballot then shows the revocation', async () => {
    const res = await post('/api/revoke', { controlNumber: control, idempotencyKey: 'key-revoke-1' });
    expect(res.status).toBe(201);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ kind: 'revocation', effective: true, votes: null });
    const ballot = await jsonOf(await post('/api/ballot', { controlNumber: control }));
    expect(ballot.current).toMatchObject({ kind: 'revocation', receiptCode: body.receiptCode });
    // Its retry (same key) stores nothing new and answers with the same receipt.
    const retry = await post('/api/revoke', { controlNumber: control, idempotencyKey: 'key-revoke-1' });
    expect(retry.status).toBe(200);
    expect(await jsonOf(retry)).toMatchObject({ receiptCode: body.receiptCode, effective: true });
  });

  it('counts proxies accepted and refused, and revocations, as EMF metrics under the catalog names', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let statuses: number[];
    try {
      const accepted = await post('/api/proxy', {
        controlNumber: control,
        votes: { '2': 'FOR' },
        idempotencyKey: 'key-metric-01',
      });
      // A nominee who is not on the ballot: refused by the voting rules (not by the request's shape).
      const marks = { nobody: 'FOR' };
      const refused = await post('/api/proxy', {
        controlNumber: control,
        votes: { '1': { marks } },
        idempotencyKey: 'key-metric-02',
      });
      const revoked = await post('/api/revoke', { controlNumber: control, idempotencyKey: 'key-metric-03' });
      statuses = [accepted.status, refused.status, revoked.status];
    } finally {
      spy.mockRestore();
    }
    expect(statuses).toEqual([201, 400, 201]);
    const counted = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const name of ['ProxiesAccepted', 'ProxiesRefused', 'Revocations'])
      expect(
        counted.filter((d) => d[name] === 1),
        name,
      ).toHaveLength(1);
  });

  it.each([
    ['a body that is not JSON', '{"controlNumber":', 400, 'invalid_body', '(body)'],
    ['an unknown field', { controlNumber: '1', extra: 1 }, 400, 'invalid_request', '(body)'],
    ['letters in the control number', { controlNumber: 'abc' }, 400, 'invalid_request', 'controlNumber'],
    ['a wrong check digit', { controlNumber: '4111111111111112' }, 400, 'invalid_request', 'controlNumber'],
  ])('%s: %i %s naming %s', async (_name, body, status, code, path) => {
    const res = await post('/api/ballot', body);
    expect(res.status).toBe(status);
    const json = await jsonOf(res);
    expect(json.error.code).toBe(code);
    expect(json.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });

  it('415 for another content type, 413 for a large body', async () => {
    expect(
      (await post('/api/ballot', 'controlNumber=1', { 'content-type': 'application/x-www-form-urlencoded' }))
        .status,
    ).toBe(415);
    const big = await post('/api/ballot', { controlNumber: '1'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await jsonOf(big)).error.code).toBe('payload_too_large');
  });

  it('401 for an unknown number (ballot, proxy or revocation alike), then 429 for that address', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['/api/ballot', { controlNumber: '4111111111111111' }],
      [
        '/api/proxy',
        { controlNumber: '5500000000000004', votes: { '2': 'FOR' }, idempotencyKey: 'key-unknown-1' },
      ],
      ['/api/revoke', { controlNumber: '4012888888881881', idempotencyKey: 'key-unknown-2' }],
    ];
    for (const [path, body] of attempts) {
      const res = await post(path, body);
      expect(res.status).toBe(401);
      expect((await jsonOf(res)).error).toEqual({
        code: 'not_recognised',
        message: 'This control number is not recognised. Check it against your notice and try again.',
        fields: [{ path: 'controlNumber', message: 'is not recognised' }],
      });
    }
    expect((await post('/api/ballot', { controlNumber: control })).status).toBe(429);
  });
});

describe('after the internet cut-off', () => {
  it('answers 410 with the closing time in the meeting file', async () => {
    vi.resetModules();
    process.env.CLOCK_OFFSET_MS = String(offsetToReach('2002-06-13T04:00:00.000Z'));
    const late = await startHttpAdapter({ routes, port: 0 });
    try {
      const res = await postJson(late.url, '/api/proxy', {
        controlNumber: control,
        votes: {},
        idempotencyKey: 'key-late-0001',
      });
      expect(res.status).toBe(410);
      const body = await jsonOf(res);
      expect(body.error.code).toBe('voting_closed');
      expect(body.error.message).toContain('Internet voting closed at 2002-06-12T23:59 (America/New_York)');
    } finally {
      await late.close();
    }
  });
});

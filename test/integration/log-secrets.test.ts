// No control number, HMAC secret or e-mail address in any log line over a full voting flow: every
// byte the handlers write to stdout and stderr is captured and searched.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlNumberHash, luhnCheckDigit } from '../../shared/domain/control-number.ts';
import { hemacare, holder } from '../support/builders.ts';
import { postJson, startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const meeting = hemacare();
const email = `secret.holder.${randomBytes(3).toString('hex')}@example.com`;
let stack: VotingStack;
let control: string;
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
  stack = await startVotingStack({
    label: 'logs',
    holders: [
      holder('L-1', 1_000, { email, eDelivery: true }),
      holder('REST', meeting.sharesOutstanding - 1_000),
    ],
    asOf: '2002-06-01T17:00:00.000Z',
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', MAX_CONTROL_FAILURES: '2' },
    adapter: { logError: (message: string, error: unknown) => console.error(message, error) },
  });
  control = stack.controls.get('L-1') as string;
});

afterAll(async () => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  await stack?.stop();
});

const post = (path: string, body: unknown) => postJson(stack.api.url, path, body);

describe('logs over a full voting flow', () => {
  it('never contain a control number, the secret, its hashes or an e-mail address', async () => {
    const wrong = `999999999999999${luhnCheckDigit('999999999999999')}`;
    const typo = `${control.slice(0, 15)}${(Number(control[15]) + 1) % 10}`;
    expect((await post('/api/ballot', { controlNumber: control })).status).toBe(200);
    expect(
      (
        await post('/api/proxy', {
          controlNumber: control,
          votes: { '2': 'FOR' },
          idempotencyKey: 'log-000001',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post('/api/proxy', {
          controlNumber: control,
          votes: { '2': 'FOR' },
          idempotencyKey: 'log-000001',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post('/api/proxy', {
          controlNumber: control,
          votes: { '9': 'FOR' },
          idempotencyKey: 'log-000002',
        })
      ).status,
    ).toBe(400);
    expect((await post('/api/revoke', { controlNumber: control, idempotencyKey: 'log-000003' })).status).toBe(
      201,
    );
    expect((await post('/api/ballot', { controlNumber: typo })).status).toBe(400);
    expect((await post('/api/ballot', { controlNumber: wrong })).status).toBe(401);
    expect((await post('/api/ballot', { controlNumber: wrong })).status).toBe(401);
    expect((await post('/api/ballot', { controlNumber: control })).status).toBe(429);
    // The confirmations worker on the votes stream: its logs are searched too.
    expect(await stack.drainConfirmations()).toBeGreaterThan(0);

    const logs = captured.join('');
    // The handlers did log (the test would pass vacuously otherwise).
    expect(logs).toContain('proxy accepted');
    expect(logs).toContain('refused');
    for (const secret of [
      control,
      typo,
      wrong,
      stack.secret,
      email,
      controlNumberHash(control, Buffer.from(stack.secret, 'hex')),
      ...stack.operators.all.map((k) => k.secretAccessKey),
    ]) {
      expect(logs).not.toContain(secret);
    }
    // Nor the number in groups of four, as printed on a notice.
    expect(logs).not.toContain(`${control.slice(0, 4)} ${control.slice(4, 8)}`);
  });
});

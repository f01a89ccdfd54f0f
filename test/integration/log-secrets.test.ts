// No control number, HMAC secret or e-mail address in any log line over a full voting flow: every
// byte the handlers write to stdout and stderr is captured and searched.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { controlNumberHash, luhnCheckDigit } from '../../shared/domain/control-number.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { hemacare, holder } from '../support/builders.ts';
import { setHandlerEnv, uniqueTableNames } from '../support/local-env.ts';

const names = uniqueTableNames('logs');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const meeting = hemacare();
const SECRET = randomBytes(32).toString('hex');
const TOKEN = randomBytes(16).toString('hex');
const email = `secret.holder.${randomBytes(3).toString('hex')}@example.com`;
const holders = [
  holder('L-1', 1_000, { email, eDelivery: true }),
  holder('REST', meeting.sharesOutstanding - 1_000),
];
let api: HttpAdapter;
let control: string;
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  await createTables(client, names);
  control = (await importHolders(doc, names, holders, Buffer.from(SECRET, 'hex'), randomBytes)).issued.get(
    'L-1',
  ) as string;
  setHandlerEnv(names);
  Object.assign(process.env, {
    MEETING_JSON: readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8'),
    CONTROL_SECRET: SECRET,
    MAIL_FROM: 'proxy@example.com',
    SES_ENDPOINT: inject('sesEndpoint'),
    ADMIN_TOKEN: TOKEN,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    MAX_CONTROL_FAILURES: '2',
    CLOCK_OFFSET_MS: String(offsetToReach('2002-06-01T17:00:00.000Z')),
  });
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
  api = await startHttpAdapter({
    routes,
    port: 0,
    logError: (message, error) => console.error(message, error),
  });
});

afterAll(async () => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

const post = (path: string, body: unknown) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

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

    const logs = captured.join('');
    // The handlers did log (the test would pass vacuously otherwise).
    expect(logs).toContain('proxy accepted');
    expect(logs).toContain('refused');
    for (const secret of [
      control,
      typo,
      wrong,
      SECRET,
      email,
      controlNumberHash(control, Buffer.from(SECRET, 'hex')),
      TOKEN,
    ]) {
      expect(logs).not.toContain(secret);
    }
    // Nor the number in groups of four, as printed on a notice.
    expect(logs).not.toContain(`${control.slice(0, 4)} ${control.slice(4, 8)}`);
  });
});

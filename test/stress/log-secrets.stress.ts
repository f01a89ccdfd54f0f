// Secrets (issue 9): no control number (nor its grouped form or its HMAC), no HMAC secret, no admin
// token and no e-mail address in any log line over the whole operator side: the register import (good
// and bad files), the notices, the holder's ballot and a late proxy, every operator entry through the
// admin API and the CLI, wrong tokens, closing the polls, the export, and handlers failing because
// DynamoDB is unreachable. Every byte written to stdout and stderr is captured, with the handlers at
// DEBUG and POWERTOOLS_LOGGER_LOG_EVENT=true (what an operator might switch on to debug in production).
// (test/integration/log-secrets.test.ts covers the holder's voting flow.)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { controlNumberHash, formatControlNumber } from '../../shared/domain/control-number.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { renderNoticeEmail } from '../../shared/domain/notice.ts';
import { parseRegister, RegisterError, serializeRegister } from '../../shared/domain/register.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { findFreePort } from '../../shared/local/ports.ts';
import { createLocalKey, type LocalKey } from '../../shared/local/sigv4-verify.ts';
import { SesMailer } from '../../shared/mail/mailer.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS, tableNames } from '../../shared/storage/tables.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { holder } from '../support/builders.ts';
import { setHandlerEnv } from '../support/local-env.ts';
import { localOperators } from '../support/operators.ts';
import { reportFigures } from './support/figures.ts';
import { meetingFor } from './support/workload.ts';

const MEETING_FILE = new URL('../../meetings/hemacare-2002.json', import.meta.url);
const meetingJson = JSON.parse(readFileSync(MEETING_FILE, 'utf8')) as Record<string, unknown>;
const prefix = `proxyvote-stresslogs${randomBytes(3).toString('hex')}`;
const SECRET = randomBytes(32).toString('hex');
const operators = localOperators();
const tag = randomBytes(3).toString('hex');
const holders: Holder[] = Array.from({ length: 40 }, (_, i) =>
  holder(`LG-${i}`, 1_000 + i, {
    name: `Holder ${i}`,
    email: i % 4 === 3 ? null : `secret.${tag}.${i}@example.com`,
    eDelivery: i % 4 !== 3,
    jointNames: i % 5 === 0 ? [`Joint ${i}`] : [],
  }),
);
const meeting = meetingFor(holders);
const names = tableNames(meeting.id, prefix);
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
const workDir = mkdtempSync(join(tmpdir(), 'proxyvote-logs-'));
let issued = new Map<string, string>();
let api: HttpAdapter;

beforeAll(async () => {
  await createTables(client, names);
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
});

afterAll(async () => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

function handlerEnv(extra: Record<string, string>) {
  setHandlerEnv(names);
  Object.assign(process.env, {
    MEETING_JSON: JSON.stringify({ ...meetingJson, sharesOutstanding: meeting.sharesOutstanding }),
    CONTROL_SECRET: SECRET,
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    // 13 June 2002, 10:00 in Los Angeles: the meeting has started, internet voting is closed.
    CLOCK_OFFSET_MS: String(offsetToReach('2002-06-13T17:00:00.000Z')),
    ...extra,
  });
}

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then((r) => r.status);

// Vitest intercepts console.*: write to the streams themselves, as console.* does outside a test runner.
const log = (...args: unknown[]) => process.stdout.write(`${format(...args)}\n`);
const logError = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);

/** The CLI, signing as the role (its profile), printing to the streams an operator's terminal (or a CI log) keeps. */
function cliAs(role: OperatorRole, api: string, args: string[]): Promise<number> {
  return operators.asProfile(role, api, () =>
    main(args, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }),
  );
}

describe('logs over the operator side and the register import', () => {
  it("never contain a control number, its hash, the secret, an operator's secret key or an e-mail address", async () => {
    const statuses: Record<string, number> = {};
    const note = (what: string, status: number) => {
      statuses[what] = status;
    };
    const key = Buffer.from(SECRET, 'hex');

    // The register: a bad file first (the import refuses it, naming the lines), then the good one.
    const csv = serializeRegister(holders);
    const bad = csv
      .replace(`secret.${tag}.1@example.com`, `secret.${tag}.1@example.com; other.${tag}@example.com`)
      .replace(`secret.${tag}.2@example.com`, `secret.${tag}.2(at)example.com`)
      .replace('LG-5,', 'LG 5,');
    try {
      parseRegister(bad, meeting.sharesOutstanding, 'register.csv');
      throw new Error('the bad register was accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(RegisterError);
      logError((e as Error).message);
    }
    const { holders: parsed } = parseRegister(csv, meeting.sharesOutstanding, 'register.csv');
    const imported = await importHolders(doc, names, parsed, key, randomBytes, {
      onProgress: (done, total) => log(`imported ${done} of ${total} holders`),
    });
    issued = imported.issued;
    log(`issued ${issued.size} control numbers`);
    // The notices, rendered and sent as the notice sender does. HOOK (notices): when the notice sender
    // (shared/notices/) settles, run it here instead, with its own logging, and keep the search below.
    const mailer = new SesMailer({ from: 'proxy@example.com', endpoint: inject('sesEndpoint') });
    let emailed = 0;
    for (const h of parsed) {
      if (!h.eDelivery || !h.email) continue;
      const mail = renderNoticeEmail({
        meeting,
        holder: h,
        controlNumber: issued.get(h.account) as string,
        ballotUrl: 'http://127.0.0.1/vote',
      });
      await mailer.send(h.email, mail, { kind: 'notice' });
      emailed += 1;
    }
    log(`notices: ${emailed} e-mailed, ${parsed.length - emailed} for the print file`);

    // The handlers, with the most verbose logging there is.
    handlerEnv({});
    const adminKeys = operators.all;
    api = await startHttpAdapter({ routes, port: 0, adminKeys, logError: (m, e) => logError(m, e) });
    /** An admin POST signed as the clerk (or by the key given): its status. */
    const adminPost = (base: string, path: string, body: unknown, who: OperatorRole | LocalKey = 'clerk') =>
      operators.fetch(base, who, 'POST', path, body).then((r) => r.status);
    const first = issued.get('LG-0') as string;
    note('ballot', await post(api.url, '/api/ballot', { controlNumber: first }));
    note(
      'late proxy',
      await post(api.url, '/api/proxy', { controlNumber: first, votes: {}, idempotencyKey: 'late-000001' }),
    );
    note(
      'late revoke',
      await post(api.url, '/api/revoke', {
        controlNumber: formatControlNumber(first),
        idempotencyKey: 'late-000002',
      }),
    );
    const paper = (account: string, entryKey: string, vote: string) => ({
      kind: 'paper-proxy',
      account,
      entryKey,
      dated: '2002-06-10',
      signedBy: `Holder ${account.slice(3)}`,
      votes: { '2': vote },
    });
    note('paper proxy', await adminPost(api.url, '/admin/entries', paper('LG-1', 'paper-000001', 'FOR')));
    note(
      'paper proxy, same date, differing',
      await adminPost(api.url, '/admin/entries', paper('LG-1', 'paper-000002', 'AGAINST')),
    );
    note(
      'written revocation',
      await adminPost(api.url, '/admin/entries', {
        kind: 'revocation',
        account: 'LG-2',
        entryKey: 'rev-000001',
        dated: '2002-06-11',
        signedBy: 'Holder 2',
      }),
    );
    note(
      'meeting ballot',
      await adminPost(api.url, '/admin/entries', {
        kind: 'meeting-ballot',
        account: 'LG-3',
        entryKey: 'ballot-0001',
        signedBy: 'Holder 3',
        votes: { '2': 'ABSTAIN' },
      }),
    );
    note(
      'entry signed by an unknown key',
      await adminPost(
        api.url,
        '/admin/entries',
        paper('LG-4', 'paper-000003', 'FOR'),
        createLocalKey('clerk'),
      ),
    );
    note('entry unsigned', await post(api.url, '/admin/entries', paper('LG-4', 'paper-000004', 'FOR')));
    note(
      "entry signed by the supervisor's key",
      await adminPost(api.url, '/admin/entries', paper('LG-4', 'paper-000005', 'FOR'), 'supervisor'),
    );
    note(
      'entry naming an e-mail as account',
      await adminPost(api.url, '/admin/entries', paper(`secret.${tag}.0@example.com`, 'paper-000005', 'FOR')),
    );
    // The CLI, as an operator would use it.
    const apiUrl = api.url;
    note(
      'cli paper proxy',
      await cliAs('clerk', apiUrl, [
        'enter',
        'paper-proxy',
        '--account',
        'LG-6',
        '--dated',
        '2002-06-12',
        '--signed-by',
        'Holder 6',
        '--votes',
        '{"2":"FOR"}',
      ]),
    );
    note(
      'cli bad entry',
      await cliAs('clerk', apiUrl, [
        'enter',
        'paper-proxy',
        '--account',
        'LG-7',
        '--dated',
        '2002-06-31',
        '--signed-by',
        'Holder 7',
        '--votes',
        '{"9":"FOR"}',
      ]),
    );
    note(
      'cli polls close',
      await cliAs('supervisor', apiUrl, ['polls', 'close', '--yes', '--override', 'adjourned for the test']),
    );
    note(
      'entry after the polls closed',
      await adminPost(api.url, '/admin/entries', paper('LG-8', 'paper-000006', 'FOR')),
    );
    note('cli export', await cliAs('inspector', apiUrl, ['export', '--out', workDir]));
    await api.close();

    // The same handlers when DynamoDB does not answer: their failure logs.
    vi.resetModules();
    handlerEnv({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${await findFreePort()}` });
    const { routes: freshRoutes } = await import('../../functions/routes.ts');
    const down = await startHttpAdapter({
      routes: freshRoutes,
      port: 0,
      adminKeys,
      logError: (m, e) => logError(m, e),
    });
    note('ballot, DynamoDB down', await post(down.url, '/api/ballot', { controlNumber: first }));
    note(
      'entry, DynamoDB down',
      await adminPost(down.url, '/admin/entries', paper('LG-9', 'paper-000007', 'FOR')),
    );
    await down.close();

    expect(statuses).toEqual({
      ballot: 200,
      'late proxy': 410,
      'late revoke': 410,
      'paper proxy': 201,
      'paper proxy, same date, differing': 201,
      'written revocation': 201,
      'meeting ballot': 201,
      'entry signed by an unknown key': 401,
      'entry unsigned': 401,
      "entry signed by the supervisor's key": 403,
      'entry naming an e-mail as account': 400,
      'cli paper proxy': 0,
      'cli bad entry': 1,
      'cli polls close': 0,
      'entry after the polls closed': 410,
      'cli export': 0,
      'ballot, DynamoDB down': 500,
      'entry, DynamoDB down': 500,
    });

    const logs = captured.join('');
    // The flow did log, at every level it has (the test would pass vacuously otherwise).
    for (const seen of [
      'imported 40 of 40',
      'line 4',
      'refused',
      'operator entry',
      'polls closed',
      '"level":"ERROR"',
      'failed',
      'wrote 40 holders',
    ])
      expect(logs).toContain(seen);
    const secrets: string[] = [
      SECRET,
      Buffer.from(SECRET, 'hex').toString('base64'),
      ...operators.all.map((k) => k.secretAccessKey),
    ];
    for (const n of issued.values()) secrets.push(n, formatControlNumber(n), controlNumberHash(n, key));
    for (const h of holders) if (h.email) secrets.push(h.email);
    secrets.push(`other.${tag}@example.com`, `secret.${tag}.2(at)example.com`);
    const found = secrets.filter((s) => logs.includes(s));
    expect(found).toEqual([]);
    // Nor any address of this run in another form (say, percent-encoded or split by a formatter).
    expect(logs).not.toMatch(new RegExp(`secret\\.${tag}`));

    reportFigures('secrets: operator flow and register import', {
      logBytes: logs.length,
      logLines: logs.split('\n').length,
      secretsSearched: secrets.length,
      found: found.length,
      steps: Object.keys(statuses).length,
    });
  }, 300_000);
});

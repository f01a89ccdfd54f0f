// The notices against the real local parts: DynamoDB Local and the SES endpoint (test/global-setup.ts).
// Import all or nothing and re-import, the queue handing numbers to the consumer, at most one notice
// per holder under redelivery, SES failures ending in the dead-letter list, bounces moving holders to
// the print file with re-issued numbers, reminders once each, and the 40-day rule.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { checkControlNumber, controlNumberHash } from '../../shared/domain/control-number.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { linkTokenFor } from '../../shared/domain/link-token.ts';
import { readPrintFile } from '../../shared/domain/print-file.ts';
import { RegisterError, serializeRegister } from '../../shared/domain/register.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { findFreePort } from '../../shared/local/ports.ts';
import { handleStartSending } from '../../shared/notices/admin-api.ts';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import { importRegister } from '../../shared/notices/import.ts';
import { holderKey, noticeMarkerKey } from '../../shared/notices/keys.ts';
import { InProcessNoticeQueue } from '../../shared/notices/local-queue.ts';
import { noMetrics } from '../../shared/notices/ports.ts';
import { producePrintFile, UnknownAccounts } from '../../shared/notices/print-file-run.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { decodeS3Key, importUpload } from '../../shared/notices/register-upload.ts';
import { runReminders } from '../../shared/notices/reminders.ts';
import {
  noticeLogger,
  noticeMailer,
  noticeSenderDeps,
  noticeSenderFromEnv,
} from '../../shared/notices/runtime.ts';
import { S3ObjectStore, s3Client } from '../../shared/notices/s3.ts';
import { createNoticeSender } from '../../shared/notices/sender.ts';
import { createSesEventsHandler } from '../../shared/notices/ses-events.ts';
import { noticeStatus } from '../../shared/notices/status.ts';
import { NoticeStore } from '../../shared/notices/store.ts';
import { TokenBucket } from '../../shared/notices/token-bucket.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import {
  fetchBallot,
  revokeProxy,
  submitProxy,
  type VotingDeps,
  VotingError,
} from '../../shared/voting/submit.ts';
import type { Json } from '../support/http.ts';
import {
  BALLOT_URL,
  CapturingQueue,
  itemsOfType,
  lambdaContext,
  MAIL_FROM,
  mailTo,
  meeting,
  type NoticeTables,
  noticeTables,
  numberInNotice,
  registerOf,
  senderEnv,
  sesEvent,
  snsOfSes,
  sqsEvent,
} from '../support/notices.ts';
import { localOperators } from '../support/operators.ts';

const SECRET = randomBytes(32).toString('hex');
const KEY = Buffer.from(SECRET, 'hex');
const MAY_20 = Date.parse('2002-05-20T17:00:00.000Z');
const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-notices-'));
let files = 0;
const newFile = (name: string) => join(tmp, `${++files}-${name}`);
const emails = (holders: Holder[]) => holders.filter((h) => h.eDelivery).map((h) => h.email as string);
const byAccount = (holders: Holder[], account: string) =>
  holders.find((h) => h.account === account) as Holder;

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function votingDeps(t: NoticeTables, now = MAY_20): VotingDeps {
  return {
    meeting,
    store: new DynamoVoteStore(t.doc, t.names, () => now),
    secret: KEY,
    now: () => now,
    randomBytes,
  };
}

/** The ballot the number opens, or the refusal's code. */
async function opens(t: NoticeTables, number: string): Promise<string> {
  try {
    return (await fetchBallot(votingDeps(t), number, `10.0.0.${Math.floor(Math.random() * 250)}`)).holder
      .name;
  } catch (e) {
    if (e instanceof VotingError) return e.code;
    throw e;
  }
}

async function importInto(
  t: NoticeTables,
  holders: Holder[],
  queue = new CapturingQueue(),
  printFile = newFile('print.csv'),
) {
  const result = await importRegister({
    csvText: serializeRegister(holders),
    source: 'register.csv',
    meeting,
    doc: t.doc,
    tables: t.names,
    secret: KEY,
    randomBytes,
    queue,
    printSink: new FilePrintSink(printFile),
    ballotUrl: BALLOT_URL,
  });
  return { result, queue, printFile };
}

describe('register import', () => {
  let t: NoticeTables;
  beforeAll(async () => {
    t = await noticeTables('notices-import');
  });
  afterAll(() => t.drop());

  it('imports nothing from a register with bad lines, and names every one of them', async () => {
    const holders = registerOf('bad', ['E-1', 'E-2'], ['P-1']);
    const lines = serializeRegister(holders).split('\r\n');
    lines[1] = (lines[1] as string).replace(/,100,no$/, ',1 00,no'); // bad shares on line 2
    lines[2] = (lines[2] as string).replace(/@example\.com/, '@@example.com'); // bad e-mail on line 3
    lines[3] = (lines[3] as string).replace(/^P-1,/, 'E-1,'); // duplicate account on line 4
    const queue = new CapturingQueue();
    const printFile = newFile('bad.csv');
    const error = await importRegister({
      csvText: lines.join('\r\n'),
      source: 'bad.csv',
      meeting,
      doc: t.doc,
      tables: t.names,
      secret: KEY,
      randomBytes,
      queue,
      printSink: new FilePrintSink(printFile),
      ballotUrl: BALLOT_URL,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegisterError);
    const issues = (error as RegisterError).issues;
    expect(issues.map((i) => [i.line, i.field])).toEqual(
      expect.arrayContaining([
        [2, 'shares'],
        [3, 'email'],
        [4, 'account'],
      ]),
    );
    expect(await itemsOfType(t.doc, t.names.register, 'holder')).toHaveLength(0);
    expect(await itemsOfType(t.doc, t.names.register, 'control')).toHaveLength(0);
    expect(queue.messages).toHaveLength(0);
    expect(existsSync(printFile)).toBe(false);
  });

  it('queues one message per e-delivery holder, prints the paper holders, and a re-import changes nothing', async () => {
    const holders = registerOf('imp', ['E-1', 'E-2', 'E-3'], ['P-1', 'P-2']);
    const { result, queue, printFile } = await importInto(t, holders);
    expect(result).toMatchObject({ holders: 6, imported: 6, unchanged: 0, queued: 3, printed: 3, printFile });
    expect(queue.messages.map((m) => m.account).sort()).toEqual(['E-1', 'E-2', 'E-3']);
    const rows = readPrintFile(readFileSync(printFile, 'utf8'));
    expect(rows.map((r) => r.account).sort()).toEqual(['P-1', 'P-2', 'REST']);
    for (const row of rows) {
      const check = checkControlNumber(row.control_number as string);
      expect(check.ok).toBe(true);
      expect(row.reason).toBe('no-e-delivery');
      // The printed number opens that holder's ballot.
      expect(await opens(t, row.control_number as string)).toBe(
        byAccount(holders, row.account as string).name,
      );
    }
    for (const m of queue.messages) expect(await opens(t, m.controlNumber)).toBe(`Holder ${m.account}`);

    const again = await importInto(t, holders);
    expect(again.result).toMatchObject({ imported: 0, unchanged: 6, queued: 0, printed: 0, printFile: null });
    expect(again.queue.messages).toHaveLength(0);
    expect(existsSync(again.printFile)).toBe(false);
    expect(await itemsOfType(t.doc, t.names.register, 'control')).toHaveLength(6);
  });
});

describe('sending the notices', () => {
  let t: NoticeTables;
  let holders: Holder[];
  let queue: CapturingQueue;
  beforeAll(async () => {
    t = await noticeTables('notices-send');
    holders = registerOf('send', ['E-1', 'E-2', 'E-3', 'E-4'], ['P-1']);
    ({ queue } = await importInto(t, holders));
  });
  afterAll(() => t.drop());

  it('sends each notice once, though the consumer gets the same messages twice and the queue redelivers them', async () => {
    const handler = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    const event = sqsEvent(queue.messages);
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    // And once more through the local queue, twice each.
    const local = new InProcessNoticeQueue({ handler: { handler } });
    await local.enqueue([...queue.messages, ...queue.messages]);
    await local.start();
    await local.drained();
    expect(local.deadLetters).toHaveLength(0);

    const mail = await mailTo(emails(holders));
    expect(mail).toHaveLength(4);
    for (const h of holders.filter((x) => x.eDelivery)) {
      const mine = mail.filter((m) => m.to.includes(h.email as string));
      expect(mine).toHaveLength(1);
      const text = mine[0]?.text as string;
      expect(text).toContain(`To: ${h.name}`);
      const number = numberInNotice(text);
      // The link carries the number's single-use token, never the number.
      expect(mine[0]?.html).toContain(`${BALLOT_URL}#t=${linkTokenFor(number, KEY)}`);
      expect(mine[0]?.html).not.toContain(`#c=`);
      expect(await opens(t, number)).toBe(h.name);
      const marker = await t.doc.send(
        new GetCommand({ TableName: t.names.register, Key: noticeMarkerKey(h.account) }),
      );
      expect(marker.Item).toMatchObject({ status: 'sent', type: 'notice-marker' });
      expect(String(marker.Item?.sesMessageId)).not.toBe('');
    }
  });

  it('reports a failed message by its id alone: the others in the batch succeed', async () => {
    const handler = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    const event = sqsEvent(queue.messages.slice(0, 2), ['{"not":"a notice"}', 'not json']);
    const response = await handler(event, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [event.Records[2]?.messageId, event.Records[3]?.messageId].sort(),
    );
  });
});

describe('SES failing', () => {
  let t: NoticeTables;
  let holders: Holder[];
  let queue: CapturingQueue;
  beforeAll(async () => {
    t = await noticeTables('notices-fail');
    holders = registerOf('fail', ['E-1', 'E-2', 'E-3'], []);
    ({ queue } = await importInto(t, holders));
  });
  afterAll(() => t.drop());

  it('retries with backoff, ends in the dead-letter list with failures per message, and marks nothing', async () => {
    const closed = await findFreePort();
    const broken = noticeSenderFromEnv(
      senderEnv(t.names, SECRET, { SES_ENDPOINT: `http://127.0.0.1:${closed}` }),
    );
    const direct = await broken(sqsEvent(queue.messages), lambdaContext());
    expect(direct.batchItemFailures).toHaveLength(3);

    const delays: number[] = [];
    const local = new InProcessNoticeQueue({
      handler: { handler: broken },
      maxReceiveCount: 3,
      backoffMs: (n) => {
        delays.push(n);
        return 2 ** n;
      },
    });
    await local.enqueue(queue.messages);
    await local.start();
    await local.drained();
    expect(local.deadLetters).toHaveLength(3);
    expect(local.deadLetters.every((d) => d.receiveCount === 3)).toBe(true);
    expect(local.stats).toMatchObject({ invocations: 3, retried: 6, deadLettered: 3, succeeded: 0 });
    expect(delays.sort()).toEqual([1, 1, 1, 2, 2, 2]);
    for (const h of holders.filter((x) => x.eDelivery)) {
      const marker = await t.doc.send(
        new GetCommand({ TableName: t.names.register, Key: noticeMarkerKey(h.account) }),
      );
      expect(marker.Item).toBeUndefined();
    }
    expect(await mailTo(emails(holders))).toHaveLength(0);

    // Redriven from the dead-letter list to a working consumer, each goes once.
    const healthy = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    const redrive = new InProcessNoticeQueue({ handler: { handler: healthy } });
    await redrive.enqueue(local.deadLetters.map((d) => JSON.parse(d.body)));
    await redrive.start();
    await redrive.drained();
    expect(await mailTo(emails(holders))).toHaveLength(3);
  });
});

describe('bounces, complaints and the print file', () => {
  let t: NoticeTables;
  let holders: Holder[];
  let queue: CapturingQueue;
  const events = () =>
    createSesEventsHandler({
      doc: t.doc,
      tables: t.names,
      meetingId: meeting.id,
      now: () => MAY_20,
      metrics: noMetrics,
      log: noticeLogger(),
    });
  beforeAll(async () => {
    t = await noticeTables('notices-bounce');
    holders = registerOf('bounce', ['E-1', 'E-2', 'E-3', 'E-4'], ['P-1']);
    ({ queue } = await importInto(t, holders));
    // E-4's notice is not sent yet.
    const handler = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    await handler(sqsEvent(queue.messages.filter((m) => m.account !== 'E-4')), lambdaContext());
  });
  afterAll(() => t.drop());

  it('records bounces and complaints on the holder (once), and a soft bounce only as a count', async () => {
    const apply = events();
    const [e1, e2, e3] = ['E-1', 'E-2', 'E-3'].map((a) => byAccount(holders, a));
    const bounce = snsOfSes(sesEvent('Bounce', e1 as Holder));
    expect(await apply(bounce)).toEqual({ outcomes: ['bounced'] });
    expect(await apply(bounce)).toEqual({ outcomes: ['repeat'] });
    expect(await apply(snsOfSes(sesEvent('Complaint', e2 as Holder)))).toEqual({ outcomes: ['complained'] });
    expect(await apply(snsOfSes(sesEvent('Bounce', e3 as Holder, 'Transient')))).toEqual({
      outcomes: ['soft-bounce'],
    });
    const other = sesEvent('Bounce', e3 as Holder);
    other.mail.tags.meeting = ['another-meeting'];
    expect(await apply(snsOfSes(other))).toEqual({ outcomes: ['other-meeting'] });
    const get = async (a: string) =>
      (
        await t.doc.send(
          new GetCommand({ TableName: t.names.register, Key: { pk: `HOLDER#${a}`, sk: 'HOLDER' } }),
        )
      ).Item;
    expect(await get('E-1')).toMatchObject({ bouncedAt: '2002-05-20T17:05:00.000Z', bounceKind: 'notice' });
    expect(await get('E-2')).toMatchObject({ complainedAt: '2002-05-20T17:06:00.000Z' });
    expect(await get('E-3')).toMatchObject({ softBounces: 1 });
    expect((await get('E-3'))?.bouncedAt).toBeUndefined();
  });

  it('prints the bounced and complaining holders with re-issued numbers: the old ones stop working', async () => {
    const mail = await mailTo(emails(holders));
    const oldNumber = (a: string) =>
      numberInNotice(mail.find((m) => m.to.includes(byAccount(holders, a).email as string))?.text as string);
    const old1 = oldNumber('E-1');
    const old2 = oldNumber('E-2');
    expect(await opens(t, old1)).toBe('Holder E-1');

    const out = newFile('bounced.csv');
    const result = await producePrintFile({
      doc: t.doc,
      tables: t.names,
      meeting,
      ballotUrl: BALLOT_URL,
      secret: KEY,
      randomBytes,
      now: () => MAY_20,
      sink: new FilePrintSink(out),
    });
    expect(result.printed).toEqual([
      { account: 'E-1', reason: 'bounced' },
      { account: 'E-2', reason: 'complaint' },
    ]);
    const rows = readPrintFile(readFileSync(out, 'utf8'));
    for (const row of rows) {
      const check = checkControlNumber(row.control_number as string);
      expect(check.ok).toBe(true);
      expect(row.reissued).toBe('yes');
      expect(await opens(t, row.control_number as string)).toBe(`Holder ${row.account}`);
    }
    expect(await opens(t, old1)).toBe('not-recognised');
    expect(await opens(t, old2)).toBe('not-recognised');
    const e1 = await t.doc.send(
      new GetCommand({ TableName: t.names.register, Key: { pk: 'HOLDER#E-1', sk: 'HOLDER' } }),
    );
    expect(e1.Item).toMatchObject({
      reissuedAt: new Date(MAY_20).toISOString(),
      reissueCount: 1,
      paperReason: 'bounced',
    });

    // Printed once: the next run has nobody new.
    const next = await producePrintFile({
      doc: t.doc,
      tables: t.names,
      meeting,
      ballotUrl: BALLOT_URL,
      secret: KEY,
      randomBytes,
      now: () => MAY_20,
      sink: new FilePrintSink(newFile('none.csv')),
    });
    expect(next.printed).toEqual([]);
  });

  it('re-issues a named account on request; an unknown account re-issues nothing', async () => {
    const run = (accounts: string[], file = newFile('named.csv')) =>
      producePrintFile({
        doc: t.doc,
        tables: t.names,
        meeting,
        ballotUrl: BALLOT_URL,
        secret: KEY,
        randomBytes,
        now: () => MAY_20,
        sink: new FilePrintSink(file),
        accounts,
      });
    const e4 = queue.messages.find((m) => m.account === 'E-4');
    const refused = newFile('refused.csv');
    await expect(run(['E-4', 'NOPE'], refused)).rejects.toBeInstanceOf(UnknownAccounts);
    expect(existsSync(refused)).toBe(false);
    expect(await opens(t, e4?.controlNumber as string)).toBe('Holder E-4');

    const out = newFile('e4.csv');
    expect((await run(['E-4'], out)).printed).toEqual([{ account: 'E-4', reason: 'operator' }]);
    // E-4's e-mail, still queued, now carries a number that no longer works: it is not sent.
    const handler = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    expect(await handler(sqsEvent([e4 as never]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await mailTo([byAccount(holders, 'E-4').email as string])).toHaveLength(0);
    const [row] = readPrintFile(readFileSync(out, 'utf8'));
    expect(await opens(t, row?.control_number as string)).toBe('Holder E-4');
  });
});

describe('reminders', () => {
  let t: NoticeTables;
  let holders: Holder[];
  const JUNE_8 = Date.parse('2002-06-08T17:00:00.000Z');
  beforeAll(async () => {
    t = await noticeTables('notices-remind');
    holders = registerOf('remind', ['VOTED', 'REVOKED', 'NOTHING', 'BOUNCED'], ['PAPER']);
    const { queue } = await importInto(t, holders);
    await noticeSenderFromEnv(senderEnv(t.names, SECRET))(sqsEvent(queue.messages), lambdaContext());
    const number = (a: string) => queue.messages.find((m) => m.account === a)?.controlNumber as string;
    const deps = votingDeps(t, Date.parse('2002-05-25T17:00:00.000Z'));
    await submitProxy(
      deps,
      { controlNumber: number('VOTED'), votes: { '2': 'FOR' }, idempotencyKey: 'remind-voted-1' },
      '10.1.1.1',
    );
    await submitProxy(
      deps,
      { controlNumber: number('REVOKED'), votes: { '2': 'FOR' }, idempotencyKey: 'remind-rev-1' },
      '10.1.1.1',
    );
    await revokeProxy(deps, { controlNumber: number('REVOKED'), idempotencyKey: 'remind-rev-2' }, '10.1.1.1');
    await createSesEventsHandler({
      doc: t.doc,
      tables: t.names,
      meetingId: meeting.id,
      now: () => JUNE_8,
      metrics: noMetrics,
      log: noticeLogger(),
    })(snsOfSes(sesEvent('Bounce', byAccount(holders, 'BOUNCED'))));
  });
  afterAll(() => t.drop());

  const remind = (reminder: number) => {
    const now = () => JUNE_8;
    return runReminders({
      meeting,
      doc: t.doc,
      tables: t.names,
      send: {
        store: new NoticeStore(t.doc, t.names, now),
        mailer: noticeMailer({ from: MAIL_FROM, endpoint: inject('sesEndpoint') }),
        bucket: new TokenBucket({ ratePerSecond: 0 }),
        now,
        newClaimId: () => randomBytes(8).toString('hex'),
        stuckAfterMs: 900_000,
        log: noticeLogger(),
      },
      ballotUrl: BALLOT_URL,
      metrics: noMetrics,
      reminder,
    });
  };

  it('reminds only holders with no effective proxy, each at most once per reminder', async () => {
    expect(await remind(1)).toMatchObject({ eligible: 3, voted: 1, sent: 2, already: 0, failed: 0 });
    expect(await remind(1)).toMatchObject({ eligible: 3, voted: 1, sent: 0, already: 2 });
    const mail = (await mailTo(emails(holders))).filter((m) => m.subject.includes('reminder'));
    expect(mail.map((m) => m.to[0]).sort()).toEqual(
      [byAccount(holders, 'NOTHING').email, byAccount(holders, 'REVOKED').email].sort(),
    );
    for (const m of mail) expect(m.text).not.toMatch(/\d{16}|#c=/);
  });

  it('the reminders function (its handler module, as the schedule invokes it) sends reminder 2 once', async () => {
    const saved = { ...process.env };
    Object.assign(
      process.env,
      senderEnv(t.names, SECRET, {
        CLOCK_OFFSET_MS: String(offsetToReach(new Date(JUNE_8).toISOString())),
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    );
    try {
      const { handler } = await import('../../functions/reminders/handler.ts');
      expect(await handler({ reminder: 2 })).toMatchObject({ sent: 2, already: 0 });
      expect(await handler({ reminder: 2 })).toMatchObject({ sent: 0, already: 2 });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('the 40-day rule', () => {
  let t: NoticeTables;
  let api: HttpAdapter;
  let starts = 0;
  let now = Date.parse('2002-05-20T17:00:00.000Z');
  const operators = localOperators();
  beforeAll(async () => {
    t = await noticeTables('notices-40');
    const handler = handleStartSending(
      {
        meeting,
        now: () => now,
        doc: t.doc,
        tables: t.names,
        sendingSwitch: {
          start: async () => {
            starts++;
            return { alreadyStarted: starts > 1 };
          },
        },
      },
      noticeLogger(),
    );
    api = await startHttpAdapter({
      routes: [
        {
          method: 'POST',
          path: '/admin/notices/send',
          function: 'notices-admin',
          handler: async () => ({ handler: handler as never }),
          auth: 'iam',
          role: 'supervisor',
        },
      ],
      port: 0,
      adminKeys: operators.all,
    });
  });
  afterAll(async () => {
    await api.close();
    await t.drop();
  });

  const post = async (body: unknown, role: OperatorRole = 'supervisor') => {
    const res = await operators.client(api.url, role).request('POST', '/admin/notices/send', { body });
    return { status: res.status, json: async () => JSON.parse(res.text) as Json };
  };
  const recorded = async () => (await itemsOfType(t.doc, t.names.operations, 'notices-send')).length;

  it('refuses a late start without the override, naming the field, and starts nothing', async () => {
    const res = await post({});
    expect(res.status).toBe(409);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe('forty_day_rule');
    expect(body.error.message).toMatch(/24 days before the meeting/);
    expect(body.error.fields).toEqual([{ path: 'override40DayRule', message: expect.any(String) }]);
    expect(starts).toBe(0);
    expect(await recorded()).toBe(0);
    expect((await post({ override40DayRule: 'yes' })).status).toBe(400);
    expect((await post({ override40DayRule: true }, 'clerk')).status).toBe(403);
    expect(starts).toBe(0);
  });

  it('starts with the override, still warning, and records who did it', async () => {
    const res = await post({ override40DayRule: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      started: true,
      override40DayRule: true,
      daysBeforeMeeting: 24,
      by: operators.keys.supervisor.userArn,
    });
    expect(body.warning).toMatch(/40 calendar days/);
    expect(starts).toBe(1);
    expect(await recorded()).toBe(1);
  });

  it('starts without a warning 40 days or more before the meeting', async () => {
    now = Date.parse('2002-05-01T17:00:00.000Z');
    const res = await post({});
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).warning).toBeNull();
  });

  it('`proxyvote notices send` prints the warning and refuses, or sends with --override-40-day-rule', async () => {
    now = Date.parse('2002-05-20T17:00:00.000Z');
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await operators.asProfile('supervisor', api.url, () =>
        main(['notices', 'send', ...args], {
          out: (s) => out.push(s),
          err: (s) => err.push(s),
        }),
      );
      return { code, out: out.join(''), err: err.join('') };
    };
    const refused = await run([]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/warning: .*24 days before the meeting/);
    expect(refused.err).toContain('--override-40-day-rule');
    const sent = await run(['--override-40-day-rule']);
    expect(sent.code).toBe(0);
    expect(sent.err).toMatch(/warning: /);
    expect(sent.out).toMatch(/queued notices are going out/);
  });
});

describe('proxyvote register import and notices status', () => {
  let t: NoticeTables;
  beforeAll(async () => {
    t = await noticeTables('notices-cli');
  });
  afterAll(() => t.drop());

  const prefixOf = () => t.names.register.replace(`-${meeting.id}-register`, '');
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, { CONTROL_SECRET: SECRET, ...env });
    try {
      const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  const common = () => [
    '--meeting',
    'meetings/hemacare-2002.json',
    '--dynamo',
    inject('dynamoEndpoint'),
    '--table-prefix',
    prefixOf(),
    '--ballot-url',
    BALLOT_URL,
  ];
  const sendNow = () => ['--send-now', '--ses', inject('sesEndpoint'), '--from', MAIL_FROM];
  const LATE = String(Date.parse('2002-05-20T17:00:00.000Z') - Date.now());

  it('refuses a bad file naming every bad line, or a missing --print-file, and imports nothing', async () => {
    const holders = registerOf('cli', ['E-1'], ['P-1']);
    const file = newFile('register.csv');
    const lines = serializeRegister(holders).split('\r\n');
    lines[1] = (lines[1] as string).replace(/,100,no$/, ',-5,no');
    lines[2] = (lines[2] as string).replace(/,no,/, ',maybe,');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, lines.join('\r\n'));
    const bad = await run([
      'register',
      'import',
      file,
      ...common(),
      ...sendNow(),
      '--print-file',
      newFile('p.csv'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/line 2, shares: /);
    expect(bad.err).toMatch(/line 3, e_delivery: /);

    const good = newFile('good.csv');
    writeFileSync(good, serializeRegister(holders));
    const noPrint = await run(['register', 'import', good, ...common(), ...sendNow()]);
    expect(noPrint.code).toBe(1);
    expect(noPrint.err).toMatch(/nothing imported.*\n.*--print-file/);
    const late = await run(
      ['register', 'import', good, ...common(), ...sendNow(), '--print-file', newFile('p.csv')],
      {
        CLOCK_OFFSET_MS: LATE,
      },
    );
    expect(late.code).toBe(1);
    expect(late.err).toMatch(/warning: .*40 calendar days/);
    expect(await itemsOfType(t.doc, t.names.register, 'holder')).toHaveLength(0);
  });

  it('imports, sends the notices now, writes the print file; status tells; a second import changes nothing', async () => {
    const holders = registerOf('cli2', ['E-1', 'E-2'], ['P-1']);
    const file = newFile('register.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, serializeRegister(holders));
    const printFile = newFile('paper.csv');
    const first = await run(
      [
        'register',
        'import',
        file,
        ...common(),
        ...sendNow(),
        '--override-40-day-rule',
        '--print-file',
        printFile,
      ],
      { CLOCK_OFFSET_MS: LATE },
    );
    expect(first.err).not.toMatch(/refused/);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/imported 4 now/);
    expect(first.out).toMatch(/notices queued for e-mail: 2/);
    expect(
      readPrintFile(readFileSync(printFile, 'utf8'))
        .map((r) => r.account)
        .sort(),
    ).toEqual(['P-1', 'REST']);
    expect(await mailTo(emails(holders))).toHaveLength(2);

    const status = await run(['notices', 'status', ...common().slice(0, 6), '--json']);
    expect(status.code).toBe(0);
    const st = JSON.parse(status.out) as Json;
    expect(st).toMatchObject({
      holders: 4,
      eDelivery: 2,
      paperAtImport: 2,
      notices: { sent: 2, stuck: [], unknown: [] },
    });

    const again = await run(
      [
        'register',
        'import',
        file,
        ...common(),
        ...sendNow(),
        '--override-40-day-rule',
        '--print-file',
        newFile('p2.csv'),
      ],
      { CLOCK_OFFSET_MS: LATE },
    );
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/imported 0 now.*4 already imported/);
    expect(again.out).toMatch(/none new, no print file written/);
    expect(await mailTo(emails(holders))).toHaveLength(2);
    // The hash of each mailed number is the holder's.
    const mail = await mailTo(emails(holders));
    for (const m of mail) {
      const h = holders.find((x) => m.to.includes(x.email as string)) as Holder;
      const item = await t.doc.send(
        new GetCommand({ TableName: t.names.register, Key: { pk: `HOLDER#${h.account}`, sk: 'HOLDER' } }),
      );
      expect(item.Item?.controlHash).toBe(controlNumberHash(numberInNotice(m.text), KEY));
    }
  });
});

describe('a sender that died between SendEmail and the marker', () => {
  let t: NoticeTables;
  let holders: Holder[];
  let queue: CapturingQueue;
  beforeAll(async () => {
    t = await noticeTables('notices-crash');
    holders = registerOf('crash', ['STUCK', 'BUSY', 'FRESH'], []);
    ({ queue } = await importInto(t, holders));
    // STUCK's sender claimed its marker an hour ago and was never heard of again; BUSY's is sending now.
    const claim = (account: string, startedAt: number) =>
      t.doc.send(
        new PutCommand({
          TableName: t.names.register,
          Item: {
            ...noticeMarkerKey(account),
            type: 'notice-marker',
            account,
            status: 'sending',
            claimId: `other-${account}`,
            startedAt: new Date(startedAt).toISOString(),
          },
        }),
      );
    await claim('STUCK', Date.now() - 3_600_000);
    await claim('BUSY', Date.now());
  });
  afterAll(() => t.drop());

  it('never re-sends: a stuck marker is skipped and listed, one in flight is retried later', async () => {
    const handler = noticeSenderFromEnv(senderEnv(t.names, SECRET));
    const event = sqsEvent(queue.messages);
    const busy = event.Records[queue.messages.findIndex((m) => m.account === 'BUSY')]?.messageId;
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: busy }] });
    const mail = await mailTo(emails(holders));
    expect(mail.map((m) => m.to[0])).toEqual([byAccount(holders, 'FRESH').email]);
    const status = await noticeStatus(t.doc, t.names, Date.now(), 900_000);
    expect(status.notices).toMatchObject({ sent: 1, inFlight: 1, stuck: ['STUCK'], unknown: [] });
  });
});

describe('a register uploaded to the bucket (the S3-triggered import)', () => {
  let t: NoticeTables;
  /** The meeting's bucket in the local S3 endpoint (s3rver), through the project's S3 adapter. */
  const s3 = s3Client({ endpoint: inject('s3Endpoint') });
  const bucketName = `notices-upload-${randomBytes(4).toString('hex')}`;
  const bucket = new S3ObjectStore(bucketName, s3);
  const upload = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body, ContentType: 'text/csv' }));
  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucketName }))).Contents ?? []).map(
      (o) => o.Key ?? '',
    );
  const keyOf = (address: string) => address.replace(`s3://${bucketName}/`, '');
  beforeAll(async () => {
    t = await noticeTables('notices-upload');
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  });
  afterAll(async () => {
    s3.destroy();
    await t.drop();
  });

  it('imports all or nothing, with the print file and a report in the bucket, and ignores other keys', async () => {
    const queue = new CapturingQueue();
    const deps = {
      meeting,
      doc: t.doc,
      tables: t.names,
      secret: KEY,
      randomBytes,
      queue,
      store: bucket,
      ballotUrl: BALLOT_URL,
      now: () => MAY_20,
    };
    const holders = registerOf('upload', ['E-1'], ['P-1']);
    const good = serializeRegister(holders);
    await upload('register/bad one.csv', good.replace(/,100,no\r\n/, ',x,no\r\n'));
    const refused = await importUpload(deps, decodeS3Key('register/bad+one.csv'));
    expect(refused).toMatchObject({ outcome: 'refused', problems: 2 });
    const report = await bucket.get(keyOf(String((refused as { report: string }).report)));
    expect(report).toMatch(/line 2, shares: /);
    expect(report).toMatch(/Nothing was imported/);
    expect(await itemsOfType(t.doc, t.names.register, 'holder')).toHaveLength(0);
    expect((await keys()).filter((k) => k.startsWith('print-files/'))).toEqual([]);

    await upload('register/good.csv', good);
    const imported = await importUpload(deps, 'register/good.csv');
    expect(imported).toMatchObject({ outcome: 'imported', imported: 3, queued: 1, printed: 2 });
    const printKey = (await keys()).find((k) => k.startsWith('print-files/'));
    expect(keyOf(String((imported as { printFile: string }).printFile))).toBe(printKey);
    const rows = readPrintFile(await bucket.get(printKey as string));
    expect(rows.map((r) => r.account).sort()).toEqual(['P-1', 'REST']);
    expect(await opens(t, rows[0]?.control_number as string)).toMatch(/Paper P-1|Holder REST/);
    expect(queue.messages.map((m) => m.account)).toEqual(['E-1']);
    const importReport = JSON.parse(await bucket.get(keyOf(String((imported as { report: string }).report))));
    expect(importReport).toMatchObject({ file: 'register/good.csv', imported: 3, queued: 1, printed: 2 });
    expect(await importUpload(deps, 'other/notes.txt')).toEqual({ outcome: 'ignored' });
  });
});

describe('a number retired between the holder read and the claim (a resumed import re-issuing it)', () => {
  let t: NoticeTables;
  let holders: Holder[];
  let queue: CapturingQueue;
  beforeAll(async () => {
    t = await noticeTables('notices-retired');
    holders = registerOf('retired', ['E-1', 'E-2', 'E-3'], []);
    ({ queue } = await importInto(t, holders));
  });
  afterAll(() => t.drop());

  /** Reads the holders, then (as another writer would in between) gives E-2 a new number's hash. */
  class RetiringStore extends NoticeStore {
    override async holders(accounts: readonly string[]) {
      const found = await super.holders(accounts);
      await t.doc.send(
        new UpdateCommand({
          TableName: t.names.register,
          Key: holderKey('E-2'),
          UpdateExpression: 'SET controlHash = :new',
          ExpressionAttributeValues: { ':new': controlNumberHash('4444333322221111', KEY) },
        }),
      );
      return found;
    }
  }

  it('sends the others of the batch, never the retired number, and leaves no marker for it', async () => {
    const config = loadNoticeConfig(senderEnv(t.names, SECRET), [
      'CONTROL_SECRET',
      'MAIL_FROM',
      'BALLOT_URL',
    ]);
    const logger = noticeLogger();
    const handler = createNoticeSender(
      {
        ...noticeSenderDeps(config, logger),
        store: new RetiringStore(t.doc, t.names, Date.now),
        metrics: noMetrics,
      },
      logger,
    );
    expect(queue.messages).toHaveLength(3);
    expect(await handler(sqsEvent(queue.messages), lambdaContext())).toEqual({ batchItemFailures: [] });
    const mail = await mailTo(emails(holders));
    expect(mail.flatMap((m) => m.to).sort()).toEqual(
      [byAccount(holders, 'E-1').email, byAccount(holders, 'E-3').email].sort(),
    );
    const marker = await t.doc.send(
      new GetCommand({ TableName: t.names.register, Key: noticeMarkerKey('E-2'), ConsistentRead: true }),
    );
    expect(marker.Item).toBeUndefined();
    for (const a of ['E-1', 'E-3']) {
      const m = await t.doc.send(
        new GetCommand({ TableName: t.names.register, Key: noticeMarkerKey(a), ConsistentRead: true }),
      );
      expect(m.Item).toMatchObject({ status: 'sent' });
    }
  });
});

// The notices' logs and metrics over a whole flow (import, sending with a redelivery, a failing SES,
// a bounce, the print file, a reminder): every byte written to stdout and stderr is captured. The
// metrics come out as CloudWatch EMF documents; no control number, e-mail address, secret or hash is
// in any line, though the logger runs at DEBUG.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { controlNumberHash } from '../../shared/domain/control-number.ts';
import { readPrintFile } from '../../shared/domain/print-file.ts';
import { serializeRegister } from '../../shared/domain/register.ts';
import { findFreePort } from '../../shared/local/ports.ts';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import { importRegister } from '../../shared/notices/import.ts';
import { InProcessNoticeQueue } from '../../shared/notices/local-queue.ts';
import { producePrintFile } from '../../shared/notices/print-file-run.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { runReminders } from '../../shared/notices/reminders.ts';
import { metricsFor, noticeLogger, noticeMailer, noticeSenderFromEnv } from '../../shared/notices/runtime.ts';
import { createSesEventsHandler } from '../../shared/notices/ses-events.ts';
import { NoticeStore } from '../../shared/notices/store.ts';
import { TokenBucket } from '../../shared/notices/token-bucket.ts';
import {
  BALLOT_URL,
  CapturingQueue,
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

const SECRET = randomBytes(32).toString('hex');
const KEY = Buffer.from(SECRET, 'hex');
const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-notice-logs-'));
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
let t: NoticeTables;

beforeAll(async () => {
  t = await noticeTables('notices-logs');
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
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
  await t?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [k: string]: unknown;
}

/** The EMF documents among the captured lines, and the sum of one metric over them. */
function emf(): Emf[] {
  return captured
    .join('')
    .split('\n')
    .filter((l) => l.includes('"CloudWatchMetrics"'))
    .map((l) => JSON.parse(l) as Emf);
}
const total = (docs: Emf[], name: string) =>
  docs.reduce((sum, d) => {
    const v = d[name];
    return (
      sum + (typeof v === 'number' ? v : Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : 0)
    );
  }, 0);

describe('notices: logs and metrics over a full flow', () => {
  it('emits the metrics as EMF and never logs a control number, an address, the secret or a hash', async () => {
    const holders = registerOf('logs', ['E-1', 'E-2', 'E-3'], ['P-1']);
    const queue = new CapturingQueue();
    const printFile = join(tmp, 'paper.csv');
    await importRegister({
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
    const env = senderEnv(t.names, SECRET);
    const handler = noticeSenderFromEnv(env);

    // A failing SES first (E-1 only), then the real one; then the same messages again.
    const closed = await findFreePort();
    const broken = noticeSenderFromEnv({ ...env, SES_ENDPOINT: `http://127.0.0.1:${closed}` });
    const failed = await broken(sqsEvent(queue.messages.slice(0, 1), ['{"bad":true}']), lambdaContext());
    expect(failed.batchItemFailures).toHaveLength(2);
    const local = new InProcessNoticeQueue({ handler: { handler }, backoffMs: () => 1 });
    await local.enqueue(queue.messages);
    await local.start();
    await local.drained();
    expect(await handler(sqsEvent(queue.messages), lambdaContext())).toEqual({ batchItemFailures: [] });

    const config = loadNoticeConfig(env);
    const e1 = holders.find((h) => h.account === 'E-1');
    const events = createSesEventsHandler({
      doc: t.doc,
      tables: t.names,
      meetingId: meeting.id,
      now: () => Date.now(),
      metrics: metricsFor(config),
      log: noticeLogger(),
    });
    await events(snsOfSes(sesEvent('Bounce', e1 as never)));
    await events(snsOfSes(sesEvent('Complaint', holders.find((h) => h.account === 'E-2') as never)));
    const reissued = join(tmp, 'reissued.csv');
    await producePrintFile({
      doc: t.doc,
      tables: t.names,
      meeting,
      ballotUrl: BALLOT_URL,
      secret: KEY,
      randomBytes,
      now: () => Date.now(),
      sink: new FilePrintSink(reissued),
    });
    const now = () => Date.parse('2002-06-08T17:00:00.000Z');
    const reminders = await runReminders({
      meeting,
      doc: t.doc,
      tables: t.names,
      send: {
        store: new NoticeStore(t.doc, t.names, now),
        mailer: noticeMailer({ from: MAIL_FROM, endpoint: inject('sesEndpoint') }),
        bucket: new TokenBucket({ ratePerSecond: 0 }),
        now,
        newClaimId: randomUUID,
        stuckAfterMs: 900_000,
        log: noticeLogger(),
      },
      ballotUrl: BALLOT_URL,
      metrics: metricsFor(config),
      reminder: 1,
    });
    expect(reminders.sent).toBe(1);

    // The metrics: namespace ProxyVote, dimension meeting.
    const docs = emf();
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics[0]?.Namespace).toBe('ProxyVote');
      expect(d._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain('meeting');
      expect(d.meeting).toBe(meeting.id);
    }
    expect(total(docs, 'NoticesSent')).toBe(3);
    expect(total(docs, 'NoticesFailed')).toBe(2);
    expect(total(docs, 'NoticesSkipped')).toBe(3);
    expect(total(docs, 'NoticesBounced')).toBe(1);
    expect(total(docs, 'NoticesComplaints')).toBe(1);
    expect(total(docs, 'RemindersSent')).toBe(1);

    const logs = captured.join('');
    // The logger did log (the search below would pass vacuously otherwise).
    expect(logs).toContain('notice sent');
    expect(logs).toContain('notice failed');
    expect(logs).toContain('ses event');
    const mail = await mailTo(holders.filter((h) => h.email).map((h) => h.email as string));
    const numbers = [
      ...queue.messages.map((m) => m.controlNumber),
      ...mail.filter((m) => m.text.includes('#t=')).map((m) => numberInNotice(m.text)),
      ...readPrintFile(readFileSync(printFile, 'utf8')).map((r) =>
        (r.control_number as string).replace(/ /g, ''),
      ),
      ...readPrintFile(readFileSync(reissued, 'utf8')).map((r) =>
        (r.control_number as string).replace(/ /g, ''),
      ),
    ];
    expect(numbers.length).toBeGreaterThanOrEqual(8);
    for (const secret of [
      ...numbers,
      ...numbers.map((n) => n.replace(/(\d{4})(?=\d)/g, '$1 ')),
      ...numbers.map((n) => controlNumberHash(n, KEY)),
      ...holders.filter((h) => h.email).map((h) => h.email as string),
      SECRET,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});

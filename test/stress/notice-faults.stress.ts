// Notices under faults (issue 9): the notice consumer (the same record handler and at-most-once
// markers as on AWS, fed by the in-process queue that retries failed records and dead-letters them
// after five receives, as the redrive policy does) runs while
//   - the DynamoDB client fails on 5 % of calls outside the SDK's retries and 5 % of attempts inside
//     them, every kind, before and after the request reached DynamoDB Local;
//   - the SES client fails on 5 % of SendEmail calls, every kind: before the request (nothing went),
//     and after the endpoint took the message (it went, and the caller is told it failed).
// Then every message is delivered again (SQS delivers at least once), faults still on.
//
// What the product promises (docs/notices.md): a notice goes at most once; the one exception, the
// documented window, is SES answering with an HTTP error status for a message it did send, which the
// product reads as "not sent" and retries. A send whose outcome is unknown (a connection reset, a
// timeout) is never repeated: its marker says 'unknown' and `notices status` lists it; a marker left at
// 'sending' is listed as stuck. Every e-delivery holder ends sent, listed, or dead-lettered, never
// silently without a notice. All of that is checked holder by holder against what the SES endpoint
// actually received.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RenderedEmail } from '../../shared/domain/confirmation-email.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { serializeRegister } from '../../shared/domain/register.ts';
import type { Mailer } from '../../shared/mail/mailer.ts';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import { importRegister } from '../../shared/notices/import.ts';
import { InProcessNoticeQueue } from '../../shared/notices/local-queue.ts';
import { noMetrics } from '../../shared/notices/ports.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { noticeLogger, noticeMailer, noticeSenderDeps } from '../../shared/notices/runtime.ts';
import { createNoticeSender, type NoticeSenderDeps } from '../../shared/notices/sender.ts';
import { readNoticeState } from '../../shared/notices/state.ts';
import { noticeStatus } from '../../shared/notices/status.ts';
import { NoticeStore } from '../../shared/notices/store.ts';
import { createDynamoClients, LOCAL_REGION } from '../../shared/storage/dynamo-client.ts';
import { ALL_FAULT_KINDS, faultKindOf, injectFaults } from '../support/faults.ts';
import {
  BALLOT_URL,
  CapturingQueue,
  MAIL_FROM,
  mailTo,
  meeting,
  type NoticeTables,
  noticeTables,
  registerOf,
  senderEnv,
} from '../support/notices.ts';
import { perSecond, reportFigures } from './support/figures.ts';

process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const SEED = Number(process.env.STRESS_SEED ?? 20020613) + 7;
const RATE = Number(process.env.STRESS_FAULT_RATE ?? 0.05);
const HOLDERS = Number(process.env.STRESS_NOTICE_HOLDERS ?? 600);
/** A 'sending' marker older than this is stuck (short here, so the run ends in seconds). */
const STUCK_MS = 4_000;
/** The redrive policy's maxReceiveCount on AWS (infra: notices queue). */
const MAX_RECEIVES = 5;

const SECRET = randomBytes(32).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-notice-faults-'));
let t: NoticeTables;
let holders: Holder[];
let queue: CapturingQueue;
const faulty = createDynamoClients({ endpoint: inject('dynamoEndpoint') });

beforeAll(async () => {
  t = await noticeTables('stress-notice-faults');
  const accounts = Array.from({ length: HOLDERS }, (_, i) => `N-${String(i).padStart(5, '0')}`);
  holders = registerOf('nfault', accounts, ['P-1', 'P-2']);
  queue = new CapturingQueue();
  await importRegister({
    csvText: serializeRegister(holders),
    source: 'register.csv',
    meeting,
    doc: t.doc,
    tables: t.names,
    secret: Buffer.from(SECRET, 'hex'),
    randomBytes,
    queue,
    printSink: new FilePrintSink(join(tmp, 'print.csv')),
    ballotUrl: BALLOT_URL,
  });
});

afterAll(async () => {
  await t.drop();
  faulty.client.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

/** What happened to one holder's SendEmail calls, as the consumer saw them. */
interface SendLog {
  returned: number;
  /** Fault labels, in order, e.g. "after-send/network". */
  faults: string[];
  /** Calls made after one whose outcome the product cannot know (must stay empty). */
  callsAfterUnknown: number;
}

/** The consumer's mailer, recording per recipient what each call came to. */
class RecordingMailer implements Mailer {
  readonly log = new Map<string, SendLog>();
  constructor(private readonly inner: Mailer) {}
  async send(to: string, email: RenderedEmail, tags?: Record<string, string>): Promise<string> {
    const entry = this.log.get(to) ?? { returned: 0, faults: [], callsAfterUnknown: 0 };
    this.log.set(to, entry);
    if (entry.faults.some(outcomeUnknown)) entry.callsAfterUnknown += 1;
    try {
      const id = await this.inner.send(to, email, tags);
      entry.returned += 1;
      return id;
    } catch (e) {
      entry.faults.push(faultKindOf(e) ?? `real:${e instanceof Error ? e.name : 'unknown'}`);
      throw e;
    }
  }
}

/** A fault after which the product cannot know whether SES sent: no HTTP status came back. */
const outcomeUnknown = (label: string) => label.endsWith('/network');
/** SES took the message and answered with an error status: the documented window for a duplicate. */
const sentButRefused = (label: string) => label.startsWith('after-send/') && !outcomeUnknown(label);

describe(`notices while ${Math.round(RATE * 100)} % of DynamoDB and SES calls fail`, () => {
  it('go at most once (but for the documented window), are retried, and every holder is accounted for', async () => {
    const config = loadNoticeConfig(senderEnv(t.names, SECRET), [
      'CONTROL_SECRET',
      'MAIL_FROM',
      'BALLOT_URL',
    ]);
    const logger = noticeLogger();
    const ses = noticeMailer({ from: MAIL_FROM, endpoint: inject('sesEndpoint'), region: LOCAL_REGION });
    const mailer = new RecordingMailer(ses);
    const deps: NoticeSenderDeps = {
      ...noticeSenderDeps(config, logger),
      store: new NoticeStore(faulty.doc, t.names, Date.now),
      mailer,
      stuckAfterMs: STUCK_MS,
      metrics: noMetrics,
    };
    const handler = createNoticeSender(deps, logger);
    const dynamoPerCall = injectFaults(faulty.client, { rate: RATE, seed: SEED, scope: 'per-call' });
    const dynamoPerAttempt = injectFaults(faulty.client, { rate: RATE, seed: SEED + 1 });
    const sesFaults = injectFaults(ses.client, {
      rate: RATE,
      seed: SEED + 2,
      kinds: ALL_FAULT_KINDS,
      commands: ['SendEmailCommand'],
      scope: 'per-call',
    });

    const deliver = async (label: string) => {
      const local = new InProcessNoticeQueue({
        handler: { handler },
        maxReceiveCount: MAX_RECEIVES,
        backoffMs: (n) => 20 * 2 ** n,
        concurrency: 4,
        queueName: label,
      });
      await local.enqueue(queue.messages);
      const t0 = Date.now();
      await local.start();
      await local.drained();
      return { stats: { ...local.stats }, dead: local.deadLetters.length, ms: Date.now() - t0 };
    };
    const first = await deliver('notices-first');
    // SQS delivers at least once: every message again, faults still on.
    const again = await deliver('notices-again');
    dynamoPerCall.remove();
    dynamoPerAttempt.remove();
    sesFaults.remove();
    expect(sesFaults.stats.injected).toBeGreaterThan(0);
    expect(dynamoPerCall.stats.injected).toBeGreaterThan(0);

    // Holder by holder: what the SES endpoint received against what the consumer saw and the marker says.
    const eDelivery = holders.filter((h) => h.eDelivery);
    const received = await mailTo(eDelivery.map((h) => h.email as string));
    const mailsTo = new Map<string, number>();
    for (const m of received) for (const to of m.to) mailsTo.set(to, (mailsTo.get(to) ?? 0) + 1);
    const state = await readNoticeState(t.doc, t.names);
    const status = await noticeStatus(t.doc, t.names, Date.now() + STUCK_MS, STUCK_MS);
    const listed = new Set([...status.notices.unknown, ...status.notices.stuck]);

    const problems: string[] = [];
    const outcome = { sent: 0, unknown: 0, stuck: 0, none: 0, duplicates: 0, duplicatesInWindow: 0 };
    for (const h of eDelivery) {
      const to = h.email as string;
      const mails = mailsTo.get(to) ?? 0;
      const log = mailer.log.get(to) ?? { returned: 0, faults: [], callsAfterUnknown: 0 };
      const marker = state.get(h.account)?.notice ?? null;
      const tookIt = log.returned + log.faults.filter((f) => f.startsWith('after-send/')).length;
      const window = log.faults.filter(sentButRefused).length;
      // The endpoint holds exactly the messages that reached it: the harness sees every send.
      if (mails !== tookIt) problems.push(`${h.account}: ${mails} received, ${tookIt} taken by SES`);
      // At most one send that the consumer saw succeed.
      if (log.returned > 1) problems.push(`${h.account}: sent ${log.returned} times`);
      // Never again after an unknown outcome.
      if (log.callsAfterUnknown > 0) problems.push(`${h.account}: sent again after an unknown outcome`);
      // More than one e-mail only inside the documented window.
      if (mails > 1) {
        outcome.duplicates += 1;
        if (mails - 1 <= window) outcome.duplicatesInWindow += 1;
        else problems.push(`${h.account}: ${mails} e-mails, ${window} explained by SES error answers`);
      }
      // Accounted for: sent (and marked so), or listed for operations, or never sent and left for a redrive.
      if (marker?.status === 'sent') {
        outcome.sent += 1;
        if (mails < 1) problems.push(`${h.account}: marked sent, nothing received`);
      } else if (marker && listed.has(h.account)) {
        outcome[marker.status === 'unknown' ? 'unknown' : 'stuck'] += 1;
      } else if (!marker) {
        outcome.none += 1;
        if (mails > 0) problems.push(`${h.account}: e-mailed without a marker`);
      } else problems.push(`${h.account}: marker ${marker.status} not listed by notices status`);
    }
    expect(problems).toEqual([]);
    // Holders left with no marker are exactly those whose messages went to the dead-letter list, in
    // either round, and `notices status` counts them as not sent yet.
    expect(outcome.none).toBe(status.notices.notYet);
    expect(outcome.none).toBeLessThanOrEqual(again.dead);
    // Retried, not given up on: every failure that certainly sent nothing was tried again, so all but
    // the listed and the dead-lettered have their notice.
    expect(outcome.sent + outcome.unknown + outcome.stuck + outcome.none).toBe(eDelivery.length);
    expect(outcome.sent).toBe(eDelivery.length - listed.size - outcome.none);
    expect(status.notices.sent).toBe(outcome.sent);
    const sesCalls = [...mailer.log.values()].reduce((n, l) => n + l.returned + l.faults.length, 0);

    reportFigures('faults: notices', {
      holders: eDelivery.length,
      faultShare: RATE,
      dynamoFaults: { perCall: dynamoPerCall.stats.injected, perAttempt: dynamoPerAttempt.stats.injected },
      sesFaults: sesFaults.stats.byKind,
      sesCalls,
      emailsReceived: received.length,
      ...outcome,
      firstRound: { ...first.stats, ms: first.ms, perSecond: perSecond(eDelivery.length, first.ms) },
      secondRound: { ...again.stats, ms: again.ms },
    });
  }, 600_000);
});

// notices-10k: 10,000 notices of meeting through the queue consumer path (the in-process queue adapter
// delivering SQS-shaped batches of ten to the notice-sender's own handler module: the holder read,
// the at-most-once marker claimed, SendEmail to the SES endpoint, the marker completed) against raw
// SendEmail calls of the same rendered notice to the SES endpoint with as many sends in flight as
// the queue can have. The 10,000 go in chunks alternating with raw chunks of the same size (ABBA);
// every holder gets its notice once, so no product send is skipped as a duplicate. A run short of
// time stops after a chunk pair and says how many went.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { controlNumberHash, newControlNumber } from '../shared/domain/control-number.ts';
import type { Holder } from '../shared/domain/holder.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { renderNoticeEmail } from '../shared/domain/notice.ts';
import { headerSafe } from '../shared/domain/text.ts';
import { InProcessNoticeQueue, type SqsHandler } from '../shared/notices/local-queue.ts';
import { noticeMessage } from '../shared/notices/message.ts';
import { holderToItem } from '../shared/register/holder-item.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../shared/storage/dynamo-client.ts';
import type { BenchResult } from './support/results.ts';
import { createBenchTables, handlerEnv, MEETING_JSON, newSecretHex, type Services } from './support/stack.ts';
import { round, runAll } from './support/stats.ts';

export const NOTICES_TARGET = 0.8;

export interface NoticesOptions {
  notices: number;
  /** Notices per chunk; product and raw chunks alternate (ABBA). */
  chunk: number;
  warmup: number;
  /** performance.now() after which no further chunk pair is started. */
  deadline: number;
  /** Batches of ten in flight (the event source mapping's maximum concurrency). */
  batchesInFlight: number;
  log: (line: string) => void;
}

function noticeHolder(i: number): Holder {
  return {
    account: `N${String(i).padStart(7, '0')}`,
    name: `Holder ${i}`,
    jointNames: [],
    email: `holder${i}@example.com`,
    eDelivery: true,
    mailingAddress: `${100 + (i % 9000)} Elm Street, Los Angeles, CA 90024`,
    shares: 100,
    nominee: false,
  };
}

export async function benchNotices(services: Services, options: NoticesOptions): Promise<BenchResult[]> {
  const { log } = options;
  const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');
  const tables = await createBenchTables(services.dynamo.endpoint, 'notices');
  const secretHex = newSecretHex();
  const total = options.warmup + options.notices;
  const holders = Array.from({ length: total }, (_, i) => noticeHolder(i));
  // The holder items as the register import leaves them (with the control number's hash), written
  // with BatchWriteItem: the notice path reads nothing else of the register.
  const t0 = performance.now();
  const issued = new Map<string, string>();
  const secret = Buffer.from(secretHex, 'hex');
  const items = holders.map((h) => {
    const number = newControlNumber(randomBytes);
    issued.set(h.account, number);
    return { PutRequest: { Item: { ...holderToItem(h), controlHash: controlNumberHash(number, secret) } } };
  });
  await runAll(
    Array.from({ length: Math.ceil(items.length / 25) }, (_, k) => items.slice(k * 25, k * 25 + 25)),
    16,
    async (batch) => {
      let request: Record<string, unknown[]> = { [tables.names.register]: batch };
      for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
        if (attempt > 20) throw new Error('BatchWriteItem kept leaving items unprocessed');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 10 * 2 ** attempt)));
        const out = await tables.clients.doc.send(new BatchWriteCommand({ RequestItems: request as never }));
        request = (out.UnprocessedItems ?? {}) as typeof request;
      }
    },
  );
  log(
    `  register: ${total.toLocaleString('en-US')} e-delivery holders written in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const ballotUrl = 'http://127.0.0.1:8080/vote';
  Object.assign(process.env, {
    ...handlerEnv({
      names: tables.names,
      dynamoEndpoint: services.dynamo.endpoint,
      sesEndpoint: services.ses.endpoint,
      secretHex,
    }),
    BALLOT_URL: ballotUrl,
    // No token bucket: the benchmark measures the path, not SES's account limit (NOTICE_SEND_RATE).
    NOTICE_SEND_RATE: '0',
    NOTICE_BACKOFF: 'none',
    // Its EMF documents would go to stdout once per batch.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });

  const queue = new InProcessNoticeQueue({
    handler: {
      load: async () =>
        (await import('../functions/notice-sender/handler.ts')).handler as unknown as SqsHandler,
    },
    concurrency: options.batchesInFlight,
    maxReceiveCount: 1,
  });
  const product = async (from: number, to: number): Promise<number> => {
    const messages = holders
      .slice(from, to)
      .map((h) => noticeMessage(meeting.id, h.account, issued.get(h.account) as string));
    const start = performance.now();
    const before = queue.stats.succeeded;
    await queue.enqueue(messages);
    await queue.start();
    await queue.drained();
    const ms = performance.now() - start;
    if (queue.stats.succeeded - before !== to - from || queue.deadLetters.length > 0)
      throw new Error(`the notice queue delivered ${queue.stats.succeeded - before} of ${to - from} notices`);
    return ms;
  };

  // The raw side: the same notice (rendered once) sent straight to SES, one attempt per call as the
  // notice mailer does, with as many in flight as the queue delivers at once.
  const ses = new SESClient({
    endpoint: services.ses.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const sample = holders[0] as Holder;
  const email = renderNoticeEmail({
    meeting,
    holder: sample,
    controlNumber: issued.get(sample.account) as string,
    ballotUrl,
  });
  const inFlight = options.batchesInFlight * 10;
  const raw = async (from: number, to: number): Promise<number> =>
    runAll(holders.slice(from, to), inFlight, async (h) => {
      await ses.send(
        new SendEmailCommand({
          Source: 'Proxy Services <proxy@example.com>',
          Destination: { ToAddresses: [headerSafe(h.email as string)] },
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
          Tags: [
            { Name: 'kind', Value: 'notice' },
            { Name: 'meeting', Value: meeting.id },
            { Name: 'account', Value: h.account },
          ],
        }),
      );
    });

  try {
    await product(0, options.warmup);
    await raw(0, options.warmup);
    let productMs = 0;
    let rawMs = 0;
    let sent = 0;
    const pairs: number[] = [];
    for (let c = 0; options.warmup + c * options.chunk < total; c++) {
      if (c > 0 && performance.now() > options.deadline) break;
      const from = options.warmup + c * options.chunk;
      const to = Math.min(total, from + options.chunk);
      let p: number;
      let r: number;
      if (c % 2 === 0) {
        r = await raw(from, to);
        p = await product(from, to);
      } else {
        p = await product(from, to);
        r = await raw(from, to);
      }
      productMs += p;
      rawMs += r;
      sent += to - from;
      pairs.push(round(r / p, 3));
    }
    const productRate = (sent * 1000) / productMs;
    const rawRate = (sent * 1000) / rawMs;
    const ratio = productRate / rawRate;
    log(
      `  product ${productRate.toFixed(0)}/s (${(productMs / 1000).toFixed(1)} s), raw ${rawRate.toFixed(0)}/s (${(rawMs / 1000).toFixed(1)} s), ratio ${ratio.toFixed(3)}; per chunk ${pairs.join(' ')}`,
    );
    const short = sent < options.notices;
    return [
      {
        name: 'notices-10k',
        ...(short
          ? {
              note: `only ${sent.toLocaleString('en-US')} of ${options.notices.toLocaleString('en-US')} notices (and as many raw sends) fitted in the time the run allows`,
            }
          : {}),
        value: round(productRate, 1),
        unit: 'notices/s',
        raw: round(rawRate, 1),
        ratio: round(ratio, 3),
        target: `ratio >= ${NOTICES_TARGET}`,
        pass: ratio >= NOTICES_TARGET,
        details: {
          notices: sent,
          productSeconds: round(productMs / 1000, 2),
          rawSeconds: round(rawMs / 1000, 2),
          chunkRatios: pairs,
          batchesInFlight: options.batchesInFlight,
          rawInFlight: inFlight,
          rawIs: 'SendEmail of the same rendered notice (client-ses, maxAttempts 1), nothing else',
          productIs:
            'InProcessNoticeQueue -> functions/notice-sender/handler.ts: GetItem holder, PutItem marker (conditional), SendEmail, UpdateItem marker',
          settings: 'NOTICE_SEND_RATE=0 (no token bucket), POWERTOOLS_METRICS_DISABLED=true',
        },
      },
    ];
  } finally {
    queue.stop();
    ses.destroy();
    await tables.drop();
    tables.clients.client.destroy();
  }
}

// notices-10k: 10,000 notices of meeting through the queue consumer path (the in-process queue adapter
// delivering SQS-shaped batches of ten to the notice-sender's own handler module: the holders read,
// the at-most-once markers claimed in one transaction, SendEmail to the SES endpoint, the markers
// completed in one transaction) against the minimal correct raw calls of the same at-most-once send,
// batch by batch, with as many batches in flight as the queue runs (see rawBatch below). The 10,000 go in chunks alternating with raw chunks of the same size (ABBA);
// every holder gets its notice once, so no product send is skipped as a duplicate. A run short of
// time stops after a chunk pair and says how many went.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchGetCommand, BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { controlNumberHash, newControlNumber } from '../shared/domain/control-number.ts';
import type { Holder } from '../shared/domain/holder.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { renderNoticeEmail } from '../shared/domain/notice.ts';
import { headerSafe } from '../shared/domain/text.ts';
import { InProcessNoticeQueue, type SqsHandler } from '../shared/notices/local-queue.ts';
import { noticeMessage } from '../shared/notices/message.ts';
import { holderKey, holderToItem } from '../shared/register/holder-item.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../shared/storage/dynamo-client.ts';
import type { BenchResult } from './support/results.ts';
import { createBenchTables, handlerEnv, MEETING_JSON, newSecretHex, type Services } from './support/stack.ts';
import { round, runAll } from './support/stats.ts';

export const NOTICES_TARGET = 0.8;

/** The raw side's markers: beside the product's (NOTICE), never the same item. */
const RAW_MARKER_SK = 'NOTICE-RAW';

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

  // The raw side: the minimal correct calls of an at-most-once send, per SQS batch of ten, issued
  // straight through the SDK with nothing of the product's code: one BatchGetItem of the ten holders
  // (the address is on the holder; consistent), one TransactWriteItems claiming the ten markers under
  // attribute_not_exists, each beside a check that the holder's controlHash is the message's, ten
  // SendEmail of the same notice (rendered once) at once, one TransactWriteItems completing the ten
  // markers, each conditional on its claim. Its markers have their own sort key, so the product's and
  // the raw side's claims of the same holders never meet. As many batches in flight as the queue runs.
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
  const doc = tables.clients.doc;
  const register = tables.names.register;
  const hashes = new Map(
    holders.map((h) => [h.account, controlNumberHash(issued.get(h.account) as string, secret)] as const),
  );
  const rawBatch = async (batch: readonly Holder[]): Promise<void> => {
    const got = await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [register]: { Keys: batch.map((h) => holderKey(h.account)), ConsistentRead: true },
        },
      }),
    );
    const read = got.Responses?.[register] ?? [];
    if (read.length !== batch.length || Object.keys(got.UnprocessedKeys ?? {}).length > 0)
      throw new Error('the raw BatchGetItem left holders unread');
    const claimId = randomUUID();
    const startedAt = new Date().toISOString();
    await doc.send(
      new TransactWriteCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: read.flatMap((item) => [
          {
            Put: {
              TableName: register,
              Item: { pk: item.pk, sk: RAW_MARKER_SK, status: 'sending', claimId, startedAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            ConditionCheck: {
              TableName: register,
              Key: { pk: item.pk, sk: item.sk },
              ConditionExpression: 'controlHash = :hash',
              ExpressionAttributeValues: { ':hash': hashes.get(String(item.account)) },
            },
          },
        ]),
      }),
    );
    const sent = await Promise.all(
      read.map(async (item) => {
        const out = await ses.send(
          new SendEmailCommand({
            Source: 'Proxy Services <proxy@example.com>',
            Destination: { ToAddresses: [headerSafe(String(item.email))] },
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
              { Name: 'account', Value: String(item.account) },
            ],
          }),
        );
        return { pk: item.pk, id: out.MessageId ?? '' };
      }),
    );
    const sentAt = new Date().toISOString();
    await doc.send(
      new TransactWriteCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: sent.map((s) => ({
          Update: {
            TableName: register,
            Key: { pk: s.pk, sk: RAW_MARKER_SK },
            UpdateExpression: 'SET #status = :sent, sentAt = :at, sesMessageId = :id',
            ConditionExpression: '#status = :sending AND claimId = :claim',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sent': 'sent',
              ':sending': 'sending',
              ':at': sentAt,
              ':id': s.id,
              ':claim': claimId,
            },
          },
        })),
      }),
    );
  };
  const inFlight = options.batchesInFlight;
  const raw = async (from: number, to: number): Promise<number> => {
    const slice = holders.slice(from, to);
    const batches = Array.from({ length: Math.ceil(slice.length / 10) }, (_, k) =>
      slice.slice(k * 10, k * 10 + 10),
    );
    return runAll(batches, inFlight, rawBatch);
  };

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
          rawBatchesInFlight: inFlight,
          rawIs:
            'per batch of 10: BatchGetItem holders, TransactWriteItems (10 conditional marker puts + 10 controlHash checks), 10 SendEmail of one rendered notice (maxAttempts 1), TransactWriteItems (10 conditional completions)',
          productIs:
            'InProcessNoticeQueue -> functions/notice-sender/handler.ts: the same calls per batch, plus parsing, checks, rendering per holder, logging',
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

// `node --import tsx bench/notices.ts [--notices N] [--chunk C] [--batches B]`: this measure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { loadavg } = await import('node:os');
  const { startServices } = await import('./support/stack.ts');
  const { NOTICE_MAX_CONCURRENCY } = await import('../functions/workers.ts');
  const { values } = parseArgs({
    options: {
      notices: { type: 'string', default: '10000' },
      chunk: { type: 'string', default: '500' },
      batches: { type: 'string', default: String(NOTICE_MAX_CONCURRENCY) },
    },
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`load average at start: ${load()}`);
  const services = await startServices();
  try {
    const results = await benchNotices(services, {
      notices: Number(values.notices),
      chunk: Number(values.chunk),
      warmup: 200,
      batchesInFlight: Number(values.batches),
      deadline: Number.POSITIVE_INFINITY,
      log: console.log,
    });
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await services.stop();
  }
  console.log(`load average at end: ${load()}`);
}

// The confirmation e-mail sent from the votes table's stream (DynamoDB Local's stream, read by the
// local poller that stands in for Lambda's event source mapping): one e-mail per internet instruction,
// however often the stream delivers it; none for an operator's paper entry; a failed send is retried
// from the failed record on.
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asFunction } from '../../shared/aws/call-recorder.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { serializeRegister } from '../../shared/domain/register.ts';
import { StreamPoller } from '../../shared/local/stream-poller.ts';
import type { Mailer } from '../../shared/mail/mailer.ts';
import { importRegister } from '../../shared/notices/import.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { noticeLogger, noticeMailer } from '../../shared/notices/runtime.ts';
import { NoticeStore } from '../../shared/notices/store.ts';
import { TokenBucket } from '../../shared/notices/token-bucket.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { createConfirmationConsumer } from '../../shared/voting/confirmation-stream.ts';
import { confirmationMarkerKey } from '../../shared/voting/confirmations.ts';
import { revokeProxy, submitProxy, type VotingDeps } from '../../shared/voting/submit.ts';
import {
  BALLOT_URL,
  CapturingQueue,
  MAIL_FROM,
  mailTo,
  meeting,
  type NoticeTables,
  noticeTables,
  registerOf,
} from '../support/notices.ts';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const KEY = randomBytes(32);
const MAY_20 = Date.parse('2002-05-20T17:00:00.000Z');

describe('confirmations from the votes stream', () => {
  let t: NoticeTables;
  let holders: Holder[];
  const numbers = new Map<string, string>();
  const { client } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
  beforeAll(async () => {
    t = await noticeTables('confirm');
    holders = registerOf('confirm', ['E-1', 'E-2'], ['P-1']);
    const queue = new CapturingQueue();
    await importRegister({
      csvText: serializeRegister(holders),
      source: 'register.csv',
      meeting,
      doc: t.doc,
      tables: t.names,
      secret: KEY,
      randomBytes,
      queue,
      printSink: new FilePrintSink(
        `${process.env.TMPDIR ?? '/tmp'}/confirm-${randomBytes(4).toString('hex')}.csv`,
      ),
      ballotUrl: BALLOT_URL,
    });
    for (const m of queue.messages) numbers.set(m.account, m.controlNumber);
  });
  afterAll(async () => {
    await t.drop();
    client.destroy();
  });

  const votingDeps = (): VotingDeps => ({
    meeting,
    store: new DynamoVoteStore(t.doc, t.names, () => MAY_20),
    secret: KEY,
    now: () => MAY_20,
    randomBytes,
  });
  const consumer = (mailer: Mailer) =>
    createConfirmationConsumer(
      {
        meeting,
        send: {
          store: new NoticeStore(t.doc, t.names, Date.now),
          mailer,
          bucket: new TokenBucket({ ratePerSecond: 0 }),
          now: Date.now,
          newClaimId: () => randomBytes(8).toString('hex'),
          stuckAfterMs: 300_000,
          log: noticeLogger(),
        },
      },
      noticeLogger(),
    );
  const ses = noticeMailer({ from: MAIL_FROM, endpoint: inject('sesEndpoint') });
  const emailOf = (account: string) => holders.find((h) => h.account === account)?.email as string;

  it('sends one e-mail per instruction, though the stream is read twice from its start', async () => {
    const proxy = await submitProxy(
      votingDeps(),
      { controlNumber: numbers.get('E-1') as string, votes: { '2': 'FOR' }, idempotencyKey: 'confirm-e1-1' },
      '10.2.0.1',
    );
    const revocation = await revokeProxy(
      votingDeps(),
      { controlNumber: numbers.get('E-1') as string, idempotencyKey: 'confirm-e1-2' },
      '10.2.0.1',
    );
    // The use case sends nothing itself: no mail before the stream is read.
    expect(await mailTo([emailOf('E-1')])).toHaveLength(0);

    const first = new StreamPoller({ client, table: t.names.votes, handler: consumer(ses) });
    const again = new StreamPoller({ client, table: t.names.votes, handler: consumer(ses) });
    try {
      expect(await first.drain()).toBeGreaterThanOrEqual(2);
      expect(await again.drain()).toBeGreaterThanOrEqual(2);
    } finally {
      await first.stop();
      await again.stop();
    }
    const mail = await mailTo([emailOf('E-1')]);
    const subjects = mail.map((m) => m.subject);
    expect(
      subjects.filter((x) => x.includes(`your vote was received, receipt ${proxy.receiptCode}`)),
    ).toHaveLength(1);
    expect(
      subjects.filter((x) => x.includes(`your proxy is revoked, receipt ${revocation.receiptCode}`)),
    ).toHaveLength(1);
    expect(mail).toHaveLength(2);
    for (const r of [proxy, revocation]) {
      const marker = await t.doc.send(
        new GetCommand({ TableName: t.names.register, Key: confirmationMarkerKey('E-1', r.instructionId) }),
      );
      expect(marker.Item).toMatchObject({ status: 'sent', type: 'confirmation-marker' });
    }
  });

  it('retries a record SES refused, from that record on, and then sends it once', async () => {
    await submitProxy(
      votingDeps(),
      {
        controlNumber: numbers.get('E-2') as string,
        votes: { '2': 'AGAINST' },
        idempotencyKey: 'confirm-e2-1',
      },
      '10.2.0.2',
    );
    let refusals = 1;
    const refusing: Mailer = {
      send: async (to, email, tags) => {
        if (refusals > 0) {
          refusals -= 1;
          throw Object.assign(new Error('Throttling'), {
            name: 'Throttling',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return ses.send(to, email, tags);
      },
    };
    // As the function (its AWS calls recorded for the IAM test: the release is a DeleteItem).
    const poller = new StreamPoller({
      client,
      table: t.names.votes,
      handler: asFunction('confirmations', consumer(refusing)),
    });
    try {
      await poller.drain();
      expect(poller.stats.failures).toBe(1);
      expect(await mailTo([emailOf('E-2')])).toHaveLength(0);
      await poller.drain();
      await poller.drain();
    } finally {
      await poller.stop();
    }
    expect(await mailTo([emailOf('E-2')])).toHaveLength(1);
    // E-1's two were already sent: the second reader found their markers and sent nothing more.
    expect(await mailTo([emailOf('E-1')])).toHaveLength(2);
  });
});

// What the notices' integration tests share: a meeting's tables in the test DynamoDB Local, registers
// of uniquely addressed holders, the notice-sender's environment, SQS-shaped events, and the mail the
// test SES endpoint received for given addresses.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { inject } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { NoticeMessage } from '../../shared/notices/message.ts';
import type { NoticeQueue } from '../../shared/notices/ports.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS, type TableNames, tableEnvironment } from '../../shared/storage/tables.ts';
import { hemacare, holder } from './builders.ts';
import { uniqueTableNames } from './local-env.ts';

export const MEETING_JSON = readFileSync(
  new URL('../../meetings/hemacare-2002.json', import.meta.url),
  'utf8',
);
export const meeting = hemacare();
export const BALLOT_URL = 'http://127.0.0.1:3999/vote';
export const MAIL_FROM = 'Proxy Services <proxy@example.com>';

export interface NoticeTables {
  names: TableNames;
  doc: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export async function noticeTables(label: string): Promise<NoticeTables> {
  const names = uniqueTableNames(label);
  const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
  await createTables(client, names);
  return {
    names,
    doc,
    drop: async () => {
      await Promise.allSettled(
        TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
      );
      client.destroy();
    },
  };
}

/** e-delivery holders (unique addresses), paper holders, and REST (paper) with the other shares. */
export function registerOf(label: string, eDelivery: string[], paper: string[] = []): Holder[] {
  const tag = randomBytes(4).toString('hex');
  const holders = [
    ...eDelivery.map((a) =>
      holder(a, 100, {
        name: `Holder ${a}`,
        email: `${label}.${a.toLowerCase()}.${tag}@example.com`,
        eDelivery: true,
      }),
    ),
    ...paper.map((a) => holder(a, 100, { name: `Paper ${a}` })),
  ];
  holders.push(holder('REST', meeting.sharesOutstanding - holders.length * 100));
  return holders;
}

/** A queue that keeps what the import hands it (a test can then deliver it as often as it likes). */
export class CapturingQueue implements NoticeQueue {
  readonly messages: NoticeMessage[] = [];
  async enqueue(messages: readonly NoticeMessage[]): Promise<void> {
    this.messages.push(...messages);
  }
}

/** The environment the notice-sender's handler reads (as the CDK stack sets it on AWS). */
export function senderEnv(
  names: TableNames,
  secret: string,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    ...process.env,
    ...tableEnvironment(names),
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    SES_ENDPOINT: inject('sesEndpoint'),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    MEETING_JSON,
    CONTROL_SECRET: secret,
    MAIL_FROM,
    BALLOT_URL,
    NOTICE_SEND_RATE: '0',
    ...extra,
  };
}

export function sqsEvent(messages: readonly NoticeMessage[], bodies: string[] = []): SQSEvent {
  return {
    Records: [...messages.map((m) => JSON.stringify(m)), ...bodies].map((body, i) => ({
      messageId: `m-${i}-${randomUUID()}`,
      receiptHandle: randomUUID(),
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notices',
      awsRegion: 'us-east-1',
    })),
  };
}

export function lambdaContext(name = 'test'): Context {
  const no = () => {
    throw new Error('not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: no,
    fail: no,
    succeed: no,
  };
}

export interface StoredMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The mail the SES endpoint holds for these addresses (other test files send mail too). */
export async function mailTo(addresses: readonly string[]): Promise<StoredMail[]> {
  const res = await fetch(`${inject('sesEndpoint')}/store`);
  const store = (await res.json()) as {
    emails: { destination: { to: string[] }; subject: string; body: { text: string; html: string } }[];
  };
  const wanted = new Set(addresses);
  return store.emails
    .filter((e) => e.destination.to.some((t) => wanted.has(t)))
    .map((e) => ({ to: e.destination.to, subject: e.subject, text: e.body.text, html: e.body.html }));
}

/** The control number printed in a notice (never in its links). */
export function numberInNotice(text: string): string {
  const m = /(?:type your control number|Your control number): (\d{4} \d{4} \d{4} \d{4})/.exec(text);
  if (!m?.[1]) throw new Error('no control number printed in the notice');
  return m[1].replace(/ /g, '');
}

/** The single-use link token in a notice's voting link. */
export function linkTokenInNotice(text: string): string {
  const m = /\/vote#t=([A-Za-z0-9_-]{22})/.exec(text);
  if (!m?.[1]) throw new Error('no voting link with a link token in the notice');
  return m[1];
}

export async function itemsOfType(doc: DynamoDBDocumentClient, table: string, type: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':t': type },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** An SNS delivery of an SES event, as the configuration set's event destination publishes it. */
export function snsOfSes(event: Record<string, unknown>) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:mail-events:sub',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:mail-events',
          Subject: null as unknown as string,
          Message: JSON.stringify(event),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://sns.example.com/cert.pem',
          UnsubscribeUrl: 'https://sns.example.com/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** A bounce or complaint for a notice e-mailed to `holder`, tagged as the notice sender tags it. */
export function sesEvent(kind: 'Bounce' | 'Complaint', h: Holder, bounceType = 'Permanent') {
  const mail = {
    timestamp: '2002-05-20T17:00:00.000Z',
    source: MAIL_FROM,
    messageId: `ses-${randomUUID()}`,
    destination: [h.email],
    tags: {
      'ses:configuration-set': ['proxyvote'],
      kind: ['notice'],
      meeting: [meeting.id],
      account: [h.account],
    },
  };
  return kind === 'Bounce'
    ? {
        eventType: 'Bounce',
        bounce: {
          bounceType,
          bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
          bouncedRecipients: [{ emailAddress: h.email, action: 'failed', status: '5.1.1' }],
          timestamp: '2002-05-20T17:05:00.000Z',
          feedbackId: randomUUID(),
        },
        mail,
      }
    : {
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: [{ emailAddress: h.email }],
          timestamp: '2002-05-20T17:06:00.000Z',
          feedbackId: randomUUID(),
          complaintFeedbackType: 'abuse',
        },
        mail,
      };
}

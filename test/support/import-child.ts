// A register import in a process of its own, for the test that kills one midway
// (test/integration/register-import-resume.test.ts). Its notice queue appends each message to a file
// (the stand-in for SQS: what reached the queue stays there after the process dies) and, from the
// enqueue numbered STOP_AT_ENQUEUE on, writes the messages, says "stuck" and waits to be killed: those
// chunks' holders, numbers, print parts and messages are written, their records as done are not (and
// the other chunks in flight are cut wherever they are).

import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { importRegister } from '../../shared/notices/import.ts';
import type { NoticeMessage } from '../../shared/notices/message.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import type { TableNames } from '../../shared/storage/tables.ts';

const env = process.env;
const need = (k: string) =>
  env[k] ??
  (() => {
    throw new Error(`${k} is needed`);
  })();
const stopAt = Number(need('STOP_AT_ENQUEUE'));
let enqueues = 0;
const { doc } = createDynamoClients({ endpoint: need('DYNAMODB_ENDPOINT') });

await importRegister({
  csvText: readFileSync(need('REGISTER_FILE'), 'utf8'),
  source: 'register.csv',
  meeting: parseMeeting(readFileSync(need('MEETING_FILE'), 'utf8'), 'meeting'),
  doc,
  tables: JSON.parse(need('TABLES')) as TableNames,
  secret: Buffer.from(need('CONTROL_SECRET'), 'hex'),
  randomBytes,
  queue: {
    enqueue: async (messages: readonly NoticeMessage[]) => {
      appendFileSync(need('MESSAGES_FILE'), messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
      if (++enqueues >= stopAt) {
        process.stdout.write('stuck\n');
        await new Promise(() => undefined);
      }
    },
  },
  printSink: new FilePrintSink(need('PRINT_FILE')),
  ballotUrl: need('BALLOT_URL'),
  chunkSize: Number(need('CHUNK_SIZE')),
  leaseMs: Number(need('LEASE_MS')),
  onProgress: (_phase, done, total) => process.stdout.write(`progress ${done}/${total}\n`),
});
process.stdout.write('finished\n');

// proxyvote register import: imports the register (all or nothing, every bad line reported) and hands
// each new control number on at once: e-delivery holders' to the notice queue, paper holders' to the
// print file. Re-importing the same file changes nothing and issues no number.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseMeeting } from '../shared/domain/meeting.ts';
import type { ImportProgress } from '../shared/notices/admin-api.ts';
import { ImportNeeds, importRegister } from '../shared/notices/import.ts';
import { ImportBusy } from '../shared/notices/import-checkpoint.ts';
import { InProcessNoticeQueue } from '../shared/notices/local-queue.ts';
import type { NoticeQueue } from '../shared/notices/ports.ts';
import { FilePrintSink, PrintFileUnwritable } from '../shared/notices/print-sink.ts';
import { SqsNoticeQueue, sqsClient } from '../shared/notices/sqs.ts';
import { recordInOperations, SendingRefused, startSending } from '../shared/notices/start-sending.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import { DEFAULT_TABLE_PREFIX, tableNames } from '../shared/storage/tables.ts';
import { adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { type Out, printJson, readText, required, UsageError, warnIfInRepository } from './io.ts';
import { clockNow, controlSecret, localSenderEnv, progress } from './notices.ts';

export const registerCommands: Command[] = [
  {
    name: 'register import',
    summary: 'Import the register of holders and hand each new control number on.',
    synopsis:
      'FILE.csv --meeting FILE --ballot-url URL [--print-file OUT.csv] (--queue-url URL | --send-now)\n' +
      '                  [--dynamo URL] [--table-prefix P] [--secret-file F] [--ses URL --from ADDRESS]\n' +
      '                  [--override-40-day-rule] [--json]',
    details:
      'Nothing is imported if any line is bad (every bad line is listed); a file imported before changes\n' +
      'nothing. Each new control number goes out at once: e-delivery holders to the notice queue\n' +
      '(--queue-url: SQS; or --send-now: an in-process queue sent right away, as `notices send` would,\n' +
      'through SES at --ses), the others to the print file --print-file, a new file, needed when the\n' +
      'register has paper holders: keep it outside the repository (it holds control numbers), e.g.\n' +
      '~/proxyvote-output/print-file.csv. The control secret is CONTROL_SECRET (hex) or --secret-file.\n' +
      'Progress on stderr.\n' +
      'The CSV format: docs/register-csv.md.',
    run: (args, io) => registerCommand(['import', ...args], io),
  },
  {
    name: 'register status',
    summary: "The register imports' progress: chunks done, holders imported, queued and printed.",
    synopsis: '[--api URL] [--json]',
    details:
      'An import goes in chunks of 1,000 holders, each recorded once its numbers are handed on. A stalled\n' +
      'import (nothing running it) resumes when the same file is imported again.',
    role: 'supervisor',
    run: (args, io) => importStatus(args, io),
  },
];

/** `register status`: the imports' progress, from the admin API. */
async function importStatus(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const { imports } = await adminClient(values).getJson<{ imports: ImportProgress[] }>('/admin/imports');
  if (values.json) {
    printJson(io, imports);
    return 0;
  }
  if (imports.length === 0) io.out('no register import yet\n');
  const n = (x: number) => x.toLocaleString('en-US');
  for (const j of imports) {
    io.out(
      `${j.source} (import ${j.jobId}, started ${j.startedAt}): ${j.state}; chunks ${n(j.chunksDone)} of ${n(j.chunks)}; ` +
        `holders ${n(j.imported + j.unchanged)} of ${n(j.holders)} (imported ${n(j.imported)}, unchanged ${n(j.unchanged)}); ` +
        `queued ${n(j.queued)}, printed ${n(j.printed)}` +
        (j.resumes > 0 ? `; resumed ${j.resumes} time(s), ${n(j.reissued)} number(s) drawn again` : '') +
        (j.printFile ? `; print file ${j.printFile}` : '') +
        '\n',
    );
    if (j.state === 'stalled') {
      io.out(
        `  stalled: nothing is running it. Import the same file again (upload it again, or run \`register import\` on it) to resume.\n`,
      );
    }
  }
  return 0;
}

export async function registerCommand(args: string[], io: Out): Promise<number> {
  if (args[0] === 'status') return importStatus(args.slice(1), io);
  const [action, file, ...rest] = args;
  if (action !== 'import' || !file || file.startsWith('--')) {
    throw new UsageError(
      'the register file is needed: proxyvote register import FILE.csv --meeting FILE ...',
    );
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      meeting: { type: 'string' },
      'print-file': { type: 'string' },
      'queue-url': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      'send-now': { type: 'boolean', default: false },
      dynamo: { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      'secret-file': { type: 'string' },
      'ballot-url': { type: 'string' },
      ses: { type: 'string' },
      from: { type: 'string' },
      'override-40-day-rule': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  values['ballot-url'] ??= process.env.BALLOT_URL;
  values['queue-url'] ??= process.env.NOTICES_QUEUE_URL;
  required(values, ['meeting', 'ballot-url']);
  if (values['queue-url'] && values['send-now']) {
    throw new UsageError('give --queue-url or --send-now, not both');
  }
  const meetingText = await readText(values.meeting as string);
  const meeting = parseMeeting(meetingText, values.meeting);
  const secret = await controlSecret(values['secret-file']);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Not fatal: a byte that is not UTF-8 becomes U+FFFD, which the parser names with its line.
  const csvText = new TextDecoder('utf-8').decode(bytes);
  const tables = tableNames(meeting.id, values['table-prefix']);
  const now = clockNow();

  let queue: NoticeQueue | undefined;
  let local: InProcessNoticeQueue | undefined;
  if (values['send-now']) {
    const env = localSenderEnv({
      meetingJson: meetingText,
      tables,
      dynamo: values.dynamo,
      ses: values.ses ?? process.env.SES_ENDPOINT,
      from: values.from ?? process.env.MAIL_FROM,
      ballotUrl: values['ballot-url'] as string,
      secret,
    });
    const { noticeSenderFromEnv } = await import('../shared/notices/runtime.ts');
    local = new InProcessNoticeQueue({ handler: { handler: noticeSenderFromEnv(env) } });
    queue = local;
  } else if (values['queue-url']) {
    queue = new SqsNoticeQueue(
      sqsClient({ endpoint: values['sqs-endpoint'], region: process.env.AWS_REGION }),
      values['queue-url'],
    );
  }

  const printFile = values['print-file'];
  if (printFile !== undefined) warnIfInRepository(io, printFile, 'control numbers');
  const { doc, client } = createDynamoClients({ endpoint: values.dynamo });
  const show = progress(io);
  try {
    const result = await importRegister({
      csvText,
      source: file,
      meeting,
      doc,
      tables,
      secret: Buffer.from(secret, 'hex'),
      randomBytes,
      queue,
      printSink: printFile ? new FilePrintSink(printFile) : undefined,
      ballotUrl: values['ballot-url'] as string,
      // With --send-now, the 40-day rule once the file is known to be good, before anything is written.
      beforeImport: local
        ? () =>
            startSending({
              meeting,
              now: now(),
              override40DayRule: values['override-40-day-rule'] ?? false,
              by: `cli:${process.env.USER ?? 'operator'}`,
              sendingSwitch: { start: async () => ({ alreadyStarted: false }) },
              record: recordInOperations(doc, tables),
            }).then((started) => {
              if (started.warning) io.err(`warning: ${started.warning}\n`);
            })
        : undefined,
      onProgress: (_phase, done, total) => show('importing', done, total),
    });
    show.end();
    // With --json the result goes to stdout as one JSON value; the words are for people.
    const say = (text: string) => {
      if (!values.json) io.out(text);
    };
    if (result.resumed) {
      say(
        `resumed the interrupted import ${result.jobId} of this file: chunks already done were skipped; ${result.reissued.toLocaleString('en-US')} holder(s) of the interrupted chunk got a new control number (their first one was never handed on, and no longer works)\n`,
      );
    }
    say(
      `${file}: ${result.holders.toLocaleString('en-US')} holders; imported ${result.imported.toLocaleString('en-US')} now, each with a new control number; ${result.unchanged.toLocaleString('en-US')} already imported (unchanged, no new number)\n`,
    );
    say(`notices queued for e-mail: ${result.queued.toLocaleString('en-US')}\n`);
    if (result.formulaLike.length > 0) {
      io.err(
        `warning: ${result.formulaLike.length} name(s) begin like a spreadsheet formula (=, +, -, @): imported as given; ` +
          `every CSV for people shows them as text. Check them against the transfer agent's records: ${result.formulaLike
            .map((f) => `${f.account} (${f.field})`)
            .join(', ')}\n`,
      );
    }
    say(
      result.printFile
        ? `paper notices: ${result.printed.toLocaleString('en-US')} in the print file ${result.printFile} (it holds control numbers: keep it safe)\n`
        : 'paper notices: none new, no print file written\n',
    );
    if (local) {
      await local.start();
      await local.drained();
      const dead = local.deadLetters.length;
      say(
        `sent now: ${local.stats.succeeded.toLocaleString('en-US')} messages handled, ${dead} in the dead-letter list\n`,
      );
      if (dead > 0) {
        io.err(
          'warning: some notices could not be sent; see `proxyvote notices status`, and mail them on paper with `proxyvote notices print-file --account A`\n',
        );
      }
    }
    if (values.json)
      printJson(io, {
        file,
        holders: result.holders,
        imported: result.imported,
        unchanged: result.unchanged,
        queued: result.queued,
        printed: result.printed,
        printFile: result.printFile ?? null,
        resumed: result.resumed,
        reissued: result.reissued,
        formulaLike: result.formulaLike,
        ...(local ? { sent: local.stats.succeeded, deadLetters: local.deadLetters.length } : {}),
      });
    if (local && local.deadLetters.length > 0) return 1;
    return 0;
  } catch (e) {
    show.end();
    if (e instanceof ImportNeeds) {
      const flags = e.needs.map((n) =>
        n === 'queue'
          ? '--queue-url URL (the notice queue) or --send-now: the register has holders with e-delivery'
          : '--print-file OUT.csv: the register has holders without e-delivery, whose numbers go on paper',
      );
      throw new UsageError(`nothing imported; needed:\n  ${flags.join('\n  ')}`);
    }
    if (e instanceof PrintFileUnwritable) throw new UsageError(`nothing imported: ${e.message}`);
    if (e instanceof ImportBusy) {
      throw new UsageError(
        `${e.message}: wait for it (\`proxyvote register status\`), or run this again once it has stopped for a minute`,
      );
    }
    if (e instanceof SendingRefused) {
      io.err(`warning: ${e.message}\n`);
      io.err(
        e.reason === 'forty-day-rule'
          ? 'proxyvote register: refused, nothing imported. Add --override-40-day-rule to send anyway.\n'
          : 'proxyvote register: refused, nothing imported.\n',
      );
      return 1;
    }
    throw e;
  } finally {
    client.destroy();
  }
}

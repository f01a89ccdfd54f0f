// proxyvote notices: start the sending (admin API), see where the notices stand, print the paper
// notices of holders whose e-mail failed (with re-issued numbers), send a reminder.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { clockWithOffset } from '../shared/config/clock.ts';
import { internetCutoffMs, parseMeeting } from '../shared/domain/meeting.ts';
import { noMetrics } from '../shared/notices/ports.ts';
import { producePrintFile, UnknownAccounts } from '../shared/notices/print-file-run.ts';
import { FilePrintSink, PrintFileUnwritable } from '../shared/notices/print-sink.ts';
import { RemindersClosed, runReminders } from '../shared/notices/reminders.ts';
import { noticeLogger, noticeMailer } from '../shared/notices/runtime.ts';
import { noticeStatus } from '../shared/notices/status.ts';
import { NoticeStore } from '../shared/notices/store.ts';
import { TokenBucket } from '../shared/notices/token-bucket.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import {
  DEFAULT_TABLE_PREFIX,
  type TableNames,
  tableEnvironment,
  tableNames,
} from '../shared/storage/tables.ts';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import {
  defaultOutputPath,
  type Out,
  printJson,
  readText,
  required,
  UsageError,
  warnIfInRepository,
} from './io.ts';

const STORAGE_OPTIONS =
  "Reads the meeting's tables directly: --dynamo URL locally (`npm start` prints it), or on AWS the\n" +
  'Region of AWS_REGION with the credentials of the default chain; --table-prefix P if not the default.';

export const noticesCommands: Command[] = [
  {
    name: 'notices send',
    summary: 'Start e-mailing the queued notices.',
    synopsis: '[--override-40-day-rule] [--api URL] [--json]',
    role: 'supervisor',
    details:
      'Later than 40 days before the meeting (SEC Rule 14a-16) it warns and refuses unless\n' +
      '--override-40-day-rule is given; the override and the signing operator are recorded.',
    run: (args, io) => send(args, io),
  },
  {
    name: 'notices status',
    summary: 'Where the notices stand: sent, in flight, stuck, unknown, bounced, paper pending.',
    synopsis: '--meeting FILE [--dynamo URL] [--table-prefix P] [--stuck-after SECONDS] [--json]',
    details:
      'Stuck and unknown notices are listed (check them: they are never re-sent automatically), with\n' +
      `bounces, complaints, paper notices pending, reminders, and who started the sending.\n${STORAGE_OPTIONS}`,
    run: (args, io) => status(args, io),
  },
  {
    name: 'notices print-file',
    summary: 'Paper notices, with re-issued control numbers, for holders whose e-mail failed.',
    synopsis:
      '--meeting FILE --ballot-url URL [--out NEW.csv] [--account A ...] [--dynamo URL] [--table-prefix P]\n' +
      '                            [--secret-file F] [--json]',
    details:
      'A CSV for the mail-merge house: holders whose e-mail bounced or who complained, and each\n' +
      '--account named. Each gets a re-issued control number (the old one stops working). Holders\n' +
      "without e-delivery were in the import's print file. The file holds control numbers: without\n" +
      '--out it is a new file under ~/proxyvote-output (PROXYVOTE_OUTPUT_DIR), outside the repository.\n' +
      STORAGE_OPTIONS,
    run: (args, io) => printFile(args, io),
  },
  {
    name: 'notices remind',
    summary: 'Send reminder N to holders with e-delivery who have not voted.',
    synopsis:
      '--meeting FILE --reminder N --ballot-url URL [--ses URL] [--from ADDRESS] [--rate PER_SECOND]\n' +
      '                        [--dynamo URL] [--table-prefix P] [--json]',
    details:
      'Reminder N to every holder with e-delivery, a sent notice and no effective proxy, at most once\n' +
      `per holder (what the scheduled function does on AWS).\n${STORAGE_OPTIONS}`,
    run: (args, io) => remind(args, io),
  },
];

// ------------------------------------------------------------------------------------------------
// Shared with `proxyvote register` (cli/register.ts).

/** The control-number secret: CONTROL_SECRET (hex), or --secret-file. Never printed. */
export async function controlSecret(file: string | undefined): Promise<string> {
  let secret = process.env.CONTROL_SECRET;
  if (file) {
    try {
      secret = (await readFile(file, 'utf8')).trim();
    } catch (e) {
      throw new UsageError(
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  if (!secret)
    throw new UsageError('the control secret is needed: set CONTROL_SECRET or give --secret-file F');
  if (!/^[0-9a-f]{64,}$/.test(secret)) {
    throw new UsageError('the control secret must be at least 64 lower-case hex digits (32 bytes)');
  }
  return secret;
}

/** The clock: real, or moved by CLOCK_OFFSET_MS as the local stack's functions' clocks are. */
export function clockNow(): () => number {
  const offset = process.env.CLOCK_OFFSET_MS;
  if (offset !== undefined && !/^-?\d+$/.test(offset))
    throw new UsageError('CLOCK_OFFSET_MS must be whole milliseconds');
  return clockWithOffset(offset ? Number(offset) : undefined);
}

/** The environment of the notice-sender handler when this process runs it (register import --send-now). */
export function localSenderEnv(o: {
  meetingJson: string;
  tables: TableNames;
  dynamo: string | undefined;
  ses: string | undefined;
  from: string | undefined;
  ballotUrl: string;
  secret: string;
}): Record<string, string | undefined> {
  if (!o.from) throw new UsageError('--from ADDRESS (or MAIL_FROM) is needed to send the notices');
  // The handler logs per notice and emits metrics: quiet on a terminal unless asked for.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  return {
    ...process.env,
    ...tableEnvironment(o.tables),
    DYNAMODB_ENDPOINT: o.dynamo,
    SES_ENDPOINT: o.ses,
    MAIL_FROM: o.from,
    BALLOT_URL: o.ballotUrl,
    CONTROL_SECRET: o.secret,
    MEETING_JSON: o.meetingJson,
    NOTICE_SEND_RATE: process.env.NOTICE_SEND_RATE ?? '50',
  };
}

/** Progress lines on stderr (cli/io.ts), shared with `proxyvote register import`. */
export { type Progress, progress } from './io.ts';

// ------------------------------------------------------------------------------------------------

async function send(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      'override-40-day-rule': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const res = await adminClient(values).request('POST', '/admin/notices/send', {
    body: { override40DayRule: values['override-40-day-rule'] },
  });
  const text = res.text;
  let body: {
    warning?: string | null;
    alreadyStarted?: boolean;
    error?: { code?: string; message?: string };
  } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below as it came.
  }
  if (res.ok) {
    if (body.warning) io.err(`warning: ${body.warning}\n`);
    if (values.json) {
      printJson(io, body);
      return 0;
    }
    io.out(
      body.alreadyStarted
        ? 'the sending had already been started: the queued notices are going out\n'
        : 'started: the queued notices are going out (see `proxyvote notices status`)\n',
    );
    return 0;
  }
  if (body.error?.code === 'forty_day_rule' || body.error?.code === 'voting_closed') {
    io.err(`warning: ${body.error.message}\n`);
    io.err(
      body.error.code === 'forty_day_rule'
        ? 'refused: nothing is sent. Give --override-40-day-rule to send anyway.\n'
        : 'refused: nothing is sent.\n',
    );
    return 1;
  }
  throw new AdminRefused(res.status, text, 'nothing is sent');
}

async function storage(values: {
  meeting?: string | undefined;
  dynamo?: string | undefined;
  'table-prefix'?: string | undefined;
}) {
  const meetingText = await readText(values.meeting as string);
  const meeting = parseMeeting(meetingText, values.meeting);
  const tables = tableNames(meeting.id, values['table-prefix'] ?? DEFAULT_TABLE_PREFIX);
  const clients = createDynamoClients({ endpoint: values.dynamo });
  return { meeting, meetingText, tables, ...clients };
}

const list = (accounts: readonly string[], max = 50) =>
  accounts.length === 0
    ? ''
    : `: ${accounts.slice(0, max).join(', ')}${accounts.length > max ? `, ... (${accounts.length - max} more; --json lists all)` : ''}`;

async function status(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      dynamo: { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      'stuck-after': { type: 'string', default: '900' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  required(values, ['meeting']);
  const stuckAfter = Number(values['stuck-after']);
  if (!Number.isFinite(stuckAfter) || stuckAfter <= 0)
    throw new UsageError('--stuck-after must be seconds, more than 0');
  const s = await storage(values);
  try {
    const st = await noticeStatus(s.doc, s.tables, clockNow()(), stuckAfter * 1000);
    if (values.json) {
      printJson(io, st);
      return 0;
    }
    const n = (x: number) => x.toLocaleString('en-US');
    const lines = [
      `${s.meeting.company.name}, ${s.meeting.title}: notices`,
      `  holders              ${n(st.holders)} (${n(st.eDelivery)} e-delivery, ${n(st.paperAtImport)} on paper from the import)`,
      `  sending started      ${st.starts.length ? st.starts.map((x) => `${x.at} by ${x.by}${x.override40DayRule ? ' (40-day rule overridden)' : ''}`).join('; ') : 'not yet'}`,
      `  e-mailed             ${n(st.notices.sent)}`,
      `  in flight            ${n(st.notices.inFlight)}`,
      `  not yet sent         ${n(st.notices.notYet)}`,
      `  stuck at 'sending'   ${n(st.notices.stuck.length)}${list(st.notices.stuck)}`,
      `  outcome unknown      ${n(st.notices.unknown.length)}${list(st.notices.unknown)}`,
      `  bounced              ${n(st.bounced.length)}${list(st.bounced)}`,
      `  complained           ${n(st.complained.length)}${list(st.complained)}`,
      `  paper pending        ${n(st.paperPending.length)}${list(st.paperPending)}`,
      `  numbers re-issued    ${n(st.reissued)}`,
      `  reminders sent       ${
        Object.keys(st.reminders).length
          ? Object.entries(st.reminders)
              .map(([k, v]) => `#${k}: ${n(v)}`)
              .join(', ')
          : 'none'
      }`,
    ];
    if (st.notices.stuck.length + st.notices.unknown.length > 0) {
      lines.push(
        '',
        '  Stuck and unknown notices may or may not have been e-mailed (the sender stopped between SES and the marker):',
        '  they are never re-sent automatically. Check SES (the message id, the mail logs); to mail a paper notice',
        '  with a new control number: proxyvote notices print-file --account A ...',
      );
    }
    if (st.paperPending.length > 0)
      lines.push('', '  Paper pending: proxyvote notices print-file prints them with re-issued numbers.');
    io.out(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    s.client.destroy();
  }
}

async function printFile(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      out: { type: 'string' },
      account: { type: 'string', multiple: true },
      dynamo: { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      'secret-file': { type: 'string' },
      'ballot-url': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  values['ballot-url'] ??= process.env.BALLOT_URL;
  required(values, ['meeting', 'ballot-url']);
  const secret = await controlSecret(values['secret-file']);
  const s = await storage(values);
  const out = values.out ?? defaultOutputPath(`print-file-${s.meeting.id}`, '.csv');
  if (values.out !== undefined) warnIfInRepository(io, out, 'control numbers');
  // The run reads the notice state, then re-issues one number per holder chosen: a line at the start
  // and one at the end on stderr (the re-issues are a few per bounce, not the register).
  io.err(`making the print file ${out}: reading the notice state and re-issuing numbers...\n`);
  try {
    const result = await producePrintFile({
      doc: s.doc,
      tables: s.tables,
      meeting: s.meeting,
      ballotUrl: values['ballot-url'] as string,
      secret: Buffer.from(secret, 'hex'),
      randomBytes,
      now: clockNow(),
      sink: new FilePrintSink(out),
      accounts: values.account ?? [],
    });
    const by = (r: string) => result.printed.filter((p) => p.reason === r).length;
    if (values.json) {
      printJson(io, result);
      return 0;
    }
    io.out(
      `wrote ${result.printed.length} paper notice${result.printed.length === 1 ? '' : 's'} to ${result.file} (bounced ${by('bounced')}, complaint ${by('complaint')}, named ${by('operator')}), each with a re-issued control number: the e-mailed numbers no longer work. The file holds control numbers: keep it safe.\n`,
    );
    if (result.skipped.length > 0) {
      io.out(`not printed here (re-issued by someone else meanwhile): ${result.skipped.join(', ')}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UnknownAccounts) throw new UsageError(`--account: ${e.message}; nothing re-issued`);
    if (e instanceof PrintFileUnwritable) throw new UsageError(`--out: ${e.message}; nothing re-issued`);
    throw e;
  } finally {
    s.client.destroy();
  }
}

async function remind(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      reminder: { type: 'string' },
      dynamo: { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      ses: { type: 'string' },
      from: { type: 'string' },
      'ballot-url': { type: 'string' },
      rate: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  values['ballot-url'] ??= process.env.BALLOT_URL;
  values.from ??= process.env.MAIL_FROM;
  required(values, ['meeting', 'reminder', 'ballot-url', 'from']);
  const reminder = Number(values.reminder);
  if (!/^\d{1,3}$/.test(values.reminder as string) || reminder < 1) {
    throw new UsageError('--reminder must be a whole number from 1 (reminder 1, 2, ...)');
  }
  const rate = Number(values.rate);
  if (!Number.isFinite(rate) || rate < 0)
    throw new UsageError('--rate must be e-mails per second (0 for no limit)');
  const s = await storage(values);
  const now = clockNow();
  if (now() >= internetCutoffMs(s.meeting)) {
    s.client.destroy();
    throw new UsageError(`internet voting closed at ${s.meeting.internetCutoff.local}: no reminder is sent`);
  }
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const mailer = noticeMailer({
    from: values.from as string,
    endpoint: values.ses,
    region: process.env.AWS_REGION,
  });
  try {
    const result = await runReminders({
      meeting: s.meeting,
      doc: s.doc,
      tables: s.tables,
      send: {
        store: new NoticeStore(s.doc, s.tables, now),
        mailer,
        bucket: new TokenBucket({ ratePerSecond: rate }),
        now,
        newClaimId: randomUUID,
        stuckAfterMs: 900_000,
        log: noticeLogger(),
      },
      ballotUrl: values['ballot-url'] as string,
      metrics: noMetrics,
      reminder,
    });
    if (values.json) printJson(io, result);
    else
      io.out(
        `reminder ${reminder}: sent ${result.sent}; already reminded ${result.already}; voted ${result.voted}; failed ${result.failed} (a later run retries them); outcome unknown ${result.unknown} (of ${result.eligible} holders with e-delivery and a sent notice)\n`,
      );
    return result.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof RemindersClosed) throw new UsageError(e.message);
    throw e;
  } finally {
    mailer.destroy();
    s.client.destroy();
  }
}

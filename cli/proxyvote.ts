// The proxyvote command line: the inspector's recount, the export it reads, and operator entries.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseInstructionsJsonl } from '../shared/domain/history.ts';
import { formatIssues, InvalidInputError, parseMeeting } from '../shared/domain/meeting.ts';
import { parseRegister } from '../shared/domain/register.ts';
import { formatReport } from '../shared/domain/report.ts';
import { checkHistory, tabulate } from '../shared/domain/tabulate.ts';
import { type PollsFile, pollsFileSchema } from '../shared/domain/timeline.ts';
import { ADMIN_CONNECTION_USAGE } from './admin-client.ts';
import { CERTIFICATE_USAGE, certificateCommand } from './certificate.ts';
import { conflictsCommand, ENTER_USAGE, enterCommand, pollsCommand } from './enter.ts';
import { EXPORT_USAGE, exportCommand } from './export.ts';
import { type Out, readText, required, UsageError } from './io.ts';
import { NOTICES_USAGE, noticesCommand } from './notices.ts';
import { REGISTER_USAGE, registerCommand } from './register.ts';
import { STATUS_USAGE, statusCommand } from './status.ts';
import { TABULATE_USAGE, tabulateCommand, verifyRecount } from './tabulate.ts';

const RECOUNT_USAGE =
  '  recount --meeting FILE --register FILE.csv --instructions FILE.jsonl [--polls polls.json]\n' +
  '          [--cumulative] [--json] [--verify SNAPSHOT.json]\n' +
  "      The inspector's independent recount from an export: prints the report, or the JSON result.\n" +
  "      Instructions that break the meeting's timeline (after the cut-off, after the polls closed, a\n" +
  "      ballot before the meeting started) are left out and listed. --polls names the export's\n" +
  '      polls.json (when the polls were closed); by default the one beside the instructions file.\n' +
  "      --verify checks the export against a snapshot's history digest (naming each account that\n" +
  '      differs) and the result against the live count; exits 1 when anything differs.\n';

const USAGE = `usage: proxyvote <command> [options]\n\ncommands:\n${RECOUNT_USAGE}${TABULATE_USAGE}${CERTIFICATE_USAGE}${STATUS_USAGE}${EXPORT_USAGE}${ENTER_USAGE}${REGISTER_USAGE}${NOTICES_USAGE}\nThe commands marked with a role (clerk, inspector, supervisor) are admin commands:\n${ADMIN_CONNECTION_USAGE}`;

const stdio: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const COMMANDS: Record<string, (args: string[], io: Out) => Promise<number>> = {
  recount,
  tabulate: tabulateCommand,
  certificate: certificateCommand,
  status: statusCommand,
  export: exportCommand,
  enter: enterCommand,
  polls: pollsCommand,
  conflicts: conflictsCommand,
  register: registerCommand,
  notices: noticesCommand,
};

export async function main(argv: string[], io: Out = stdio): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`proxyvote: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    // Bad input of every kind (files, flags) ends with the problems listed and nothing written.
    if (
      e instanceof InvalidInputError ||
      e instanceof UsageError ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      io.err(`proxyvote ${command}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

async function recount(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      register: { type: 'string' },
      instructions: { type: 'string' },
      cumulative: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verify: { type: 'string' },
      polls: { type: 'string' },
    },
    strict: true,
  });
  required(values, ['meeting', 'register', 'instructions'], RECOUNT_USAGE);
  const polls = await readPollsFile(values.polls, values.instructions as string);
  const meeting = parseMeeting(await readText(values.meeting as string), values.meeting);
  const { holders } = parseRegister(await readText(values.register as string), meeting.sharesOutstanding);
  const history = parseInstructionsJsonl(await readText(values.instructions as string), values.instructions);
  const result = tabulate(meeting, holders, history, {
    cumulative: values.cumulative ?? false,
    pollsClosedAt: polls?.closedAt ?? null,
  });
  if (values.verify !== undefined) {
    const checked = checkHistory(meeting, holders, history);
    return verifyRecount(values.verify, meeting, checked, result, values.json ?? false, io);
  }
  io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result, meeting.company.name));
  return 0;
}

/**
 * The polls' state of an export (`proxyvote export` writes polls.json): the file named, else the one
 * beside the instructions file, else none (the polls were not closed when the export was made).
 */
async function readPollsFile(
  named: string | undefined,
  instructions: string,
): Promise<Pick<PollsFile, 'closedAt'> | null> {
  const path = named ?? join(dirname(instructions), 'polls.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (named === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InvalidInputError(path, [`cannot be read: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidInputError(path, ['is not valid JSON']);
  }
  const parsed = pollsFileSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(path, formatIssues(parsed.error));
  return parsed.data.closedAt === null ? null : { closedAt: parsed.data.closedAt };
}

// The proxyvote command line: every command registered in one list (COMMANDS), each with its help;
// `proxyvote <command> --help` and `proxyvote help <command>` print it.

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
import { certificateCommands } from './certificate.ts';
import { type Command, commandList, runCommand, USAGE_EXIT } from './command.ts';
import { enterCommands } from './enter.ts';
import { exportCommands } from './export.ts';
import { type Out, printJson, readText, required } from './io.ts';
import { noticesCommands } from './notices.ts';
import { registerCommands } from './register.ts';
import { reportsCommands } from './reports.ts';
import { statusCommands } from './status.ts';
import { tabulateCommands, verifyRecount } from './tabulate.ts';

// The AWS SDK's multi-line Node version notice is noise on a terminal: the CLI runs on the versions
// package.json names.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';

const recountCommand: Command = {
  name: 'recount',
  summary: "The inspector's independent recount from an export: the report, or the JSON result.",
  synopsis:
    '--meeting FILE --register FILE.csv --instructions FILE.jsonl [--polls polls.json] [--cumulative]\n' +
    '                        [--verify SNAPSHOT.json] [--json]',
  details:
    "Instructions that break the meeting's timeline (after the cut-off, after the polls closed, a\n" +
    "ballot before the meeting started) are left out and listed. --polls names the export's\n" +
    'polls.json (when the polls were closed); by default the one beside the instructions file.\n' +
    "--verify checks the export against a snapshot's history digest (naming each account that\n" +
    'differs) and the result against the live count; exits 1 when anything differs.\n' +
    'Reads files only: no AWS access is needed.',
  run: (args, io) => recount(args, io),
};

/**
 * Every command, in the order of an operator's meeting: the one place a command is registered (its
 * help text is in its entry). A new command is one more entry here.
 */
export const COMMANDS: readonly Command[] = [
  ...registerCommands,
  ...noticesCommands,
  ...enterCommands,
  ...statusCommands,
  ...tabulateCommands,
  ...certificateCommands,
  ...reportsCommands,
  ...exportCommands,
  recountCommand,
];

const OVERVIEW =
  'usage: proxyvote <command> [options]      proxyvote <command> --help for its options\n\n' + 'commands:\n';

function usage(commands: readonly Command[]): string {
  return (
    `${OVERVIEW}${commandList(commands)}\n` +
    'Every command prints words for people by default and one JSON value with --json (for scripts);\n' +
    'progress goes to stderr. Set PROXYVOTE_DEBUG=1 to see where an unexpected failure happened.\n\n' +
    `Connecting: the commands marked with a role (clerk, inspector, supervisor) are admin commands.\n${ADMIN_CONNECTION_USAGE}`
  );
}

/** The command the words name (the longest match: "tabulate run" before "tabulate"). */
function resolve(
  argv: readonly string[],
  commands: readonly Command[],
): { command: Command; rest: string[] } | null {
  let best: { command: Command; rest: string[] } | null = null;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length))
      best = { command, rest: argv.slice(words.length) };
  }
  return best;
}

export async function main(
  argv: string[],
  io: Out = stdio,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [first, ...after] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    // `proxyvote help tabulate run` is `proxyvote tabulate run --help`.
    if (first === 'help' && after.length > 0) return main([...after, '--help'], io, commands);
    io.out(usage(commands));
    return first === undefined ? USAGE_EXIT : 0;
  }
  const found = resolve(argv, commands);
  if (found) return runCommand(found.command, found.rest, io);
  // A group's first word alone (`proxyvote tabulate`, `proxyvote tabulate --help`), or a wrong second word.
  const group = commands.filter((c) => c.name.split(' ')[0] === first);
  if (group.length > 0) {
    const asked = after[0];
    const wantsHelp = asked === undefined || asked === '--help' || asked === '-h';
    const list = `${first} ${group.length === 1 ? 'has' : 'has these commands'}:\n${commandList(group)}`;
    if (wantsHelp) {
      io.out(`${list}\nproxyvote ${first} <command> --help for its options\n`);
      return asked === undefined ? USAGE_EXIT : 0;
    }
    io.err(`proxyvote ${first}: no command "${asked}"; ${list}`);
    return USAGE_EXIT;
  }
  io.err(`proxyvote: no command "${first}" (proxyvote --help lists them)\n`);
  return USAGE_EXIT;
}

const stdio: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

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
  required(values, ['meeting', 'register', 'instructions']);
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
  if (values.json) printJson(io, result);
  else io.out(formatReport(result, meeting.company.name));
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

// The proxyvote command line: the inspector's recount now; operator commands join it as they come.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseInstructionsJsonl } from '../shared/domain/history.ts';
import { InvalidInputError, parseMeeting } from '../shared/domain/meeting.ts';
import { parseRegister, RegisterError } from '../shared/domain/register.ts';
import { formatReport } from '../shared/domain/report.ts';
import { tabulate } from '../shared/domain/tabulate.ts';

const USAGE = `usage: proxyvote <command> [options]

commands:
  recount --meeting FILE --register FILE.csv --instructions FILE.jsonl [--cumulative] [--json]
      The inspector's independent recount from an export: prints the report, or the JSON result.
`;

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function main(argv: string[], io: Out = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'recount':
        return await recount(rest, io);
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`proxyvote: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof InvalidInputError || e instanceof RegisterError || e instanceof UsageError) {
      io.err(`proxyvote ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

class UsageError extends Error {}

async function recount(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      register: { type: 'string' },
      instructions: { type: 'string' },
      cumulative: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  for (const name of ['meeting', 'register', 'instructions'] as const) {
    if (!values[name]) throw new UsageError(`--${name} FILE is required\n${USAGE}`);
  }
  const meeting = parseMeeting(await readText(values.meeting as string), values.meeting);
  const { holders } = parseRegister(await readText(values.register as string), meeting.sharesOutstanding);
  const history = parseInstructionsJsonl(await readText(values.instructions as string), values.instructions);
  const result = tabulate(meeting, holders, history, { cumulative: values.cumulative ?? false });
  io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result, meeting.company.name));
  return 0;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

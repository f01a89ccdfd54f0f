// proxyvote export: the register (CSV) and the whole instruction history (JSONL) of a meeting, read
// straight from its DynamoDB tables, in the format `proxyvote recount` reads.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toJsonl } from '../shared/domain/history.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { serializeRegister } from '../shared/domain/register.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../shared/storage/history-export.ts';
import { DEFAULT_TABLE_PREFIX, tableNames } from '../shared/storage/tables.ts';
import { readPolls } from '../shared/storage/vote-store.ts';
import { type Out, readText, required } from './io.ts';

export const EXPORT_USAGE =
  '  export --meeting FILE --out DIR [--dynamo URL] [--table-prefix P] [--segments N]\n' +
  '      Write DIR/register.csv, DIR/instructions.jsonl and DIR/polls.json (when the polls were closed) from\n' +
  '      the meeting tables (DynamoDB Local with --dynamo), the input of `proxyvote recount`.\n';

export async function exportCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      out: { type: 'string' },
      dynamo: { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      segments: { type: 'string', default: '4' },
    },
    strict: true,
  });
  required(values, ['meeting', 'out'], EXPORT_USAGE);
  const meeting = parseMeeting(await readText(values.meeting as string), values.meeting);
  const tables = tableNames(meeting.id, values['table-prefix']);
  const { doc, client } = createDynamoClients({ endpoint: values.dynamo });
  try {
    const segments = Number(values.segments);
    const [holders, history, polls] = await Promise.all([
      exportRegister(doc, tables, segments),
      exportHistory(doc, tables, segments),
      readPolls(doc, tables),
    ]);
    const dir = values.out as string;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'register.csv'), serializeRegister(holders));
    await writeFile(join(dir, 'instructions.jsonl'), toJsonl(history));
    await writeFile(join(dir, 'polls.json'), `${JSON.stringify(polls ?? { closedAt: null }, null, 2)}\n`);
    io.out(`wrote ${holders.length} holders to ${join(dir, 'register.csv')}\n`);
    io.out(`wrote ${history.length} instructions to ${join(dir, 'instructions.jsonl')}\n`);
    io.out(
      `wrote ${join(dir, 'polls.json')}: ${polls ? `polls closed at ${polls.closedAt}` : 'the polls are open'}\n`,
    );
    return 0;
  } finally {
    client.destroy();
  }
}

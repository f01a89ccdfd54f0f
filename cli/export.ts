// proxyvote export: the register (CSV) and the whole instruction history (JSONL) of a meeting, through
// the admin API (the inspector's role, signed with the caller's AWS credentials), a page of each Scan
// segment at a time, in the format and the order `proxyvote recount` reads.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toJsonl } from '../shared/domain/history.ts';
import type { Holder } from '../shared/domain/holder.ts';
import { serializeRegister } from '../shared/domain/register.ts';
import type { PollsFile } from '../shared/domain/timeline.ts';
import {
  type ExportPart,
  type HistoryEntry,
  MAX_EXPORT_SEGMENTS,
  sortHistory,
  sortRegister,
} from '../shared/storage/history-export.ts';
import { type AdminClient, AdminRefused, adminClient } from './admin-client.ts';
import { type Out, required, UsageError } from './io.ts';

export const EXPORT_USAGE =
  '  export --out DIR [--segments N] [--api URL]                                         (inspector)\n' +
  '      Write DIR/register.csv, DIR/instructions.jsonl and DIR/polls.json (when the polls were closed):\n' +
  '      the input of `proxyvote recount`.\n';

interface Page<T> {
  items: T[];
  next: string | null;
}

/** Every item of one part: each Scan segment read page by page, the segments side by side. */
async function readPart<T>(api: AdminClient, part: ExportPart, segments: number): Promise<T[]> {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: T[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { segment: String(segment), segments: String(segments) };
        if (cursor) query.cursor = cursor;
        const page: Page<T> = await api.getJson<Page<T>>(`/admin/export/${part}`, query);
        items.push(...page.items);
        cursor = page.next;
      } while (cursor);
      return items;
    }),
  );
  return parts.flat();
}

export async function exportCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      api: { type: 'string' },
      segments: { type: 'string', default: '4' },
    },
    strict: true,
  });
  required(values, ['out'], EXPORT_USAGE);
  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_EXPORT_SEGMENTS)
    throw new UsageError(`--segments must be a whole number from 1 to ${MAX_EXPORT_SEGMENTS}`);
  const api = adminClient(values);
  let holders: Holder[];
  let history: HistoryEntry[];
  let polls: PollsFile;
  try {
    [holders, history, polls] = await Promise.all([
      readPart<Holder>(api, 'register', segments),
      readPart<HistoryEntry>(api, 'instructions', segments),
      api.getJson<{ polls: PollsFile }>('/admin/export/polls').then((p) => p.polls),
    ]);
  } catch (e) {
    if (!(e instanceof AdminRefused)) throw e;
    io.err(`proxyvote export: ${e.message}; nothing written\n`);
    return 1;
  }
  const dir = values.out as string;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'register.csv'), serializeRegister(sortRegister(holders)));
  await writeFile(join(dir, 'instructions.jsonl'), toJsonl(sortHistory(history)));
  await writeFile(join(dir, 'polls.json'), `${JSON.stringify(polls, null, 2)}\n`);
  io.out(`wrote ${holders.length} holders to ${join(dir, 'register.csv')}\n`);
  io.out(`wrote ${history.length} instructions to ${join(dir, 'instructions.jsonl')}\n`);
  io.out(
    `wrote ${join(dir, 'polls.json')}: ${polls.closedAt ? `polls closed at ${polls.closedAt}` : 'the polls are open'}\n`,
  );
  return 0;
}

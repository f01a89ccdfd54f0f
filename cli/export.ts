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
import type { Command } from './command.ts';
import { defaultOutputPath, n, type Out, printJson, progress, UsageError, warnIfInRepository } from './io.ts';

export const exportCommands: Command[] = [
  {
    name: 'export',
    summary: "The register and the whole instruction history, for the inspector's recount.",
    synopsis: '[--out DIR] [--segments N] [--api URL] [--json]',
    role: 'inspector',
    details:
      'Writes DIR/register.csv, DIR/instructions.jsonl and DIR/polls.json (when the polls were\n' +
      'closed): the input of `proxyvote recount`. They hold names, e-mail and postal addresses: without\n' +
      '--out they go to a new folder under ~/proxyvote-output (PROXYVOTE_OUTPUT_DIR), outside the\n' +
      'repository. Progress on stderr; --json prints the files written and their counts.',
    run: (args, io) => exportCommand(args, io),
  },
];

interface Page<T> {
  items: T[];
  next: string | null;
}

/** Every item of one part: each Scan segment read page by page, the segments side by side. */
async function readPart<T>(
  api: AdminClient,
  part: ExportPart,
  segments: number,
  onPage: (items: number) => void,
): Promise<T[]> {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: T[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { segment: String(segment), segments: String(segments) };
        if (cursor) query.cursor = cursor;
        const page: Page<T> = await api.getJson<Page<T>>(`/admin/export/${part}`, query);
        items.push(...page.items);
        onPage(page.items.length);
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
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_EXPORT_SEGMENTS)
    throw new UsageError(`--segments must be a whole number from 1 to ${MAX_EXPORT_SEGMENTS}`);
  const api = adminClient(values);
  const show = progress(io);
  const read = { register: 0, instructions: 0 };
  const counted = (part: 'register' | 'instructions') => (items: number) => {
    read[part] += items;
    show('exporting (holders + instructions read)', read.register + read.instructions);
  };
  show('exporting (holders + instructions read)', 0);
  let holders: Holder[];
  let history: HistoryEntry[];
  let polls: PollsFile;
  try {
    [holders, history, polls] = await Promise.all([
      readPart<Holder>(api, 'register', segments, counted('register')),
      readPart<HistoryEntry>(api, 'instructions', segments, counted('instructions')),
      api.getJson<{ polls: PollsFile }>('/admin/export/polls').then((p) => p.polls),
    ]);
  } catch (e) {
    show.end();
    if (e instanceof AdminRefused) throw new AdminRefused(e.status, e.text, 'nothing written');
    throw e;
  }
  show.end();
  const dir = values.out ?? defaultOutputPath('export', '');
  if (values.out !== undefined) warnIfInRepository(io, dir, "holders' names and addresses");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    register: join(dir, 'register.csv'),
    instructions: join(dir, 'instructions.jsonl'),
    polls: join(dir, 'polls.json'),
  };
  await writeFile(files.register, serializeRegister(sortRegister(holders)), { mode: 0o600 });
  await writeFile(files.instructions, toJsonl(sortHistory(history)), { mode: 0o600 });
  await writeFile(files.polls, `${JSON.stringify(polls, null, 2)}\n`, { mode: 0o600 });
  if (values.json) {
    printJson(io, {
      dir,
      files,
      holders: holders.length,
      instructions: history.length,
      pollsClosedAt: polls.closedAt,
    });
    return 0;
  }
  io.out(`wrote ${n(holders.length)} holders to ${files.register}\n`);
  io.out(`wrote ${n(history.length)} instructions to ${files.instructions}\n`);
  io.out(
    `wrote ${files.polls}: ${polls.closedAt ? `polls closed at ${polls.closedAt}` : 'the polls are open'}\n`,
  );
  io.out(
    `recount it with: proxyvote recount --meeting MEETING.json --register ${files.register} --instructions ${files.instructions}\n`,
  );
  return 0;
}

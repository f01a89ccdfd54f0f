// proxyvote status: the meeting at a glance (polls, cut-off, notices, votes in, quorum, conflicts, the
// last count), from the admin API's GET /admin/status (the supervisor's role).
import { parseArgs } from 'node:util';
import { formatStatusText } from '../shared/status/format.ts';
import type { MeetingStatus } from '../shared/status/status.ts';
import { adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { type Out, printJson } from './io.ts';

export const statusCommands: Command[] = [
  {
    name: 'status',
    summary: 'The meeting at a glance: polls, cut-off, notices, votes in, quorum, conflicts, the last count.',
    synopsis: '[--api URL] [--json]',
    role: 'supervisor',
    details:
      'Polls open or closed and the time left to the internet cut-off; notices sent, unknown and\n' +
      'bounced; votes and revocations in, shares present against the quorum and open conflicts as of the\n' +
      'last count. Lines marked "!" need attention. The same in a browser: GET /admin/status?format=html.',
    run: (args, io) => status(args, io),
  },
];

async function status(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const s = await adminClient(values).getJson<MeetingStatus>('/admin/status');
  if (values.json) printJson(io, s);
  else io.out(formatStatusText(s));
  return 0;
}

// proxyvote status: the meeting at a glance (polls, cut-off, notices, votes in, quorum, conflicts, the
// last count), from the admin API's GET /admin/status (the supervisor's role).
import { parseArgs } from 'node:util';
import { formatStatusText } from '../shared/status/format.ts';
import type { MeetingStatus } from '../shared/status/status.ts';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Out } from './io.ts';

export const STATUS_USAGE =
  '  status [--api URL] [--json]                                                       (supervisor)\n' +
  '      The meeting at a glance: polls, time to the internet cut-off, notices sent, unknown and\n' +
  '      bounced, votes and revocations in, shares present against the quorum, open conflicts, the\n' +
  '      last count. The same in a browser: GET /admin/status?format=html.\n';

export async function statusCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  try {
    const status = await adminClient(values).getJson<MeetingStatus>('/admin/status');
    io.out(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatusText(status));
    return 0;
  } catch (e) {
    if (!(e instanceof AdminRefused)) throw e;
    io.err(`proxyvote status: ${e.message}\n`);
    return 1;
  }
}

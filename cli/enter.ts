// proxyvote enter / polls close: operator entries through the admin API, signed with the operator's
// AWS credentials, so that the same authorization and the same record of who entered what apply as
// for any other client.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type AdminClient, adminClient } from './admin-client.ts';
import { type Out, UsageError } from './io.ts';

export const ENTER_USAGE =
  '  enter paper-proxy --account A --dated YYYY-MM-DD --signed-by NAME --votes JSON      (clerk)\n' +
  '  enter revocation --account A --dated YYYY-MM-DD --signed-by NAME                    (clerk)\n' +
  '  enter meeting-ballot --account A --signed-by NAME --votes JSON                      (clerk)\n' +
  '  enter resolution --account A --chooses INSTRUCTION_ID                               (inspector)\n' +
  '  polls close --yes [--override REASON]                                               (supervisor)\n' +
  '      Declare the polls closed: every vote, the internet included, ends; the inspector can still\n' +
  '      resolve conflicts until the final count. Asks for --yes. Before the meeting starts it is\n' +
  '      refused unless --override gives the reason (an adjourned or emergency close), recorded.\n' +
  '  conflicts                                                                           (inspector)\n' +
  '      The open same-date conflicts: holder, shares, each instrument, the proposals left unvoted.\n' +
  '      Operator actions, recorded under the signing principal. --entry-key K makes a retry safe\n' +
  '      (default: a new random key).\n';

const KINDS = ['paper-proxy', 'revocation', 'meeting-ballot', 'resolution'] as const;

async function send(
  io: Out,
  api: AdminClient,
  path: string,
  body: unknown,
  method: 'POST' | 'GET' = 'POST',
): Promise<number> {
  const res = await api.request(method, path, method === 'POST' ? { body } : {});
  if (res.ok) {
    io.out(`${res.text}\n`);
    return 0;
  }
  io.err(`refused (${res.status}): ${res.text}\n`);
  return 1;
}

export async function enterCommand(args: string[], io: Out): Promise<number> {
  const [kind, ...rest] = args;
  if (!KINDS.includes(kind as (typeof KINDS)[number]))
    throw new UsageError(`enter what? one of ${KINDS.join(', ')}\n${ENTER_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      api: { type: 'string' },
      account: { type: 'string' },
      dated: { type: 'string' },
      'signed-by': { type: 'string' },
      votes: { type: 'string' },
      chooses: { type: 'string' },
      'entry-key': { type: 'string' },
    },
    strict: true,
  });
  let votes: unknown;
  if (values.votes !== undefined) {
    try {
      votes = JSON.parse(values.votes);
    } catch {
      throw new UsageError('--votes must be JSON, e.g. \'{"2":"FOR","1":{"marks":{"wallace":"WITHHOLD"}}}\'');
    }
  }
  const body = {
    kind,
    account: values.account,
    entryKey: values['entry-key'] ?? randomUUID(),
    dated: values.dated,
    signedBy: values['signed-by'],
    votes,
    chooses: values.chooses,
  };
  // A resolution is the inspector's (its own route); the other entries are the clerk's.
  return send(io, adminClient(values), kind === 'resolution' ? '/admin/resolutions' : '/admin/entries', body);
}

export async function pollsCommand(args: string[], io: Out): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'close') throw new UsageError(`polls what? close\n${ENTER_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      api: { type: 'string' },
      override: { type: 'string' },
      yes: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.yes) {
    throw new UsageError(
      'closing the polls ends all voting, the internet included, and cannot be undone: add --yes to confirm',
    );
  }
  return send(
    io,
    adminClient(values),
    '/admin/polls/close',
    values.override === undefined ? {} : { override: values.override },
  );
}

export async function conflictsCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { api: { type: 'string' } }, strict: true });
  return send(io, adminClient(values), '/admin/conflicts', undefined, 'GET');
}

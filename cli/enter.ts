// proxyvote enter / polls close: operator entries through the admin API, so that the same
// authentication and the same record of who entered what apply as for any other client.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Out, UsageError } from './io.ts';

export const ENTER_USAGE =
  '  enter paper-proxy --account A --dated YYYY-MM-DD --signed-by NAME --votes JSON\n' +
  '  enter revocation --account A --dated YYYY-MM-DD --signed-by NAME\n' +
  '  enter meeting-ballot --account A --signed-by NAME --votes JSON\n' +
  '  enter resolution --account A --chooses INSTRUCTION_ID\n' +
  '  polls close [--override REASON] [--yes]\n' +
  '      Declare the polls closed: every vote, the internet included, ends; the inspector can still\n' +
  '      resolve conflicts until the final count. Asks for --yes. Before the meeting starts it is\n' +
  '      refused unless --override gives the reason (an adjourned or emergency close), recorded.\n' +
  '  conflicts\n' +
  '      The open same-date conflicts: holder, shares, each instrument, the proposals left unvoted.\n' +
  '      Operator actions, sent to the admin API at --api URL (or PROXYVOTE_API) with the token in\n' +
  '      PROXYVOTE_ADMIN_TOKEN and the operator named by --operator (or PROXYVOTE_OPERATOR).\n' +
  '      --entry-key K makes a retry safe (default: a new random key).\n';

const KINDS = ['paper-proxy', 'revocation', 'meeting-ballot', 'resolution'] as const;

function connection(values: { api?: string | undefined; operator?: string | undefined }) {
  const api = values.api ?? process.env.PROXYVOTE_API;
  const token = process.env.PROXYVOTE_ADMIN_TOKEN;
  const operator = values.operator ?? process.env.PROXYVOTE_OPERATOR;
  if (!api) throw new UsageError('--api URL (or PROXYVOTE_API) is required');
  if (!token) throw new UsageError('PROXYVOTE_ADMIN_TOKEN is not set');
  if (!operator) throw new UsageError('--operator NAME (or PROXYVOTE_OPERATOR) is required');
  return { api: api.replace(/\/$/, ''), token, operator };
}

async function send(
  io: Out,
  c: ReturnType<typeof connection>,
  path: string,
  body: unknown,
  method: 'POST' | 'GET' = 'POST',
): Promise<number> {
  const res = await fetch(`${c.api}${path}`, {
    method,
    headers: {
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${c.token}`,
      'x-operator': c.operator,
    },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.ok) {
    io.out(`${text}\n`);
    return 0;
  }
  io.err(`refused (${res.status}): ${text}\n`);
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
      operator: { type: 'string' },
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
  return send(io, connection(values), '/admin/entries', body);
}

export async function pollsCommand(args: string[], io: Out): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'close') throw new UsageError(`polls what? close\n${ENTER_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      api: { type: 'string' },
      operator: { type: 'string' },
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
    connection(values),
    '/admin/polls/close',
    values.override === undefined ? {} : { override: values.override },
  );
}

export async function conflictsCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, operator: { type: 'string' } },
    strict: true,
  });
  return send(io, connection(values), '/admin/conflicts', undefined, 'GET');
}

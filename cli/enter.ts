// proxyvote enter / polls close: operator entries through the admin API, signed with the operator's
// AWS credentials, so that the same authorization and the same record of who entered what apply as
// for any other client.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { n, type Out, printJson, UsageError } from './io.ts';

const KINDS = ['paper-proxy', 'revocation', 'meeting-ballot', 'resolution'] as const;

const VOTES_HELP =
  '--votes is JSON keyed by proposal id: a matter takes "FOR", "AGAINST" or "ABSTAIN"; an election\n' +
  'takes {"marks": {"<nominee id>": "FOR" | "WITHHOLD" | "AGAINST"}} (unmarked nominees left out), e.g.\n' +
  '  --votes \'{"1":{"marks":{"wallace":"WITHHOLD"}},"2":"FOR"}\'\n' +
  "A proposal left out is voted as the card's party recommends (the board's on its own card).";

const ENTRY_FOOTER =
  "The answer echoes the holder's name and shares: check them against the card. --entry-key K makes a\n" +
  'retry safe (the same key answers with the first entry; default: a new random key). The entry is\n' +
  "recorded under the signing operator. --json prints the API's answer.";

export const enterCommands: Command[] = [
  {
    name: 'enter paper-proxy',
    summary: 'Enter a signed paper proxy card, dated as written on it.',
    synopsis:
      '--account A --dated YYYY-MM-DD --signed-by NAME --votes JSON [--party ID [--agent NAME]] [--entry-key K] [--api URL] [--json]',
    role: 'clerk',
    details:
      `${VOTES_HELP}\n\n` +
      'In a contest (a meeting file with "parties"), --party names whose card it is (absent: the\n' +
      "registrant's card; the meeting file's party ids, e.g. board, committee) and --agent the proxy\n" +
      "solicitor or tabulator who delivered it. A blank card and unmarked matters follow that party's\n" +
      `recommendations (docs/contests.md).\n\n${ENTRY_FOOTER}`,
    run: (args, io) => enter('paper-proxy', args, io),
  },
  {
    name: 'enter revocation',
    summary: 'Enter a written revocation, dated as written on it.',
    synopsis: '--account A --dated YYYY-MM-DD --signed-by NAME [--entry-key K] [--api URL] [--json]',
    role: 'clerk',
    details: ENTRY_FOOTER,
    run: (args, io) => enter('revocation', args, io),
  },
  {
    name: 'enter meeting-ballot',
    summary: 'Enter a ballot cast at the meeting (once it has started).',
    synopsis: '--account A --signed-by NAME --votes JSON [--entry-key K] [--api URL] [--json]',
    role: 'clerk',
    details: `${VOTES_HELP}\n\n${ENTRY_FOOTER}`,
    run: (args, io) => enter('meeting-ballot', args, io),
  },
  {
    name: 'enter resolution',
    summary: "The inspector's decision between same-date conflicting instruments of one account.",
    synopsis: '--account A --chooses INSTRUCTION_ID [--entry-key K] [--api URL] [--json]',
    role: 'inspector',
    details:
      "`proxyvote conflicts` lists the open conflicts and their instruments' ids. Resolutions stay open\n" +
      `after the polls close, until the final count.\n\n${ENTRY_FOOTER}`,
    run: (args, io) => enter('resolution', args, io),
  },
  {
    name: 'polls close',
    summary: 'Declare the polls closed: every vote, the internet included, ends.',
    synopsis: '--yes [--override REASON] [--api URL] [--json]',
    role: 'supervisor',
    details:
      'The inspector can still resolve conflicts until the final count. Asks for --yes. Before the\n' +
      'meeting starts it is refused unless --override gives the reason (an adjourned or emergency\n' +
      'close), recorded with the closing and the signing operator.',
    run: (args, io) => pollsClose(args, io),
  },
  {
    name: 'conflicts',
    summary: 'The open same-date conflicts: holder, shares, each instrument, the proposals unvoted.',
    synopsis: '[--api URL] [--json]',
    role: 'inspector',
    run: (args, io) => conflicts(args, io),
  },
];

interface Receipt {
  kind: string;
  account: string;
  enteredBy: string;
  instructionId: string;
  receiptCode: string;
  effective: boolean;
  replayed: boolean;
  receivedAt: string;
  holder?: { name: string; jointNames?: string[]; shares: number };
  party?: string | null;
  agent?: string | null;
  conflict: {
    instruments: Array<{ id: string; dated: string; signedBy: string }>;
    proposals: string[];
  } | null;
}

const KIND_WORDS: Record<string, string> = {
  'paper-proxy': 'paper proxy',
  revocation: 'written revocation',
  'meeting-ballot': 'meeting ballot',
  resolution: "inspector's resolution",
};

/** The receipt in words, with the holder's name and shares first, for the clerk to check against the card. */
export function formatReceipt(r: Receipt): string {
  const holder = r.holder
    ? `${r.holder.name}${r.holder.jointNames?.length ? ` and ${r.holder.jointNames.join(', ')}` : ''}, ${n(r.holder.shares)} shares`
    : 'holder not named by the API';
  const lines = [
    `${r.replayed ? 'already recorded (this entry key was used before; nothing new)' : 'recorded'}: ${KIND_WORDS[r.kind] ?? r.kind} for account ${r.account}`,
    `  holder         ${holder}   <- check against the card`,
  ];
  if (r.party) lines.push(`  card of        ${r.party}${r.agent ? `, delivered by ${r.agent}` : ''}`);
  lines.push(
    `  instruction    ${r.instructionId}`,
    `  receipt code   ${r.receiptCode}`,
    `  received       ${r.receivedAt}`,
    `  entered by     ${r.enteredBy}`,
  );
  if (r.conflict) {
    lines.push(
      `  CONFLICT       same-date instruments that differ: ${r.conflict.instruments.map((i) => `${i.id} (dated ${i.dated}, signed by ${i.signedBy})`).join('; ')}`,
      `                 proposals left unvoted until the inspector resolves it: ${r.conflict.proposals.join(', ') || 'none'}`,
      '                 (`proxyvote conflicts`, then `proxyvote enter resolution`)',
    );
  } else if (r.kind !== 'resolution') {
    lines.push(
      `  effective      ${r.effective ? 'yes: it now decides how the account is voted' : 'no: a later-dated instruction of the account decides it'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function enter(kind: (typeof KINDS)[number], args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      account: { type: 'string' },
      dated: { type: 'string' },
      'signed-by': { type: 'string' },
      votes: { type: 'string' },
      chooses: { type: 'string' },
      party: { type: 'string' },
      agent: { type: 'string' },
      'entry-key': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const allowed: Record<(typeof KINDS)[number], string[]> = {
    'paper-proxy': ['account', 'dated', 'signed-by', 'votes', 'party', 'agent'],
    revocation: ['account', 'dated', 'signed-by'],
    'meeting-ballot': ['account', 'signed-by', 'votes'],
    resolution: ['account', 'chooses'],
  };
  const own = ['account', 'dated', 'signed-by', 'votes', 'chooses', 'party', 'agent'] as const;
  for (const o of own)
    if (values[o] !== undefined && !allowed[kind].includes(o))
      throw new UsageError(`--${o} does not belong to a ${KIND_WORDS[kind]}`);
  if (values.agent !== undefined && values.party === undefined)
    throw new UsageError("--agent goes with --party: the agent delivers another party's card");
  const missing = allowed[kind].filter(
    (o) => o !== 'party' && o !== 'agent' && values[o as (typeof own)[number]] === undefined,
  );
  if (missing.length > 0)
    throw new UsageError(
      `${missing.map((m) => `--${m}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} needed for a ${KIND_WORDS[kind]}`,
    );
  let votes: unknown;
  if (values.votes !== undefined) {
    try {
      votes = JSON.parse(values.votes);
    } catch {
      throw new UsageError(`--votes must be JSON, e.g. '{"1":{"marks":{"wallace":"WITHHOLD"}},"2":"FOR"}'`);
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
    party: values.party,
    agent: values.agent,
  };
  // A resolution is the inspector's (its own route); the other entries are the clerk's.
  const res = await adminClient(values).request(
    'POST',
    kind === 'resolution' ? '/admin/resolutions' : '/admin/entries',
    { body },
  );
  if (!res.ok) throw new AdminRefused(res.status, res.text, 'nothing was recorded');
  const receipt = JSON.parse(res.text) as Receipt;
  if (values.json) printJson(io, receipt);
  else io.out(formatReceipt(receipt));
  return 0;
}

async function pollsClose(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      override: { type: 'string' },
      yes: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.yes) {
    throw new UsageError(
      'closing the polls ends all voting, the internet included, and cannot be undone: add --yes to confirm',
    );
  }
  const res = await adminClient(values).request('POST', '/admin/polls/close', {
    body: values.override === undefined ? {} : { override: values.override },
  });
  if (!res.ok) throw new AdminRefused(res.status, res.text, 'the polls are not closed');
  const closed = JSON.parse(res.text) as {
    closedAt: string;
    closedBy: string;
    override?: string;
    alreadyClosed: boolean;
  };
  if (values.json) printJson(io, closed);
  else
    io.out(
      `${closed.alreadyClosed ? 'the polls were already closed' : 'the polls are closed'}: at ${closed.closedAt} by ${closed.closedBy}` +
        `${closed.override ? ` (before the meeting: ${closed.override})` : ''}\n` +
        'Voting has ended; the inspector may resolve open conflicts until the final count (`proxyvote tabulate run --final`).\n',
    );
  return 0;
}

interface ListedConflict {
  account: string;
  holder: { name: string; shares: number };
  instruments: Array<{
    id: string;
    kind: string;
    dated: string;
    signedBy: string;
    receivedAt: string;
    enteredBy: string | null;
  }>;
  proposals: string[];
}

async function conflicts(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const { conflicts: list } = await adminClient(values).getJson<{ conflicts: ListedConflict[] }>(
    '/admin/conflicts',
  );
  if (values.json) {
    printJson(io, { conflicts: list });
    return 0;
  }
  if (list.length === 0) {
    io.out('no open conflicts\n');
    return 0;
  }
  io.out(`${list.length} open conflict${list.length === 1 ? '' : 's'}:\n`);
  for (const c of list) {
    io.out(
      `account ${c.account}, ${c.holder.name}, ${n(c.holder.shares)} shares; unvoted on ${c.proposals.join(', ') || 'none'}\n`,
    );
    for (const i of c.instruments)
      io.out(
        `  ${i.id}  ${i.kind} dated ${i.dated}, signed by ${i.signedBy}, received ${i.receivedAt}${i.enteredBy ? `, entered by ${i.enteredBy}` : ''}\n`,
      );
  }
  io.out('resolve each with: proxyvote enter resolution --account A --chooses INSTRUCTION_ID\n');
  return 0;
}

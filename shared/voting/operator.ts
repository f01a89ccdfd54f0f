// Operator entries (issue "Voting", item 6): a paper proxy with the date written on the card, a
// written revocation, a ballot cast at the meeting, the inspector's resolution of a same-date
// conflict, and declaring the polls closed. Each entry is an instruction that names who entered it
// (enteredBy) and when (receivedAt), so the history itself is the record of every operator action.
import { createHash } from 'node:crypto';
import { cardProblems, validateVotes } from '../domain/ballot.ts';
import { canonicalJson } from '../domain/canonical.ts';
import type { Holder } from '../domain/holder.ts';
import type { Instruction, Votes } from '../domain/instruction.ts';
import { type Meeting, meetingStartMs } from '../domain/meeting.ts';
import { compareInstruments, Tabulator } from '../domain/tabulate.ts';
import { isRealDate, localDate, zonedInstant } from '../domain/time.ts';
import type { PollsState } from './ports.ts';
import { appendInstruction, finalCountMade, pollsClosed, type VotingDeps, VotingError } from './submit.ts';

export interface EntryBase {
  account: string;
  /** Who entered it (the operator's identity: IAM principal on AWS, the token's operator locally). */
  operator: string;
  /** Chosen by the operator's tool, the same on every retry of one entry. */
  entryKey: string;
}

export type OperatorEntry =
  | (EntryBase & {
      kind: 'paper-proxy';
      dated: string;
      signedBy: string;
      votes: Votes;
      /** Contested meetings: the party whose card it is (absent: the registrant's). */
      party?: string | undefined;
      /** The agent (proxy solicitor) who delivered another party's card. */
      agent?: string | undefined;
    })
  | (EntryBase & { kind: 'revocation'; dated: string; signedBy: string })
  | (EntryBase & { kind: 'meeting-ballot'; signedBy: string; votes: Votes })
  | (EntryBase & { kind: 'resolution'; chooses: string });

export interface ConflictInstrument {
  id: string;
  kind: 'proxy' | 'revocation';
  dated: string;
  signedBy: string;
  receivedAt: string;
  enteredBy: string | null;
}

/** An open conflict of one account: its same-date instruments and the proposals left unvoted. */
export interface OpenConflict {
  account: string;
  instruments: ConflictInstrument[];
  /** The proposals on which the instruments' effects differ (every one when a revocation is involved). */
  proposals: string[];
}

export interface EntryReceipt {
  instructionId: string;
  receiptCode: string;
  effective: boolean;
  replayed: boolean;
  receivedAt: string;
  /**
   * Set when the account is left in an open conflict after this entry (a same-date paper instrument
   * that differs): the inspector of elections must resolve it.
   */
  conflict: OpenConflict | null;
  /** The account's holder as the register names it: echoed so that the clerk can check the account keyed. */
  holder: { name: string; jointNames: string[]; shares: number };
}

const invalid = (path: string, message: string) => new VotingError('invalid', message, [{ path, message }]);

export async function enterForOperator(deps: VotingDeps, entry: OperatorEntry): Promise<EntryReceipt> {
  const now = deps.now();
  const holder = await deps.store.holder(entry.account);
  if (!holder) throw invalid('account', `"${entry.account}" is not on the register`);
  if (entry.kind === 'resolution') {
    // The inspector's resolutions stay open after the polls close, until the final count.
    if (await deps.store.finalCountClaimed()) throw finalCountMade();
  } else {
    const polls = await deps.store.polls();
    if (polls) throw pollsClosed(deps.meeting, polls);
  }
  const receivedAt = new Date(now).toISOString();
  const today = localDate(now, deps.meeting.timeZone);
  const id = `op-${createHash('sha256').update(`${entry.account}\n${entry.kind}\n${entry.entryKey}`).digest('hex').slice(0, 32)}`;
  const common = { id, account: entry.account, receivedAt, enteredBy: entry.operator };

  let instruction: Instruction;
  switch (entry.kind) {
    case 'paper-proxy':
    case 'revocation': {
      if (!isRealDate(entry.dated))
        throw invalid('dated', 'must be the date written on the paper, YYYY-MM-DD');
      if (entry.dated > today)
        throw invalid('dated', `is after today (${today}): a paper cannot be dated in the future`);
      instruction =
        entry.kind === 'paper-proxy'
          ? {
              ...common,
              kind: 'proxy',
              channel: 'paper',
              dated: entry.dated,
              signedBy: entry.signedBy,
              ...(entry.party !== undefined ? { party: entry.party } : {}),
              ...(entry.agent !== undefined ? { agent: entry.agent } : {}),
              votes: entry.votes,
            }
          : { ...common, kind: 'revocation', channel: 'paper', dated: entry.dated, signedBy: entry.signedBy };
      break;
    }
    case 'meeting-ballot':
      if (now < meetingStartMs(deps.meeting)) {
        throw new VotingError('invalid', 'A ballot can only be cast once the meeting has started.', [
          { path: 'kind', message: 'the meeting has not started' },
        ]);
      }
      instruction = {
        ...common,
        kind: 'meeting-ballot',
        channel: 'meeting',
        signedBy: entry.signedBy,
        votes: entry.votes,
      };
      break;
    case 'resolution': {
      const history = (await deps.store.history(entry.account)).map((s) => s.instruction);
      const effective = accountState(deps.meeting, holder, history);
      if (effective.status !== 'conflict') {
        throw new VotingError(
          'no-open-conflict',
          `Account ${entry.account} has no open conflict to resolve.`,
          [{ path: 'account', message: 'has no open conflict' }],
        );
      }
      if (!effective.instruments.some((i) => i.id === entry.chooses)) {
        throw invalid(
          'chooses',
          `must be one of the conflicting instruments: ${effective.instruments.map((i) => i.id).join(', ')}`,
        );
      }
      instruction = {
        ...common,
        kind: 'resolution',
        channel: 'inspector',
        chooses: entry.chooses,
        signedBy: entry.operator,
      };
      break;
    }
  }
  if (instruction.kind === 'proxy' || instruction.kind === 'meeting-ballot') {
    const problems = [
      ...(instruction.kind === 'proxy' ? cardProblems(deps.meeting, instruction) : []),
      ...validateVotes(instruction.votes, {
        meeting: deps.meeting,
        holder,
        channel: instruction.channel,
      }),
    ];
    if (problems.length > 0)
      throw new VotingError('invalid', 'The entry could not be recorded as given.', problems);
  }
  const result = await appendInstruction(deps, instruction);
  // A retry carries the same entry; the same key for another entry would otherwise be answered with
  // the first one as if it were its retry, and the second card silently not recorded.
  if (result.outcome === 'duplicate' && !sameEntry(result.stored.instruction, instruction)) {
    throw new VotingError(
      'idempotency-conflict',
      'This entry key was already used for a different entry. Use a new key for a new entry.',
      [{ path: 'entryKey', message: 'was used for a different entry' }],
    );
  }
  // The clerk is told at once when the entry leaves the account in a conflict (RULES.md section 7).
  const stored = result.stored.instruction;
  const conflict =
    stored.kind === 'meeting-ballot' ? null : await openConflictOf(deps, holder, stored.id, entry.account);
  return {
    instructionId: stored.id,
    receiptCode: result.stored.receiptCode,
    effective: result.effective && conflict === null,
    replayed: result.outcome === 'duplicate',
    receivedAt: stored.receivedAt,
    conflict,
    holder: { name: holder.name, jointNames: holder.jointNames, shares: holder.shares },
  };
}

/** What decides an account now: the count's own rule (Tabulator), with the meeting's timeline applied. */
function accountState(
  meeting: Meeting,
  holder: Pick<Holder, 'account' | 'shares' | 'nominee'>,
  history: readonly Instruction[],
  polls: PollsState | null = null,
) {
  return new Tabulator(meeting, { cumulative: false, pollsClosedAt: polls?.closedAt }).addAccount(
    holder,
    history,
  ).effective;
}

/** The account's open conflict, described for the clerk and the inspector, or null. */
export function describeConflict(
  meeting: Meeting,
  holder: Pick<Holder, 'account' | 'shares' | 'nominee'>,
  history: readonly Instruction[],
  polls: PollsState | null,
): OpenConflict | null {
  const effective = accountState(meeting, holder, history, polls);
  if (effective.status !== 'conflict') return null;
  const { differ } = compareInstruments(effective.instruments, holder, {
    meeting,
    cumulative: new Set<string>(),
  });
  return {
    account: holder.account,
    instruments: effective.instruments.map((i) => ({
      id: i.id,
      kind: i.kind,
      dated: i.dated ?? localDate(Date.parse(i.receivedAt), meeting.timeZone),
      signedBy: i.signedBy,
      receivedAt: i.receivedAt,
      enteredBy: i.enteredBy ?? null,
    })),
    proposals: differ,
  };
}

/** The account's open conflict after an entry, when that entry is one of its instruments. */
async function openConflictOf(
  deps: VotingDeps,
  holder: Holder,
  instructionId: string,
  account: string,
): Promise<OpenConflict | null> {
  const history = (await deps.store.history(account)).map((s) => s.instruction);
  const conflict = describeConflict(deps.meeting, holder, history, null);
  return conflict?.instruments.some((i) => i.id === instructionId) ? conflict : null;
}

export interface CloseRequest {
  operator: string;
  /**
   * Closing before the meeting starts (an adjourned or emergency close) needs a reason, recorded with
   * the closing.
   */
  override?: string | undefined;
}

/** Declare the polls closed: refused before the meeting starts unless an override says why. */
export async function closePolls(
  deps: VotingDeps,
  request: CloseRequest,
): Promise<PollsState & { alreadyClosed: boolean }> {
  const now = deps.now();
  const start = meetingStartMs(deps.meeting);
  const override = request.override?.trim();
  // Asking again answers with the closing already recorded.
  const closed = await deps.store.polls();
  if (closed) return { ...closed, alreadyClosed: true };
  if (now < start && !override) {
    throw new VotingError(
      'invalid',
      `The meeting starts at ${zonedInstant(start, deps.meeting.timeZone)}: the polls close at the meeting. To close them earlier (an adjourned or emergency close), give the reason as an override; it is recorded with the closing.`,
      [{ path: 'override', message: 'is needed to close the polls before the meeting starts' }],
    );
  }
  return deps.store.closePolls({
    closedAt: new Date(now).toISOString(),
    closedBy: request.operator,
    ...(now < start && override ? { override } : {}),
  });
}

/** The same entry: everything but when it was received and who entered it (a retry may differ in those). */
function sameEntry(a: Instruction, b: Instruction): boolean {
  const content = (i: Instruction) => {
    const { receivedAt: _at, enteredBy: _by, ...rest } = i;
    // An inspector's resolution is signed by whoever enters it.
    return canonicalJson(i.kind === 'resolution' ? { ...rest, signedBy: '' } : rest);
  };
  return content(a) === content(b);
}

// Operator entries (issue "Voting", item 6): a paper proxy with the date written on the card, a
// written revocation, a ballot cast at the meeting, the inspector's resolution of a same-date
// conflict, and declaring the polls closed. Each entry is an instruction that names who entered it
// (enteredBy) and when (receivedAt), so the history itself is the record of every operator action.
import { createHash } from 'node:crypto';
import { validateVotes, votesAlike } from '../domain/ballot.ts';
import { canonicalJson } from '../domain/canonical.ts';
import { newReceiptCode } from '../domain/control-number.ts';
import type { Instruction, Votes } from '../domain/instruction.ts';
import { meetingStartMs } from '../domain/meeting.ts';
import { effectiveInstruction, orderKey } from '../domain/revocation.ts';
import { isRealDate, localDate } from '../domain/time.ts';
import type { AppendResult } from './ports.ts';
import { type VotingDeps, VotingError } from './submit.ts';

export interface EntryBase {
  account: string;
  /** Who entered it (the operator's identity: IAM principal on AWS, the token's operator locally). */
  operator: string;
  /** Chosen by the operator's tool, the same on every retry of one entry. */
  entryKey: string;
}

export type OperatorEntry =
  | (EntryBase & { kind: 'paper-proxy'; dated: string; signedBy: string; votes: Votes })
  | (EntryBase & { kind: 'revocation'; dated: string; signedBy: string })
  | (EntryBase & { kind: 'meeting-ballot'; signedBy: string; votes: Votes })
  | (EntryBase & { kind: 'resolution'; chooses: string });

export interface EntryReceipt {
  instructionId: string;
  receiptCode: string;
  effective: boolean;
  replayed: boolean;
  receivedAt: string;
}

const invalid = (path: string, message: string) => new VotingError('invalid', message, [{ path, message }]);

export async function enterForOperator(deps: VotingDeps, entry: OperatorEntry): Promise<EntryReceipt> {
  const now = deps.now();
  const holder = await deps.store.holder(entry.account);
  if (!holder) throw invalid('account', `"${entry.account}" is not on the register`);
  const closedAt = await deps.store.pollsClosedAt();
  if (closedAt)
    throw new VotingError(
      'closed',
      `The polls were declared closed at ${closedAt}; nothing more can be entered.`,
    );
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
      const alike = votesAlike(holder, { meeting: deps.meeting, cumulative: new Set<string>() });
      const effective = effectiveInstruction(history, deps.meeting.timeZone, alike);
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
    const problems = validateVotes(instruction.votes, {
      meeting: deps.meeting,
      holder,
      channel: instruction.channel,
    });
    if (problems.length > 0)
      throw new VotingError('invalid', 'The entry could not be recorded as given.', problems);
  }
  const result: AppendResult = await deps.store.append(
    instruction,
    newReceiptCode(deps.randomBytes),
    orderKey(instruction, deps.meeting.timeZone),
    { pollsMustBeOpen: true },
  );
  // A retry carries the same entry; the same key for another entry would otherwise be answered with
  // the first one as if it were its retry, and the second card silently not recorded.
  if (result.outcome === 'duplicate' && !sameEntry(result.stored.instruction, instruction)) {
    throw new VotingError(
      'idempotency-conflict',
      'This entry key was already used for a different entry. Use a new key for a new entry.',
      [{ path: 'entryKey', message: 'was used for a different entry' }],
    );
  }
  return {
    instructionId: result.stored.instruction.id,
    receiptCode: result.stored.receiptCode,
    effective: result.effective,
    replayed: result.outcome === 'duplicate',
    receivedAt: result.stored.instruction.receivedAt,
  };
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

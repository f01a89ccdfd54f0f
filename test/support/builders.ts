// Small builders for domain tests: a meeting, holders and instructions with only what a case needs.
import { readFileSync } from 'node:fs';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction, Votes } from '../../shared/domain/instruction.ts';
import { type Meeting, meetingSchema, parseMeeting } from '../../shared/domain/meeting.ts';

export const hemacare = (): Meeting =>
  parseMeeting(readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8'));

/** A meeting like the reference one with other proposals and shares outstanding. */
export function meetingWith(overrides: Partial<Meeting>): Meeting {
  return meetingSchema.parse({ ...hemacare(), ...overrides });
}

export function holder(account: string, shares: number, extra: Partial<Holder> = {}): Holder {
  return {
    account,
    name: `Holder ${account}`,
    jointNames: [],
    email: null,
    eDelivery: false,
    mailingAddress: '1 Main Street, Springfield',
    shares,
    nominee: false,
    ...extra,
  };
}

let seq = 0;
const nextId = () => `i${String(++seq).padStart(6, '0')}`;

/** An internet proxy received at `at` (ISO instant). */
export function internet(account: string, at: string, votes: Votes = {}, id = nextId()): Instruction {
  return { id, account, kind: 'proxy', channel: 'internet', receivedAt: at, signedBy: account, votes };
}

/** A paper proxy dated `dated`, received (entered) at `receivedAt`. */
export function paper(
  account: string,
  dated: string,
  receivedAt: string,
  votes: Votes = {},
  id = nextId(),
): Instruction {
  return {
    id,
    account,
    kind: 'proxy',
    channel: 'paper',
    dated,
    receivedAt,
    signedBy: account,
    enteredBy: 'clerk',
    votes,
  };
}

export function revocation(account: string, dated: string, receivedAt: string, id = nextId()): Instruction {
  return {
    id,
    account,
    kind: 'revocation',
    channel: 'paper',
    dated,
    receivedAt,
    signedBy: account,
    enteredBy: 'clerk',
  };
}

export function ballot(account: string, at: string, votes: Votes = {}, id = nextId()): Instruction {
  return {
    id,
    account,
    kind: 'meeting-ballot',
    channel: 'meeting',
    receivedAt: at,
    signedBy: account,
    enteredBy: 'clerk',
    votes,
  };
}

export function resolution(account: string, chooses: string, at: string, id = nextId()): Instruction {
  return {
    id,
    account,
    kind: 'resolution',
    channel: 'inspector',
    chooses,
    receivedAt: at,
    signedBy: 'inspector',
  };
}

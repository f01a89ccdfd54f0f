// What an instruction says, checked against the meeting and the account, and turned into the shares
// (or cumulative votes) it gives each choice. RULES.md section 4.
import { canonicalJson } from './canonical.ts';
import type { Holder } from './holder.ts';
import type { ElectionVote, MatterVote, NomineeVote, Votes, VotingInstruction } from './instruction.ts';
import {
  type Election,
  electionStandard,
  isContestedElection,
  type Matter,
  type Meeting,
  matterRecommendation,
  nomineeRecommendation,
  registrantOf,
} from './meeting.ts';

export interface Problem {
  /** Dotted path of the offending field, e.g. "votes.1.marks.darlington". */
  path: string;
  message: string;
}

export interface ValidationContext {
  meeting: Meeting;
  holder: Pick<Holder, 'account' | 'shares' | 'nominee'>;
  /**
   * Over-votes on paper and on ballots cast at the meeting are recorded (and count as RULES.md section 7
   * says: no director votes); on-line they are refused.
   */
  channel: 'internet' | 'phone' | 'paper' | 'meeting';
}

/** The internet and the phone refuse what paper records: over-votes and empty allocations. */
const isOnline = (channel: ValidationContext['channel']) => channel === 'internet' || channel === 'phone';

const isSplit = <T extends string>(
  v: T | Partial<Record<string, number>>,
): v is Partial<Record<string, number>> => typeof v === 'object';

function splitTotal(v: Partial<Record<string, number>>): number {
  return Object.values(v).reduce<number>((s, n) => s + (n ?? 0), 0);
}

/** Every problem with the votes of an instruction; empty when it can be recorded. */
export function validateVotes(votes: Votes, ctx: ValidationContext): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(ctx.meeting.proposals.map((p) => [p.id, p]));
  for (const [proposalId, vote] of Object.entries(votes)) {
    const path = `votes.${proposalId}`;
    const proposal = byId.get(proposalId);
    if (!proposal) {
      problems.push({ path, message: `no proposal "${proposalId}" in this meeting` });
      continue;
    }
    if (proposal.kind === 'matter') {
      if (typeof vote === 'object' && ('marks' in vote || 'allocation' in vote)) {
        problems.push({ path, message: 'is a matter: vote FOR, AGAINST or ABSTAIN' });
        continue;
      }
      checkMatterVote(vote as MatterVote, path, ctx, problems);
    } else {
      if (typeof vote !== 'object' || !('marks' in vote || 'allocation' in vote)) {
        problems.push({ path, message: 'is an election: give marks per nominee, or an allocation' });
        continue;
      }
      checkElectionVote(proposal, vote as ElectionVote, path, ctx, problems);
    }
  }
  return problems;
}

/**
 * Whose card a proxy is on (RULES.md section 8): a party of the meeting; another party's card than the
 * registrant's arrives on paper (the internet and phone ballot is the registrant's card), and only a
 * paper card names the agent that delivered it.
 */
export function cardProblems(
  meeting: Pick<Meeting, 'parties'>,
  i: { channel: string; party?: string | undefined; agent?: string | undefined },
): Problem[] {
  const problems: Problem[] = [];
  if (i.party !== undefined) {
    const known = meeting.parties?.map((p) => p.id) ?? [];
    if (!known.includes(i.party)) {
      problems.push({
        path: 'party',
        message: known.length
          ? `no party "${i.party}" in this meeting (${known.map((k) => `"${k}"`).join(', ')})`
          : `no party "${i.party}": this meeting names no soliciting parties, leave party out`,
      });
    } else if (i.party !== registrantOf(meeting) && i.channel !== 'paper') {
      problems.push({
        path: 'party',
        message: `the ${i.channel} ballot is the registrant's card; only a paper proxy may be on another party's card`,
      });
    }
  }
  if (i.agent !== undefined && i.channel !== 'paper')
    problems.push({ path: 'agent', message: 'only a paper proxy names the agent that delivered it' });
  return problems;
}

function checkMatterVote(vote: MatterVote, path: string, ctx: ValidationContext, problems: Problem[]): void {
  if (!isSplit(vote)) return;
  if (!ctx.holder.nominee) {
    problems.push({
      path,
      message: 'only a nominee account may split its shares; choose FOR, AGAINST or ABSTAIN',
    });
    return;
  }
  const total = splitTotal(vote);
  if (total > ctx.holder.shares) {
    problems.push({ path, message: `splits ${total} shares, more than the account's ${ctx.holder.shares}` });
  }
}

function checkElectionVote(
  e: Election,
  vote: ElectionVote,
  path: string,
  ctx: ValidationContext,
  problems: Problem[],
) {
  const nomineeIds = new Set(e.nominees.map((n) => n.id));
  const standard = electionStandard(ctx.meeting, e);
  const wrongChoice = standard === 'plurality' ? 'AGAINST' : 'WITHHOLD';
  let forMarks = 0;
  let forShares = 0;
  for (const [nomineeId, mark] of Object.entries(vote.marks)) {
    const markPath = `${path}.marks.${nomineeId}`;
    if (!nomineeIds.has(nomineeId)) {
      problems.push({ path: markPath, message: `no nominee "${nomineeId}" in proposal ${e.id}` });
      continue;
    }
    if (isSplit(mark)) {
      if (!ctx.holder.nominee) {
        problems.push({ path: markPath, message: 'only a nominee account may split its shares' });
        continue;
      }
      if ((mark[wrongChoice] ?? 0) > 0)
        problems.push({ path: `${markPath}.${wrongChoice}`, message: wrongChoiceMessage(standard) });
      const total = splitTotal(mark);
      if (total > ctx.holder.shares && isOnline(ctx.channel)) {
        problems.push({
          path: markPath,
          message: `splits ${total} shares, more than the account's ${ctx.holder.shares}`,
        });
      }
      forShares += mark.FOR ?? 0;
    } else {
      if (mark === wrongChoice) problems.push({ path: markPath, message: wrongChoiceMessage(standard) });
      if (mark === 'FOR') {
        forMarks += 1;
        forShares += ctx.holder.shares;
      }
    }
  }
  if (forMarks > e.seats && isOnline(ctx.channel)) {
    problems.push({
      path: `${path}.marks`,
      message: `marks FOR ${forMarks} nominees but only ${e.seats} seats are to be filled`,
    });
  } else if (forShares > ctx.holder.shares * e.seats && forMarks <= e.seats && isOnline(ctx.channel)) {
    problems.push({
      path: `${path}.marks`,
      message: `gives ${forShares} FOR votes, more than shares x seats (${ctx.holder.shares * e.seats})`,
    });
  }
  if (vote.allocation) {
    if (!e.cumulativeVotingAllowed) {
      problems.push({
        path: `${path}.allocation`,
        message: 'this election does not allow cumulative voting',
      });
    }
    let total = 0;
    for (const [nomineeId, votes] of Object.entries(vote.allocation)) {
      if (!nomineeIds.has(nomineeId)) {
        problems.push({
          path: `${path}.allocation.${nomineeId}`,
          message: `no nominee "${nomineeId}" in proposal ${e.id}`,
        });
      }
      total += votes;
    }
    const limit = ctx.holder.shares * e.seats;
    if (total === 0 && isOnline(ctx.channel)) {
      problems.push({
        path: `${path}.allocation`,
        message: 'gives no votes to any nominee: give votes to at least one, or leave the allocation out',
      });
    }
    if (total > limit) {
      problems.push({
        path: `${path}.allocation`,
        message: `allocates ${total} votes, more than shares x seats (${ctx.holder.shares} x ${e.seats} = ${limit})`,
      });
    }
  }
}

function wrongChoiceMessage(standard: Election['standard']): string {
  return standard === 'plurality'
    ? 'a plurality election takes FOR or WITHHOLD, not AGAINST'
    : 'a majority election takes FOR or AGAINST, not WITHHOLD';
}

// ---------------------------------------------------------------------------------------------------
// What an instruction gives each choice, in shares (straight) or votes (cumulative).

export interface MatterCount {
  FOR: number;
  AGAINST: number;
  ABSTAIN: number;
  /** A nominee account's shares left unvoted on a non-routine proposal. */
  brokerNonVotes: number;
}

export interface NomineeCount {
  FOR: number;
  /** WITHHOLD under plurality, AGAINST under majority of votes cast. */
  WITHHOLD: number;
  AGAINST: number;
  brokerNonVotes: number;
}

export type Contribution =
  | { kind: 'matter'; count: MatterCount }
  | { kind: 'straight'; nominees: Record<string, NomineeCount>; overVote: boolean }
  | {
      kind: 'cumulative';
      /** Votes given by an explicit allocation, or by a ballot or exact marks. */
      fixed: Record<string, number>;
      /** Votes left to the proxyholder's discretion (shares x seats), limited to `allowed`. */
      discretionary: { votes: number; allowed: string[] } | null;
      /** WITHHOLD in votes (shares x seats), per nominee (RULES.md section 7). */
      withhold: Record<string, number>;
      brokerNonVotes: number;
      overVote: boolean;
    };

export interface CountingContext {
  meeting: Meeting;
  /** Elections (by id) in which cumulative voting was invoked at the meeting. */
  cumulative: ReadonlySet<string>;
}

/** What the count reads of a voting instruction: its kind, channel, votes and (proxies) whose card. */
export type CountedInstruction = Pick<VotingInstruction, 'kind' | 'channel' | 'votes'> & {
  party?: string | undefined;
};

/**
 * What one voting instruction contributes to each proposal. Blank marks follow RULES.md sections 4 and
 * 8: they are filled in only on a proxy of an account that is not a nominee (the blank-card rule is the
 * proxy's own wording), as the party whose card it is recommends (the registrant's when the proxy
 * names none); a ballot cast at the meeting and a nominee's proxy count exactly as marked.
 */
export function contributions(
  instr: CountedInstruction,
  holder: Pick<Holder, 'shares' | 'nominee'>,
  ctx: CountingContext,
): Map<string, Contribution> {
  const fillBlanks = instr.kind === 'proxy' && !holder.nominee;
  const party = instr.kind === 'proxy' ? instr.party : undefined;
  const out = new Map<string, Contribution>();
  for (const p of ctx.meeting.proposals) {
    const vote = instr.votes[p.id];
    if (p.kind === 'matter') {
      const recommended = fillBlanks ? matterRecommendation(ctx.meeting, p, party) : undefined;
      out.set(p.id, {
        kind: 'matter',
        count: matterContribution(p, vote as MatterVote | undefined, holder, recommended),
      });
    } else {
      const ev = vote as ElectionVote | undefined;
      const card = cardRecommendations(ctx.meeting, p, party);
      out.set(
        p.id,
        ctx.cumulative.has(p.id)
          ? cumulativeContribution(p, ev, holder, fillBlanks, instr.kind === 'meeting-ballot', card)
          : straightContribution(p, ev, holder, fillBlanks, card),
      );
    }
  }
  return out;
}

/**
 * A party's card for one election: nominee id -> the mark a blank line gets, in the words of the
 * standard the election is decided by (WITHHOLD under plurality, AGAINST under majority of votes cast).
 * `party` undefined: the registrant's card.
 */
export function cardRecommendations(
  meeting: Pick<Meeting, 'parties'>,
  e: Election,
  party: string | undefined,
): Map<string, NomineeVote> {
  const negative = electionStandard(meeting, e) === 'plurality' ? 'WITHHOLD' : 'AGAINST';
  const out = new Map<string, NomineeVote>();
  for (const n of e.nominees) {
    const rec = nomineeRecommendation(meeting, n, party);
    if (rec) out.set(n.id, rec === 'FOR' ? 'FOR' : negative);
  }
  return out;
}

function emptyMatter(): MatterCount {
  return { FOR: 0, AGAINST: 0, ABSTAIN: 0, brokerNonVotes: 0 };
}

/** `recommended`: what the card's party recommends, when the blank-card rule applies and it gives one. */
function matterContribution(
  m: Matter,
  vote: MatterVote | undefined,
  holder: Pick<Holder, 'shares' | 'nominee'>,
  recommended: 'FOR' | 'AGAINST' | undefined,
): MatterCount {
  const c = emptyMatter();
  const choice = vote ?? recommended;
  if (choice === undefined) {
    if (holder.nominee && !m.routine) c.brokerNonVotes = holder.shares;
    return c;
  }
  if (!isSplit(choice)) {
    c[choice] = holder.shares;
    return c;
  }
  c.FOR = choice.FOR ?? 0;
  c.AGAINST = choice.AGAINST ?? 0;
  c.ABSTAIN = choice.ABSTAIN ?? 0;
  const unvoted = holder.shares - c.FOR - c.AGAINST - c.ABSTAIN;
  if (holder.nominee && !m.routine) c.brokerNonVotes = unvoted;
  return c;
}

/**
 * The marks after the blank-card rule: nominee id -> mark, for the nominees that end up marked. `card`:
 * what the card's party recommends on each nominee (cardRecommendations); by default the board's FOR.
 */
export function effectiveMarks(
  e: Election,
  vote: ElectionVote | undefined,
  fillBlanks: boolean,
  card?: ReadonlyMap<string, NomineeVote>,
): Map<string, NomineeVote> {
  const marks = new Map<string, NomineeVote>();
  for (const n of e.nominees) {
    const mark = vote?.marks[n.id];
    if (mark !== undefined) marks.set(n.id, mark);
  }
  if (!fillBlanks) return marks;
  // Contested: a card marking some nominees counts only its marks (CDI 139.08); one marking none is
  // voted as its party recommends (CDI 139.09). Uncontested: each unmarked line is voted as the card's
  // party recommends (the board's nominees FOR).
  if (isContestedElection(e) && marks.size > 0) return marks;
  for (const n of e.nominees) {
    if (marks.has(n.id)) continue;
    const rec = card ? card.get(n.id) : n.boardRecommends ? 'FOR' : undefined;
    if (rec !== undefined) marks.set(n.id, rec);
  }
  return marks;
}

function straightContribution(
  e: Election,
  vote: ElectionVote | undefined,
  holder: Pick<Holder, 'shares' | 'nominee'>,
  fillBlanks: boolean,
  card: ReadonlyMap<string, NomineeVote>,
): Contribution {
  const nominees: Record<string, NomineeCount> = {};
  for (const n of e.nominees) nominees[n.id] = { FOR: 0, WITHHOLD: 0, AGAINST: 0, brokerNonVotes: 0 };
  // An allocation with cumulation not invoked: FOR each nominee it gives votes to, nothing else.
  const marks =
    vote && Object.keys(vote.marks).length === 0 && vote.allocation
      ? new Map<string, NomineeVote>(
          Object.entries(vote.allocation)
            .filter(([, v]) => v > 0)
            .map(([id]) => [id, 'FOR']),
        )
      : effectiveMarks(e, vote, fillBlanks, card);
  if (overVoted(e, marks, holder)) {
    // A paper or meeting over-vote: no director votes from it (CDI 139.07); its other proposals count.
    return { kind: 'straight', nominees, overVote: true };
  }
  for (const n of e.nominees) {
    const c = nominees[n.id] as NomineeCount;
    const mark = marks.get(n.id);
    if (mark === undefined) {
      if (holder.nominee && !e.routine) c.brokerNonVotes = holder.shares;
      continue;
    }
    if (!isSplit(mark)) {
      c[mark] = holder.shares;
      continue;
    }
    c.FOR = mark.FOR ?? 0;
    c.WITHHOLD = mark.WITHHOLD ?? 0;
    c.AGAINST = mark.AGAINST ?? 0;
    if (holder.nominee && !e.routine) c.brokerNonVotes = holder.shares - c.FOR - c.WITHHOLD - c.AGAINST;
  }
  return { kind: 'straight', nominees, overVote: false };
}

/**
 * An over-vote (CDI 139.07, RULES.md section 7): more nominees marked FOR than seats; for a nominee
 * account's splits, a nominee given more shares than the account holds or more FOR shares in all than
 * shares x seats. On-line these are refused; on paper and at the meeting they give no director votes.
 */
function overVoted(
  e: Election,
  marks: ReadonlyMap<string, NomineeVote>,
  holder: Pick<Holder, 'shares' | 'nominee'>,
): boolean {
  let forMarks = 0;
  let forShares = 0;
  for (const mark of marks.values()) {
    if (!isSplit(mark)) {
      if (mark === 'FOR') {
        forMarks += 1;
        forShares += holder.shares;
      }
      continue;
    }
    if (splitTotal(mark) > holder.shares) return true;
    forShares += mark.FOR ?? 0;
  }
  return forMarks > e.seats || forShares > holder.shares * e.seats;
}

function cumulativeContribution(
  e: Election,
  vote: ElectionVote | undefined,
  holder: Pick<Holder, 'shares' | 'nominee'>,
  fillBlanks: boolean,
  isMeetingBallot: boolean,
  card: ReadonlyMap<string, NomineeVote>,
): Contribution {
  const fixed: Record<string, number> = {};
  const none = { kind: 'cumulative' as const, fixed, discretionary: null, withhold: {}, overVote: false };
  if (vote?.allocation) {
    for (const [id, v] of Object.entries(vote.allocation)) if (v > 0) fixed[id] = v;
    return { ...none, withhold: withheldVotes(e, vote.marks, holder), brokerNonVotes: 0 };
  }
  if (holder.nominee) {
    // A nominee account votes a cumulative election by explicit allocation only.
    return { ...none, brokerNonVotes: e.routine ? 0 : holder.shares };
  }
  const marks = effectiveMarks(e, vote, fillBlanks, card);
  const marked = e.nominees.filter((n) => marks.get(n.id) === 'FOR').map((n) => n.id);
  if (marked.length > e.seats) return { ...none, brokerNonVotes: 0, overVote: true };
  const withhold = withheldVotes(e, Object.fromEntries(marks), holder);
  if (marked.length === 0) return { ...none, withhold, brokerNonVotes: 0 };
  if (isMeetingBallot) {
    // A ballot cast in person without an allocation is not cumulated: its shares to each nominee marked.
    for (const id of marked) fixed[id] = holder.shares;
    return { ...none, withhold, brokerNonVotes: 0 };
  }
  return {
    ...none,
    discretionary: { votes: holder.shares * e.seats, allowed: marked },
    withhold,
    brokerNonVotes: 0,
  };
}

/** WITHHOLD marks in a cumulative election, in votes: shares (or the split's part) x seats. */
function withheldVotes(
  e: Election,
  marks: Readonly<Record<string, NomineeVote>>,
  holder: Pick<Holder, 'shares'>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of e.nominees) {
    const mark = marks[n.id];
    const shares = mark === 'WITHHOLD' ? holder.shares : mark && isSplit(mark) ? (mark.WITHHOLD ?? 0) : 0;
    if (shares > 0) out[n.id] = shares * e.seats;
  }
  return out;
}

/** Canonical text of a contribution, to tell whether two instruments vote a proposal the same way. */
export function contributionKey(c: Contribution): string {
  return canonicalJson(c);
}

/** Whether two voting instructions of one account vote every proposal alike (after the blank-card rule). */
export function votesAlike(
  holder: Pick<Holder, 'shares' | 'nominee'>,
  ctx: CountingContext,
): (a: CountedInstruction, b: CountedInstruction) => boolean {
  return (a, b) => {
    const ca = contributions(a, holder, ctx);
    const cb = contributions(b, holder, ctx);
    for (const [id, c] of ca) {
      const other = cb.get(id);
      if (!other || contributionKey(c) !== contributionKey(other)) return false;
    }
    return true;
  };
}

// The count: shares present, quorum, and the outcome of every proposal (RULES.md section 6). One
// implementation serves the nightly tabulation, the final count and the inspector's recount.
import {
  type Contribution,
  type CountingContext,
  cardProblems,
  contributionKey,
  contributions,
  type MatterCount,
  type NomineeCount,
  type Problem,
  validateVotes,
  votesAlike,
} from './ballot.ts';
import { canonicalJson } from './canonical.ts';
import { allocateCumulative } from './cumulative.ts';
import type { Holder } from './holder.ts';
import type { Instruction, VotingInstruction } from './instruction.ts';
import {
  type Election,
  electionStandard,
  InvalidInputError,
  type Matter,
  type Meeting,
  requiredQuorum,
} from './meeting.ts';
import { type Effective, effectiveInstruction } from './revocation.ts';
import { historyDigest, inputDigestOf, registerDigest } from './tamper.ts';
import {
  applyTimeline,
  type RejectedInstruction,
  type Timeline,
  type TimelineInstants,
  timelineInstants,
} from './timeline.ts';

export interface TabulationOptions extends Timeline {
  /** Cumulative voting was invoked at the meeting: every election that allows it is cumulated. */
  cumulative: boolean;
}

/** The options as the input digest reads them: the polls' closing only once it is known. */
export function digestOptions(options: TabulationOptions): Record<string, unknown> {
  return {
    cumulative: options.cumulative,
    ...(options.pollsClosedAt ? { pollsClosedAt: options.pollsClosedAt } : {}),
  };
}

export interface NomineeResult {
  id: string;
  name: string;
  boardRecommends: boolean;
  /** Shares, or votes (shares x seats) in a cumulative election. */
  for: number;
  withhold: number;
  against: number;
  brokerNonVotes: number;
  /** Cumulative only: the part of `for` that came from proxyholder discretion. */
  discretionary?: number;
  /** Contested meetings (with parties): the party or parties that nominate it. */
  parties?: string[];
}

export type ElectionOutcome =
  | { status: 'no-quorum' }
  | {
      status: 'decided' | 'tie';
      elected: string[];
      /** Nominees tied for the last seat(s); the product never breaks a tie. */
      tied: string[];
      /** How many seats the tied nominees compete for. */
      tiedSeats: number;
    };

export interface ElectionResult {
  kind: 'election';
  id: string;
  title: string;
  seats: number;
  standard: Election['standard'];
  cumulative: boolean;
  unit: 'shares' | 'votes';
  nominees: NomineeResult[];
  /** Paper cards that marked FOR more nominees than seats: no director votes counted from them. */
  overVotes: number;
  threshold: string;
  outcome: ElectionOutcome;
}

export interface MatterResult {
  kind: 'matter';
  id: string;
  title: string;
  standard: Matter['standard'];
  for: number;
  against: number;
  abstain: number;
  brokerNonVotes: number;
  /** The least FOR that approves, given the counts (the higher of the two tests for the seed's standard). */
  threshold: { rule: string; forAtLeast: number };
  outcome: 'approved' | 'not-approved' | 'no-quorum';
  /** Only for a proposal naming interested accounts: the tally without them (RULES.md section 8). */
  disinterested?: DisinterestedTally;
}

/**
 * A proposal's tally without its interested accounts: their shares are left out of votes cast, shares
 * present and shares outstanding alike, and the proposal's standard is applied to what remains. The
 * outcome still needs the meeting's quorum, decided on all shares.
 */
export interface DisinterestedTally {
  /** The accounts the meeting file names as interested. */
  excludedAccounts: string[];
  /** Their shares of record (left out of the shares outstanding). */
  excludedShares: number;
  /** Their shares present (left out of the shares present). */
  excludedPresent: number;
  sharesOutstanding: number;
  sharesPresent: number;
  for: number;
  against: number;
  abstain: number;
  brokerNonVotes: number;
  threshold: { rule: string; forAtLeast: number };
  outcome: 'approved' | 'not-approved' | 'no-quorum';
}

export interface ConflictReport {
  account: string;
  shares: number;
  instruments: string[];
  /** The proposals on which the instruments differ: left unvoted until the inspector resolves it. */
  proposals: string[];
}

/** One instruction as the inspector's certificate names it: who signed it, and its dates. */
export interface InstrumentBrief {
  id: string;
  kind: Instruction['kind'];
  channel: Instruction['channel'];
  signedBy: string;
  /** The date written on a paper instrument. */
  dated?: string;
  receivedAt: string;
}

/** A conflict the inspector resolved: the instruments it saw, the one it chose, and who decided when. */
export interface ResolvedConflict {
  account: string;
  shares: number;
  resolution: InstrumentBrief;
  chosen: InstrumentBrief;
  /** The same-date paper instruments of the account received before the resolution (chosen among them). */
  instruments: InstrumentBrief[];
}

export interface ChannelTally {
  accounts: number;
  shares: number;
}

/**
 * How the shares present came (the channel of each account's effective instruction): in person (a
 * ballot cast at the meeting) or by proxy (internet, phone, paper; a paper conflict is by proxy).
 */
export interface Presence {
  inPerson: ChannelTally;
  byProxy: ChannelTally;
  byChannel: Record<'internet' | 'phone' | 'paper' | 'meeting', ChannelTally>;
  /** Instructions counted (within the meeting's timeline), by channel and kind. */
  received: Record<
    'internet' | 'phone' | 'paper' | 'meeting' | 'inspector',
    { proxies: number; revocations: number; ballots: number; resolutions: number }
  >;
}

export interface TabulationResult {
  meeting: string;
  sharesOutstanding: number;
  requiredQuorum: number;
  sharesPresent: number;
  quorumMet: boolean;
  cumulative: boolean;
  accounts: {
    total: number;
    present: number;
    revoked: number;
    conflicted: number;
    withoutInstruction: number;
  };
  proposals: Array<ElectionResult | MatterResult>;
  conflicts: ConflictReport[];
  /**
   * Instructions left out of the count because they break the meeting's timeline (RULES.md section
   * 7), by account, then receipt.
   */
  rejected: RejectedInstruction[];
  /** When the polls were declared closed, as the count knew it (null: open). */
  pollsClosedAt: string | null;
  /** Shares present in person and by proxy, by channel (absent in counts stored before it was recorded). */
  presence?: Presence;
  /** Conflicts the inspector resolved, by account (absent in counts stored before it was recorded). */
  resolved?: ResolvedConflict[];
  /** The instruments of the open conflicts, by id: who signed each, and its dates. */
  conflictInstruments?: Record<string, InstrumentBrief>;
  /** SHA-256 over the canonical meeting, register, instruction history and options. */
  inputDigest: string;
}

/**
 * Check a history against the meeting and the register, and drop exact re-deliveries of the same
 * instruction. Every problem is reported at once; nothing is counted from an invalid history.
 */
export function checkHistory(
  meeting: Meeting,
  holders: readonly Holder[],
  history: readonly Instruction[],
): Instruction[] {
  const holderByAccount = new Map(holders.map((h) => [h.account, h]));
  const byId = new Map<string, Instruction>();
  const problems: string[] = [];
  const total = holders.reduce((s, h) => s + h.shares, 0);
  if (total !== meeting.sharesOutstanding) {
    problems.push(`register: shares add up to ${total}, not the ${meeting.sharesOutstanding} outstanding`);
  }
  if (holderByAccount.size !== holders.length) problems.push('register: an account appears more than once');
  problems.push(...interestedAccountProblems(meeting, (a) => holderByAccount.has(a)));
  const report = (i: Instruction, p: Problem | string) =>
    problems.push(
      typeof p === 'string' ? `instruction ${i.id}: ${p}` : `instruction ${i.id}, ${p.path}: ${p.message}`,
    );
  for (const i of history) {
    const seen = byId.get(i.id);
    if (seen) {
      if (canonicalJson(seen) !== canonicalJson(i))
        report(i, 'the same id is used by two different instructions');
      continue;
    }
    byId.set(i.id, i);
    for (const p of instructionProblems(meeting, holderByAccount.get(i.account), i)) report(i, p);
  }
  for (const i of byId.values()) for (const p of resolutionProblems(i, byId)) report(i, p);
  if (problems.length > 0) throw new InvalidInputError('the instruction history', problems);
  return [...byId.values()];
}

/** Interested accounts (disinterested-holder tallies) that the register does not hold. */
export function interestedAccountProblems(
  meeting: Meeting,
  onRegister: (account: string) => boolean,
): string[] {
  const problems: string[] = [];
  meeting.proposals.forEach((p, i) => {
    if (p.kind !== 'matter') return;
    for (const a of p.interestedAccounts ?? [])
      if (!onRegister(a))
        problems.push(`meeting file, proposals.${i}.interestedAccounts: "${a}" is not on the register`);
  });
  return problems;
}

/**
 * What is wrong with one instruction, given the account's holder (undefined: not on the register).
 * checkHistory reports these for a whole history; the live tabulation for each stored item.
 */
export function instructionProblems(
  meeting: Meeting,
  holder: Pick<Holder, 'account' | 'shares' | 'nominee'> | undefined,
  i: Instruction,
): Problem[] {
  if (!holder) return [{ path: 'account', message: `"${i.account}" is not on the register` }];
  const problems: Problem[] = [];
  if (Number.isNaN(Date.parse(i.receivedAt)))
    problems.push({ path: 'receivedAt', message: 'is not a valid instant' });
  if (i.kind === 'proxy' || i.kind === 'revocation') {
    if (i.channel === 'paper' && i.dated === undefined) {
      problems.push({ path: 'dated', message: `a paper ${i.kind} needs the date written on it` });
    }
    if (i.channel !== 'paper' && i.dated !== undefined) {
      problems.push({
        path: 'dated',
        message: `an ${i.channel} proxy is dated by its receipt time; leave dated out`,
      });
    }
  }
  if (i.kind === 'proxy') problems.push(...cardProblems(meeting, i));
  if (i.kind === 'proxy' || i.kind === 'meeting-ballot') {
    problems.push(...validateVotes(i.votes, { meeting, holder, channel: i.channel }));
  }
  return problems;
}

/** A resolution must choose an instruction of its own account (`byId`: the account's history, or more). */
export function resolutionProblems(i: Instruction, byId: ReadonlyMap<string, Instruction>): Problem[] {
  if (i.kind !== 'resolution') return [];
  const chosen = byId.get(i.chooses);
  return !chosen || chosen.account !== i.account
    ? [{ path: 'chooses', message: `no instruction "${i.chooses}" for account ${i.account}` }]
    : [];
}

/** Count a meeting from its register and its whole instruction history. */
export function tabulate(
  meeting: Meeting,
  holders: readonly Holder[],
  history: readonly Instruction[],
  options: TabulationOptions,
): TabulationResult {
  const instructions = checkHistory(meeting, holders, history);
  const byAccount = new Map<string, Instruction[]>();
  for (const i of instructions) {
    const list = byAccount.get(i.account);
    if (list) list.push(i);
    else byAccount.set(i.account, [i]);
  }
  const tabulator = new Tabulator(meeting, options);
  for (const holder of holders) tabulator.addAccount(holder, byAccount.get(holder.account) ?? []);
  return tabulator.result(inputDigest(meeting, holders, instructions, options));
}

/** What decided one account in a count, and what the count left out of it. */
export interface AccountOutcome {
  effective: Effective;
  /** Ids of the account's instructions rejected by the meeting's timeline. */
  rejected: string[];
}

/**
 * What decided an account, as a snapshot records it for counted-as-cast: "voting:<id>", "revoked:<id>",
 * "conflict:<id>,<id>" or "none", then "|rejected:<id>,<id>" when instructions were left out.
 */
export function decidedText(o: AccountOutcome): string {
  const e = o.effective;
  const base =
    e.status === 'none'
      ? 'none'
      : e.status === 'voting'
        ? `voting:${e.instruction.id}`
        : e.status === 'revoked'
          ? `revoked:${e.revocation.id}`
          : `conflict:${e.instruments.map((i) => i.id).join(',')}`;
  return o.rejected.length > 0 ? `${base}|rejected:${o.rejected.join(',')}` : base;
}

/** decidedText read back. */
export function parseDecided(text: string): {
  status: Effective['status'];
  ids: string[];
  rejected: string[];
} {
  const [main = 'none', extra] = text.split('|');
  const [status, ids = ''] = main.split(':');
  return {
    status: (status ?? 'none') as Effective['status'],
    ids: ids ? ids.split(',') : [],
    rejected: extra?.startsWith('rejected:') ? extra.slice('rejected:'.length).split(',') : [],
  };
}

/**
 * The count, one account at a time: what `tabulate` does for a whole history, for callers that read
 * the accounts as a stream (the live tabulation scans the tables and never holds the whole history).
 * Each account of the register is added once, with its whole history (checked, duplicates removed;
 * none for an account without instruction). The result depends only on the set of accounts added, not
 * on their order, except for the order of `conflicts` (the order in which they were added).
 */
export class Tabulator {
  private readonly ctx: CountingContext;
  private readonly cumulativeIds: ReadonlySet<string>;
  private readonly tally: Tally;
  private readonly conflicts: ConflictReport[] = [];
  private readonly rejected: RejectedInstruction[] = [];
  private readonly timeline: TimelineInstants;
  private readonly pollsClosedAt: string | null;
  private readonly accounts = { total: 0, present: 0, revoked: 0, conflicted: 0, withoutInstruction: 0 };
  private sharesPresent = 0;
  private readonly presence: Presence = emptyPresence();
  private readonly resolved: ResolvedConflict[] = [];
  private readonly conflictInstruments = new Map<string, InstrumentBrief>();
  /** Per proposal naming interested accounts: what those accounts hold, have present and give. */
  private readonly interested = new Map<string, InterestedPart>();
  /** Account -> the proposals that name it as interested. */
  private readonly interestedIn = new Map<string, string[]>();

  constructor(
    private readonly meeting: Meeting,
    options: TabulationOptions,
  ) {
    this.cumulativeIds = new Set(
      options.cumulative
        ? meeting.proposals.filter((p) => p.kind === 'election' && p.cumulativeVotingAllowed).map((p) => p.id)
        : [],
    );
    this.ctx = { meeting, cumulative: this.cumulativeIds };
    this.tally = new Tally(meeting);
    this.pollsClosedAt = options.pollsClosedAt ?? null;
    this.timeline = timelineInstants(meeting, options);
    for (const p of meeting.proposals) {
      if (p.kind !== 'matter' || !p.interestedAccounts) continue;
      this.interested.set(p.id, {
        accounts: [...new Set(p.interestedAccounts)],
        outstanding: 0,
        present: 0,
        count: { FOR: 0, AGAINST: 0, ABSTAIN: 0, brokerNonVotes: 0 },
      });
      for (const a of new Set(p.interestedAccounts)) {
        const list = this.interestedIn.get(a);
        if (list) list.push(p.id);
        else this.interestedIn.set(a, [p.id]);
      }
    }
  }

  /** Add one proposal's contribution of an account, to the tally and to its interested part if named. */
  private count(account: string, proposalId: string, c: Contribution): void {
    this.tally.add(proposalId, c);
    if (c.kind !== 'matter' || !this.interestedIn.get(account)?.includes(proposalId)) return;
    const part = this.interested.get(proposalId) as InterestedPart;
    part.count.FOR += c.count.FOR;
    part.count.AGAINST += c.count.AGAINST;
    part.count.ABSTAIN += c.count.ABSTAIN;
    part.count.brokerNonVotes += c.count.brokerNonVotes;
  }

  /**
   * Count one account of the register from its whole history; returns what decided it and the ids of
   * the instructions rejected (left out because they break the meeting's timeline).
   */
  addAccount(
    holder: Pick<Holder, 'account' | 'shares' | 'nominee'>,
    history: readonly Instruction[],
  ): AccountOutcome {
    let counted = history;
    let rejectedIds: string[] = [];
    if (history.length > 0) {
      const { accepted, rejected } = applyTimeline(history, this.timeline);
      if (rejected.length > 0) {
        this.rejected.push(...rejected);
        counted = accepted;
        rejectedIds = rejected.map((x) => x.id);
      }
    }
    const effective: Effective =
      counted.length > 0
        ? effectiveInstruction(counted, this.meeting.timeZone, votesAlike(holder, this.ctx))
        : { status: 'none' };
    this.accounts.total += 1;
    this.notePresence(holder, counted, effective);
    const interestedIn = this.interestedIn.get(holder.account) ?? [];
    const present = effective.status === 'voting' || effective.status === 'conflict';
    for (const id of interestedIn) {
      const part = this.interested.get(id) as InterestedPart;
      part.outstanding += holder.shares;
      if (present) part.present += holder.shares;
    }
    switch (effective.status) {
      case 'none':
        this.accounts.withoutInstruction += 1;
        break;
      case 'revoked':
        this.accounts.revoked += 1;
        break;
      case 'voting':
        this.accounts.present += 1;
        this.sharesPresent += holder.shares;
        for (const [id, c] of contributions(effective.instruction, holder, this.ctx))
          this.count(holder.account, id, c);
        break;
      case 'conflict': {
        this.accounts.present += 1;
        this.accounts.conflicted += 1;
        this.sharesPresent += holder.shares;
        // A conflict: count each proposal on which every instrument agrees; leave the others unvoted.
        const { agreed, differ } = compareInstruments(effective.instruments, holder, this.ctx);
        for (const [id, c] of agreed) this.count(holder.account, id, c);
        this.conflicts.push({
          account: holder.account,
          shares: holder.shares,
          instruments: effective.instruments.map((i) => i.id),
          proposals: differ,
        });
        for (const i of effective.instruments) this.conflictInstruments.set(i.id, brief(i));
      }
    }
    return { effective, rejected: rejectedIds };
  }

  /** The certificate's figures of one account: its channel, what it sent, the resolutions. */
  private notePresence(
    holder: Pick<Holder, 'account' | 'shares'>,
    counted: readonly Instruction[],
    effective: Effective,
  ): void {
    const p = this.presence;
    for (const i of counted) {
      const r = p.received[i.channel === 'inspector' ? 'inspector' : i.channel];
      if (i.kind === 'proxy') r.proxies += 1;
      else if (i.kind === 'revocation') r.revocations += 1;
      else if (i.kind === 'meeting-ballot') r.ballots += 1;
      else r.resolutions += 1;
    }
    const channel =
      effective.status === 'voting'
        ? effective.instruction.channel
        : effective.status === 'conflict'
          ? 'paper'
          : null;
    if (channel !== null) {
      const add = (t: ChannelTally) => {
        t.accounts += 1;
        t.shares += holder.shares;
      };
      add(p.byChannel[channel]);
      add(channel === 'meeting' ? p.inPerson : p.byProxy);
    }
    for (const res of counted) {
      if (res.kind !== 'resolution') continue;
      const chosen = counted.find((i) => i.id === res.chooses);
      if (!chosen) continue;
      const date = 'dated' in chosen ? chosen.dated : undefined;
      const seen = counted.filter(
        (i) =>
          (i.kind === 'proxy' || i.kind === 'revocation') &&
          i.channel === 'paper' &&
          i.dated === date &&
          Date.parse(i.receivedAt) <= Date.parse(res.receivedAt),
      );
      this.resolved.push({
        account: holder.account,
        shares: holder.shares,
        resolution: brief(res),
        chosen: brief(chosen),
        instruments: seen
          .sort(
            (a, b) =>
              Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
          )
          .map(brief),
      });
    }
  }

  /** The result of the accounts added so far; `inputDigest` says what was read. */
  result(inputDigest: string): TabulationResult {
    const meeting = this.meeting;
    const Q = requiredQuorum(meeting);
    const sharesPresent = this.sharesPresent;
    const quorumMet = sharesPresent >= Q;
    return {
      meeting: meeting.id,
      sharesOutstanding: meeting.sharesOutstanding,
      requiredQuorum: Q,
      sharesPresent,
      quorumMet,
      cumulative: this.cumulativeIds.size > 0,
      accounts: { ...this.accounts },
      proposals: meeting.proposals.map((p) =>
        p.kind === 'matter'
          ? this.matterWithParts(p, { quorumMet, Q, sharesPresent, N: meeting.sharesOutstanding })
          : electionResult(
              meeting,
              p,
              this.tally,
              this.cumulativeIds.has(p.id),
              meeting.cumulativeDiscretion,
              quorumMet,
            ),
      ),
      conflicts: this.conflicts.map((c) => ({
        ...c,
        instruments: [...c.instruments],
        proposals: [...c.proposals],
      })),
      rejected: [...this.rejected].sort(
        (a, b) =>
          (a.account < b.account ? -1 : a.account > b.account ? 1 : 0) ||
          Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      ),
      pollsClosedAt: this.pollsClosedAt,
      presence: structuredClone(this.presence),
      conflictInstruments: Object.fromEntries(
        [...this.conflictInstruments].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      resolved: [...this.resolved].sort(
        (a, b) =>
          (a.account < b.account ? -1 : a.account > b.account ? 1 : 0) ||
          Date.parse(a.resolution.receivedAt) - Date.parse(b.resolution.receivedAt),
      ),
      inputDigest,
    };
  }

  /** A matter's result, with the tally without its interested accounts when it names any. */
  private matterWithParts(m: Matter, at: MatterBasis): MatterResult {
    const full = this.tally.matter(m.id);
    const result = matterResult(m, full, at);
    const part = this.interested.get(m.id);
    if (!part) return result;
    const N = at.N - part.outstanding;
    const rest: MatterCount = {
      FOR: full.FOR - part.count.FOR,
      AGAINST: full.AGAINST - part.count.AGAINST,
      ABSTAIN: full.ABSTAIN - part.count.ABSTAIN,
      brokerNonVotes: full.brokerNonVotes - part.count.brokerNonVotes,
    };
    const basis: MatterBasis = {
      // The meeting's quorum is decided on all shares; the standard is applied to what remains.
      quorumMet: at.quorumMet,
      Q: requiredQuorum({ sharesOutstanding: N, quorum: this.meeting.quorum }),
      sharesPresent: at.sharesPresent - part.present,
      N,
    };
    const d = matterResult(m, rest, basis);
    return {
      ...result,
      disinterested: {
        excludedAccounts: [...part.accounts],
        excludedShares: part.outstanding,
        excludedPresent: part.present,
        sharesOutstanding: N,
        sharesPresent: basis.sharesPresent,
        for: d.for,
        against: d.against,
        abstain: d.abstain,
        brokerNonVotes: d.brokerNonVotes,
        threshold: {
          rule: `on the disinterested shares only (${N} outstanding, ${basis.sharesPresent} present): ${d.threshold.rule}`,
          forAtLeast: d.threshold.forAtLeast,
        },
        outcome: d.outcome,
      },
    };
  }
}

function emptyPresence(): Presence {
  const t = () => ({ accounts: 0, shares: 0 });
  const r = () => ({ proxies: 0, revocations: 0, ballots: 0, resolutions: 0 });
  return {
    inPerson: t(),
    byProxy: t(),
    byChannel: { internet: t(), phone: t(), paper: t(), meeting: t() },
    received: { internet: r(), phone: r(), paper: r(), meeting: r(), inspector: r() },
  };
}

/** An instruction as the certificate names it. */
export function brief(i: Instruction): InstrumentBrief {
  return {
    id: i.id,
    kind: i.kind,
    channel: i.channel,
    signedBy: i.signedBy,
    ...('dated' in i && i.dated !== undefined ? { dated: i.dated } : {}),
    receivedAt: i.receivedAt,
  };
}

interface MatterBasis {
  quorumMet: boolean;
  Q: number;
  sharesPresent: number;
  N: number;
}

/** What a proposal's interested accounts hold, have present and give (RULES.md section 8). */
interface InterestedPart {
  accounts: string[];
  outstanding: number;
  present: number;
  count: MatterCount;
}

class Tally {
  private readonly matters = new Map<string, MatterCount>();
  private readonly straight = new Map<string, { nominees: Map<string, NomineeCount>; overVotes: number }>();
  private readonly cumulative = new Map<
    string,
    {
      fixed: Map<string, number>;
      withhold: Map<string, number>;
      pools: DiscretionaryPools;
      brokerNonVotes: number;
      overVotes: number;
    }
  >();

  constructor(private readonly meeting: Meeting) {}

  add(proposalId: string, c: Contribution): void {
    if (c.kind === 'matter') {
      const m = this.matter(proposalId);
      m.FOR += c.count.FOR;
      m.AGAINST += c.count.AGAINST;
      m.ABSTAIN += c.count.ABSTAIN;
      m.brokerNonVotes += c.count.brokerNonVotes;
    } else if (c.kind === 'straight') {
      const s = this.straightOf(proposalId);
      if (c.overVote) s.overVotes += 1;
      for (const [id, n] of Object.entries(c.nominees)) {
        const t = s.nominees.get(id) ?? { FOR: 0, WITHHOLD: 0, AGAINST: 0, brokerNonVotes: 0 };
        t.FOR += n.FOR;
        t.WITHHOLD += n.WITHHOLD;
        t.AGAINST += n.AGAINST;
        t.brokerNonVotes += n.brokerNonVotes;
        s.nominees.set(id, t);
      }
    } else {
      const s = this.cumulativeOf(proposalId);
      for (const [id, v] of Object.entries(c.fixed)) s.fixed.set(id, (s.fixed.get(id) ?? 0) + v);
      for (const [id, v] of Object.entries(c.withhold)) s.withhold.set(id, (s.withhold.get(id) ?? 0) + v);
      if (c.discretionary) s.pools.add(c.discretionary);
      s.brokerNonVotes += c.brokerNonVotes;
      if (c.overVote) s.overVotes += 1;
    }
  }

  matter(id: string): MatterCount {
    let m = this.matters.get(id);
    if (!m) {
      m = { FOR: 0, AGAINST: 0, ABSTAIN: 0, brokerNonVotes: 0 };
      this.matters.set(id, m);
    }
    return m;
  }

  straightOf(id: string) {
    let s = this.straight.get(id);
    if (!s) {
      s = { nominees: new Map(), overVotes: 0 };
      this.straight.set(id, s);
    }
    return s;
  }

  cumulativeOf(id: string) {
    let s = this.cumulative.get(id);
    if (!s) {
      const election = this.meeting.proposals.find((p) => p.id === id);
      const order = election?.kind === 'election' ? election.nominees.map((n) => n.id) : [];
      s = {
        fixed: new Map(),
        withhold: new Map(),
        pools: new DiscretionaryPools(order, this.meeting.cumulativeDiscretion),
        brokerNonVotes: 0,
        overVotes: 0,
      };
      this.cumulative.set(id, s);
    }
    return s;
  }
}

/**
 * Same-date instruments in conflict, proposal by proposal: what they all give alike (counted), and the
 * proposals on which their effects differ (left unvoted; every proposal when a revocation is among
 * them). RULES.md section 7: "differ" is judged by effect, after the blank-card rule.
 */
export function compareInstruments(
  instruments: ReadonlyArray<Extract<Instruction, { kind: 'proxy' | 'revocation' }>>,
  holder: Pick<Holder, 'shares' | 'nominee'>,
  ctx: CountingContext,
): { agreed: Array<[string, Contribution]>; differ: string[] } {
  const proposals = ctx.meeting.proposals;
  if (instruments.some((i) => i.kind === 'revocation'))
    return { agreed: [], differ: proposals.map((p) => p.id) };
  const each = instruments.map((i) => contributions(i as VotingInstruction, holder, ctx));
  const agreed: Array<[string, Contribution]> = [];
  const differ: string[] = [];
  for (const p of proposals) {
    const keys = new Set(each.map((m) => contributionKey(m.get(p.id) as Contribution)));
    if (keys.size === 1) agreed.push([p.id, each[0]?.get(p.id) as Contribution]);
    else differ.push(p.id);
  }
  return { agreed, differ };
}

function matterResult(m: Matter, c: MatterCount, at: MatterBasis): MatterResult {
  let rule: string;
  let forAtLeast: number;
  switch (m.standard) {
    case 'majority-present-and-voting-and-of-quorum': {
      const ofQuorum = Math.floor(at.Q / 2) + 1;
      rule = `FOR > AGAINST (${c.AGAINST}) and FOR >= a majority of the required quorum (floor(${at.Q} / 2) + 1 = ${ofQuorum})`;
      forAtLeast = Math.max(c.AGAINST + 1, ofQuorum);
      break;
    }
    case 'majority-of-votes-cast':
      rule = `FOR > AGAINST (${c.AGAINST})`;
      forAtLeast = c.AGAINST + 1;
      break;
    case 'majority-of-shares-present':
      rule = `FOR > half the shares present (${at.sharesPresent} / 2)`;
      forAtLeast = Math.floor(at.sharesPresent / 2) + 1;
      break;
    case 'majority-of-outstanding':
      rule = `FOR > half the shares outstanding (${at.N} / 2)`;
      forAtLeast = Math.floor(at.N / 2) + 1;
      break;
  }
  return {
    kind: 'matter',
    id: m.id,
    title: m.title,
    standard: m.standard,
    for: c.FOR,
    against: c.AGAINST,
    abstain: c.ABSTAIN,
    brokerNonVotes: c.brokerNonVotes,
    threshold: { rule, forAtLeast },
    outcome: !at.quorumMet ? 'no-quorum' : c.FOR >= forAtLeast ? 'approved' : 'not-approved',
  };
}

function electionResult(
  meeting: Meeting,
  e: Election,
  tally: Tally,
  cumulative: boolean,
  policy: Meeting['cumulativeDiscretion'],
  quorumMet: boolean,
): ElectionResult {
  let nominees: NomineeResult[];
  let overVotes = 0;
  if (cumulative) {
    const c = tally.cumulativeOf(e.id);
    const allocation = allocateCumulative(
      e.seats,
      e.nominees.map((n) => ({
        id: n.id,
        boardNominee: n.boardRecommends,
        fixedVotes: c.fixed.get(n.id) ?? 0,
      })),
      c.pools.pools(),
      policy,
    );
    overVotes = c.overVotes;
    nominees = e.nominees.map((n) => ({
      id: n.id,
      name: n.name,
      boardRecommends: n.boardRecommends,
      ...(n.parties ? { parties: [...n.parties] } : {}),
      for: allocation.totals[n.id] ?? 0,
      withhold: c.withhold.get(n.id) ?? 0,
      against: 0,
      brokerNonVotes: 0,
      discretionary: allocation.discretionary[n.id] ?? 0,
    }));
    // Broker non-votes in a cumulative election are reported in shares, on the proposal's first line.
    const first = nominees[0];
    if (first) first.brokerNonVotes = c.brokerNonVotes;
  } else {
    const s = tally.straightOf(e.id);
    overVotes = s.overVotes;
    nominees = e.nominees.map((n) => {
      const t = s.nominees.get(n.id) ?? { FOR: 0, WITHHOLD: 0, AGAINST: 0, brokerNonVotes: 0 };
      return {
        id: n.id,
        name: n.name,
        boardRecommends: n.boardRecommends,
        ...(n.parties ? { parties: [...n.parties] } : {}),
        for: t.FOR,
        withhold: t.WITHHOLD,
        against: t.AGAINST,
        brokerNonVotes: t.brokerNonVotes,
      };
    });
  }
  const standard = electionStandard(meeting, e);
  const eligible = standard === 'plurality' ? nominees : nominees.filter((n) => n.for > n.against);
  const carveOut =
    standard !== e.standard
      ? `plurality, by the carve-out for contested elections (${e.nominees.length} nominees for ${e.seats} seats) in place of a majority of votes cast: `
      : '';
  const threshold =
    standard === 'plurality'
      ? `${carveOut}the ${e.seats} nominees with the most ${cumulative ? 'votes' : 'FOR shares'} (more than zero) are elected; WITHHOLD has no effect`
      : `a nominee needs FOR > AGAINST; at most ${e.seats} elected, the most FOR first`;
  return {
    kind: 'election',
    id: e.id,
    title: e.title,
    seats: e.seats,
    standard: e.standard,
    cumulative,
    unit: cumulative ? 'votes' : 'shares',
    nominees,
    overVotes,
    threshold,
    outcome: quorumMet ? rankSeats(eligible, e.seats) : { status: 'no-quorum' },
  };
}

/**
 * The top-`seats` rule: nominees with more votes than the last seat's line are elected; nominees tied
 * on that line are reported as tied when there are more of them than seats left. Zero elects nobody.
 */
export function rankSeats(
  nominees: ReadonlyArray<{ id: string; for: number }>,
  seats: number,
): ElectionOutcome {
  const ranked = nominees.filter((n) => n.for > 0).sort((a, b) => b.for - a.for);
  if (ranked.length <= seats)
    return { status: 'decided', elected: ranked.map((n) => n.id), tied: [], tiedSeats: 0 };
  const line = (ranked[seats - 1] as { for: number }).for;
  const above = ranked.filter((n) => n.for > line).map((n) => n.id);
  const onLine = ranked.filter((n) => n.for === line).map((n) => n.id);
  const left = seats - above.length;
  if (onLine.length <= left)
    return { status: 'decided', elected: [...above, ...onLine], tied: [], tiedSeats: 0 };
  return { status: 'tie', elected: above, tied: onLine, tiedSeats: left };
}

/**
 * What a count read: the meeting and the options, the register and the whole history (tamper.ts). The
 * live tabulation computes the same digest from the tables without holding the history.
 */
function inputDigest(
  meeting: Meeting,
  holders: readonly Holder[],
  instructions: readonly Instruction[],
  options: TabulationOptions,
): string {
  return inputDigestOf(
    { meeting, options: digestOptions(options) },
    registerDigest(holders),
    historyDigest(instructions).root,
  );
}

/**
 * The discretionary votes of a cumulative election, kept as few pools as give the same allocation, so
 * that a million blank cards do not become a million pools:
 *  - `maximize` depends only on the votes per set of nominees marked FOR (cumulative.ts merges pools
 *    with the same set itself): one pool per set;
 *  - `even` spreads each proxy's votes on its own, floor(v / k) to each of its k nominees and the
 *    remainder r one vote each to the first r in ballot order. Per set that is the sum of the floors to
 *    each nominee (one pool of k x that sum, which spreads without remainder) plus, for the j-th nominee
 *    in ballot order, one vote per proxy whose remainder exceeds j (a pool of those votes allowing that
 *    nominee alone). The totals per nominee are exactly those of the proxies one by one.
 */
export class DiscretionaryPools {
  private readonly sets = new Map<string, { allowed: string[]; votes: number; extra: number[] }>();
  private readonly rank: Map<string, number>;

  constructor(
    ballotOrder: readonly string[],
    private readonly policy: Meeting['cumulativeDiscretion'],
  ) {
    this.rank = new Map(ballotOrder.map((id, i) => [id, i]));
  }

  add(pool: { votes: number; allowed: readonly string[] }): void {
    const allowed = [...new Set(pool.allowed)].sort(
      (a, b) => (this.rank.get(a) ?? Number.MAX_SAFE_INTEGER) - (this.rank.get(b) ?? Number.MAX_SAFE_INTEGER),
    );
    const key = allowed.join('\u0000');
    let set = this.sets.get(key);
    if (!set) {
      set = { allowed, votes: 0, extra: new Array<number>(allowed.length).fill(0) };
      this.sets.set(key, set);
    }
    if (this.policy === 'even' && allowed.length > 0) {
      const k = allowed.length;
      const share = Math.floor(pool.votes / k);
      set.votes += share * k;
      for (let j = 0; j < pool.votes - share * k; j++) set.extra[j] = (set.extra[j] ?? 0) + 1;
    } else set.votes += pool.votes;
  }

  /** The pools to allocate: same totals per nominee as the proxies given one by one. */
  pools(): Array<{ votes: number; allowed: string[] }> {
    const out: Array<{ votes: number; allowed: string[] }> = [];
    for (const s of this.sets.values()) {
      out.push({ votes: s.votes, allowed: s.allowed });
      s.extra.forEach((votes, j) => {
        if (votes > 0) out.push({ votes, allowed: [s.allowed[j] as string] });
      });
    }
    return out;
  }
}

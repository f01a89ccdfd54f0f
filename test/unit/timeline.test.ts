// RULES.md section 7, point by point, each with figures computed by hand: the meeting's timeline is
// part of the count, a resolution decides only what it saw, over-votes off-line are recorded,
// cumulative WITHHOLD is reported in votes, an empty allocation is refused on-line.
import { describe, expect, it } from 'vitest';
import { validateVotes } from '../../shared/domain/ballot.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import type { Meeting } from '../../shared/domain/meeting.ts';
import { type ElectionResult, type MatterResult, tabulate } from '../../shared/domain/tabulate.ts';
import {
  ballot,
  hemacare,
  holder,
  internet,
  meetingWith,
  paper,
  resolution,
  revocation,
} from '../support/builders.ts';

function register(meeting: Meeting, ...given: Holder[]): Holder[] {
  const rest = meeting.sharesOutstanding - given.reduce((s, h) => s + h.shares, 0);
  return rest > 0 ? [...given, holder('REST', rest)] : given;
}
const matter = (r: ReturnType<typeof tabulate>, id: string) =>
  r.proposals.find((p) => p.id === id) as MatterResult;
const election = (r: ReturnType<typeof tabulate>, id: string) =>
  r.proposals.find((p) => p.id === id) as ElectionResult;
const forOf = (e: ElectionResult) => Object.fromEntries(e.nominees.map((n) => [n.id, n.for]));

const m = hemacare();
// The reference meeting: internet cut-off 12 June 2002 23:59 New York (13 June 03:59 UTC); the meeting
// starts 13 June 09:30 Los Angeles (16:30 UTC).
const CUTOFF = '2002-06-13T03:59:00.000Z';
const START = '2002-06-13T16:30:00.000Z';
const CLOSED = '2002-06-13T18:00:00.000Z';

describe('a resolution decides the instruments it saw (RULES.md section 7)', () => {
  const hs = register(m, holder('A', 1_000));
  const d = '2002-05-18';
  const forCard = paper('A', d, '2002-05-18T17:00:00.000Z', { '2': 'FOR' }, 'card-for');
  const againstCard = paper('A', d, '2002-05-19T17:00:00.000Z', { '2': 'AGAINST' }, 'card-against');
  const resolved = resolution('A', 'card-against', '2002-05-20T17:00:00.000Z', 'res-1');
  const count = (history: Instruction[]) => tabulate(m, hs, history, { cumulative: false });

  it('the resolution chooses AGAINST: 1,000 AGAINST, no conflict', () => {
    const r = count([forCard, againstCard, resolved]);
    expect(r.conflicts).toEqual([]);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 1_000, abstain: 0 });
  });

  it('a third card of that date marking ABSTAIN, entered after the resolution, reopens the conflict', () => {
    const third = paper('A', d, '2002-05-21T17:00:00.000Z', { '2': 'ABSTAIN' }, 'card-abstain');
    const r = count([forCard, againstCard, resolved, third]);
    expect(r.conflicts).toEqual([
      { account: 'A', shares: 1_000, instruments: ['card-against', 'card-abstain'], proposals: ['2'] },
    ]);
    // Present (1,000 of A), unvoted on proposal 2; the cards agree on the election (blank: FOR all).
    expect(r.sharesPresent).toBe(1_000);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 0, abstain: 0 });
    expect(election(r, '1').nominees.every((n) => n.for === 1_000)).toBe(true);
    // A second resolution, seeing all three, decides it: ABSTAIN 1,000.
    const again = count([
      forCard,
      againstCard,
      resolved,
      third,
      resolution('A', 'card-abstain', '2002-05-22T17:00:00.000Z'),
    ]);
    expect(again.conflicts).toEqual([]);
    expect(matter(again, '2').abstain).toBe(1_000);
  });

  it('a same-date written revocation entered after the resolution reopens it on every proposal', () => {
    const rev = revocation('A', d, '2002-05-21T17:00:00.000Z', 'rev-later');
    const r = count([forCard, againstCard, resolved, rev]);
    expect(r.conflicts).toEqual([
      { account: 'A', shares: 1_000, instruments: ['card-against', 'rev-later'], proposals: ['1', '2'] },
    ]);
    expect(matter(r, '2').against).toBe(0);
  });

  it('a later card of that date voting like the chosen one changes nothing', () => {
    const same = paper('A', d, '2002-05-21T17:00:00.000Z', { '2': 'AGAINST' }, 'card-against-2');
    const r = count([forCard, againstCard, resolved, same]);
    expect(r.conflicts).toEqual([]);
    expect(matter(r, '2').against).toBe(1_000);
  });

  it('a resolution that chooses an instrument received after it is rejected', () => {
    const early = resolution('A', 'card-against', '2002-05-19T16:00:00.000Z', 'res-early');
    const r = count([forCard, againstCard, early]);
    expect(r.rejected).toMatchObject([{ id: 'res-early', rule: 'resolution-before-instrument' }]);
    expect(r.conflicts).toHaveLength(1);
  });
});

describe("the meeting's timeline is part of the count (RULES.md section 7)", () => {
  const hs = register(m, holder('A', 1_000), holder('B', 2_000), holder('C', 3_000));
  const count = (history: Instruction[], pollsClosedAt: string | null = CLOSED) =>
    tabulate(m, hs, history, { cumulative: false, pollsClosedAt });

  it('an internet proxy 11 hours after the cut-off is rejected and does not beat the earlier one', () => {
    const r = count([
      internet('A', '2002-06-01T17:00:00.000Z', { '2': 'FOR' }, 'net-early'),
      internet('A', '2002-06-13T14:59:00.000Z', { '2': 'AGAINST' }, 'net-late'),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 1_000, against: 0 });
    expect(r.rejected).toEqual([
      {
        account: 'A',
        id: 'net-late',
        kind: 'proxy',
        channel: 'internet',
        receivedAt: '2002-06-13T14:59:00.000Z',
        rule: 'after-internet-cutoff',
        reason: 'received after the internet cut-off, 2002-06-12 20:59:00 PDT',
      },
    ]);
  });

  it('the cut-off instant itself is still open; one millisecond later is not', () => {
    const at = internet('A', CUTOFF, { '2': 'FOR' }, 'at-cutoff');
    const after = internet('B', '2002-06-13T03:59:00.001Z', { '2': 'FOR' }, 'after-cutoff');
    const r = count([at, after]);
    expect(matter(r, '2').for).toBe(1_000);
    expect(r.rejected.map((x) => x.id)).toEqual(['after-cutoff']);
  });

  it('a meeting ballot three days before the meeting is rejected; the proxy stands', () => {
    const r = count([
      internet('B', '2002-06-01T17:00:00.000Z', { '2': 'AGAINST' }),
      ballot('B', '2002-06-10T17:00:00.000Z', { '2': 'FOR' }, 'early-ballot'),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 2_000 });
    expect(r.rejected).toMatchObject([{ id: 'early-ballot', rule: 'before-meeting-start' }]);
    // Received once the meeting started, before the close: it counts and beats the proxy.
    const inTime = count([
      internet('B', '2002-06-01T17:00:00.000Z', { '2': 'AGAINST' }),
      ballot('B', START, { '2': 'FOR' }),
    ]);
    expect(matter(inTime, '2')).toMatchObject({ for: 2_000, against: 0 });
    expect(inTime.rejected).toEqual([]);
  });

  it('a paper card dated a week after the meeting, entered after the close, is rejected', () => {
    const r = count([
      internet('C', '2002-06-01T17:00:00.000Z', { '2': 'FOR' }),
      paper('C', '2002-06-20', '2002-06-20T17:00:00.000Z', { '2': 'AGAINST' }, 'week-late'),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 3_000, against: 0 });
    expect(r.rejected).toMatchObject([{ id: 'week-late', rule: 'after-polls-closed', dated: '2002-06-20' }]);
    expect(r.rejected[0]?.reason).toBe('received after the polls were closed at 2002-06-13 11:00:00 PDT');
  });

  it('closing the polls early ends internet voting too', () => {
    const early = '2002-06-10T17:00:00.000Z';
    const r = count(
      [
        internet('A', '2002-06-09T17:00:00.000Z', { '2': 'FOR' }),
        internet('A', '2002-06-11T17:00:00.000Z', { '2': 'AGAINST' }, 'after-early-close'),
      ],
      early,
    );
    expect(matter(r, '2')).toMatchObject({ for: 1_000, against: 0 });
    expect(r.rejected).toMatchObject([{ id: 'after-early-close', rule: 'after-polls-closed' }]);
  });

  it('a paper card dated after the day it was received is rejected, not counted', () => {
    const r = count([paper('A', '2002-06-09', '2002-06-08T17:00:00.000Z', { '2': 'FOR' }, 'post-dated')]);
    expect(r.sharesPresent).toBe(0);
    expect(r.rejected).toMatchObject([
      {
        id: 'post-dated',
        rule: 'dated-after-receipt',
        reason: 'dated 2002-06-09, after the day it was received (2002-06-08)',
      },
    ]);
  });

  it('the polls closing enters the input digest; without it nothing after the meeting is checked', () => {
    const late = [paper('C', '2002-06-20', '2002-06-20T17:00:00.000Z', { '2': 'AGAINST' })];
    const open = count(late, null);
    const closed = count(late, CLOSED);
    expect(open.rejected).toEqual([]);
    expect(matter(open, '2').against).toBe(3_000);
    expect(closed.inputDigest).not.toBe(open.inputDigest);
  });
});

describe('over-votes outside the internet are recorded (RULES.md section 7, CDI 139.07)', () => {
  const one = meetingWith({
    sharesOutstanding: 10_000,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'One director',
        seats: 1,
        standard: 'plurality',
        cumulativeVotingAllowed: false,
        routine: false,
        nominees: [
          { id: 'a', name: 'A', boardRecommends: true },
          { id: 'b', name: 'B', boardRecommends: false },
        ],
      },
      {
        kind: 'matter',
        id: 'm',
        title: 'M',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'FOR',
      },
    ],
  });
  const hs = register(one, holder('X', 400), holder('CEDE', 5_000, { nominee: true }), holder('Y', 100));

  it('a meeting ballot marking two nominees FOR for one seat: no director votes, its matter counts', () => {
    const r = tabulate(
      one,
      hs,
      [
        ballot('X', START, { e: { marks: { a: 'FOR', b: 'FOR' } }, m: 'AGAINST' }),
        internet('Y', '2002-06-01T17:00:00.000Z', { e: { marks: { b: 'FOR' } } }),
      ],
      { cumulative: false },
    );
    // X: 400 present, over-vote; Y: 100 FOR b, and m FOR by the board's recommendation (blank).
    expect(forOf(election(r, 'e'))).toEqual({ a: 0, b: 100 });
    expect(election(r, 'e').overVotes).toBe(1);
    expect(matter(r, 'm')).toMatchObject({ for: 100, against: 400 });
    expect(r.sharesPresent).toBe(500);
  });

  it("a nominee account's paper card whose FOR parts exceed what it may give: no director votes", () => {
    const card = paper('CEDE', '2002-06-01', '2002-06-02T17:00:00.000Z', {
      e: { marks: { a: { FOR: 3_000 }, b: { FOR: 2_500 } } },
      m: { FOR: 4_000, AGAINST: 1_000 },
    });
    const r = tabulate(one, hs, [card], { cumulative: false });
    // 5,500 FOR shares for one seat, more than 5,000 x 1: an over-vote. The matter's split counts.
    expect(forOf(election(r, 'e'))).toEqual({ a: 0, b: 0 });
    expect(election(r, 'e').overVotes).toBe(1);
    expect(matter(r, 'm')).toMatchObject({ for: 4_000, against: 1_000 });
    expect(r.sharesPresent).toBe(5_000);
  });

  it('the internet still refuses both, naming the field', () => {
    const ctx = (channel: 'internet' | 'paper', h: Holder) => ({ meeting: one, holder: h, channel });
    const x = hs[0] as Holder;
    const cede = hs[1] as Holder;
    expect(validateVotes({ e: { marks: { a: 'FOR', b: 'FOR' } } }, ctx('internet', x))).toEqual([
      { path: 'votes.e.marks', message: 'marks FOR 2 nominees but only 1 seats are to be filled' },
    ]);
    expect(
      validateVotes({ e: { marks: { a: { FOR: 3_000 }, b: { FOR: 2_500 } } } }, ctx('internet', cede)),
    ).toEqual([{ path: 'votes.e.marks', message: 'gives 5500 FOR votes, more than shares x seats (5000)' }]);
    expect(
      validateVotes({ e: { marks: { a: { FOR: 3_000 }, b: { FOR: 2_500 } } } }, ctx('paper', cede)),
    ).toEqual([]);
  });
});

describe('cumulative elections (RULES.md section 7)', () => {
  const cm = meetingWith({
    sharesOutstanding: 1_000,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'Three directors',
        seats: 3,
        standard: 'plurality',
        cumulativeVotingAllowed: true,
        routine: false,
        nominees: [
          { id: 'a', name: 'A', boardRecommends: true },
          { id: 'b', name: 'B', boardRecommends: true },
          { id: 'c', name: 'C', boardRecommends: true },
        ],
      },
    ],
  });
  const hs = [holder('X', 400), holder('Y', 600)];

  it('report WITHHOLD in votes, shares x seats, like FOR', () => {
    const r = tabulate(
      cm,
      hs,
      [
        // X: 1,200 votes to a, withholds from c: 400 x 3 = 1,200 WITHHOLD for c.
        internet('X', '2002-06-01T17:00:00.000Z', {
          e: { marks: { c: 'WITHHOLD' }, allocation: { a: 1_200 } },
        }),
        // Y: a FOR, b and c WITHHOLD: its 600 x 3 = 1,800 discretionary votes can only go to a, and it
        // withholds 1,800 votes from each of b and c.
        internet('Y', '2002-06-01T17:00:00.000Z', {
          e: { marks: { a: 'FOR', b: 'WITHHOLD', c: 'WITHHOLD' } },
        }),
      ],
      { cumulative: true },
    );
    const e = election(r, 'e');
    expect(e.unit).toBe('votes');
    expect(Object.fromEntries(e.nominees.map((n) => [n.id, [n.for, n.withhold]]))).toEqual({
      a: [3_000, 0],
      b: [0, 1_800],
      c: [0, 3_000],
    });
  });

  it('an allocation that gives nothing to anyone is refused on-line, recorded on paper', () => {
    const x = hs[0] as Holder;
    expect(
      validateVotes(
        { e: { marks: {}, allocation: { a: 0 } } },
        { meeting: cm, holder: x, channel: 'internet' },
      ),
    ).toEqual([
      {
        path: 'votes.e.allocation',
        message: 'gives no votes to any nominee: give votes to at least one, or leave the allocation out',
      },
    ]);
    const r = tabulate(
      cm,
      hs,
      [paper('X', '2002-06-01', '2002-06-01T17:00:00.000Z', { e: { marks: {}, allocation: { a: 0 } } })],
      { cumulative: true },
    );
    // Present, and no director vote (an allocation is exact: no blank-card fill).
    expect(r.sharesPresent).toBe(400);
    expect(forOf(election(r, 'e'))).toEqual({ a: 0, b: 0, c: 0 });
  });
});

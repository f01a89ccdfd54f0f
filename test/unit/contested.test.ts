// Contested elections under the universal proxy rule (RULES.md section 8), rule by rule, each with
// figures computed by hand; and the live path's incremental Tabulator against tabulate() on generated
// contests.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction, Votes } from '../../shared/domain/instruction.ts';
import { InvalidInputError, type Meeting, meetingSchema, parseMeeting } from '../../shared/domain/meeting.ts';
import {
  checkHistory,
  type ElectionResult,
  type MatterResult,
  type TabulationResult,
  Tabulator,
  tabulate,
} from '../../shared/domain/tabulate.ts';
import { hemacare, holder, internet, paper } from '../support/builders.ts';

const base = hemacare();
const PARTIES = [
  { id: 'board', name: 'The Board of Directors' },
  { id: 'dissident', name: 'The Committee for Value' },
];

/**
 * Three seats. The board nominates a, b, c; the dissident nominates c (a common nominee), x, y.
 * The board's card: FOR a, b, c; WITHHOLD x; nothing on y. The dissident's card: FOR c, x, y; WITHHOLD a;
 * nothing on b. Matter m1: board FOR, dissident AGAINST. Matter m2: board AGAINST, dissident none.
 */
function contest(overrides: Record<string, unknown> = {}, electionOverrides: Record<string, unknown> = {}) {
  return {
    ...base,
    sharesOutstanding: 1_000,
    parties: PARTIES,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'Three directors',
        seats: 3,
        standard: 'plurality',
        cumulativeVotingAllowed: false,
        routine: false,
        nominees: [
          {
            id: 'a',
            name: 'A',
            boardRecommends: true,
            parties: ['board'],
            recommendations: { dissident: 'WITHHOLD' },
          },
          { id: 'b', name: 'B', boardRecommends: true, parties: ['board'] },
          { id: 'c', name: 'C', boardRecommends: true, parties: ['board', 'dissident'] },
          {
            id: 'x',
            name: 'X',
            boardRecommends: false,
            parties: ['dissident'],
            recommendations: { board: 'WITHHOLD' },
          },
          { id: 'y', name: 'Y', boardRecommends: false, parties: ['dissident'] },
        ],
        ...electionOverrides,
      },
      {
        kind: 'matter',
        id: 'm1',
        title: 'M1',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'FOR',
        recommendations: { dissident: 'AGAINST' },
      },
      {
        kind: 'matter',
        id: 'm2',
        title: 'M2',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'AGAINST',
      },
    ],
    ...overrides,
  };
}
const contestMeeting = (o: Record<string, unknown> = {}, e: Record<string, unknown> = {}): Meeting =>
  meetingSchema.parse(contest(o, e));

const JUNE1 = '2002-06-01T17:00:00.000Z';
const JUNE3 = '2002-06-03T17:00:00.000Z';
const JUNE5 = '2002-06-05T17:00:00.000Z';

/** A paper proxy on a party's card, delivered by its agent. */
function card(account: string, party: string, dated: string, at: string, votes: Votes = {}): Instruction {
  const p = paper(account, dated, at, votes);
  return { ...p, party, agent: `${party} agent` } as Instruction;
}

function register(meeting: Meeting, ...given: Holder[]): Holder[] {
  const rest = meeting.sharesOutstanding - given.reduce((s, h) => s + h.shares, 0);
  return rest > 0 ? [...given, holder('REST', rest)] : given;
}
const count = (m: Meeting, hs: Holder[], history: Instruction[]) =>
  tabulate(m, hs, history, { cumulative: false });
const election = (r: TabulationResult, id = 'e') => r.proposals.find((p) => p.id === id) as ElectionResult;
const matter = (r: TabulationResult, id: string) => r.proposals.find((p) => p.id === id) as MatterResult;
const column = (e: ElectionResult, k: 'for' | 'withhold' | 'against') =>
  Object.fromEntries(e.nominees.map((n) => [n.id, n[k]]));

function invalid(raw: unknown): string {
  try {
    parseMeeting(JSON.stringify(raw));
  } catch (e) {
    if (e instanceof InvalidInputError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('the meeting file was accepted');
}

describe('the meeting file: parties and their recommendations (RULES.md section 8)', () => {
  it('accepts the contest and the contested example meeting', () => {
    expect(contestMeeting().parties?.map((p) => p.id)).toEqual(['board', 'dissident']);
    const example = parseMeeting(
      readFileSync(new URL('../../meetings/hemacare-2002-contested.json', import.meta.url), 'utf8'),
    );
    expect(example.sharesOutstanding).toBe(7_595_175);
    const e = example.proposals[0] as Extract<Meeting['proposals'][number], { kind: 'election' }>;
    expect(e.seats).toBe(5);
    expect(e.nominees.filter((n) => n.parties?.includes('committee') && !n.boardRecommends)).toHaveLength(3);
  });

  it('refuses a party recommending FOR more nominees than seats, naming the field and the party', () => {
    const raw = contest();
    const e = raw.proposals[0] as { nominees: Array<Record<string, unknown>> };
    // The dissident now recommends FOR b too: c, x, y, b = 4 for 3 seats.
    (e.nominees[1] as Record<string, unknown>).recommendations = { dissident: 'FOR' };
    expect(invalid(raw)).toMatch(
      /proposals\.0\.nominees: party "dissident" \(The Committee for Value\) recommends FOR 4 nominees, more than the 3 seats/,
    );
  });

  it('refuses routine: true when more than one party solicits (NYSE Rule 452), but not with one party', () => {
    const raw = contest();
    (raw.proposals[1] as Record<string, unknown>).routine = true;
    expect(invalid(raw)).toMatch(/proposals\.1\.routine: must be false: when more than one party solicits/);
    // One party: the reference meeting's routine election stays routine.
    const one = meetingSchema.safeParse({
      ...base,
      parties: [PARTIES[0]],
      proposals: base.proposals.map((p) =>
        p.kind === 'election' ? { ...p, nominees: p.nominees.map((n) => ({ ...n, parties: ['board'] })) } : p,
      ),
    });
    expect(one.success).toBe(true);
    expect(one.data?.proposals[0]?.routine).toBe(true);
  });

  it('names every other bad field: unknown party, missing parties, disagreeing registrant, fields without parties', () => {
    const raw = contest();
    const nominees = (raw.proposals[0] as { nominees: Array<Record<string, unknown>> }).nominees;
    (nominees[0] as Record<string, unknown>).recommendations = { raider: 'FOR' };
    delete (nominees[1] as Record<string, unknown>).parties;
    (nominees[3] as Record<string, unknown>).recommendations = { board: 'FOR' };
    (raw.proposals[1] as Record<string, unknown>).recommendations = { board: 'AGAINST' };
    const problems = invalid(raw);
    expect(problems).toMatch(/proposals\.0\.nominees\.0\.recommendations\.raider: no party "raider"/);
    expect(problems).toMatch(/proposals\.0\.nominees\.1\.parties: must name the party or parties/);
    expect(problems).toMatch(
      /proposals\.0\.nominees\.3\.recommendations\.board: the registrant's recommendation is the board's \(boardRecommends false\), not FOR/,
    );
    expect(problems).toMatch(
      /proposals\.1\.recommendations\.board: the registrant's recommendation is the board's/,
    );
    const { parties: _p, ...noParties } = contest();
    expect(invalid(noParties)).toMatch(/proposals\.0\.nominees\.0\.parties: needs the soliciting parties/);
  });
});

describe("the blank-card rule follows the card's party (CDI 139.07 to 139.09)", () => {
  const m = contestMeeting();

  it('a blank dissident card votes as the dissident recommends: FOR c, x, y; WITHHOLD a; m1 AGAINST; m2 not voted', () => {
    const r = count(m, register(m, holder('P', 100)), [card('P', 'dissident', '2002-06-01', JUNE1)]);
    expect(column(election(r), 'for')).toEqual({ a: 0, b: 0, c: 100, x: 100, y: 100 });
    expect(column(election(r), 'withhold')).toEqual({ a: 100, b: 0, c: 0, x: 0, y: 0 });
    expect(matter(r, 'm1')).toMatchObject({ for: 0, against: 100, abstain: 0 });
    // The dissident gives no recommendation on m2: not voted, but the shares are present.
    expect(matter(r, 'm2')).toMatchObject({ for: 0, against: 0, abstain: 0, brokerNonVotes: 0 });
    expect(r.sharesPresent).toBe(100);
  });

  it('a blank registrant card (the internet ballot) votes FOR a, b, c; WITHHOLD x; m1 FOR; m2 AGAINST', () => {
    const r = count(m, register(m, holder('Q', 200)), [internet('Q', JUNE1)]);
    expect(column(election(r), 'for')).toEqual({ a: 200, b: 200, c: 200, x: 0, y: 0 });
    expect(column(election(r), 'withhold')).toEqual({ a: 0, b: 0, c: 0, x: 200, y: 0 });
    expect(matter(r, 'm1')).toMatchObject({ for: 200, against: 0 });
    expect(matter(r, 'm2')).toMatchObject({ for: 0, against: 200 });
  });

  it('an under-voted card counts only its marks (139.08); its unmarked matters follow its party', () => {
    const r = count(m, register(m, holder('R', 300)), [
      card('R', 'dissident', '2002-06-01', JUNE1, { e: { marks: { x: 'FOR' } } }),
    ]);
    expect(column(election(r), 'for')).toEqual({ a: 0, b: 0, c: 0, x: 300, y: 0 });
    expect(column(election(r), 'withhold')).toEqual({ a: 0, b: 0, c: 0, x: 0, y: 0 });
    expect(matter(r, 'm1')).toMatchObject({ for: 0, against: 300 });
  });

  it('an over-voted card gives no director votes (139.07); its matters still count', () => {
    const r = count(m, register(m, holder('S', 50)), [
      card('S', 'dissident', '2002-06-01', JUNE1, {
        e: { marks: { a: 'FOR', b: 'FOR', x: 'FOR', y: 'FOR' } },
        m2: 'FOR',
      }),
    ]);
    expect(column(election(r), 'for')).toEqual({ a: 0, b: 0, c: 0, x: 0, y: 0 });
    expect(election(r).overVotes).toBe(1);
    expect(matter(r, 'm1')).toMatchObject({ against: 50 });
    expect(matter(r, 'm2')).toMatchObject({ for: 50 });
  });

  it('all together: P 100, Q 200, R 300, S 50 present of 1,000; x 400, c 300, a and b tie at 200 for the third seat', () => {
    const hs = register(m, holder('P', 100), holder('Q', 200), holder('R', 300), holder('S', 50));
    const r = count(m, hs, [
      card('P', 'dissident', '2002-06-01', JUNE1),
      internet('Q', JUNE1),
      card('R', 'dissident', '2002-06-01', JUNE1, { e: { marks: { x: 'FOR' } } }),
      card('S', 'dissident', '2002-06-01', JUNE1, {
        e: { marks: { a: 'FOR', b: 'FOR', x: 'FOR', y: 'FOR' } },
      }),
    ]);
    expect(r.sharesPresent).toBe(650);
    expect(r.quorumMet).toBe(true);
    // a: Q 200; c: Q 200 + P 100; x: P 100 + R 300; y: P 100. WITHHOLD a: P 100; x: Q 200.
    expect(column(election(r), 'for')).toEqual({ a: 200, b: 200, c: 300, x: 400, y: 100 });
    expect(column(election(r), 'withhold')).toEqual({ a: 100, b: 0, c: 0, x: 200, y: 0 });
    expect(election(r).outcome).toEqual({
      status: 'tie',
      elected: ['x', 'c'],
      tied: ['a', 'b'],
      tiedSeats: 1,
    });
    expect(election(r).nominees.find((n) => n.id === 'c')?.parties).toEqual(['board', 'dissident']);
    // m1: FOR Q 200; AGAINST P 100 + R 300 + S 50 = 450: not approved. m2: AGAINST Q 200 only.
    expect(matter(r, 'm1')).toMatchObject({ for: 200, against: 450, outcome: 'not-approved' });
    expect(matter(r, 'm2')).toMatchObject({ for: 0, against: 200, outcome: 'not-approved' });
  });

  it('a ballot cast at the meeting and a broker proxy stay exact whatever the parties', () => {
    const r = count(m, register(m, holder('CEDE', 400, { nominee: true })), [internet('CEDE', JUNE1)]);
    expect(column(election(r), 'for')).toEqual({ a: 0, b: 0, c: 0, x: 0, y: 0 });
    // No proposal is routine in a contest: the broker's unvoted shares are broker non-votes everywhere.
    expect(matter(r, 'm1')).toMatchObject({ for: 0, against: 0, brokerNonVotes: 400 });
    expect(election(r).nominees.every((n) => n.brokerNonVotes === 400)).toBe(true);
  });
});

describe('whose card: recorded on the instruction, checked against the meeting', () => {
  const m = contestMeeting();
  it("refuses another party's card on the internet, an unknown party and an agent on-line", () => {
    const hs = register(m, holder('P', 100));
    const bad = { ...internet('P', JUNE1), party: 'dissident', agent: 'someone' } as Instruction;
    expect(() => count(m, hs, [bad])).toThrow(
      /party: the internet ballot is the registrant's card; only a paper proxy may be on another party's card/,
    );
    expect(() => count(m, hs, [bad])).toThrow(/agent: only a paper proxy names the agent/);
    expect(() => count(m, hs, [card('P', 'raider', '2002-06-01', JUNE1)])).toThrow(
      /party: no party "raider" in this meeting \("board", "dissident"\)/,
    );
    // The registrant's card named explicitly on the internet is the same as naming none.
    const named = { ...internet('P', JUNE1), party: 'board' } as Instruction;
    expect(column(election(count(m, hs, [named])), 'for')).toEqual({ a: 100, b: 100, c: 100, x: 0, y: 0 });
  });

  it('a meeting without parties refuses a party on a proxy', () => {
    const hs = [holder('A', base.sharesOutstanding)];
    expect(() => count(base, hs, [card('A', 'board', '2002-06-01', JUNE1)])).toThrow(
      /party: no party "board": this meeting names no soliciting parties/,
    );
  });
});

describe('revocation ignores parties: the latest-dated card wins, whichever party it is on', () => {
  const m = contestMeeting();
  const hs = register(m, holder('U', 100));
  it('a later registrant card revokes an earlier dissident card, and the reverse', () => {
    const laterBoard = count(m, hs, [card('U', 'dissident', '2002-06-01', JUNE1), internet('U', JUNE5)]);
    expect(column(election(laterBoard), 'for')).toEqual({ a: 100, b: 100, c: 100, x: 0, y: 0 });
    const laterDissident = count(m, hs, [internet('U', JUNE1), card('U', 'dissident', '2002-06-03', JUNE5)]);
    expect(column(election(laterDissident), 'for')).toEqual({ a: 0, b: 0, c: 100, x: 100, y: 100 });
  });

  it('two blank cards of different parties on the same date conflict on every proposal where their effects differ', () => {
    const r = count(m, hs, [
      card('U', 'board', '2002-06-01', JUNE1),
      card('U', 'dissident', '2002-06-01', JUNE3),
    ]);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]?.proposals).toEqual(['e', 'm1', 'm2']);
    expect(r.sharesPresent).toBe(100);
    // Marked alike on everything, the two parties' cards have the same effect: no conflict.
    const same = { e: { marks: { c: 'FOR' as const } }, m1: 'FOR' as const, m2: 'FOR' as const };
    const alike = count(m, hs, [
      card('U', 'board', '2002-06-01', JUNE1, same),
      card('U', 'dissident', '2002-06-01', JUNE3, same),
    ]);
    expect(alike.conflicts).toEqual([]);
    expect(column(election(alike), 'for')).toEqual({ a: 0, b: 0, c: 100, x: 0, y: 0 });
  });
});

describe('plurality carve-out for a contested "majority of votes cast" election', () => {
  // b: FOR 300 (H3), AGAINST/WITHHOLD 500 (H5). Under plurality b is elected on its 300; under a
  // majority of votes cast (300 < 500) it is not.
  const votes = (neg: 'WITHHOLD' | 'AGAINST') => [
    internet('H3', JUNE1, { e: { marks: { a: 'FOR', b: 'FOR', c: 'FOR' } } }),
    internet('H5', JUNE1, { e: { marks: { a: 'FOR', c: 'FOR', b: neg } } }),
  ];
  const hs = [holder('H3', 300), holder('H5', 500), holder('H2', 200)];

  it('with more than one party, the election is decided by plurality and the threshold says why', () => {
    const m = contestMeeting({}, { standard: 'majority-of-votes-cast' });
    const r = count(m, hs, votes('WITHHOLD'));
    expect(election(r).threshold).toMatch(
      /^plurality, by the carve-out for contested elections \(5 nominees for 3 seats\) in place of a majority of votes cast/,
    );
    expect(column(election(r), 'for')).toEqual({ a: 800, b: 300, c: 800, x: 0, y: 0 });
    expect(election(r).outcome).toEqual({
      status: 'decided',
      elected: ['a', 'c', 'b'],
      tied: [],
      tiedSeats: 0,
    });
    // Under plurality the card's negative is WITHHOLD: AGAINST is refused.
    expect(() => count(m, hs, votes('AGAINST'))).toThrow(/a plurality election takes FOR or WITHHOLD/);
  });

  it('pluralityWhenContested: false keeps the majority standard: b (300 FOR, 500 AGAINST) is not elected', () => {
    const m = contestMeeting({}, { standard: 'majority-of-votes-cast', pluralityWhenContested: false });
    const r = count(m, hs, votes('AGAINST'));
    expect(election(r).outcome).toEqual({ status: 'decided', elected: ['a', 'c'], tied: [], tiedSeats: 0 });
    expect(election(r).threshold).toBe(
      'a nominee needs FOR > AGAINST; at most 3 elected, the most FOR first',
    );
  });

  it('a one-party meeting applies it only when the file says so', () => {
    const { parties: _p, ...raw } = contest({}, { standard: 'majority-of-votes-cast' });
    const e = (raw.proposals[0] as { nominees: Array<Record<string, unknown>> }).nominees;
    for (const n of e) {
      delete n.parties;
      delete n.recommendations;
    }
    delete (raw.proposals[1] as Record<string, unknown>).recommendations;
    const today = meetingSchema.parse(raw);
    expect(election(count(today, hs, votes('AGAINST'))).outcome).toMatchObject({ elected: ['a', 'c'] });
    const opted = meetingSchema.parse({
      ...raw,
      proposals: [
        { ...(raw.proposals[0] as object), pluralityWhenContested: true },
        ...raw.proposals.slice(1),
      ],
    });
    expect(election(count(opted, hs, votes('WITHHOLD'))).outcome).toMatchObject({ elected: ['a', 'c', 'b'] });
  });
});

describe('a meeting with one party counts exactly as today', () => {
  it('the reference meeting with its board named as the only party gives the same figures', () => {
    const one = meetingSchema.parse({
      ...base,
      parties: [PARTIES[0]],
      proposals: base.proposals.map((p) =>
        p.kind === 'election' ? { ...p, nominees: p.nominees.map((n) => ({ ...n, parties: ['board'] })) } : p,
      ),
    });
    const hs = [holder('A', 5_000_000), holder('B', 2_000_000), holder('C', 595_175, { nominee: true })];
    const history = [
      internet('A', JUNE1),
      paper('B', '2002-06-01', JUNE1, { '1': { marks: { darlington: 'WITHHOLD' } }, '2': 'AGAINST' }),
      internet('C', JUNE1, { '2': { FOR: 500_000 } }),
    ];
    const strip = (r: TabulationResult) => ({
      ...r,
      meeting: '',
      inputDigest: '',
      proposals: r.proposals.map((p) =>
        p.kind === 'election' ? { ...p, nominees: p.nominees.map(({ parties: _x, ...n }) => n) } : p,
      ),
    });
    const today = count(base, hs, history);
    expect(strip(count(one, hs, history))).toEqual(strip(today));
    expect(column(election(today, '1'), 'for')).toMatchObject({ darlington: 5_000_000, johnson: 7_000_000 });
  });
});

describe('disinterested-holder tallies (RULES.md section 8)', () => {
  const m = meetingSchema.parse({
    ...base,
    sharesOutstanding: 1_000,
    proposals: [
      {
        kind: 'matter',
        id: 'deal',
        title: 'Approve the transaction with the chairman',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'FOR',
        interestedAccounts: ['I1', 'I2'],
      },
      {
        kind: 'matter',
        id: 'seed',
        title: 'The seed standard',
        standard: 'majority-present-and-voting-and-of-quorum',
        routine: false,
        boardRecommendation: 'FOR',
        interestedAccounts: ['I1'],
      },
      {
        kind: 'matter',
        id: 'out',
        title: 'Majority of outstanding',
        standard: 'majority-of-outstanding',
        routine: false,
        boardRecommendation: 'FOR',
        interestedAccounts: ['I1'],
      },
      {
        kind: 'matter',
        id: 'plain',
        title: 'No interested accounts',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'FOR',
      },
    ],
  });
  // I1 400 FOR everything; I2 50 without instruction; A 300 AGAINST deal, ABSTAIN seed, AGAINST out;
  // B 200 FOR everything; C 50 without instruction. N = 1,000; present 900 >= Q 501.
  const hs = [holder('I1', 400), holder('I2', 50), holder('A', 300), holder('B', 200), holder('C', 50)];
  const history = [
    internet('I1', JUNE1),
    internet('A', JUNE1, { deal: 'AGAINST', seed: 'ABSTAIN', out: 'AGAINST' }),
    internet('B', JUNE1),
  ];

  it('reports the full tally and the tally without the interested accounts, each with its outcome', () => {
    const r = count(m, hs, history);
    expect(r.sharesPresent).toBe(900);
    expect(r.quorumMet).toBe(true);
    // Full: FOR 600 > AGAINST 300: approved. Without I1 and I2: FOR 200 < AGAINST 300: not approved;
    // outstanding 1,000 - 400 - 50 = 550; present 900 - 400 = 500.
    expect(matter(r, 'deal')).toMatchObject({ for: 600, against: 300, outcome: 'approved' });
    expect(matter(r, 'deal').disinterested).toMatchObject({
      excludedAccounts: ['I1', 'I2'],
      excludedShares: 450,
      excludedPresent: 400,
      sharesOutstanding: 550,
      sharesPresent: 500,
      for: 200,
      against: 300,
      abstain: 0,
      threshold: { forAtLeast: 301 },
      outcome: 'not-approved',
    });
    // The seed's standard on what remains: N' = 600, Q' = 301, a majority of it floor(301 / 2) + 1 = 151;
    // FOR 200 >= 151 and > AGAINST 0: approved (full: 600 >= 251).
    expect(matter(r, 'seed')).toMatchObject({ for: 600, abstain: 300, threshold: { forAtLeast: 251 } });
    expect(matter(r, 'seed').disinterested).toMatchObject({
      for: 200,
      abstain: 300,
      sharesOutstanding: 600,
      threshold: { forAtLeast: 151 },
      outcome: 'approved',
    });
    // Majority of outstanding: full 600 > 500 approved; without I1 200 < floor(600 / 2) + 1 = 301.
    expect(matter(r, 'out')).toMatchObject({ outcome: 'approved', threshold: { forAtLeast: 501 } });
    expect(matter(r, 'out').disinterested).toMatchObject({
      threshold: { forAtLeast: 301 },
      outcome: 'not-approved',
    });
    expect(matter(r, 'plain').disinterested).toBeUndefined();
  });

  it('the quorum is still decided on all shares', () => {
    // Only I1 (400) and B (200) vote: 600 present >= 501. Without I1 only 200 of 600 are present, yet
    // the meeting has its quorum and the disinterested tally has an outcome.
    const r = count(m, hs, [internet('I1', JUNE1), internet('B', JUNE1)]);
    expect(r.quorumMet).toBe(true);
    expect(matter(r, 'deal').disinterested).toMatchObject({
      sharesPresent: 200,
      for: 200,
      outcome: 'approved',
    });
    // Without a quorum on all shares there is no outcome either way.
    const none = count(m, hs, [internet('B', JUNE1)]);
    expect(matter(none, 'deal').disinterested?.outcome).toBe('no-quorum');
  });

  it('refuses an interested account that is not on the register', () => {
    const odd = meetingSchema.parse({
      ...m,
      proposals: [{ ...(m.proposals[0] as object), interestedAccounts: ['NOPE'] }],
    });
    expect(() => count(odd, hs, [])).toThrow(
      /proposals\.0\.interestedAccounts: "NOPE" is not on the register/,
    );
  });
});

describe("the live path's Tabulator equals tabulate() on generated contests", () => {
  const withInterested = (shares: number, interested: string[]): Meeting =>
    meetingSchema.parse({
      ...contest({ sharesOutstanding: shares }),
      proposals: [
        ...contest().proposals.slice(0, 2),
        { ...(contest().proposals[2] as object), interestedAccounts: interested },
      ],
    });
  const nomineeIds = ['a', 'b', 'c', 'x', 'y'];
  const marksArb = fc.dictionary(fc.constantFrom(...nomineeIds), fc.constantFrom('FOR', 'WITHHOLD'), {
    maxKeys: 5,
  });
  const votesArb: fc.Arbitrary<Votes> = fc.record(
    {
      e: fc.record({ marks: marksArb }),
      m1: fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN'),
      m2: fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN'),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Votes>;
  const DAY = 86_400_000;
  const START = Date.parse('2002-05-06T19:00:00.000Z');
  const instructionArb = (h: Holder, n: number): fc.Arbitrary<Instruction> =>
    fc
      .record({
        at: fc.integer({ min: 0, max: 20 * DAY }),
        back: fc.integer({ min: 0, max: 1 }),
        // Paper cards of either party, or the internet (the registrant's card, refusing an over-vote).
        party: fc.constantFrom('internet', 'board', 'dissident', 'revocation'),
        votes: votesArb,
      })
      .map(({ at, back, party, votes }) => {
        const receivedAt = new Date(START + at).toISOString();
        const dated = new Date(START + at - back * DAY - 8 * 3_600_000).toISOString().slice(0, 10);
        const id = `${h.account}-${n}`;
        if (party === 'internet') {
          // The internet refuses an over-vote: keep at most three FOR marks.
          const marks = Object.entries(
            (votes.e as { marks?: Record<string, string> } | undefined)?.marks ?? {},
          );
          const fors = marks.filter(([, v]) => v === 'FOR').map(([k]) => k);
          const kept = marks.filter(([k, v]) => v !== 'FOR' || fors.indexOf(k) < 3);
          return internet(
            h.account,
            receivedAt,
            { ...votes, e: { marks: Object.fromEntries(kept) } } as Votes,
            id,
          );
        }
        if (party === 'revocation')
          return {
            id,
            account: h.account,
            kind: 'revocation',
            channel: 'paper',
            dated,
            receivedAt,
            signedBy: h.name,
          } as Instruction;
        return { ...paper(h.account, dated, receivedAt, votes, id), party } as Instruction;
      });
  const caseArb = fc
    .array(fc.record({ shares: fc.integer({ min: 1, max: 100_000 }), nominee: fc.boolean() }), {
      minLength: 1,
      maxLength: 10,
    })
    .map((xs) => xs.map((x, i) => holder(`H${i}`, x.shares, { nominee: x.nominee })))
    .chain((holders) =>
      fc.record({
        holders: fc.constant(holders),
        history: fc
          .tuple(
            ...holders.map((h) =>
              fc
                .array(fc.nat(), { maxLength: 3 })
                .chain((xs) => fc.tuple(...xs.map((_, i) => instructionArb(h, i)))),
            ),
          )
          .map((per) => per.flat() as Instruction[]),
        interested: fc.subarray(
          holders.map((h) => h.account),
          { minLength: 1 },
        ),
        order: fc.shuffledSubarray(holders, { minLength: holders.length }),
      }),
    );

  const sorted = (r: TabulationResult) => ({
    ...r,
    conflicts: [...r.conflicts].sort((a, b) => (a.account < b.account ? -1 : 1)),
  });

  it('in any order of accounts (fast-check, 200 runs)', () => {
    fc.assert(
      fc.property(caseArb, ({ holders, history, interested, order }) => {
        const meeting = withInterested(
          holders.reduce((s, h) => s + h.shares, 0),
          interested,
        );
        const expected = tabulate(meeting, holders, history, { cumulative: false });
        const checked = checkHistory(meeting, holders, history);
        const t = new Tabulator(meeting, { cumulative: false });
        for (const h of order)
          t.addAccount(
            h,
            checked.filter((i) => i.account === h.account),
          );
        expect(sorted(t.result(expected.inputDigest))).toEqual(sorted(expected));
        // The disinterested tally never counts more than the full one.
        const d = matter(expected, 'm2').disinterested;
        expect(d).toBeDefined();
        expect((d?.for ?? 0) <= matter(expected, 'm2').for).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('on one generated contest of 5,000 holders', () => {
    const [one] = fc.sample(
      fc
        .array(fc.record({ shares: fc.integer({ min: 1, max: 10_000 }), nominee: fc.boolean() }), {
          minLength: 5_000,
          maxLength: 5_000,
        })
        .map((xs) => xs.map((x, i) => holder(`H${i}`, x.shares, { nominee: x.nominee && i % 7 === 0 })))
        .chain((holders) =>
          fc.record({
            holders: fc.constant(holders),
            history: fc
              .tuple(
                ...holders.map((h) =>
                  fc
                    .array(fc.nat(), { maxLength: 2 })
                    .chain((xs) => fc.tuple(...xs.map((_, i) => instructionArb(h, i)))),
                ),
              )
              .map((per) => per.flat() as Instruction[]),
          }),
        ),
      { numRuns: 1, seed: 19 },
    );
    if (!one) throw new Error('no sample');
    const meeting = withInterested(
      one.holders.reduce((s, h) => s + h.shares, 0),
      ['H1', 'H2', 'H3'],
    );
    const expected = tabulate(meeting, one.holders, one.history, { cumulative: false });
    const checked = checkHistory(meeting, one.holders, one.history);
    const byAccount = new Map<string, Instruction[]>();
    for (const i of checked) byAccount.set(i.account, [...(byAccount.get(i.account) ?? []), i]);
    const t = new Tabulator(meeting, { cumulative: false });
    for (const h of [...one.holders].reverse()) t.addAccount(h, byAccount.get(h.account) ?? []);
    expect(sorted(t.result(expected.inputDigest))).toEqual(sorted(expected));
    // The contest was really counted: dissident cards gave x votes and some accounts were present.
    expect(election(expected).nominees.find((n) => n.id === 'x')?.for).toBeGreaterThan(0);
    expect(expected.accounts.present).toBeGreaterThan(1_000);
  });
});

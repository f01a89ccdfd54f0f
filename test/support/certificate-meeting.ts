// A small meeting whose certificate figures are worked by hand (test/unit/certificate.test.ts checks
// them; the browser test prints and reads the same certificate).
import type { CertificateInput } from '../../shared/domain/certificate.ts';
import { meetingSchema } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { ballot, hemacare, holder, internet, paper, resolution } from './builders.ts';

// A small meeting worked by hand. N = 10,000 shares, quorum more than half: Q = 5,001. Two seats,
// three nominees (x and y the board's, z not): the election is contested, so a card marking some
// nominees counts only its marks, a card marking none votes the board's (RULES.md section 4).
export const small = meetingSchema.parse({
  ...hemacare(),
  id: 'small-2002',
  sharesOutstanding: 10_000,
  inspectors: [{ name: 'Iris Inspector', affiliation: 'Independent Tabulators' }, { name: 'Ivan Inspector' }],
  proposals: [
    {
      kind: 'election',
      id: '1',
      title: 'Election of two directors',
      seats: 2,
      standard: 'plurality',
      cumulativeVotingAllowed: false,
      routine: true,
      nominees: [
        { id: 'x', name: 'Xavier Board', boardRecommends: true },
        { id: 'y', name: 'Yolanda Board', boardRecommends: true },
        { id: 'z', name: 'Zed Other', boardRecommends: false },
      ],
    },
    {
      kind: 'matter',
      id: '2',
      title: 'Ratify the auditors',
      standard: 'majority-of-votes-cast',
      routine: true,
      boardRecommendation: 'FOR',
    },
  ],
});
const smallHolders = [
  holder('A-1', 4_000),
  holder('B-2', 2_500),
  holder('C-3', 2_000),
  holder('D-4', 500),
  holder('E-5', 500),
  holder('F-6', 500),
];
const closedAt = '2002-06-13T17:30:00.000Z'; // 10:30 a.m. in Woodland Hills (PDT, UTC-7)
export const smallResult = tabulate(
  small,
  smallHolders,
  [
    // A-1, internet: x and y FOR, proposal 2 FOR. 4,000 shares by proxy.
    internet('A-1', '2002-05-10T17:00:00.000Z', { '1': { marks: { x: 'FOR', y: 'FOR' } }, '2': 'FOR' }),
    // B-2, paper: z FOR, x WITHHOLD (y unmarked: not voted), proposal 2 AGAINST. 2,500 by proxy.
    paper(
      'B-2',
      '2002-06-01',
      '2002-06-02T17:00:00.000Z',
      { '1': { marks: { z: 'FOR', x: 'WITHHOLD' } }, '2': 'AGAINST' },
      'b-card',
    ),
    // C-3, two paper cards of one date differing on proposal 2: an open conflict. The election is
    // blank on both (the board's x and y FOR, 2,000 each, counted); proposal 2 is left unvoted.
    paper('C-3', '2002-06-03', '2002-06-04T17:00:00.000Z', { '2': 'FOR' }, 'c-card-1'),
    paper('C-3', '2002-06-03', '2002-06-04T18:00:00.000Z', { '2': 'AGAINST' }, 'c-card-2'),
    // D-4, a ballot at the meeting (09:40 PDT): x FOR only (a ballot is exact), proposal 2 ABSTAIN.
    ballot('D-4', '2002-06-13T16:40:00.000Z', { '1': { marks: { x: 'FOR' } }, '2': 'ABSTAIN' }, 'd-ballot'),
    // E-5, internet after the cut-off (11:59 p.m. New York on the 12th = 03:59 UTC): rejected.
    internet('E-5', '2002-06-13T05:00:00.000Z', { '2': 'FOR' }, 'e-late'),
    // F-6, two cards of one date, resolved by the inspector for the AGAINST card: x, y FOR 500 each.
    paper('F-6', '2002-06-05', '2002-06-06T17:00:00.000Z', { '2': 'FOR' }, 'f-card-1'),
    paper('F-6', '2002-06-05', '2002-06-06T18:00:00.000Z', { '2': 'AGAINST' }, 'f-card-2'),
    resolution('F-6', 'f-card-2', '2002-06-13T17:45:00.000Z', 'f-resolution'),
  ],
  { cumulative: false, pollsClosedAt: closedAt },
);
export const finalRun = {
  runId: '20020613T180000000Z-0a1b2c3d',
  kind: 'final',
  requestedBy: 'inspector:iris',
  finishedAt: '2002-06-13T18:00:05.000Z',
  historyRoot: 'e'.repeat(64),
  openConflictsAccepted: true,
};
export const smallCertificate: CertificateInput = {
  meeting: small,
  result: smallResult,
  run: finalRun,
  polls: { closedAt, closedBy: 'supervisor:sam' },
  holderNames: { 'C-3': 'Carol Conflict', 'E-5': 'Eve Late', 'F-6': 'Frank Resolved' },
};

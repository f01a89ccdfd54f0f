// The count's reader of stored instruction bodies: whatever the body, it gives what the schema and
// canonicalText give (the fast path only skips work, never changes a result).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/domain/canonical.ts';
import { instructionSchema } from '../../shared/domain/instruction.ts';
import { isCanonicalInstructionShape, readStoredBody } from '../../shared/domain/stored-instruction.ts';
import { canonicalText } from '../../shared/domain/tamper.ts';
import { ballot, internet, paper, resolution, revocation } from '../support/builders.ts';

/** What the count read before: the schema on the parsed body, then canonical JSON of its result. */
function bySchema(body: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false as const };
  }
  const parsed = instructionSchema.safeParse(raw);
  return parsed.success
    ? { ok: true as const, instruction: parsed.data, canonical: canonicalText(parsed.data) }
    : { ok: false as const, problems: parsed.error.issues.length };
}

function expectSame(body: string): void {
  const fast = readStoredBody(body);
  const slow = bySchema(body);
  expect(fast.ok).toBe(slow.ok);
  if (fast.ok && slow.ok) {
    expect(fast.instruction).toEqual(slow.instruction);
    expect(fast.canonical).toBe(slow.canonical);
  }
}

const stored = [
  internet('A-1', '2002-05-10T17:00:00.000Z', { '2': 'FOR' }),
  internet('A-1', '2002-05-10T17:00:00.000Z', {
    '1': { marks: { darlington: 'FOR', johnson: 'WITHHOLD' } },
    '2': 'ABSTAIN',
  }),
  internet('CEDE-1', '2002-05-10T17:00:00.000+02:00', {
    '1': { marks: { darlington: { FOR: 600, WITHHOLD: 400 } }, allocation: { darlington: 10 } },
    '2': { FOR: 5, AGAINST: 7 },
  }),
  paper('A-2', '2002-05-01', '2002-05-03T12:00:00.000Z', { '2': 'AGAINST' }),
  revocation('A-3', '2002-05-02', '2002-05-04T12:00:00.000Z'),
  ballot('A-4', '2002-06-13T16:40:00.000Z', { '2': 'FOR' }),
  resolution('A-5', 'x-1', '2002-06-14T16:40:00.000Z'),
];

describe('readStoredBody', () => {
  it('takes a body the product wrote as it is: its own canonical text, no schema pass', () => {
    for (const x of stored) {
      const body = canonicalJson(x);
      const read = readStoredBody(body);
      expect(read.ok).toBe(true);
      if (read.ok) expect(read.canonical).toBe(body);
      expect(isCanonicalInstructionShape(JSON.parse(body))).toBe(true);
      expectSame(body);
    }
  });

  it('falls back to the schema for anything else, with the same result', () => {
    const base = JSON.parse(canonicalJson(stored[0])) as Record<string, unknown>;
    const variants: unknown[] = [
      { ...base, signedBy: ' Mary Smith ' }, // the schema trims it
      { ...base, votes: { '1': { allocation: { darlington: 3 } } } }, // the schema adds marks: {}
      { ...base, receivedAt: '2002-13-10T17:00:00.000Z' },
      { ...base, kind: 'resolution' },
      { ...base, extra: 1 },
      { ...base, id: '' },
      { ...base, account: 'not an account!' },
      { ...base, votes: { '2': { FOR: -1 } } },
      { ...base, votes: { '2': { FOR: 1.5 } } },
      { ...base, votes: { '2': 'MAYBE' } },
      { ...base, dated: '2002-02-30' },
      { ...base, channel: 'meeting' },
    ];
    for (const v of variants) expectSame(JSON.stringify(v));
    // Keys out of order, white space, escapes written differently: valid, but not canonical text.
    const reordered = `{"votes":{"2":"FOR"},${canonicalJson(stored[0])
      .slice(1)
      .replace(/,"votes":\{"2":"FOR"\}/, '')}`;
    for (const body of [
      reordered,
      JSON.stringify(base, null, 1),
      canonicalJson(stored[0]).replace('"proxy"', '"\\u0070roxy"'),
      'not json',
      'null',
      '[]',
    ]) {
      expectSame(body);
      const read = readStoredBody(body);
      if (read.ok) expect(read.canonical).not.toBe(body);
    }
  });

  it('agrees with the schema on generated instructions and their mutations', () => {
    const choice = fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN', 'WITHHOLD', 'MAYBE');
    const count = fc.oneof(fc.nat(), fc.integer({ min: -3, max: 3 }), fc.double());
    const nomineeVote = fc.oneof(choice, fc.dictionary(choice, count, { maxKeys: 3 }));
    const vote = fc.oneof(
      choice,
      fc.dictionary(choice, count, { maxKeys: 3 }),
      fc.record(
        {
          marks: fc.dictionary(fc.constantFrom('darlington', 'johnson', '10', '2'), nomineeVote, {
            maxKeys: 3,
          }),
          allocation: fc.dictionary(fc.constantFrom('darlington', 'johnson'), count, { maxKeys: 2 }),
        },
        { requiredKeys: [] },
      ),
    );
    const instruction = fc.record(
      {
        id: fc.oneof(fc.constant('net-1'), fc.string({ maxLength: 3 })),
        account: fc.constantFrom('A-1', 'B0000001', '-x', ''),
        kind: fc.constantFrom('proxy', 'revocation', 'meeting-ballot', 'resolution', 'other'),
        channel: fc.constantFrom('internet', 'phone', 'paper', 'meeting', 'inspector'),
        receivedAt: fc.constantFrom('2002-05-10T17:00:00.000Z', '2002-05-10T17:00:00Z', '2002-05-10', 'x'),
        signedBy: fc.constantFrom('Mary', ' Mary', '', 'José Ñ'),
        enteredBy: fc.constantFrom('ops', ' ops '),
        dated: fc.constantFrom('2002-05-01', '2002-02-30'),
        party: fc.constantFrom('board', ''),
        chooses: fc.constantFrom('net-1', ''),
        votes: fc.dictionary(fc.constantFrom('1', '2', '10', 'x'), vote, { maxKeys: 3 }),
      },
      { requiredKeys: ['id', 'account', 'kind', 'channel', 'receivedAt', 'signedBy'] },
    );
    fc.assert(
      fc.property(instruction, fc.boolean(), (x, canonical) => {
        expectSame(canonical ? canonicalJson(x) : JSON.stringify(x));
      }),
      { numRuns: 3_000 },
    );
  });
});

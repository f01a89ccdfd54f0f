// The history digest (shared/domain/tamper.ts): a hash chain per account in effective order, a Merkle
// root over the accounts; what a verification reports for each kind of tampering.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/domain/canonical.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import {
  accountChain,
  canonicalText,
  chainStart,
  chainStep,
  historyDigest,
  leafHash,
  merkleRoot,
  registerDigest,
  rootOfLeaves,
  verifyHistory,
} from '../../shared/domain/tamper.ts';
import { ballot, hemacare, holder, internet, paper, revocation } from '../support/builders.ts';

const sha = (...parts: Array<Uint8Array | string>) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const history: Instruction[] = [
  internet('A-1', '2002-05-10T17:00:00.000Z', { '2': 'FOR' }, 'a1'),
  internet('A-1', '2002-05-12T17:00:00.000Z', { '2': 'AGAINST' }, 'a2'),
  paper('B-2', '2002-05-20', '2002-05-22T17:00:00.000Z', {}, 'b1'),
  revocation('B-2', '2002-05-21', '2002-05-23T17:00:00.000Z', 'b2'),
  ballot('C-3', '2002-06-13T16:45:00.000Z', { '2': 'ABSTAIN' }, 'c1'),
];

describe('the chain of one account', () => {
  it('hashes the instructions in receipt order, whatever order they are given in', () => {
    const forward = accountChain('A-1', history.slice(0, 2));
    const backward = accountChain('A-1', [...history.slice(0, 2)].reverse());
    expect(backward).toEqual(forward);
    const a1 = history[0] as Instruction;
    const a2 = history[1] as Instruction;
    const expected = chainStep(chainStart('A-1', JSON.stringify(sortKeys(a1))), JSON.stringify(sortKeys(a2)));
    expect(forward).toEqual({ account: 'A-1', count: 2, head: Buffer.from(expected).toString('hex') });
  });

  it('changes with any change of content or order', () => {
    const [a1, a2] = history as [Instruction, Instruction];
    const head = accountChain('A-1', [a1, a2]).head;
    expect(accountChain('A-1', [a1, { ...a2, signedBy: 'someone else' }]).head).not.toBe(head);
    // The same two instructions with their receipt times swapped: another order, another head.
    const swapped = [
      { ...a1, receivedAt: a2.receivedAt },
      { ...a2, receivedAt: a1.receivedAt },
    ];
    expect(accountChain('A-1', swapped).head).not.toBe(head);
    expect(accountChain('A-2', [a1, a2]).head).not.toBe(head);
  });
});

describe('the canonical text of an instruction', () => {
  it('is canonicalJson, character for character', () => {
    const values: unknown[] = [
      ...history,
      { b: [1, undefined, { z: null, a: 'é"\\\n' }], a: undefined, c: true, d: -0.5 },
      [],
      {},
      'x',
      3,
      null,
    ];
    for (const v of values) expect(canonicalText(v)).toBe(canonicalJson(v));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalText(v)).toBe(canonicalJson(v));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the Merkle root', () => {
  it('is fixed for no leaves, the leaf for one, and pairs up level by level', () => {
    expect(merkleRoot(new Uint8Array(0))).toBe(sha('proxyvote-empty-history/1').toString('hex'));
    const leaves = [0, 1, 2].map((i) => sha(`leaf ${i}`));
    expect(merkleRoot(leaves[0] as Uint8Array)).toBe((leaves[0] as Buffer).toString('hex'));
    const node = (l: Uint8Array, r: Uint8Array) => sha(Uint8Array.of(1), l, r);
    const [l0, l1, l2] = leaves as [Buffer, Buffer, Buffer];
    expect(merkleRoot(Buffer.concat([l0, l1, l2]))).toBe(node(node(l0, l1), l2).toString('hex'));
    expect(() => merkleRoot(new Uint8Array(33))).toThrow(RangeError);
  });

  it('has a leaf per account: 0x00, then account, count and head', () => {
    const leaf = { account: 'A-1', count: 2, head: 'ab'.repeat(32) };
    expect(Buffer.from(leafHash(leaf)).toString('hex')).toBe(
      sha(Uint8Array.of(0), `A-1\n2\n${'ab'.repeat(32)}`).toString('hex'),
    );
  });
});

describe('verification of a history against a stored digest', () => {
  const stored = historyDigest(history);

  it('passes on the same history, in any order', () => {
    const v = verifyHistory(stored, [...history].reverse());
    expect(v).toMatchObject({
      ok: true,
      differences: [],
      accounts: 3,
      instructions: 5,
      snapshotConsistent: true,
    });
  });

  it('names the account of a changed instruction', () => {
    const changed = history.map((i) =>
      i.id === 'a2' ? { ...i, votes: { '2': 'FOR' } } : i,
    ) as Instruction[];
    const v = verifyHistory(stored, changed);
    expect(v.ok).toBe(false);
    expect(v.differences).toEqual([
      expect.objectContaining({
        account: 'A-1',
        problem: 'changed',
        detail: expect.stringContaining('changed'),
      }),
    ]);
  });

  it('names the account of a deleted instruction, and an account whose every instruction is gone', () => {
    const v = verifyHistory(
      stored,
      history.filter((i) => i.id !== 'b1' && i.id !== 'c1'),
    );
    expect(v.differences.map((d) => [d.account, d.problem, d.detail])).toEqual([
      ['B-2', 'changed', '1 instruction(s) deleted: 2 in the snapshot, 1 now'],
      ['C-3', 'missing', 'every instruction of the account is gone (1 in the snapshot)'],
    ]);
  });

  it('names the account of an inserted instruction, and an account that had none', () => {
    const v = verifyHistory(stored, [
      ...history,
      internet('A-1', '2002-05-11T17:00:00.000Z', {}, 'forged-1'),
      internet('D-4', '2002-05-11T17:00:00.000Z', {}, 'forged-2'),
    ]);
    expect(v.differences.map((d) => [d.account, d.problem, d.detail])).toEqual([
      ['A-1', 'changed', '1 instruction(s) inserted: 2 in the snapshot, 3 now'],
      ['D-4', 'extra', '1 instruction(s) the snapshot did not have'],
    ]);
  });

  it('covers only what was received before `asOf`: later instructions do not count, earlier forgeries do', () => {
    const asOf = '2002-06-01T00:00:00.000Z';
    const early = historyDigest(history, asOf);
    expect(early).toMatchObject({ accounts: 2, instructions: 4 });
    const later = [...history, internet('A-1', '2002-06-05T17:00:00.000Z', {}, 'late')];
    expect(verifyHistory(early, later).ok).toBe(true);
    const backdated = [...history, internet('A-1', '2002-05-30T17:00:00.000Z', {}, 'back')];
    expect(verifyHistory(early, backdated).differences.map((d) => d.account)).toEqual(['A-1']);
  });

  it('notices a stored digest whose leaves were altered', () => {
    const altered = {
      ...stored,
      leaves: stored.leaves.map((l, i) => (i === 0 ? { ...l, count: l.count + 1 } : l)),
    };
    const v = verifyHistory(altered, history);
    expect(v.snapshotConsistent).toBe(false);
    expect(v.ok).toBe(false);
    expect(rootOfLeaves(stored.leaves)).toBe(stored.root);
  });
});

describe('the input digest of a count', () => {
  const meeting = hemacare();
  const holders = [
    holder('A-1', 1_000),
    holder('B-2', 2_000),
    holder('C-3', 3_000),
    holder('REST', meeting.sharesOutstanding - 6_000),
  ];

  it('depends on the register, the history and the options, not on the order they come in', () => {
    const d = tabulate(meeting, holders, history, { cumulative: false }).inputDigest;
    expect(
      tabulate(meeting, [...holders].reverse(), [...history].reverse(), { cumulative: false }).inputDigest,
    ).toBe(d);
    expect(tabulate(meeting, holders, history, { cumulative: true }).inputDigest).not.toBe(d);
    expect(tabulate(meeting, holders, history.slice(1), { cumulative: false }).inputDigest).not.toBe(d);
    const renamed = holders.map((h) => (h.account === 'A-1' ? { ...h, name: 'Another Name' } : h));
    expect(tabulate(meeting, renamed, history, { cumulative: false }).inputDigest).not.toBe(d);
    expect(registerDigest(renamed)).not.toBe(registerDigest(holders));
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

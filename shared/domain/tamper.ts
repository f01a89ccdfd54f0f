// Tamper evidence for the instruction history (issue "Tabulation", item 5), and the input digest of a
// count. Pure: hashes of given data, no I/O, no clock.
//
// The history digest:
//   chain   per account, over its instructions in the order received (receivedAt, then id: the
//           append order), each as canonical JSON c(i), all text in UTF-8:
//           h(1) = SHA-256("proxyvote-chain/1" 0x00 account 0x00 c(1)),
//           h(i) = SHA-256(hex(h(i-1)) c(i)). The account's head is the last h.
//   leaf    SHA-256(0x00 || "<account>\n<count>\n<head hex>") for every account with an instruction.
//   root    a Merkle tree over the leaves sorted by account (byte order of the ASCII account number):
//           node = SHA-256(0x01 || left || right), an odd last node is carried up unchanged; the root of
//           no leaves is SHA-256("proxyvote-empty-history/1").
// Changing an instruction changes its account's head; deleting or inserting one changes the head and
// the count (or removes or adds a leaf); any of them changes the root. A snapshot keeps the root and
// the sorted leaves, so a verification names the accounts that differ. Nothing here is kept up to date
// by the writes: the digest is computed from the stored items when a count runs, so no single item is
// written by every vote.
import { createHash } from 'node:crypto';
import type { Holder } from './holder.ts';
import type { Instruction } from './instruction.ts';

export const HISTORY_DIGEST_SCHEME =
  'proxyvote-history/1: SHA-256 chain per account in receipt order, Merkle root over accounts sorted by account';

const HASH_BYTES = 32;

/**
 * SHA-256 of one string (UTF-8) or byte array. Every function here takes it as its last argument, so
 * that the live count can pass a faster one-shot implementation of the same function (node:crypto
 * `hash`); by default it is createHash's.
 */
export type Sha256 = (data: string | Uint8Array) => Uint8Array;

export const sha256: Sha256 = (data) => createHash('sha256').update(data).digest();

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const EMPTY_ROOT = hex(sha256('proxyvote-empty-history/1'));

/** One account's place in the history digest. */
export interface HistoryLeaf {
  account: string;
  /** How many instructions the chain covers. */
  count: number;
  /** The chain's last hash, hex. */
  head: string;
  /**
   * What decided the account in the count that stored the leaf ("voting:<id>", "revoked:<id>",
   * "conflict:<ids>", "none"); not hashed: the digest covers the history, this records the count.
   */
  decided?: string;
}

/** The digest of a history as a snapshot stores it. */
export interface HistoryDigest {
  root: string;
  /** Only instructions received strictly before this instant are covered; null: all of them. */
  asOf: string | null;
  accounts: number;
  instructions: number;
}

/** The first link of an account's chain. */
export function chainStart(account: string, canonicalInstruction: string, sha: Sha256 = sha256): Uint8Array {
  return sha(`proxyvote-chain/1\u0000${account}\u0000${canonicalInstruction}`);
}

/** Every further link: the previous hash (as hex) and the instruction as canonical JSON. */
export function chainStep(
  previous: Uint8Array,
  canonicalInstruction: string,
  sha: Sha256 = sha256,
): Uint8Array {
  return sha(`${hex(previous)}${canonicalInstruction}`);
}

/** Whether an instruction is covered by a digest taken as of `asOf` (null: every instruction). */
export function coveredAsOf(i: Pick<Instruction, 'receivedAt'>, asOf: string | null): boolean {
  return asOf === null || Date.parse(i.receivedAt) < Date.parse(asOf);
}

/**
 * canonical.ts's canonicalJson (object keys sorted, JSON.stringify's text otherwise), written out
 * without the replacer's copies: the count hashes every instruction, so this is on its hot path.
 * Equal output for any JSON value (a test holds it to canonicalJson).
 */
export function canonicalText(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) as string;
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : canonicalText(x))).join(',')}]`;
  let out = '';
  for (const k of canonicalKeyOrder(Object.keys(v))) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function') continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(k)}:${canonicalText(x)}`;
  }
  return `{${out}}`;
}

const isArrayIndex = (k: string) => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4_294_967_295;

/**
 * The order canonicalJson's objects enumerate in: it sorts the keys into a new object, and JavaScript
 * enumerates an object's integer-like keys first, in numeric order ("2" before "10"), then the others
 * in the order given (here: sorted).
 */
function canonicalKeyOrder(keys: string[]): string[] {
  const indexes = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  const names = keys.filter((k) => !isArrayIndex(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return indexes.length === 0 ? names : [...indexes, ...names];
}

/** Receipt order: the receipt instant, then the id (a total order: ids are unique). */
export function compareReceipt(a: Instruction, b: Instruction): number {
  const ra = Date.parse(a.receivedAt);
  const rb = Date.parse(b.receivedAt);
  if (ra !== rb) return ra - rb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The chain's head over the given instructions of one account (any order; at least one; no duplicate
 * ids), as bytes. `textOf` gives an instruction's canonical JSON: canonicalText by default; the live
 * count passes the stored body it has checked to be exactly that text (stored-instruction.ts).
 */
export function chainHead(
  account: string,
  instructions: readonly Instruction[],
  sha: Sha256 = sha256,
  textOf: (i: Instruction) => string = canonicalText,
): Uint8Array {
  const ordered = instructions.length > 1 ? [...instructions].sort(compareReceipt) : instructions;
  const [first, ...rest] = ordered;
  if (!first) throw new RangeError(`account ${account}: a chain needs at least one instruction`);
  let h = chainStart(account, textOf(first), sha);
  for (const i of rest) h = chainStep(h, textOf(i), sha);
  return h;
}

/** The chain of one account over the given instructions (any order; one account, no duplicate ids). */
export function accountChain(account: string, instructions: readonly Instruction[]): HistoryLeaf {
  return {
    account,
    count: instructions.length,
    head: Buffer.from(chainHead(account, instructions)).toString('hex'),
  };
}

/** The Merkle leaf of one account: SHA-256(0x00 "<account>\n<count>\n<head>"). */
export function leafHash(leaf: HistoryLeaf, sha: Sha256 = sha256): Uint8Array {
  return sha(`\u0000${leaf.account}\n${leaf.count}\n${leaf.head}`);
}

/** Compares account numbers the way the digest sorts them (UTF-16 code units: ASCII byte order). */
export function compareAccounts(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Merkle root of leaf hashes given back to back (32 bytes each, already in account order), hex.
 * Works level by level on one buffer per level, so a million leaves cost a few tens of megabytes.
 */
export function merkleRoot(leafHashes: Uint8Array, sha: Sha256 = sha256): string {
  if (leafHashes.length % HASH_BYTES !== 0) throw new RangeError('leaf hashes must be 32 bytes each');
  let level = leafHashes;
  let n = level.length / HASH_BYTES;
  if (n === 0) return EMPTY_ROOT;
  const node = new Uint8Array(1 + 2 * HASH_BYTES);
  node[0] = 1;
  while (n > 1) {
    const up = Math.ceil(n / 2);
    const next = new Uint8Array(up * HASH_BYTES);
    for (let k = 0; k < up; k++) {
      const left = level.subarray(2 * k * HASH_BYTES, (2 * k + 1) * HASH_BYTES);
      if (2 * k + 1 < n) {
        node.set(level.subarray(2 * k * HASH_BYTES, (2 * k + 2) * HASH_BYTES), 1);
        next.set(sha(node), k * HASH_BYTES);
      } else next.set(left, k * HASH_BYTES);
    }
    level = next;
    n = up;
  }
  return hex(level.subarray(0, HASH_BYTES));
}

/** The root over leaves already sorted by account. */
export function rootOfLeaves(leaves: readonly HistoryLeaf[]): string {
  const all = new Uint8Array(leaves.length * HASH_BYTES);
  leaves.forEach((l, k) => {
    all.set(leafHash(l), k * HASH_BYTES);
  });
  return merkleRoot(all);
}

/** Every account's leaf of a whole history (or the part of it received before `asOf`), sorted by account. */
export function historyLeaves(
  instructions: readonly Instruction[],
  asOf: string | null = null,
): HistoryLeaf[] {
  const byAccount = new Map<string, Instruction[]>();
  for (const i of instructions) {
    if (!coveredAsOf(i, asOf)) continue;
    const list = byAccount.get(i.account);
    if (list) list.push(i);
    else byAccount.set(i.account, [i]);
  }
  return [...byAccount.keys()]
    .sort(compareAccounts)
    .map((account) => accountChain(account, byAccount.get(account) ?? []));
}

/** The history digest of a whole history (or of what was received before `asOf`). */
export function historyDigest(
  instructions: readonly Instruction[],
  asOf: string | null = null,
): HistoryDigest & { leaves: HistoryLeaf[] } {
  const leaves = historyLeaves(instructions, asOf);
  return {
    root: rootOfLeaves(leaves),
    asOf,
    accounts: leaves.length,
    instructions: leaves.reduce((s, l) => s + l.count, 0),
    leaves,
  };
}

// ---------------------------------------------------------------------------------------------------
// Verification: a history against the digest a snapshot stored.

export type LeafDifference =
  | { account: string; problem: 'changed'; expected: HistoryLeaf; actual: HistoryLeaf; detail: string }
  | { account: string; problem: 'missing'; expected: HistoryLeaf; detail: string }
  | { account: string; problem: 'extra'; actual: HistoryLeaf; detail: string };

export interface Verification {
  ok: boolean;
  /** The root the snapshot stored. */
  expectedRoot: string;
  /** The root of the history given. */
  actualRoot: string;
  /** False when the snapshot's own leaves do not hash to its root (the snapshot file was altered). */
  snapshotConsistent: boolean;
  accounts: number;
  instructions: number;
  /** Every account whose chain differs, sorted by account. */
  differences: LeafDifference[];
}

function describeChange(expected: HistoryLeaf, actual: HistoryLeaf): string {
  if (actual.count < expected.count)
    return `${expected.count - actual.count} instruction(s) deleted: ${expected.count} in the snapshot, ${actual.count} now`;
  if (actual.count > expected.count)
    return `${actual.count - expected.count} instruction(s) inserted: ${expected.count} in the snapshot, ${actual.count} now`;
  return `an instruction was changed (${actual.count} in the snapshot and now, but their contents or order differ)`;
}

/** Recompute the digest of `instructions` and compare it, account by account, with a stored one. */
export function verifyHistory(
  expected: HistoryDigest & { leaves: readonly HistoryLeaf[] },
  instructions: readonly Instruction[],
): Verification {
  const actual = historyDigest(instructions, expected.asOf);
  const want = [...expected.leaves].sort((a, b) => compareAccounts(a.account, b.account));
  const differences: LeafDifference[] = [];
  let i = 0;
  let j = 0;
  while (i < want.length || j < actual.leaves.length) {
    const e = want[i];
    const a = actual.leaves[j];
    const order = e && a ? compareAccounts(e.account, a.account) : e ? -1 : 1;
    if (order === 0 && e && a) {
      if (e.count !== a.count || e.head !== a.head)
        differences.push({
          account: e.account,
          problem: 'changed',
          expected: e,
          actual: a,
          detail: describeChange(e, a),
        });
      i++;
      j++;
    } else if (order < 0 && e) {
      differences.push({
        account: e.account,
        problem: 'missing',
        expected: e,
        detail: `every instruction of the account is gone (${e.count} in the snapshot)`,
      });
      i++;
    } else if (a) {
      differences.push({
        account: a.account,
        problem: 'extra',
        actual: a,
        detail: `${a.count} instruction(s) the snapshot did not have${expected.asOf ? `, received before ${expected.asOf}` : ''}`,
      });
      j++;
    }
  }
  const snapshotConsistent = rootOfLeaves(want) === expected.root;
  return {
    ok: differences.length === 0 && snapshotConsistent && actual.root === expected.root,
    expectedRoot: expected.root,
    actualRoot: actual.root,
    snapshotConsistent,
    accounts: actual.accounts,
    instructions: actual.instructions,
    differences,
  };
}

// ---------------------------------------------------------------------------------------------------
// The register and the input digest of a count.

/**
 * One holder's hash: SHA-256 of its canonical JSON (the register's fields, keys in sorted order: what
 * canonicalJson gives for a Holder, built directly since the count hashes every holder).
 */
export function holderHash(h: Holder, sha: Sha256 = sha256): Uint8Array {
  const text = JSON.stringify({
    account: h.account,
    eDelivery: h.eDelivery,
    email: h.email,
    jointNames: h.jointNames,
    mailingAddress: h.mailingAddress,
    name: h.name,
    nominee: h.nominee,
    shares: h.shares,
  });
  return sha(text);
}

/** The register's digest from the holders' hashes, given in account order, hex. */
export function registerDigestOf(holderHashesInAccountOrder: Iterable<Uint8Array>): string {
  const hash = createHash('sha256').update('proxyvote-register/1');
  for (const h of holderHashesInAccountOrder) hash.update(h);
  return hash.digest('hex');
}

export function registerDigest(holders: readonly Holder[]): string {
  return registerDigestOf(
    [...holders].sort((a, b) => compareAccounts(a.account, b.account)).map((h) => holderHash(h)),
  );
}

/**
 * What a count read: the meeting and the options, the register, and the whole instruction history (its
 * history digest root). The live tabulation and the recount of an export compute it the same way.
 */
export function inputDigestOf(
  meetingAndOptions: unknown,
  registerDigestHex: string,
  historyRootHex: string,
): string {
  return createHash('sha256')
    .update('proxyvote-input/2\n')
    .update(canonicalText(meetingAndOptions), 'utf8')
    .update(`\n${registerDigestHex}\n${historyRootHex}`)
    .digest('hex');
}

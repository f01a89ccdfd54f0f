// The live tabulation: the count of a meeting straight from its tables, streaming, with the same
// domain code as the inspector's recount (Tabulator and the history digest of shared/domain).
//
//  1. The register: a parallel Scan of the holder items into a compact index (account -> shares,
//     nominee, the hash of the holder for the register digest). No holder objects are kept.
//  2. The votes table: one parallel Scan of the instruction items. DynamoDB returns an account's items
//     together (one partition key, one segment, in sort-key order), so each segment hands over one
//     account at a time: its instructions are parsed and checked (the recount's checks), counted with
//     Tabulator.addAccount (the domain's effectiveInstruction over the whole history, exactly as the
//     recount does), and hashed into the account's chain. Then they are dropped: memory holds one
//     account per segment, never the history.
//  3. Should an account's items ever arrive in two pieces, it is noticed (the account was already
//     seen) and the whole count is run again with that account read by a Query of its whole history
//     instead: nothing is ever counted from part of an account's history.
//  4. Accounts without any instruction are counted as such; the register, the history digest (root
//     over the accounts' chains) and the input digest are computed from the compact index.
//
// The EFFECTIVE pointer items are not read: they serve the voting path (one read per ballot); the
// count works from the record itself, as the recount does, so the two cannot disagree.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import type { Instruction } from '../domain/instruction.ts';
import { InvalidInputError, type Meeting } from '../domain/meeting.ts';
import {
  decidedText,
  digestOptions,
  instructionProblems,
  interestedAccountProblems,
  resolutionProblems,
  type TabulationResult,
  Tabulator,
} from '../domain/tabulate.ts';
import {
  compareAccounts,
  type HistoryDigest,
  type HistoryLeaf,
  holderHash,
  inputDigestOf,
  leafHash,
  merkleRoot,
  registerDigestOf,
} from '../domain/tamper.ts';
import { itemToHolder } from '../register/holder-item.ts';
import type { DynamoEndpointConfig } from '../storage/dynamo-client.ts';
import type { TableNames } from '../storage/tables.ts';
import { accountPk, INSTRUCTION_PREFIX } from '../storage/vote-store.ts';
import { fastSha256, type ReadAccount, readAccount } from './account-reader.ts';
import { scanSegments } from './scan.ts';
import { type AccountBatch, type HolderBatch, PK_PREFIX, ScanThreads } from './scan-threads.ts';

export interface LiveOptions {
  /** Cumulative voting was invoked at the meeting. */
  cumulative: boolean;
  /** When the polls were declared closed (null: open): instructions received later are rejected. */
  pollsClosedAt: string | null;
  /** Parallel Scan segments for each table. */
  segments: number;
  /** The history digest covers instructions received before this instant; null: all of them. */
  asOf: string | null;
  /**
   * Worker threads for the Scans (scan-threads.ts), each with a DynamoDB client of this configuration;
   * absent or fewer than 2: everything on this thread. Same result either way.
   */
  threads?: { count: number; dynamo: DynamoEndpointConfig };
}

export interface LiveStats {
  holders: number;
  instructions: number;
  accountsWithInstructions: number;
  /** Accounts whose items a Scan returned in pieces (read again by Query). */
  splitAccounts: number;
  /** Times the count was started again because of such accounts (0 normally). */
  reruns: number;
  registerPages: number;
  votesPages: number;
  /** Items the votes Scan read, including the EFFECTIVE pointers it filtered out. */
  votesScanned: number;
}

export interface LiveTabulation {
  result: TabulationResult;
  /** The history digest (tamper evidence) of what was received before `asOf`. */
  digest: HistoryDigest;
  /** The digest's leaves, sorted by account, produced on demand (a million of them are never all held). */
  leaves: LeafList;
  stats: LiveStats;
}

/** The sorted leaves of a digest, read lazily from the compact index. */
export interface LeafList {
  readonly length: number;
  [Symbol.iterator](): Iterator<HistoryLeaf>;
}

/**
 * The text line of a leaf in a snapshot chunk: account, count and head separated by tabs, then what
 * decided the account in that count (not part of the digest: counted-as-cast reads it).
 */
export function leafLine(l: HistoryLeaf): string {
  return `${l.account}\t${l.count}\t${l.head}${l.decided ? `\t${l.decided}` : ''}`;
}

export function parseLeafLine(line: string): HistoryLeaf {
  const [account = '', count = '', head = '', decided] = line.split('\t');
  return { account, count: Number(count), head, ...(decided ? { decided } : {}) };
}

const HASH = 32;
const NOMINEE = 1;
const PROBLEM_LIMIT = 100;
const MAX_RERUNS = 2;

/** The register as the count needs it: parallel arrays indexed by holder, and a map from account. */
class RegisterIndex {
  readonly index = new Map<string, number>();
  readonly accounts: string[] = [];
  readonly shares: number[] = [];
  private flagBytes: Uint8Array = new Uint8Array(1024);
  private hashBytes: Uint8Array = new Uint8Array(1024 * HASH);
  totalShares = 0;
  duplicates = 0;

  add(h: Holder): void {
    this.addHashed(h.account, h.shares, h.nominee, holderHash(h, fastSha256));
  }

  /** A holder already hashed (holderHash), e.g. by a scan worker thread. */
  addHashed(account: string, shares: number, nominee: boolean, hashBytes: Uint8Array): void {
    if (this.index.has(account)) {
      this.duplicates += 1;
      return;
    }
    const i = this.accounts.length;
    if (i >= this.flagBytes.length) {
      this.flagBytes = grow(this.flagBytes, this.flagBytes.length * 2);
      this.hashBytes = grow(this.hashBytes, this.hashBytes.length * 2);
    }
    this.index.set(account, i);
    this.accounts.push(account);
    this.shares.push(shares);
    this.totalShares += shares;
    this.flagBytes[i] = nominee ? NOMINEE : 0;
    this.hashBytes.set(hashBytes, i * HASH);
  }

  get size(): number {
    return this.accounts.length;
  }

  holder(i: number): Pick<Holder, 'account' | 'shares' | 'nominee'> {
    return {
      account: this.accounts[i] as string,
      shares: this.shares[i] as number,
      nominee: ((this.flagBytes[i] ?? 0) & NOMINEE) !== 0,
    };
  }

  holderHash(i: number): Uint8Array {
    return this.hashBytes.subarray(i * HASH, (i + 1) * HASH);
  }

  /** Holder indexes sorted by account. */
  sorted(): Int32Array {
    const order = new Int32Array(this.size);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const accounts = this.accounts;
    return order.sort((a, b) => compareAccounts(accounts[a] as string, accounts[b] as string));
  }
}

function grow(bytes: Uint8Array, size: number): Uint8Array {
  const next = new Uint8Array(size);
  next.set(bytes);
  return next;
}

/** Per holder: whether its history was seen, and its chains (the digest's and, with asOf, the whole one). */
class Chains {
  readonly seen: Uint8Array;
  readonly heads: Uint8Array;
  readonly counts: Int32Array;
  /** What decided each account with instructions (decidedText). */
  readonly decided: Array<string | undefined>;

  constructor(size: number) {
    this.seen = new Uint8Array(size);
    this.heads = new Uint8Array(size * HASH);
    this.counts = new Int32Array(size);
    this.decided = new Array<string | undefined>(size);
  }

  set(i: number, count: number, head: Uint8Array): void {
    this.heads.set(head, i * HASH);
    this.counts[i] = count;
  }

  leaf(i: number, account: string): HistoryLeaf {
    const decided = this.decided[i];
    return {
      account,
      count: this.counts[i] ?? 0,
      head: Buffer.from(this.heads.subarray(i * HASH, (i + 1) * HASH)).toString('hex'),
      ...(decided ? { decided } : {}),
    };
  }
}

class Problems {
  readonly list: string[] = [];
  more = 0;
  add(p: string): void {
    if (this.list.length < PROBLEM_LIMIT) this.list.push(p);
    else this.more += 1;
  }
  get count(): number {
    return this.list.length + this.more;
  }
  throwIfAny(): void {
    if (this.count === 0) return;
    throw new InvalidInputError('the stored history', [
      ...this.list,
      ...(this.more > 0 ? [`... and ${this.more} more problems`] : []),
    ]);
  }
}

async function readRegister(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments: number,
  threads: ScanThreads | null,
): Promise<{ register: RegisterIndex; pages: number }> {
  const register = new RegisterIndex();
  const own = scanSegments(
    doc,
    {
      table: tables.register,
      segments,
      types: ['holder'],
      ...(threads ? { only: threads.mainSegments(segments) } : {}),
    },
    (items) => {
      for (const item of items) register.add(itemToHolder(item));
    },
  );
  const others = threads?.run({ kind: 'register', table: tables.register, segments }, (b) => {
    const batch = b as HolderBatch;
    for (let k = 0; k < batch.accounts.length; k++)
      register.addHashed(
        batch.accounts[k] as string,
        batch.shares[k] as number,
        batch.nominee[k] === 1,
        batch.hashes.subarray(k * HASH, (k + 1) * HASH),
      );
  });
  const [a, b] = await Promise.all([own, others]);
  return { register, pages: a.pages + (b?.pages ?? 0) };
}

/** Every instruction item of one account, by a consistent Query (for an account a Scan split). */
async function queryAccount(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  account: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tables.votes,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': accountPk(account), ':prefix': INSTRUCTION_PREFIX },
        ProjectionExpression: 'pk, sk, body',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The count of the meeting from its tables. Throws InvalidInputError listing what is wrong in them. */
export async function liveTabulate(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  meeting: Meeting,
  options: LiveOptions,
): Promise<LiveTabulation> {
  const threads =
    options.threads && options.threads.count > 1
      ? new ScanThreads(Math.min(options.threads.count, options.segments), options.threads.dynamo)
      : null;
  try {
    return await tabulateWith(doc, tables, meeting, options, threads);
  } finally {
    await threads?.close();
  }
}

async function tabulateWith(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  meeting: Meeting,
  options: LiveOptions,
  threads: ScanThreads | null,
): Promise<LiveTabulation> {
  const { register, pages: registerPages } = await readRegister(doc, tables, options.segments, threads);
  const queried = new Set<string>();
  for (let reruns = 0; ; reruns++) {
    const run = await countVotes(doc, tables, meeting, options, register, queried, threads);
    if (run.split.size === 0) {
      return finish(meeting, options, register, run, {
        holders: register.size,
        instructions: run.instructions,
        accountsWithInstructions: run.accountsWithInstructions,
        splitAccounts: queried.size,
        reruns,
        registerPages,
        votesPages: run.pages,
        votesScanned: run.scanned,
      });
    }
    if (reruns >= MAX_RERUNS)
      throw new Error(`the votes table Scan kept returning accounts in pieces: ${[...run.split].join(', ')}`);
    for (const account of run.split) queried.add(account);
  }
}

interface VotesRun {
  tabulator: Tabulator;
  chains: Chains;
  /** The chains over every instruction (for the input digest) when the digest is taken as of a time. */
  inputChains: Chains;
  problems: Problems;
  split: Set<string>;
  instructions: number;
  accountsWithInstructions: number;
  pages: number;
  scanned: number;
}

async function countVotes(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  meeting: Meeting,
  options: LiveOptions,
  register: RegisterIndex,
  queried: ReadonlySet<string>,
  threads: ScanThreads | null,
): Promise<VotesRun> {
  const tabulator = new Tabulator(meeting, {
    cumulative: options.cumulative,
    pollsClosedAt: options.pollsClosedAt,
  });
  const chains = new Chains(register.size);
  const inputChains = options.asOf === null ? chains : new Chains(register.size);
  const problems = new Problems();
  for (const p of interestedAccountProblems(meeting, (a) => register.index.has(a))) problems.add(p);
  const split = new Set<string>();
  const run: VotesRun = {
    tabulator,
    chains,
    inputChains,
    problems,
    split,
    instructions: 0,
    accountsWithInstructions: 0,
    pages: 0,
    scanned: 0,
  };

  /** The register's part of an account's count, once its items are read (readAccount). */
  const countAccount = (a: Omit<ReadAccount, 'texts' | 'problems'>): void => {
    const { account, instructions } = a;
    run.instructions += a.itemCount;
    const i = register.index.get(account);
    if (i === undefined) {
      for (const x of instructions)
        for (const p of instructionProblems(meeting, undefined, x))
          problems.add(`instruction ${x.id}, ${p.path}: ${p.message}`);
      return;
    }
    if (chains.seen[i]) {
      // The account's items came in two pieces: what was counted from the first is incomplete.
      split.add(account);
      return;
    }
    chains.seen[i] = 1;
    run.accountsWithInstructions += 1;
    const holder = register.holder(i);
    const byId = new Map<string, Instruction>();
    let bad = false;
    for (const x of instructions) {
      if (byId.has(x.id)) {
        problems.add(`instruction ${x.id}: the same id is stored twice for account ${account}`);
        bad = true;
        continue;
      }
      byId.set(x.id, x);
    }
    for (const x of byId.values()) {
      for (const p of instructionProblems(meeting, holder, x)) {
        problems.add(`instruction ${x.id}, ${p.path}: ${p.message}`);
        bad = true;
      }
      for (const p of resolutionProblems(x, byId)) {
        problems.add(`instruction ${x.id}, ${p.path}: ${p.message}`);
        bad = true;
      }
    }
    if (bad || instructions.length !== a.itemCount) return;
    chains.decided[i] = decidedText(tabulator.addAccount(holder, instructions));
    if (a.coveredCount > 0 && a.head) chains.set(i, a.coveredCount, a.head);
    if (inputChains !== chains && a.inputHead) inputChains.set(i, instructions.length, a.inputHead);
  };
  const readAndCount = (account: string, items: readonly Record<string, unknown>[]): void => {
    const a = readAccount(account, items, options.asOf);
    for (const p of a.problems) problems.add(p);
    countAccount(a);
  };

  // The threads' segments: handed over in batches, already read (readAccount).
  const others = threads?.run(
    {
      kind: 'votes',
      table: tables.votes,
      segments: options.segments,
      asOf: options.asOf,
      skip: [...queried],
    },
    (b) => {
      const batch = b as AccountBatch;
      for (const p of batch.problems) problems.add(p);
      const all = JSON.parse(batch.json) as Instruction[];
      let at = 0;
      for (let k = 0; k < batch.accounts.length; k++) {
        const account = batch.accounts[k] as string;
        const n = batch.instructionCounts[k] as number;
        const instructions = all.slice(at, at + n);
        at += n;
        if (account === '') continue;
        const has = batch.hasHead[k] ?? 0;
        countAccount({
          account,
          itemCount: batch.itemCounts[k] as number,
          instructions,
          coveredCount: batch.coveredCounts[k] as number,
          head: has & 1 ? batch.heads.slice(k * HASH, (k + 1) * HASH) : null,
          inputHead: has & 2 && batch.inputHeads ? batch.inputHeads.slice(k * HASH, (k + 1) * HASH) : null,
        });
      }
    },
  );
  // This thread's segments (all of them without threads). One account in progress per segment: its
  // items arrive together, in one segment.
  const current: Array<{ account: string; items: Record<string, unknown>[] } | undefined> = [];
  const own = scanSegments(
    doc,
    {
      table: tables.votes,
      segments: options.segments,
      types: ['instruction'],
      attributes: ['pk', 'sk', 'body'],
      ...(threads ? { only: threads.mainSegments(options.segments) } : {}),
    },
    (items, segment) => {
      for (const item of items) {
        const pk = String(item.pk);
        if (!pk.startsWith(PK_PREFIX)) {
          problems.add(`item ${pk}/${String(item.sk)}: an instruction outside an ACCOUNT# partition`);
          continue;
        }
        const account = pk.slice(PK_PREFIX.length);
        if (queried.has(account)) continue;
        const group = current[segment];
        if (group && group.account === account) group.items.push(item);
        else {
          if (group) readAndCount(group.account, group.items);
          current[segment] = { account, items: [item] };
        }
      }
    },
  ).then((stats) => {
    for (const group of current) if (group) readAndCount(group.account, group.items);
    return stats;
  });
  const [mine, theirs] = await Promise.all([own, others]);
  const stats = {
    pages: mine.pages + (theirs?.pages ?? 0),
    scanned: mine.scanned + (theirs?.scanned ?? 0),
  };
  for (const account of queried) {
    const items = await queryAccount(doc, tables, account);
    if (items.length > 0) readAndCount(account, items);
  }
  run.pages = stats.pages;
  run.scanned = stats.scanned;
  return run;
}

function finish(
  meeting: Meeting,
  options: LiveOptions,
  register: RegisterIndex,
  run: VotesRun,
  stats: LiveStats,
): LiveTabulation {
  const { problems, chains, inputChains, tabulator } = run;
  if (register.totalShares !== meeting.sharesOutstanding)
    problems.add(
      `register: shares add up to ${register.totalShares}, not the ${meeting.sharesOutstanding} outstanding`,
    );
  if (register.duplicates > 0) problems.add('register: an account appears more than once');
  problems.throwIfAny();

  for (let i = 0; i < register.size; i++) if (!chains.seen[i]) tabulator.addAccount(register.holder(i), []);

  const order = register.sorted();
  const registerDigest = registerDigestOf(
    (function* () {
      for (const i of order) yield register.holderHash(i);
    })(),
  );
  const rootOf = (c: Chains) => {
    let n = 0;
    for (const i of order) if ((c.counts[i] ?? 0) > 0) n++;
    const slab = new Uint8Array(n * HASH);
    let k = 0;
    let instructions = 0;
    for (const i of order) {
      const count = c.counts[i] ?? 0;
      if (count === 0) continue;
      slab.set(leafHash(c.leaf(i, register.accounts[i] as string), fastSha256), k * HASH);
      k += 1;
      instructions += count;
    }
    return { root: merkleRoot(slab, fastSha256), accounts: n, instructions };
  };
  const digestRoot = rootOf(chains);
  const inputRoot = inputChains === chains ? digestRoot : rootOf(inputChains);
  const result = tabulator.result(
    inputDigestOf(
      {
        meeting,
        options: digestOptions({ cumulative: options.cumulative, pollsClosedAt: options.pollsClosedAt }),
      },
      registerDigest,
      inputRoot.root,
    ),
  );
  result.conflicts.sort((a, b) => compareAccounts(a.account, b.account));

  const leaves: LeafList = {
    length: digestRoot.accounts,
    *[Symbol.iterator]() {
      for (const i of order)
        if ((chains.counts[i] ?? 0) > 0) yield chains.leaf(i, register.accounts[i] as string);
    },
  };
  return {
    result,
    digest: {
      root: digestRoot.root,
      asOf: options.asOf,
      accounts: digestRoot.accounts,
      instructions: digestRoot.instructions,
    },
    leaves,
    stats,
  };
}

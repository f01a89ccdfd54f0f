// Tabulation snapshots in the operations table. One run, one header item, plus chunk items:
//   TALLY           / RUN#<runId>         the header: kind, status, times, digests, summary, chunk counts
//   TALLY#<runId>   / RESULT#<nnnn>       the result JSON, in pieces of at most 100,000 characters
//   TALLY#<runId>   / LEAVES#<nnnnnn>     the history digest's leaves ("account\tcount\thead" lines,
//                                         sorted by account), 300,000 characters a piece (ASCII)
//   TALLY           / FINAL               which run is the final count (claimed under a condition)
//   TALLY           / REQUEST#<id>        a count asked for through the admin API (on AWS: picked up by
//                                         the tabulation worker, which looks every minute)
// Run ids start with the start time (20020614T090000123Z-1a2b3c4d), so the headers sort by time and the
// latest is one descending Query. Runs are rare (nightly, on demand, once final): no hot item. Chunks
// are written before the header, so a header that exists has all its chunks.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TabulationResult } from '../domain/tabulate.ts';
import { compareAccounts, type HistoryDigest, type HistoryLeaf } from '../domain/tamper.ts';
import type { TableNames } from '../storage/tables.ts';
import { FINAL_COUNT_KEY } from '../storage/vote-store.ts';
import { type LeafList, leafLine, parseLeafLine } from './live.ts';

export const TALLY_PK = FINAL_COUNT_KEY.pk;
export const FINAL_SK = FINAL_COUNT_KEY.sk;
const RUN_PREFIX = 'RUN#';
const REQUEST_PREFIX = 'REQUEST#';
const RESULT_PIECE = 100_000;
const LEAF_PIECE = 300_000;
/** A claim on the final count older than this may be taken over (the Lambda limit is 15 minutes). */
export const FINAL_LEASE_MS = 20 * 60_000;

export type RunKind = 'nightly' | 'on-demand' | 'final';
export const RUN_KINDS: readonly RunKind[] = ['nightly', 'on-demand', 'final'];

export interface SnapshotHeader {
  runId: string;
  kind: RunKind;
  status: 'complete' | 'failed';
  meeting: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  cumulative: boolean;
  segments: number;
  /** TabulationResult.inputDigest: the meeting, the register and the whole history read. */
  inputDigest: string | null;
  /** When the polls were closed, as the run read it (instructions received later were rejected). */
  pollsClosedAt?: string | null;
  /** A final count made with conflicts open, by the inspector's explicit decision. */
  openConflictsAccepted?: boolean;
  /** The tamper-evidence digest of the history (see shared/domain/tamper.ts). */
  digest: (HistoryDigest & { scheme: string }) | null;
  summary: {
    sharesPresent: number;
    requiredQuorum: number;
    quorumMet: boolean;
    openConflicts: number;
    accounts: TabulationResult['accounts'];
  } | null;
  resultChunks: number;
  leafChunks: number;
  /** The first account of each leaf chunk, to find an account's leaf with one read. */
  leafIndex: string[];
  stats: Record<string, number>;
  /** A failed run: why (the problems found in the tables, or the error). */
  problems?: string[];
}

export interface TallyRequest {
  requestId: string;
  kind: RunKind;
  requestedBy: string;
  requestedAt: string;
  cumulative?: boolean;
  /** A final count asked for with conflicts open, by the inspector's explicit decision. */
  acceptOpenConflicts?: boolean;
}

export interface Snapshot {
  header: SnapshotHeader;
  result: TabulationResult | null;
}

/** `20020614T090000123Z-1a2b3c4d`: sortable by start time, unique by the random part. */
export function newRunId(startedAtMs: number, random: string): string {
  const iso = new Date(startedAtMs).toISOString().replace(/[-:.]/g, '');
  return `${iso}-${random}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8,32}$/;

const runKey = (runId: string) => ({ pk: TALLY_PK, sk: `${RUN_PREFIX}${runId}` });
const chunkPk = (runId: string) => `${TALLY_PK}#${runId}`;
const chunkSk = (what: 'RESULT' | 'LEAVES', n: number) =>
  `${what}#${String(n).padStart(what === 'RESULT' ? 4 : 6, '0')}`;

/** Split text into pieces of at most `size` UTF-16 units, never inside a surrogate pair. */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** The leaves as text chunks of at most LEAF_PIECE characters, with the first account of each. */
export function* leafChunks(leaves: Iterable<HistoryLeaf>): Generator<{ first: string; text: string }> {
  let lines: string[] = [];
  let size = 0;
  let first = '';
  for (const leaf of leaves) {
    const line = leafLine(leaf);
    if (size + line.length + 1 > LEAF_PIECE && lines.length > 0) {
      yield { first, text: lines.join('\n') };
      lines = [];
      size = 0;
    }
    if (lines.length === 0) first = leaf.account;
    lines.push(line);
    size += line.length + 1;
  }
  if (lines.length > 0) yield { first, text: lines.join('\n') };
}

export class SnapshotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  /** Store a completed run: chunks first (25 to a batch), then the header. */
  async save(
    header: Omit<SnapshotHeader, 'resultChunks' | 'leafChunks' | 'leafIndex'>,
    result: TabulationResult,
    leaves: LeafList,
  ): Promise<SnapshotHeader> {
    const pk = chunkPk(header.runId);
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length > 0) await this.batchPut(batch);
      batch = [];
    };
    const add = async (item: Record<string, unknown>) => {
      batch.push(item);
      if (batch.length === 25) await flush();
    };
    const resultPieces = pieces(JSON.stringify(result), RESULT_PIECE);
    for (const [n, data] of resultPieces.entries())
      await add({ pk, sk: chunkSk('RESULT', n), type: 'tally-chunk', data });
    const leafIndex: string[] = [];
    for (const chunk of leafChunks(leaves)) {
      await add({ pk, sk: chunkSk('LEAVES', leafIndex.length), type: 'tally-chunk', data: chunk.text });
      leafIndex.push(chunk.first);
    }
    await flush();
    const full: SnapshotHeader = {
      ...header,
      resultChunks: resultPieces.length,
      leafChunks: leafIndex.length,
      leafIndex,
    };
    await this.putHeader(full);
    return full;
  }

  /** Store a failed run (no chunks): the history of runs shows it with its problems. */
  async saveFailed(header: SnapshotHeader): Promise<void> {
    await this.putHeader(header);
  }

  private async putHeader(header: SnapshotHeader): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tables.operations,
        Item: { ...runKey(header.runId), type: 'tally-run', ...header },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private async batchPut(items: Record<string, unknown>[]): Promise<void> {
    let requests: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error('BatchWriteItem left snapshot chunks unwritten after 10 retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2_000, 25 * 2 ** attempt)));
      const out = await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.tables.operations]: requests as never[] } }),
      );
      requests = (out.UnprocessedItems?.[this.tables.operations] ?? []) as Record<string, unknown>[];
    }
  }

  /** Headers, newest first; `cursor` continues a previous page. */
  async list(limit = 20, cursor?: string): Promise<{ runs: SnapshotHeader[]; next: string | null }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.operations,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
        ExpressionAttributeValues: { ':pk': TALLY_PK, ':run': RUN_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
        ExclusiveStartKey: cursor ? { pk: TALLY_PK, sk: `${RUN_PREFIX}${cursor}` } : undefined,
      }),
    );
    const runs = (out.Items ?? []).map(toHeader);
    const last = out.LastEvaluatedKey?.sk;
    return { runs, next: typeof last === 'string' ? last.slice(RUN_PREFIX.length) : null };
  }

  async header(runId: string): Promise<SnapshotHeader | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.operations, Key: runKey(runId), ConsistentRead: true }),
    );
    return out.Item ? toHeader(out.Item) : null;
  }

  /** The newest complete run. */
  async latest(): Promise<SnapshotHeader | null> {
    let cursor: string | undefined;
    do {
      const page = await this.list(20, cursor);
      const found = page.runs.find((r) => r.status === 'complete');
      if (found) return found;
      cursor = page.next ?? undefined;
    } while (cursor);
    return null;
  }

  /** The final count, once it is complete. */
  async final(): Promise<SnapshotHeader | null> {
    const claim = await this.finalClaim();
    if (!claim || claim.status !== 'complete') return null;
    return this.header(claim.runId);
  }

  /** `latest`, `final` or a run id. */
  async resolve(ref: string): Promise<SnapshotHeader | null> {
    if (ref === 'latest') return this.latest();
    if (ref === 'final') return this.final();
    if (!RUN_ID_PATTERN.test(ref)) return null;
    return this.header(ref);
  }

  async result(header: SnapshotHeader): Promise<TabulationResult | null> {
    if (header.resultChunks === 0) return null;
    const parts = await this.chunks(header.runId, 'RESULT#');
    if (parts.length !== header.resultChunks)
      throw new Error(`snapshot ${header.runId}: ${parts.length} result chunks of ${header.resultChunks}`);
    return JSON.parse(parts.join('')) as TabulationResult;
  }

  /** One chunk of leaves, as stored (lines "account\tcount\thead"). */
  async leafChunk(header: SnapshotHeader, n: number): Promise<string | null> {
    if (!Number.isInteger(n) || n < 0 || n >= header.leafChunks) return null;
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.operations,
        Key: { pk: chunkPk(header.runId), sk: chunkSk('LEAVES', n) },
      }),
    );
    return typeof out.Item?.data === 'string' ? out.Item.data : null;
  }

  /** Every leaf, in account order (for a snapshot file). */
  async *leaves(header: SnapshotHeader): AsyncGenerator<HistoryLeaf> {
    for (let n = 0; n < header.leafChunks; n++) {
      const text = await this.leafChunk(header, n);
      if (text === null) throw new Error(`snapshot ${header.runId}: leaf chunk ${n} is missing`);
      for (const line of text.split('\n')) if (line !== '') yield parseLeafLine(line);
    }
  }

  /** An account's leaf, with one read: the chunk whose first account is the greatest not above it. */
  async leafOf(header: SnapshotHeader, account: string): Promise<HistoryLeaf | null> {
    let lo = 0;
    let hi = header.leafIndex.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareAccounts(header.leafIndex[mid] as string, account) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const text = await this.leafChunk(header, found);
    for (const line of text?.split('\n') ?? []) {
      const leaf = parseLeafLine(line);
      if (leaf.account === account) return leaf;
    }
    return null;
  }

  private async chunks(runId: string, prefix: string): Promise<string[]> {
    const parts: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.operations,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': chunkPk(runId), ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) parts.push(String(item.data));
      start = out.LastEvaluatedKey;
    } while (start);
    return parts;
  }

  // -------------------------------------------------------------------------------------------------
  // The final count: claimed once, under a condition, so two triggers never run it twice.

  async finalClaim(): Promise<{
    runId: string;
    status: 'running' | 'complete' | 'failed';
    claimedAt: string;
  } | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.operations,
        Key: { pk: TALLY_PK, sk: FINAL_SK },
        ConsistentRead: true,
      }),
    );
    const i = out.Item;
    if (!i) return null;
    return {
      runId: String(i.runId),
      status: i.status as 'running' | 'complete' | 'failed',
      claimedAt: String(i.claimedAt),
    };
  }

  /**
   * Claim the final count for `runId`. Succeeds when nobody has, when an earlier attempt failed, or when
   * an attempt's lease ran out (its Lambda died); false when another run holds it or it is complete.
   */
  async claimFinal(runId: string, nowMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.operations,
          Item: {
            pk: TALLY_PK,
            sk: FINAL_SK,
            type: 'tally-final',
            runId,
            status: 'running',
            claimedAt: new Date(nowMs).toISOString(),
            leaseUntil: nowMs + FINAL_LEASE_MS,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :running AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':running': 'running', ':now': nowMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        // Refused by our own claim: the SDK retried a put whose answer was lost.
        const old = e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : {};
        return old.runId === runId && old.status === 'running';
      }
      // The answer may have been lost after the claim was written: the claim itself says whose it is.
      const claim = await this.finalClaim().catch(() => null);
      if (claim?.runId === runId && claim.status === 'running') return true;
      throw e;
    }
  }

  /**
   * Mark the claimed final count complete or failed (only for the run that holds the claim). A claim
   * marked failed may still be marked complete: its run stored a whole snapshot after all.
   */
  async settleFinal(runId: string, status: 'complete' | 'failed'): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: { pk: TALLY_PK, sk: FINAL_SK },
          UpdateExpression: 'SET #status = :status',
          ConditionExpression:
            status === 'complete'
              ? 'runId = :run AND #status IN (:running, :failed)'
              : 'runId = :run AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':run': runId,
            ':running': 'running',
            ...(status === 'complete' ? { ':failed': 'failed' } : {}),
          },
        }),
      );
    } catch (e) {
      // Settled already (an earlier attempt whose answer was lost): nothing left to do.
      const claim = await this.finalClaim().catch(() => null);
      if (claim?.runId === runId && claim.status === status) return;
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Requests from the admin API, run by the worker (on AWS the operations table's stream carries them).

  async request(
    kind: RunKind,
    requestedBy: string,
    cumulative: boolean | undefined,
    id: string,
    at: string,
    acceptOpenConflicts = false,
  ) {
    await this.doc.send(
      new PutCommand({
        TableName: this.tables.operations,
        Item: {
          pk: TALLY_PK,
          sk: `${REQUEST_PREFIX}${id}`,
          type: 'tally-request',
          requestId: id,
          kind,
          requestedBy,
          requestedAt: at,
          status: 'pending',
          ...(cumulative === undefined ? {} : { cumulative }),
          ...(acceptOpenConflicts ? { acceptOpenConflicts } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Requests nobody has taken yet, oldest first. */
  async pendingRequests(): Promise<TallyRequest[]> {
    const found: TallyRequest[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.operations,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': TALLY_PK, ':prefix': REQUEST_PREFIX, ':pending': 'pending' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const i of out.Items ?? [])
        found.push({
          requestId: String(i.requestId),
          kind: i.kind as RunKind,
          requestedBy: String(i.requestedBy),
          requestedAt: String(i.requestedAt),
          ...(typeof i.cumulative === 'boolean' ? { cumulative: i.cumulative } : {}),
          ...(i.acceptOpenConflicts === true ? { acceptOpenConflicts: true } : {}),
        });
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** Take a pending request (once: two workers never run the same one). */
  async takeRequest(requestId: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: { pk: TALLY_PK, sk: `${REQUEST_PREFIX}${requestId}` },
          UpdateExpression: 'SET #status = :taken, takenAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':taken': 'taken', ':pending': 'pending', ':at': at },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      // The answer may have been lost after the update: taken at this very instant means taken by us.
      const out = await this.doc
        .send(
          new GetCommand({
            TableName: this.tables.operations,
            Key: { pk: TALLY_PK, sk: `${REQUEST_PREFIX}${requestId}` },
            ConsistentRead: true,
          }),
        )
        .catch(() => null);
      if (out?.Item?.status === 'taken' && out.Item.takenAt === at) return true;
      throw e;
    }
  }

  /** What became of a request: the run it started, or why not. */
  async settleRequest(requestId: string, outcome: { status: string; runId?: string; detail?: string }) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.operations,
        Key: { pk: TALLY_PK, sk: `${REQUEST_PREFIX}${requestId}` },
        UpdateExpression: 'SET #status = :status, runId = :run, detail = :detail',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':run': outcome.runId ?? null,
          ':detail': outcome.detail ?? null,
        },
      }),
    );
  }
}

function toHeader(item: Record<string, unknown>): SnapshotHeader {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as unknown as SnapshotHeader;
}

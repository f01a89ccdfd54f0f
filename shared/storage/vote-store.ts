// The DynamoDB side of voting. Items:
//   register   CONTROL#<hmac>  / CONTROL      the holder behind a control number (no number stored)
//   votes      ACCOUNT#<acct>  / INSTR#<id>   one instruction, appended once, never changed
//   votes      ACCOUNT#<acct>  / EFFECTIVE    the account's effective instruction (greatest order key)
//   register   LINK#<hmac>     / LINK         a notice link's token: its control hash, used once
//   operations GUESS#<viewer>  / LIMIT        the viewer's guess limiter (shared/domain/guess-limit.ts)
//   operations SESSION#<hmac>  / SESSION      a ballot session: its control hash, until it expires
// A submission costs one conditional UpdateItem (reserve a guess), one GetItem (the holder), one
// UpdateItem (give the guess back: the number was right) and one TransactWriteItems (append + move the
// pointer, each under a condition), so concurrent submissions for one account leave exactly the
// latest-dated one effective and every one of them in the history.

import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { canonicalJson } from '../domain/canonical.ts';
import type { GuessPolicy, GuessReservation } from '../domain/guess-limit.ts';
import type { Holder } from '../domain/holder.ts';
import type { Instruction } from '../domain/instruction.ts';
import { instructionSchema } from '../domain/instruction.ts';
import { holderKey, itemToHolder } from '../register/holder-item.ts';
import {
  type AppendResult,
  type BallotHolder,
  type GuessOutcome,
  PollsClosedError,
  type PollsState,
  type StoredInstruction,
  type VoteStore,
} from '../voting/ports.ts';
import { releaseGuess, reserveGuess } from './guess-limiter.ts';

export { PollsClosedError };

import type { TableNames } from './tables.ts';

export const CONTROL_SK = 'CONTROL';
/** The operations item recording that the polls were declared closed. */
export const POLLS_KEY = { pk: 'POLLS', sk: 'STATE' } as const;
/** The operations item that claims the final count (shared/tabulation/snapshots.ts writes it). */
export const FINAL_COUNT_KEY = { pk: 'TALLY', sk: 'FINAL' } as const;

/** The polls' state from the operations table (a consistent read); null while they are open. */
export async function readPolls(doc: DynamoDBDocumentClient, tables: TableNames): Promise<PollsState | null> {
  const out = await doc.send(
    new GetCommand({ TableName: tables.operations, Key: POLLS_KEY, ConsistentRead: true }),
  );
  return pollsStateOf(out.Item);
}

function pollsStateOf(item: Record<string, unknown> | undefined): PollsState | null {
  if (typeof item?.closedAt !== 'string') return null;
  return {
    closedAt: item.closedAt,
    closedBy: String(item.closedBy),
    ...(typeof item.override === 'string' ? { override: item.override } : {}),
  };
}
export const EFFECTIVE_SK = 'EFFECTIVE';
export const INSTRUCTION_PREFIX = 'INSTR#';

export const controlKey = (hash: string) => ({ pk: `CONTROL#${hash}`, sk: CONTROL_SK });
/** A notice link's token, by its keyed hash (register table). */
export const linkKey = (hash: string) => ({ pk: `LINK#${hash}`, sk: 'LINK' });
/** A ballot session, by its id's keyed hash (operations table). */
export const sessionKey = (hash: string) => ({ pk: `SESSION#${hash}`, sk: 'SESSION' });
export const accountPk = (account: string) => `ACCOUNT#${account}`;

/** Paper instruments and the inspector's resolutions mark the account: its count needs the whole history. */
export const needsHistory = (i: Instruction) =>
  i.kind === 'resolution' || ((i.kind === 'proxy' || i.kind === 'revocation') && i.channel === 'paper');

export interface InstructionItem {
  pk: string;
  sk: string;
  type: 'instruction';
  account: string;
  orderKey: string;
  receiptCode: string;
  /** The instruction as canonical JSON: exactly what the export and the digests read. */
  body: string;
}

export function toStored(item: Record<string, unknown>): StoredInstruction {
  return {
    instruction: instructionSchema.parse(JSON.parse(String(item.body))),
    receiptCode: String(item.receiptCode),
  };
}

export class DynamoVoteStore implements VoteStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly now: () => number,
  ) {}

  async lookup(controlHash: string): Promise<BallotHolder | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.register, Key: controlKey(controlHash) }),
    );
    const control = out.Item;
    return control
      ? {
          account: String(control.account),
          name: String(control.name),
          jointNames: Array.isArray(control.jointNames) ? control.jointNames.map(String) : [],
          shares: Number(control.shares),
          nominee: control.nominee === true,
          email: typeof control.email === 'string' ? control.email : null,
        }
      : null;
  }

  async useLinkToken(linkHash: string, now: number): Promise<string | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.register,
          Key: linkKey(linkHash),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(usedAt) AND (attribute_not_exists(expiresAt) OR expiresAt > :nowSeconds)',
          ExpressionAttributeValues: {
            ':now': new Date(now).toISOString(),
            ':nowSeconds': Math.floor(now / 1000),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return typeof out.Attributes?.controlHash === 'string' ? out.Attributes.controlHash : null;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return null;
      throw e;
    }
  }

  async openSession(sessionHash: string, controlHash: string, expiresAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tables.operations,
        Item: {
          ...sessionKey(sessionHash),
          type: 'session',
          controlHash,
          expiresAt: Math.floor(expiresAt / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async session(sessionHash: string, now: number): Promise<string | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.operations,
        Key: sessionKey(sessionHash),
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    // DynamoDB deletes expired items late (DynamoDB Local never): the expiry is checked here.
    if (!item || typeof item.controlHash !== 'string' || Number(item.expiresAt) * 1000 <= now) return null;
    return item.controlHash;
  }

  async reserveGuess(viewer: string, policy: GuessPolicy): Promise<GuessOutcome> {
    return reserveGuess(this.doc, this.tables.operations, viewer, policy, this.now);
  }

  async releaseGuess(reservation: GuessReservation): Promise<void> {
    await releaseGuess(this.doc, this.tables.operations, reservation);
  }

  async append(instruction: Instruction, receiptCode: string, orderKey: string): Promise<AppendResult> {
    const pk = accountPk(instruction.account);
    const item: InstructionItem = {
      pk,
      sk: `${INSTRUCTION_PREFIX}${instruction.id}`,
      type: 'instruction',
      account: instruction.account,
      orderKey,
      receiptCode,
      body: canonicalJson(instruction),
    };
    const put = {
      Put: {
        TableName: this.tables.votes,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
    const paper = needsHistory(instruction);
    // Checked in the same transaction (RULES.md section 7): closing the polls ends every kind of vote,
    // the internet included; the inspector's resolutions are taken until the final count is claimed.
    const pollsCheck = [
      instruction.kind === 'resolution'
        ? {
            ConditionCheck: {
              TableName: this.tables.operations,
              Key: FINAL_COUNT_KEY,
              ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':failed': 'failed' },
            },
          }
        : {
            ConditionCheck: {
              TableName: this.tables.operations,
              Key: POLLS_KEY,
              ConditionExpression: 'attribute_not_exists(closedAt)',
            },
          },
    ];
    try {
      if (instruction.kind === 'resolution') throw new NotLatest();
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            put,
            {
              Update: {
                TableName: this.tables.votes,
                Key: { pk, sk: EFFECTIVE_SK },
                UpdateExpression: `SET #type = :type, account = :account, orderKey = :key, receiptCode = :receipt, body = :body${paper ? ', needsHistory = :true' : ''}`,
                ConditionExpression: 'attribute_not_exists(orderKey) OR orderKey < :key',
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':type': 'effective',
                  ':account': instruction.account,
                  ':key': orderKey,
                  ':receipt': receiptCode,
                  ':body': item.body,
                  ...(paper ? { ':true': true } : {}),
                },
              },
            },
            ...pollsCheck,
          ],
        }),
      );
      return { outcome: 'stored', stored: { instruction, receiptCode }, effective: true };
    } catch (e) {
      const duplicate = duplicateOf(e);
      if (duplicate) return this.replay(duplicate);
      if (pollsClosed(e)) throw new PollsClosedError(instruction.kind === 'resolution');
      if (!(e instanceof NotLatest) && !pointerRefused(e)) throw e;
    }
    // A later-dated instruction is already effective: append this one to the history alone.
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            put,
            ...(paper
              ? [
                  {
                    Update: {
                      TableName: this.tables.votes,
                      Key: { pk, sk: EFFECTIVE_SK },
                      UpdateExpression: 'SET needsHistory = :true, account = :account',
                      ExpressionAttributeValues: { ':true': true, ':account': instruction.account },
                    },
                  },
                ]
              : []),
            ...pollsCheck,
          ],
        }),
      );
      return { outcome: 'stored', stored: { instruction, receiptCode }, effective: false };
    } catch (e) {
      const duplicate = duplicateOf(e);
      if (duplicate) return this.replay(duplicate);
      if (pollsClosed(e)) throw new PollsClosedError(instruction.kind === 'resolution');
      throw e;
    }
  }

  private async replay(item: Record<string, unknown>): Promise<AppendResult> {
    const stored = toStored(item);
    const effective = await this.effective(stored.instruction.account);
    return { outcome: 'duplicate', stored, effective: effective?.instruction.id === stored.instruction.id };
  }

  async effective(account: string): Promise<StoredInstruction | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.votes,
        Key: { pk: accountPk(account), sk: EFFECTIVE_SK },
        ConsistentRead: true,
      }),
    );
    return out.Item?.body ? toStored(out.Item) : null;
  }

  async holder(account: string): Promise<Holder | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.register, Key: holderKey(account) }),
    );
    return out.Item ? itemToHolder(out.Item) : null;
  }

  async closePolls(state: PollsState): Promise<PollsState & { alreadyClosed: boolean }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.operations,
          Item: { ...POLLS_KEY, ...state },
          ConditionExpression: 'attribute_not_exists(closedAt)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ...state, alreadyClosed: false };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const old = pollsStateOf(e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : undefined);
      if (!old) throw e;
      return { ...old, alreadyClosed: true };
    }
  }

  async polls(): Promise<PollsState | null> {
    return readPolls(this.doc, this.tables);
  }

  async finalCountClaimed(): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.operations, Key: FINAL_COUNT_KEY, ConsistentRead: true }),
    );
    return out.Item !== undefined && out.Item.status !== 'failed';
  }

  async *accountsWithPaper(): AsyncIterable<string> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.tables.votes,
          FilterExpression: 'sk = :effective AND needsHistory = :true',
          ExpressionAttributeValues: { ':effective': EFFECTIVE_SK, ':true': true },
          ProjectionExpression: 'account',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) yield String(item.account);
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async history(account: string): Promise<StoredInstruction[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.votes,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': accountPk(account), ':prefix': INSTRUCTION_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => (String(a.orderKey) < String(b.orderKey) ? -1 : 1)).map(toStored);
  }
}

class NotLatest extends Error {}

/** The polls (or final count) check is the last item of the transaction. */
function pollsClosed(e: unknown): boolean {
  if (!(e instanceof TransactionCanceledException)) return false;
  const reasons = e.CancellationReasons ?? [];
  return reasons[reasons.length - 1]?.Code === 'ConditionalCheckFailed';
}

/** The stored item when the append's own condition failed (the same id was already stored). */
function duplicateOf(e: unknown): Record<string, unknown> | null {
  if (!(e instanceof TransactionCanceledException)) return null;
  const reason = e.CancellationReasons?.[0];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return null;
  return unmarshall(reason.Item as Parameters<typeof unmarshall>[0]);
}

/** The pointer's condition failed: a later-dated instruction is already effective. */
function pointerRefused(e: unknown): boolean {
  return (
    e instanceof TransactionCanceledException && e.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed'
  );
}

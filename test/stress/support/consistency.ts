// The storage invariants every run must leave behind, read from a full scan of the votes table:
//   - every instruction item parses (the schema of the export) and its order key is the one its
//     content gives;
//   - an account with instructions has an effective pointer, and the pointer is exactly the stored
//     instruction with the greatest order key (resolutions never move it): same key, body, receipt;
//   - no pointer without its instruction item.
// So no submission is ever half-written: neither an instruction the pointer should show but does not,
// nor a pointer to an instruction that is not there.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Instruction } from '../../../shared/domain/instruction.ts';
import type { Meeting } from '../../../shared/domain/meeting.ts';
import { orderKey } from '../../../shared/domain/revocation.ts';
import type { TableNames } from '../../../shared/storage/tables.ts';
import { EFFECTIVE_SK, INSTRUCTION_PREFIX, toStored } from '../../../shared/storage/vote-store.ts';
import { type Item, scanAll } from './tables.ts';

export interface StoredRow {
  instruction: Instruction;
  receiptCode: string;
  orderKey: string;
}

export interface VotesState {
  /** Every stored instruction by account, in order-key order. */
  history: Map<string, StoredRow[]>;
  /** The effective pointer of each account that has one. */
  pointers: Map<string, StoredRow>;
  /** Every broken invariant, in words; empty when the table is consistent. */
  problems: string[];
  instructions: number;
}

export async function readVotes(
  doc: DynamoDBDocumentClient,
  names: TableNames,
  meeting: Meeting,
): Promise<VotesState> {
  const items = await scanAll(doc, names.votes, 8);
  const problems: string[] = [];
  const history = new Map<string, StoredRow[]>();
  const pointers = new Map<string, StoredRow>();
  const pointerItems = new Map<string, Item>();
  let instructions = 0;
  for (const item of items) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    if (!pk.startsWith('ACCOUNT#')) {
      problems.push(`unexpected item ${pk} / ${sk} in the votes table`);
      continue;
    }
    const account = pk.slice('ACCOUNT#'.length);
    if (sk === EFFECTIVE_SK) {
      pointerItems.set(account, item);
      continue;
    }
    if (!sk.startsWith(INSTRUCTION_PREFIX)) {
      problems.push(`unexpected item ${pk} / ${sk}`);
      continue;
    }
    instructions += 1;
    let row: StoredRow;
    try {
      const stored = toStored(item);
      row = { ...stored, orderKey: String(item.orderKey) };
    } catch (e) {
      problems.push(
        `${pk} / ${sk}: does not parse as an instruction (${(e as Error).message.slice(0, 200)})`,
      );
      continue;
    }
    if (`${INSTRUCTION_PREFIX}${row.instruction.id}` !== sk)
      problems.push(`${pk} / ${sk}: the id is ${row.instruction.id}`);
    if (row.instruction.account !== account)
      problems.push(`${pk} / ${sk}: the account is ${row.instruction.account}`);
    const expectedKey = orderKey(row.instruction, meeting.timeZone);
    if (row.orderKey !== expectedKey)
      problems.push(`${pk} / ${sk}: order key ${row.orderKey}, expected ${expectedKey}`);
    const list = history.get(account);
    if (list) list.push(row);
    else history.set(account, [row]);
  }
  for (const list of history.values())
    list.sort((a, b) => (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0));

  for (const [account, item] of pointerItems) {
    if (typeof item.body !== 'string') {
      // A pointer made only of the needsHistory mark (a late paper entry before any pointer): allowed
      // only when the account has a paper instrument.
      const paper = (history.get(account) ?? []).some(
        (r) => 'channel' in r.instruction && r.instruction.channel === 'paper',
      );
      if (!paper) problems.push(`account ${account}: a pointer without an instruction and no paper entry`);
      continue;
    }
    let pointer: StoredRow;
    try {
      pointer = { ...toStored(item), orderKey: String(item.orderKey) };
    } catch (e) {
      problems.push(`account ${account}: the pointer does not parse (${(e as Error).message.slice(0, 200)})`);
      continue;
    }
    pointers.set(account, pointer);
    const target = (history.get(account) ?? []).find((r) => r.orderKey === pointer.orderKey);
    if (!target) {
      problems.push(`account ${account}: the pointer names ${pointer.instruction.id}, which is not stored`);
      continue;
    }
    if (target.receiptCode !== pointer.receiptCode || target.instruction.id !== pointer.instruction.id) {
      problems.push(`account ${account}: the pointer and instruction ${target.instruction.id} differ`);
    }
  }
  for (const [account, list] of history) {
    const movers = list.filter((r) => r.instruction.kind !== 'resolution');
    const latest = movers[movers.length - 1];
    if (!latest) continue;
    const pointer = pointers.get(account);
    if (!pointer) {
      problems.push(`account ${account}: ${list.length} instruction(s) and no effective pointer`);
    } else if (pointer.orderKey !== latest.orderKey) {
      problems.push(
        `account ${account}: the pointer is ${pointer.instruction.id} (${pointer.orderKey}), the latest is ${latest.instruction.id} (${latest.orderKey})`,
      );
    }
  }
  return { history, pointers, problems, instructions };
}

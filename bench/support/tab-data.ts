// The data of the tabulation benchmarks, shaped as the product stores it: for each account, the holder
// item of the register (holderToItem) and one internet proxy appended by a submission (the INSTR# item
// vote-store.ts writes, its body the instruction's canonical JSON). Generated from the account's index
// alone, cheaply, batch by batch: never all in memory. Loaded into DynamoDB Local with BatchWriteItem,
// or served page by page by scan-server.ts.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../../shared/domain/canonical.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction, Votes } from '../../shared/domain/instruction.ts';
import { orderKey } from '../../shared/domain/revocation.ts';
import { holderToItem } from '../../shared/register/holder-item.ts';
import type { TableNames } from '../../shared/storage/tables.ts';
import { accountPk, INSTRUCTION_PREFIX } from '../../shared/storage/vote-store.ts';

const FIRST = ['Mary', 'James', 'Linda', 'Robert', 'Priya', 'Hiroshi', 'Lucia', 'Ahmed', 'Mei', 'Carlos'];
const LAST = [
  'Smith',
  'Garcia',
  'Nguyen',
  'Patel',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Reyes',
  'Chen',
  'Walker',
];
const VOTE_SETS: Votes[] = [
  {},
  { '2': 'FOR' },
  { '1': { marks: { darlington: 'FOR', johnson: 'FOR', steffenhagen: 'WITHHOLD' } }, '2': 'AGAINST' },
  {
    '1': {
      marks: { darlington: 'WITHHOLD', johnson: 'FOR', steffenhagen: 'FOR', wallace: 'FOR', belisle: 'FOR' },
    },
    '2': 'ABSTAIN',
  },
];

export const benchAccount = (i: number): string => `B${String(i).padStart(7, '0')}`;
export const accountIndex = (account: string): number => Number(account.slice(1));

/** Each account's shares; the bench's meeting has exactly their sum outstanding (the count checks it). */
export const sharesOf = (i: number): number => 50 + (i % 101);

export function sharesOutstanding(accounts: number): number {
  let total = 0;
  for (let i = 0; i < accounts; i++) total += sharesOf(i);
  return total;
}

export function benchHolder(i: number): Holder {
  const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
  return {
    account: benchAccount(i),
    name,
    jointNames: i % 7 === 0 ? [`${FIRST[(i + 3) % FIRST.length]} ${LAST[i % LAST.length]}`] : [],
    email: i % 2 === 0 ? `holder${i}@example.com` : null,
    eDelivery: i % 2 === 0,
    mailingAddress: `${100 + (i % 9000)} Oak Street, Woodland Hills, CA 91367`,
    shares: sharesOf(i),
    nominee: false,
  };
}

const PLACEHOLDER = /@(ID|ACCOUNT|AT|SIGNER)@/;

/** The instruction items of one run of the benchmark: all received on one day, a millisecond apart. */
export class InstructionItems {
  /** Per vote set: the canonical JSON cut at its placeholders, and the placeholders in order. */
  private readonly templates: Array<{ parts: string[]; escaped: string[]; names: string[] }>;

  constructor(
    private readonly timeZone: string,
    /** The first receipt time (ms); the last is a million ms (17 minutes) later at most. */
    private readonly firstMs: number,
  ) {
    this.templates = VOTE_SETS.map((votes) => {
      const json = canonicalJson({
        id: '@ID@',
        account: '@ACCOUNT@',
        kind: 'proxy',
        channel: 'internet',
        receivedAt: '@AT@',
        signedBy: '@SIGNER@',
        votes,
      } satisfies Instruction);
      const pieces = json.split(PLACEHOLDER);
      const parts = pieces.filter((_p, k) => k % 2 === 0);
      return {
        parts,
        // For DynamoDB JSON: the parts as the inside of a JSON string (the values need no escaping).
        escaped: parts.map((part) => JSON.stringify(part).slice(1, -1)),
        names: pieces.filter((_p, k) => k % 2 === 1),
      };
    });
  }

  id(i: number): string {
    return `net-${i.toString(16).padStart(32, '0')}`;
  }

  receivedAt(i: number): string {
    return new Date(this.firstMs + (i % 1_000_000)).toISOString();
  }

  private fill(i: number, escaped: boolean): string {
    const t = this.templates[i % this.templates.length] as (typeof this.templates)[number];
    const parts = escaped ? t.escaped : t.parts;
    let out = parts[0] as string;
    for (let k = 0; k < t.names.length; k++) {
      const name = t.names[k];
      const value =
        name === 'ID'
          ? this.id(i)
          : name === 'ACCOUNT'
            ? benchAccount(i)
            : name === 'AT'
              ? this.receivedAt(i)
              : benchHolder(i).name;
      out += value + (parts[k + 1] as string);
    }
    return out;
  }

  /** The canonical JSON of account i's proxy (account numbers, instants and names need no escaping). */
  body(i: number): string {
    return this.fill(i, false);
  }

  /** The same, as a JSON string literal. */
  bodyLiteral(i: number): string {
    return `"${this.fill(i, true)}"`;
  }

  item(i: number) {
    const body = this.body(i);
    const instruction = JSON.parse(body) as Instruction;
    return {
      pk: accountPk(benchAccount(i)),
      sk: `${INSTRUCTION_PREFIX}${this.id(i)}`,
      type: 'instruction',
      account: benchAccount(i),
      orderKey: orderKey(instruction, this.timeZone),
      receiptCode: `R${String(i).padStart(11, '0')}`,
      body,
    };
  }
}

export interface LoadOptions {
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  items: InstructionItems;
  /** Accounts [from, to). */
  from: number;
  to: number;
  concurrency: number;
  /** Stop (resolve early) once this instant (performance.now()) has passed. */
  deadline?: number;
}

/** Writes the holder and instruction items of accounts [from, to); resolves with the accounts written. */
export async function loadAccounts(o: LoadOptions): Promise<number> {
  const PER_BATCH = 12; // 12 accounts = 24 items, under BatchWriteItem's 25
  let next = o.from;
  let written = 0;
  const writeBatch = async (start: number, end: number): Promise<void> => {
    const register: Record<string, unknown>[] = [];
    const votes: Record<string, unknown>[] = [];
    for (let i = start; i < end; i++) {
      register.push({ PutRequest: { Item: holderToItem(benchHolder(i)) } });
      votes.push({ PutRequest: { Item: o.items.item(i) } });
    }
    let request: Record<string, Record<string, unknown>[]> = {
      [o.tables.register]: register,
      [o.tables.votes]: votes,
    };
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 10 * 2 ** attempt)));
      const out = await o.doc.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = (out.UnprocessedItems ?? {}) as typeof request;
      if (attempt > 20) throw new Error('BatchWriteItem kept leaving items unprocessed');
    }
  };
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.to && (o.deadline === undefined || performance.now() < o.deadline)) {
        const start = next;
        const end = Math.min(o.to, start + PER_BATCH);
        next = end;
        await writeBatch(start, end);
        written += end - start;
      }
    }),
  );
  return written;
}

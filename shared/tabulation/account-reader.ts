// One account's stored instruction items as the count reads them, before anything that needs the
// register: the bodies parsed and checked (stored-instruction.ts: the schema's result, the stored
// canonical text hashed as it is) and the account's chain heads. Runs on the count's main thread or in
// a scan worker thread (scan-threads.ts), with the same result.
import { hash } from 'node:crypto';
import type { Instruction } from '../domain/instruction.ts';
import { readStoredBody } from '../domain/stored-instruction.ts';
import { chainHead, coveredAsOf, type Sha256 } from '../domain/tamper.ts';

/** The same SHA-256 as the domain's default, one-shot: several times faster on short inputs. */
export const fastSha256: Sha256 = (data) => hash('sha256', data, 'buffer');

export interface ReadAccount {
  account: string;
  /** Items read for the account (some may not have parsed). */
  itemCount: number;
  instructions: Instruction[];
  /** Per instruction: JSON text that parses back to it exactly (for a hand-over between threads). */
  texts: string[];
  /** Instructions the digest covers (received before asOf; all when asOf is null). */
  coveredCount: number;
  /** The chain head over the covered instructions; null when none or when an item did not parse. */
  head: Uint8Array | null;
  /** With asOf: the chain head over every instruction (the input digest's); else null. */
  inputHead: Uint8Array | null;
  /** Each problem, naming the item. */
  problems: string[];
}

export function readAccount(
  account: string,
  items: readonly Record<string, unknown>[],
  asOf: string | null,
): ReadAccount {
  const instructions: Instruction[] = [];
  const texts: string[] = [];
  const canonical = new Map<Instruction, string>();
  const problems: string[] = [];
  for (const item of items) {
    const where = `item ${String(item.pk)}/${String(item.sk)}`;
    const body = String(item.body);
    const read = readStoredBody(body);
    if (!read.ok) {
      for (const p of read.problems) problems.push(`${where}${p}`);
      continue;
    }
    if (read.instruction.account !== account) {
      problems.push(`${where}: the instruction names account ${read.instruction.account}`);
      continue;
    }
    instructions.push(read.instruction);
    canonical.set(read.instruction, read.canonical);
    texts.push(read.canonical === body ? body : JSON.stringify(read.instruction));
  }
  let head: Uint8Array | null = null;
  let inputHead: Uint8Array | null = null;
  let coveredCount = 0;
  if (instructions.length === items.length && instructions.length > 0) {
    const textOf = (x: Instruction) => canonical.get(x) as string;
    const covered = asOf === null ? instructions : instructions.filter((x) => coveredAsOf(x, asOf));
    coveredCount = covered.length;
    if (covered.length > 0) head = chainHead(account, covered, fastSha256, textOf);
    if (asOf !== null) inputHead = chainHead(account, instructions, fastSha256, textOf);
  }
  return { account, itemCount: items.length, instructions, texts, coveredCount, head, inputHead, problems };
}

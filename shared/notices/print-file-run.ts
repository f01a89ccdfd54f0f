// `proxyvote notices print-file`: the paper notices of holders whose e-mail failed them after the
// import (a permanent bounce or a complaint), and of any account the operator names (a notice whose
// sending is in doubt, a lost letter). Their e-mailed numbers exist nowhere the product can read, so
// each gets a re-issued number (reissue.ts): the paper notice carries a working number and the old
// one stops working. A holder already given a paper notice is not printed again unless named.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Meeting } from '../domain/meeting.ts';
import { type PrintReason, type PrintRow, printFileCsv } from '../domain/print-file.ts';
import type { TableNames } from '../storage/tables.ts';
import type { PrintFileSink } from './ports.ts';
import { writePrintCompanions } from './printed-notice.ts';
import { reissueControlNumber } from './reissue.ts';
import { type HolderNoticeState, readNoticeState } from './state.ts';

export class UnknownAccounts extends Error {
  constructor(readonly accounts: readonly string[]) {
    super(`not on the register: ${accounts.join(', ')}`);
    this.name = 'UnknownAccounts';
  }
}

export interface PrintFileRunInput {
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  meeting: Meeting;
  ballotUrl: string;
  secret: Uint8Array | string;
  randomBytes: (n: number) => Uint8Array;
  now: () => number;
  sink: PrintFileSink;
  /** Accounts to re-issue and print whatever their state. */
  accounts?: readonly string[];
}

export interface PrintFileRunResult {
  printed: { account: string; reason: PrintReason }[];
  /** Re-issued by someone else meanwhile: not printed here. */
  skipped: string[];
  file: string;
  /** The printed notices beside it (one page per holder, with the QR code), when the sink writes them. */
  notices: string | null;
  /** The holders' proxy cards beside it, to post with paper materials (Rule 14a-16(f)(2)). */
  cards: string | null;
}

function reasonFor(s: HolderNoticeState): PrintReason | null {
  if (s.delivery.paperNoticeAt !== null) return null;
  if (s.delivery.bouncedAt !== null) return 'bounced';
  if (s.delivery.complainedAt !== null) return 'complaint';
  return null;
}

export async function producePrintFile(input: PrintFileRunInput): Promise<PrintFileRunResult> {
  const state = await readNoticeState(input.doc, input.tables);
  const named = new Set(input.accounts ?? []);
  const unknown = [...named].filter((a) => !state.has(a));
  if (unknown.length > 0) throw new UnknownAccounts(unknown);

  const chosen: { s: HolderNoticeState; reason: PrintReason }[] = [];
  for (const s of state.values()) {
    const reason = named.has(s.holder.account) ? 'operator' : reasonFor(s);
    if (reason) chosen.push({ s, reason });
  }
  chosen.sort((a, b) => (a.s.holder.account < b.s.holder.account ? -1 : 1));
  await input.sink.prepare();

  const rows: PrintRow[] = [];
  const skipped: string[] = [];
  for (const { s, reason } of chosen) {
    if (s.delivery.controlHash === null) {
      skipped.push(s.holder.account);
      continue;
    }
    const out = await reissueControlNumber(input.doc, input.tables, {
      holder: s.holder,
      oldHash: s.delivery.controlHash,
      reason,
      at: new Date(input.now()).toISOString(),
      secret: input.secret,
      randomBytes: input.randomBytes,
    });
    if (out.reissued)
      rows.push({ holder: s.holder, controlNumber: out.controlNumber, reason, reissued: true });
    else skipped.push(s.holder.account);
  }
  const file = await input.sink.write(printFileCsv(input.meeting, input.ballotUrl, rows));
  const companions = await writePrintCompanions(input.sink, input.meeting, input.ballotUrl, rows);
  return {
    notices: companions?.notices ?? null,
    cards: companions?.cards ?? null,
    printed: rows.map((r) => ({ account: r.holder.account, reason: r.reason })),
    skipped,
    file,
  };
}

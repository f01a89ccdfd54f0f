// The confirmation e-mail of an internet proxy or revocation, sent from the votes table's stream rather
// than inside the request: one e-mail per instruction at most, claimed by a marker beside the holder
// (HOLDER#<account> / CONFIRM#<instruction id>) with the notices' own at-most-once send
// (shared/notices/send-once.ts: claim, send, complete; an unknown outcome is never retried). A stream
// that delivers a record twice, or a consumer that runs again, finds the marker and sends nothing.
import { renderConfirmation } from '../domain/confirmation-email.ts';
import { type Instruction, instructionSchema } from '../domain/instruction.ts';
import type { Meeting } from '../domain/meeting.ts';
import { holderKey } from '../notices/keys.ts';
import { type SendOnceDeps, type SendOutcome, sendOnce } from '../notices/send-once.ts';

export const CONFIRMATION_MARKER_TYPE = 'confirmation-marker';
export const CONFIRMATION_SK_PREFIX = 'CONFIRM#';

export const confirmationMarkerKey = (account: string, instructionId: string) => ({
  pk: holderKey(account).pk,
  sk: `${CONFIRMATION_SK_PREFIX}${instructionId}`,
});

/** A new item of the votes table, as the stream gives it (its NEW_IMAGE, unmarshalled). */
export interface StoredInstructionItem {
  type?: unknown;
  account?: unknown;
  receiptCode?: unknown;
  body?: unknown;
}

export interface ConfirmationDeps {
  meeting: Meeting;
  send: SendOnceDeps;
}

export type ConfirmationOutcome = SendOutcome | 'not-confirmed' | 'no-email';

/** Whether an item of the votes table is an instruction the holder gets a confirmation of. */
export function confirmable(item: StoredInstructionItem): Instruction | null {
  if (item.type !== 'instruction' || typeof item.body !== 'string' || typeof item.receiptCode !== 'string')
    return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(item.body);
  } catch {
    return null;
  }
  const instruction = instructionSchema.safeParse(parsed);
  if (!instruction.success) return null;
  const i = instruction.data;
  // The holder's own internet proxies and revocations; paper, phone and meeting entries get none.
  if (i.channel !== 'internet' || (i.kind !== 'proxy' && i.kind !== 'revocation')) return null;
  return i;
}

/**
 * Sends the confirmation of one stored instruction, at most once. Throws a retryable NoticeSendError
 * when nothing was sent and a later delivery may (SES refused; another delivery is sending it now).
 */
export async function confirmInstruction(
  deps: ConfirmationDeps,
  item: StoredInstructionItem,
): Promise<ConfirmationOutcome> {
  const instruction = confirmable(item);
  if (!instruction || (instruction.kind !== 'proxy' && instruction.kind !== 'revocation'))
    return 'not-confirmed';
  const found = await deps.send.store.holder(instruction.account);
  if (!found?.holder.email) return 'no-email';
  const { holder } = found;
  const email = holder.email as string;
  return sendOnce(deps.send, {
    key: confirmationMarkerKey(holder.account, instruction.id),
    type: CONFIRMATION_MARKER_TYPE,
    account: holder.account,
    to: email,
    email: () =>
      renderConfirmation({
        meeting: deps.meeting,
        holderName: holder.name,
        shares: holder.shares,
        nominee: holder.nominee,
        receiptCode: String(item.receiptCode),
        executedAt: instruction.receivedAt,
        kind: instruction.kind === 'proxy' ? 'proxy' : 'revocation',
        votes: instruction.kind === 'proxy' ? instruction.votes : null,
        // The register's language column (the notice's language); absent: English.
        lang: holder.language,
      }),
    tags: { kind: `confirmation-${instruction.kind}` },
  });
}

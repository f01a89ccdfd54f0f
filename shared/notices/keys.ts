// Where the notices keep their state, beside the holder in the register table:
//   HOLDER#<account> / HOLDER        the holder; delivery problems and re-issues are recorded on it
//   HOLDER#<account> / NOTICE        the notice marker: 'sending' -> 'sent' (or 'unknown')
//   HOLDER#<account> / REMINDER#<n>  the marker of reminder n, the same way
// and the operators' actions in the operations table:
//   NOTICES / SEND#<instant>#<id>    who started the sending, when, and whether the 40-day rule was overridden
import { holderKey } from '../register/holder-item.ts';

export const NOTICE_SK = 'NOTICE';
export const REMINDER_SK_PREFIX = 'REMINDER#';
export const NOTICE_MARKER_TYPE = 'notice-marker';
export const REMINDER_MARKER_TYPE = 'reminder-marker';

export { holderKey };

export const noticeMarkerKey = (account: string) => ({ pk: holderKey(account).pk, sk: NOTICE_SK });

export const reminderMarkerKey = (account: string, reminder: number) => ({
  pk: holderKey(account).pk,
  sk: `${REMINDER_SK_PREFIX}${reminder}`,
});

/** Two operators starting in the same millisecond each get their own record. */
export const sendingStartedKey = (at: string, id: string) => ({ pk: 'NOTICES', sk: `SEND#${at}#${id}` });

export type MarkerStatus = 'sending' | 'sent' | 'unknown';

/** What the holder item says about e-mail delivery, besides the register's own fields. */
export interface DeliveryState {
  controlHash: string | null;
  bouncedAt: string | null;
  complainedAt: string | null;
  paperNoticeAt: string | null;
  reissuedAt: string | null;
}

export function deliveryState(item: Record<string, unknown>): DeliveryState {
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    controlHash: s(item.controlHash),
    bouncedAt: s(item.bouncedAt),
    complainedAt: s(item.complainedAt),
    paperNoticeAt: s(item.paperNoticeAt),
    reissuedAt: s(item.reissuedAt),
  };
}

/** No more e-mail to a holder whose address bounced or who complained. */
export const emailStopped = (d: DeliveryState) => d.bouncedAt !== null || d.complainedAt !== null;

// The notice queue's message: one per e-delivery holder, carrying the control number issued at the
// import, because nothing else keeps it (RULES.md section 2). The body is never logged; the queue is
// encrypted at rest (SQS server-side encryption on AWS).
import * as z from 'zod';
import { ACCOUNT_PATTERN } from '../domain/holder.ts';

export const NOTICE_MESSAGE_VERSION = 1;

export const noticeMessageSchema = z.strictObject({
  v: z.literal(NOTICE_MESSAGE_VERSION),
  kind: z.literal('notice'),
  meetingId: z.string().min(1).max(63),
  account: z.string().regex(ACCOUNT_PATTERN),
  controlNumber: z.string().regex(/^\d{16}$/),
});

export type NoticeMessage = z.infer<typeof noticeMessageSchema>;

export function noticeMessage(meetingId: string, account: string, controlNumber: string): NoticeMessage {
  return { v: NOTICE_MESSAGE_VERSION, kind: 'notice', meetingId, account, controlNumber };
}

/** Problems with a message, named by field only: the values are never repeated. */
export class BadNoticeMessage extends Error {
  constructor(readonly fields: string[]) {
    super(`the notice message is invalid (fields: ${fields.join(', ') || '(body)'})`);
    this.name = 'BadNoticeMessage';
  }
}

export function parseNoticeMessage(body: string): NoticeMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadNoticeMessage(['(body)']);
  }
  const parsed = noticeMessageSchema.safeParse(value);
  if (!parsed.success) {
    throw new BadNoticeMessage([...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))]);
  }
  return parsed.data;
}

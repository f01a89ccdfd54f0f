// One e-mail to one holder, at most once: claim the marker (conditional put, status 'sending'), send,
// complete the marker ('sent' and SES's message id). See send-errors.ts for what a failed send does to
// the marker, and docs/notices.md for a crash between the send and the marker's update.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RenderedEmail } from '../domain/confirmation-email.ts';
import type { Mailer } from '../mail/mailer.ts';
import { withRetries } from '../storage/retry.ts';
import { classifySendError, NoticeSendError } from './send-errors.ts';
import type { MarkerKey, NoticeStore } from './store.ts';
import type { TokenBucket } from './token-bucket.ts';

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface SendOnceDeps {
  store: NoticeStore;
  mailer: Mailer;
  bucket: TokenBucket;
  now: () => number;
  newClaimId: () => string;
  /** A 'sending' marker older than this is stuck (its sender died): skipped, listed for operations. */
  stuckAfterMs: number;
  log: Log;
}

export type SendOutcome = 'sent' | 'duplicate' | 'stuck' | 'unknown';

export interface SendOnceInput {
  key: MarkerKey;
  type: string;
  account: string;
  sqsMessageId?: string | undefined;
  to: string;
  email: () => RenderedEmail;
  tags: Record<string, string>;
}

/**
 * Sends unless a marker exists. Throws a retryable NoticeSendError when nothing was sent and a retry
 * may (SES refused, or another delivery of the same message is sending right now).
 */
export async function sendOnce(deps: SendOnceDeps, input: SendOnceInput): Promise<SendOutcome> {
  const claimId = deps.newClaimId();
  let claim: Awaited<ReturnType<typeof deps.store.claim>>;
  try {
    claim = await deps.store.claim(input.key, {
      claimId,
      type: input.type,
      account: input.account,
      sqsMessageId: input.sqsMessageId,
    });
  } catch (e) {
    // The claim may have been written and only its answer lost: nothing was sent, so take it back
    // (only if it is this claim) and let the message be retried, rather than leave it to look stuck.
    await withRetries(() => deps.store.release(input.key, claimId)).catch(() => {});
    throw e;
  }
  if (!claim.claimed) {
    const m = claim.existing;
    if (m.status !== 'sending') return 'duplicate';
    const age = deps.now() - Date.parse(m.startedAt);
    // Another delivery of this message is sending it now: try again later, when it has finished.
    if (!(age >= deps.stuckAfterMs)) throw new NoticeSendError('in-flight-elsewhere', true);
    return 'stuck';
  }
  let messageId: string;
  try {
    await deps.bucket.take();
    messageId = await deps.mailer.send(input.to, input.email(), input.tags);
  } catch (e) {
    const failure = classifySendError(e);
    if (failure.definite) {
      await withRetries(() => deps.store.release(input.key, claimId));
      throw new NoticeSendError(failure.code, true);
    }
    await withRetries(() => deps.store.markUnknown(input.key, claimId, failure.code));
    deps.log.warn('send outcome unknown: marker kept, not retried', {
      account: input.account,
      marker: input.key.sk,
      error: failure.code,
    });
    return 'unknown';
  }
  try {
    await withRetries(() => deps.store.complete(input.key, claimId, messageId));
  } catch (e) {
    // The e-mail went: never retry it. The marker stays 'sending' and `notices status` lists it.
    deps.log.error('sent, but the marker could not be completed', {
      account: input.account,
      marker: input.key.sk,
      error: e instanceof Error ? e.name : 'unknown',
    });
  }
  return 'sent';
}

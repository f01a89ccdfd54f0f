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

export interface BatchSendInput extends SendOnceInput {
  /** The claim holds only while the holder's control-number hash is still this one. */
  controlHash: string;
}

/** Per input: what happened, or the retryable error that sends its message back to the queue. */
export type BatchSendResult = SendOutcome | 'stale-number' | NoticeSendError;

/**
 * The batch form of sendOnce, with the same rules: every claim of the batch in one transaction (each
 * beside the check that the holder's number is still the message's), the sends in parallel through
 * the token bucket, and every completion in one transaction. A send that SES certainly did not take
 * releases its own claim; an unknown outcome keeps its marker as 'unknown' (docs/notices.md).
 */
export async function sendOnceBatch(
  deps: SendOnceDeps & { store: NoticeStore },
  inputs: readonly BatchSendInput[],
): Promise<BatchSendResult[]> {
  if (inputs.length === 0) return [];
  const claimIds = inputs.map(() => deps.newClaimId());
  let claims: Awaited<ReturnType<NoticeStore['claimBatch']>>;
  try {
    claims = await deps.store.claimBatch(
      inputs.map((input, i) => ({
        key: input.key,
        claimId: claimIds[i] as string,
        type: input.type,
        account: input.account,
        sqsMessageId: input.sqsMessageId,
        controlHash: input.controlHash,
      })),
    );
  } catch (e) {
    // Some claims may have been written and only the answer lost: nothing was sent, so take each
    // back (only if it is this very claim) and let the messages be retried.
    await Promise.all(
      inputs.map((input, i) =>
        withRetries(() => deps.store.release(input.key, claimIds[i] as string)).catch(() => {}),
      ),
    );
    const code = e instanceof Error ? e.name : 'unknown';
    return inputs.map(() => new NoticeSendError(code, true));
  }

  const results: BatchSendResult[] = new Array(inputs.length);
  const completions: { key: MarkerKey; claimId: string; sesMessageId: string; i: number }[] = [];
  await Promise.all(
    inputs.map(async (input, i) => {
      const claim = claims[i];
      const claimId = claimIds[i] as string;
      if (!claim) throw new Error('a claim of the batch has no result');
      if (!claim.claimed) {
        results[i] = notClaimed(deps, claim);
        return;
      }
      try {
        await deps.bucket.take();
        const sesMessageId = await deps.mailer.send(input.to, input.email(), input.tags);
        completions.push({ key: input.key, claimId, sesMessageId, i });
        results[i] = 'sent';
      } catch (e) {
        const failure = classifySendError(e);
        if (failure.definite) {
          try {
            await withRetries(() => deps.store.release(input.key, claimId));
          } catch {
            // The marker stays 'sending' (nothing went): listed as stuck after stuckAfterMs.
          }
          results[i] = new NoticeSendError(failure.code, true);
          return;
        }
        await withRetries(() => deps.store.markUnknown(input.key, claimId, failure.code)).catch(() => {});
        deps.log.warn('send outcome unknown: marker kept, not retried', {
          account: input.account,
          marker: input.key.sk,
          error: failure.code,
        });
        results[i] = 'unknown';
      }
    }),
  );
  if (completions.length > 0) {
    try {
      await withRetries(() => deps.store.completeBatch(completions));
    } catch (e) {
      // The e-mails went: never retry them. Markers left 'sending' are listed by `notices status`.
      deps.log.error('sent, but the markers could not all be completed', {
        accounts: completions.map((c) => inputs[c.i]?.account),
        error: e instanceof Error ? e.name : 'unknown',
      });
    }
  }
  return results;
}

function notClaimed(
  deps: SendOnceDeps,
  claim: Exclude<Awaited<ReturnType<NoticeStore['claimBatch']>>[number], { claimed: true }>,
): BatchSendResult {
  if ('stale' in claim) return 'stale-number';
  if ('conflict' in claim) return new NoticeSendError('in-flight-elsewhere', true);
  const m = claim.existing;
  if (m.status !== 'sending') return 'duplicate';
  const age = deps.now() - Date.parse(m.startedAt);
  // Another delivery of this message is sending it now: try again later, when it has finished.
  if (!(age >= deps.stuckAfterMs)) return new NoticeSendError('in-flight-elsewhere', true);
  return 'stuck';
}

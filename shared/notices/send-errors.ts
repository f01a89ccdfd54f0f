// What a failed SendEmail means for the at-most-once rule. When SES answered (an HTTP status came
// back: throttling, a rejected message, a service error), or the request never left this machine
// (connection refused, no such host), the e-mail certainly did not go: the marker is released and the
// message is retried. Anything else (a timeout or a connection reset after the request was sent) may
// have sent it: the marker is kept as 'unknown' and the notice is never sent again automatically.
// Error messages are never kept: SES repeats the recipient's address in some of them.

const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface SendFailure {
  /** True when the e-mail certainly did not go. */
  definite: boolean;
  /** A name safe to log: the SDK error's name, an errno code or an HTTP status. */
  code: string;
  httpStatus?: number;
}

export function classifySendError(e: unknown): SendFailure {
  const x = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = x.$metadata?.httpStatusCode;
  const name = typeof x.name === 'string' ? x.name : 'Error';
  if (typeof status === 'number') return { definite: true, code: name, httpStatus: status };
  const code = typeof x.code === 'string' ? x.code : name;
  return { definite: NEVER_SENT.has(code), code };
}

/** A failure that names no personal value: safe to throw into the batch processor and to log. */
export class NoticeSendError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(`notice not sent: ${code}`);
    this.name = 'NoticeSendError';
  }
}

// The voting JSON API: ballot, proxy, revoke. Each answer is built from a use case's result; every
// refusal goes through toHttpError.
import type { Logger } from '@aws-lambda-powertools/logger';
import { holderDateAll, holderInstantAll } from '../domain/holder-time.ts';
import { sessionCookie, sessionIdFrom } from '../domain/link-token.ts';
import { httpHandler } from '../http/handler.ts';
import { json, parseJsonBody } from '../http/json.ts';
import {
  ballotOpenSchema,
  linkRequestSchema,
  proxyRequestSchema,
  revokeRequestSchema,
  toHttpError,
} from './http.ts';
import type { VotingRuntime } from './runtime.ts';
import {
  type BallotView,
  credentialOf,
  type OpenedSession,
  openBallot,
  openWithLink,
  type Receipt,
  revokeProxy,
  submitProxy,
  VotingError,
} from './submit.ts';

/** The meeting as a holder sees it: nothing secret, the same for everyone. */
export function publicMeeting(runtime: VotingRuntime) {
  const m = runtime.meeting;
  return {
    id: m.id,
    company: m.company,
    title: m.title,
    timeZone: m.timeZone,
    start: m.start,
    place: m.place,
    recordDate: m.recordDate,
    internetCutoff: m.internetCutoff,
    proxyholders: m.proxyholders,
    proxyStatementUrl: m.proxyStatementUrl,
    ...(m.parties ? { parties: m.parties } : {}),
    proposals: m.proposals,
  };
}

function receiptBody(runtime: VotingRuntime, r: Receipt) {
  return {
    receiptCode: r.receiptCode,
    kind: r.kind,
    executedAt: r.executedAt,
    /** The receipt time as the holder reads it, in the meeting's zone (holder-time.ts), per language. */
    executedAtText: holderInstantAll(r.executedAt, runtime.meeting.timeZone),
    effective: r.effective,
    replayed: r.replayed,
    votes: r.votes,
  };
}

/** The ballot's times as the holder reads them, in the meeting's zone, in every language. */
function ballotTexts(runtime: VotingRuntime, ballot: BallotView) {
  const zone = runtime.meeting.timeZone;
  const c = ballot.current;
  return {
    closesAt: holderInstantAll(ballot.closesAt, zone),
    current: c
      ? { receivedAt: holderInstantAll(c.receivedAt, zone), dated: c.dated ? holderDateAll(c.dated) : null }
      : null,
  };
}

/** The answer that opens a ballot, setting the session cookie when a session was opened. */
function ballotAnswer(runtime: VotingRuntime, ballot: BallotView, session: OpenedSession | null) {
  const answer = json(200, {
    meeting: publicMeeting(runtime),
    ...ballot,
    texts: ballotTexts(runtime, ballot),
  });
  if (session) answer.cookies = [sessionCookie(session.id, runtime.secureCookies)];
  return answer;
}

/**
 * POST /api/ballot: with the control number, the ballot and a session for what follows (so the page
 * need not keep the number); without it, the ballot of the request's session.
 */
export const handleFetchBallot = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const body = parseJsonBody(event, ballotOpenSchema);
      const { ballot, session } = await openBallot(
        runtime.deps,
        credentialOf(body.controlNumber, sessionIdFrom(event.cookies)),
        event.requestContext.http.sourceIp,
        { session: true },
      );
      return ballotAnswer(runtime, ballot, session);
    },
    toHttpError,
  );

/** POST /api/link: the notice link's token, exchanged once (by the page's own POST) for the ballot and a session. */
export const handleOpenLink = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const body = parseJsonBody(event, linkRequestSchema);
      const { ballot, session } = await openWithLink(runtime.deps, body.linkToken);
      logger.info('link used');
      return ballotAnswer(runtime, ballot, session);
    },
    toHttpError,
  );

/**
 * A proxy refused by the voting rules (an invalid or over-voted ballot, voting closed): what the
 * ProxiesRefused metric counts. Unknown control numbers and the guessing limit are counted apart.
 */
function refusedByRule(e: unknown): boolean {
  return e instanceof VotingError && (e.code === 'invalid' || e.code === 'closed');
}

export const handleSubmitProxy = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      // The page's language; the confirmation, sent from the votes stream, uses the register's.
      const { lang: _pageLanguage, ...body } = parseJsonBody(event, proxyRequestSchema);
      const receipt = await submitProxy(
        runtime.deps,
        { ...body, sessionId: sessionIdFrom(event.cookies) },
        event.requestContext.http.sourceIp,
        event.requestContext.timeEpoch,
      ).catch((e: unknown) => {
        if (refusedByRule(e)) runtime.deps.metrics?.count('ProxiesRefused');
        throw e;
      });
      if (!receipt.replayed) runtime.deps.metrics?.count('ProxiesAccepted');
      logger.info('proxy accepted', { effective: receipt.effective, replayed: receipt.replayed });
      return json(receipt.replayed ? 200 : 201, receiptBody(runtime, receipt));
    },
    toHttpError,
  );

export const handleRevokeProxy = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const { lang: _pageLanguage, ...body } = parseJsonBody(event, revokeRequestSchema);
      const receipt = await revokeProxy(
        runtime.deps,
        { ...body, sessionId: sessionIdFrom(event.cookies) },
        event.requestContext.http.sourceIp,
        event.requestContext.timeEpoch,
      );
      if (!receipt.replayed) runtime.deps.metrics?.count('Revocations');
      logger.info('revocation accepted', { effective: receipt.effective, replayed: receipt.replayed });
      return json(receipt.replayed ? 200 : 201, receiptBody(runtime, receipt));
    },
    toHttpError,
  );

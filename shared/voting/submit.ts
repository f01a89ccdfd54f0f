// The holder's side of voting: fetch the ballot, submit a proxy, revoke it. Pure use cases over ports; the HTTP handlers map their results and errors to responses.

import { createHash } from 'node:crypto';
import { type Problem, validateVotes } from '../domain/ballot.ts';
import { canonicalJson } from '../domain/canonical.ts';
import { checkControlNumber, controlNumberHash, newReceiptCode } from '../domain/control-number.ts';
import { DEFAULT_GUESS_POLICY, type GuessPolicy, guessPolicy, viewerKey } from '../domain/guess-limit.ts';
import type { Instruction, Votes } from '../domain/instruction.ts';
import {
  LINK_TOKEN_PATTERN,
  linkTokenHash,
  newSessionId,
  SESSION_ID_PATTERN,
  sessionEnds,
  sessionHash,
} from '../domain/link-token.ts';
import { internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import { orderKey } from '../domain/revocation.ts';
import { zonedInstant } from '../domain/time.ts';
import type { VotingMetricName } from '../metrics/catalog.ts';
import {
  type AppendResult,
  type BallotHolder,
  PollsClosedError,
  type PollsState,
  type StoredInstruction,
  type VoteStore,
} from './ports.ts';

export interface VotingDeps {
  meeting: Meeting;
  store: VoteStore;
  /** The per-meeting HMAC secret for control numbers. */
  secret: Uint8Array | string;
  now: () => number;
  randomBytes: (n: number) => Uint8Array;
  /** Failed control numbers a viewer may make at once before having to wait (default 20). */
  maxFailures?: number;
  /** The whole guessing policy; when absent, the default one with `maxFailures` as its burst. */
  guessPolicy?: GuessPolicy;
  /** Counts failures and refusals across all viewers (a distributed guesser shows there). */
  metrics?: VotingMetrics;
}

export interface VotingMetrics {
  count(name: VotingMetricName): void;
}

/** A refusal the HTTP layer turns into a status code and a JSON error naming the field. */
export class VotingError extends Error {
  constructor(
    readonly code:
      | 'invalid'
      | 'not-recognised'
      | 'closed'
      | 'too-many-attempts'
      | 'idempotency-conflict'
      | 'no-open-conflict'
      | 'link-used'
      | 'session-ended',
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'VotingError';
  }
}

const NOT_RECOGNISED = 'This control number is not recognised. Check it against your notice and try again.';

/** A wait in plain words: "about 3 minutes". */
function waitWords(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
}

/**
 * Checks the number and finds the holder, under the guessing limit: a guess is reserved for the
 * viewer (shared/domain/guess-limit.ts) before the look-up, refused past the limit, and given back
 * when the number is right. `source` is the viewer's address (IPv6 counts by its /64).
 */
export async function holderFor(
  deps: VotingDeps,
  controlNumber: string,
  source: string,
): Promise<BallotHolder> {
  return (await findHolder(deps, controlNumber, source)).holder;
}

interface Found {
  holder: BallotHolder;
  controlHash: string;
}

async function findHolder(deps: VotingDeps, controlNumber: string, source: string): Promise<Found> {
  const check = checkControlNumber(controlNumber);
  if (!check.ok) {
    // A typo fails here, before any database read; the check digit is public, so this reveals nothing.
    throw new VotingError(
      'invalid',
      'The control number has 16 digits; one of them is wrong. Check it against your notice.',
      [
        {
          path: 'controlNumber',
          message: check.reason === 'format' ? 'must be 16 digits' : 'the check digit does not match',
        },
      ],
    );
  }
  const policy = deps.guessPolicy ?? guessPolicy(deps.maxFailures ?? DEFAULT_GUESS_POLICY.burst);
  const reserved = await deps.store.reserveGuess(viewerKey(source), policy);
  if (!reserved.admitted) {
    deps.metrics?.count('ControlNumberGuessesRefused');
    throw new VotingError(
      'too-many-attempts',
      `Too many control numbers were not recognised from your network. Try again in ${waitWords(reserved.retryAfterMs)}.`,
    );
  }
  const controlHash = controlNumberHash(check.digits, deps.secret);
  const holder = await deps.store.lookup(controlHash);
  if (!holder) {
    // The reservation stays: it is the failure counted.
    deps.metrics?.count('ControlNumberFailures');
    throw new VotingError('not-recognised', NOT_RECOGNISED, [
      { path: 'controlNumber', message: 'is not recognised' },
    ]);
  }
  await deps.store.releaseGuess(reserved.reservation);
  return { holder, controlHash };
}

/** How a request names the holder: the control number, or a ballot session opened before. */
export type Credential = { controlNumber: string } | { sessionId: string };

/** The credential of a request: its control number if it gives one, else its session cookie. */
export function credentialOf(controlNumber: string | undefined, sessionId: string | null): Credential {
  if (controlNumber !== undefined) return { controlNumber };
  if (sessionId) return { sessionId };
  throw new VotingError('invalid', 'Type the 16-digit control number printed in your notice.', [
    { path: 'controlNumber', message: 'is required' },
  ]);
}

const SESSION_ENDED =
  'Your ballot session has ended. Type the 16-digit control number printed in your notice to go on.';

async function findBy(deps: VotingDeps, credential: Credential, source: string): Promise<Found> {
  if ('controlNumber' in credential) return findHolder(deps, credential.controlNumber, source);
  const controlHash = SESSION_ID_PATTERN.test(credential.sessionId)
    ? await deps.store.session(sessionHash(credential.sessionId, deps.secret), deps.now())
    : null;
  // A session of a number re-issued since finds no holder: it ends with the number.
  const holder = controlHash ? await deps.store.lookup(controlHash) : null;
  if (!controlHash || !holder) throw new VotingError('session-ended', SESSION_ENDED);
  return { holder, controlHash };
}

/** A new ballot session for a holder found by number or link; its id goes only into a cookie. */
async function startSession(deps: VotingDeps, controlHash: string): Promise<OpenedSession> {
  const now = deps.now();
  const id = newSessionId(deps.randomBytes);
  const expiresAt = sessionEnds(now, internetCutoffMs(deps.meeting));
  await deps.store.openSession(sessionHash(id, deps.secret), controlHash, expiresAt);
  return { id, expiresAt };
}

export interface OpenedSession {
  id: string;
  /** Epoch ms. */
  expiresAt: number;
}

const LINK_USED =
  'This link has already been used (it works once), or voting has closed. Type the 16-digit control number printed in your notice.';

/**
 * The notice's link, used once: its token opens the holder's ballot and a session. A used, unknown or
 * expired token gets one answer, and the holder types the control number instead.
 */
export async function openWithLink(
  deps: VotingDeps,
  token: string,
): Promise<{ ballot: BallotView; session: OpenedSession }> {
  assertOpen(deps, undefined);
  const controlHash = LINK_TOKEN_PATTERN.test(token)
    ? await deps.store.useLinkToken(linkTokenHash(token, deps.secret), deps.now())
    : null;
  const holder = controlHash ? await deps.store.lookup(controlHash) : null;
  if (!controlHash || !holder) {
    deps.metrics?.count('LinkTokenRefused');
    throw new VotingError('link-used', LINK_USED, [{ path: 'linkToken', message: 'has been used already' }]);
  }
  const session = await startSession(deps, controlHash);
  return { ballot: await ballotOf(deps, holder), session };
}

/**
 * Internet voting is open at `arrivedAt`: when the request reached the API (RULES.md section 7: an
 * internet instruction is executed then, whatever the handler's own clock says later).
 */
function assertOpen(deps: VotingDeps, arrivedAt: number | undefined): number {
  const now = arrivedAt ?? deps.now();
  if (now > internetCutoffMs(deps.meeting)) {
    throw new VotingError(
      'closed',
      `Internet voting closed at ${deps.meeting.internetCutoff.local} (${deps.meeting.internetCutoff.timeZone ?? deps.meeting.timeZone}). You can still vote in person at the meeting.`,
    );
  }
  return now;
}

export interface BallotView {
  holder: { name: string; jointNames: string[]; shares: number; nominee: boolean };
  /** The effective instruction now, so the page can show it and the holder can change it. */
  current: {
    kind: Instruction['kind'];
    channel: Instruction['channel'];
    /** The date written on a paper card or revocation. */
    dated?: string;
    /** Whose card a proxy is on (RULES.md section 8), when it says. */
    party?: string;
    receiptCode: string;
    receivedAt: string;
    votes: Votes | null;
  } | null;
  closesAt: string;
}

export async function fetchBallot(
  deps: VotingDeps,
  credential: string | Credential,
  source: string,
): Promise<BallotView> {
  return (await openBallot(deps, credential, source, { session: false })).ballot;
}

/** The ballot, and (when asked, for a holder who typed the number) a session for what follows. */
export async function openBallot(
  deps: VotingDeps,
  credential: string | Credential,
  source: string,
  options: { session: boolean },
): Promise<{ ballot: BallotView; session: OpenedSession | null }> {
  const cred = typeof credential === 'string' ? { controlNumber: credential } : credential;
  const { holder, controlHash } = await findBy(deps, cred, source);
  const session =
    options.session && 'controlNumber' in cred && deps.now() <= internetCutoffMs(deps.meeting)
      ? await startSession(deps, controlHash)
      : null;
  return { ballot: await ballotOf(deps, holder), session };
}

async function ballotOf(deps: VotingDeps, holder: BallotHolder): Promise<BallotView> {
  const current = await deps.store.effective(holder.account);
  return {
    holder: {
      name: holder.name,
      jointNames: holder.jointNames,
      shares: holder.shares,
      nominee: holder.nominee,
    },
    current: current && describeCurrent(current),
    closesAt: new Date(internetCutoffMs(deps.meeting)).toISOString(),
  };
}

function describeCurrent(s: StoredInstruction): NonNullable<BallotView['current']> {
  const i = s.instruction;
  return {
    kind: i.kind,
    channel: i.channel,
    ...('dated' in i && i.dated !== undefined ? { dated: i.dated } : {}),
    ...('party' in i && i.party !== undefined ? { party: i.party } : {}),
    receiptCode: s.receiptCode,
    receivedAt: i.receivedAt,
    votes: i.kind === 'proxy' || i.kind === 'meeting-ballot' ? i.votes : null,
  };
}

export interface Receipt {
  receiptCode: string;
  instructionId: string;
  account: string;
  kind: 'proxy' | 'revocation';
  /** The execution time of an internet instruction: its receipt time, to the millisecond. */
  executedAt: string;
  effective: boolean;
  /** True when this answers a retry of a submission already stored. */
  replayed: boolean;
  votes: Votes | null;
  holder: BallotHolder;
}

export interface SubmitInput {
  /** The control number; or, instead, `sessionId`. */
  controlNumber?: string | undefined;
  sessionId?: string | null | undefined;
  votes: Votes;
  /** Chosen by the client, the same for every retry of one submission. */
  idempotencyKey: string;
  /** For a joint account: which holder signs (defaults to the first registered name). */
  signedBy?: string | undefined;
}

function instructionId(prefix: string, account: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${account}\n${idempotencyKey}`).digest('hex').slice(0, 32);
  return `${prefix}-${digest}`;
}

function signer(holder: BallotHolder, signedBy: string | undefined): string {
  if (signedBy === undefined) return holder.name;
  const names = [holder.name, ...holder.jointNames];
  if (!names.includes(signedBy)) {
    throw new VotingError('invalid', 'The signer must be one of the registered holders of the account.', [
      { path: 'signedBy', message: `must be one of: ${names.join(', ')}` },
    ]);
  }
  return signedBy;
}

export async function submitProxy(
  deps: VotingDeps,
  input: SubmitInput,
  source: string,
  arrivedAt?: number,
): Promise<Receipt> {
  const now = assertOpen(deps, arrivedAt);
  const { holder } = await findBy(deps, credentialOf(input.controlNumber, input.sessionId ?? null), source);
  const problems = validateVotes(input.votes, { meeting: deps.meeting, holder, channel: 'internet' });
  if (problems.length > 0)
    throw new VotingError('invalid', 'The vote could not be recorded as given.', problems);
  const instruction: Instruction = {
    id: instructionId('net', holder.account, input.idempotencyKey),
    account: holder.account,
    kind: 'proxy',
    channel: 'internet',
    receivedAt: new Date(now).toISOString(),
    signedBy: signer(holder, input.signedBy),
    votes: input.votes,
  };
  return record(deps, instruction, holder);
}

export interface RevokeInput {
  controlNumber?: string | undefined;
  sessionId?: string | null | undefined;
  idempotencyKey: string;
  signedBy?: string | undefined;
}

export async function revokeProxy(
  deps: VotingDeps,
  input: RevokeInput,
  source: string,
  arrivedAt?: number,
): Promise<Receipt> {
  const now = assertOpen(deps, arrivedAt);
  const { holder } = await findBy(deps, credentialOf(input.controlNumber, input.sessionId ?? null), source);
  const instruction: Instruction = {
    id: instructionId('rev', holder.account, input.idempotencyKey),
    account: holder.account,
    kind: 'revocation',
    channel: 'internet',
    receivedAt: new Date(now).toISOString(),
    signedBy: signer(holder, input.signedBy),
  };
  return record(deps, instruction, holder);
}

/**
 * Append an instruction with a new receipt code. Closing the polls ends every kind of vote, the internet
 * included, and the final count ends resolutions (RULES.md section 7): the store checks it in the write
 * itself, and a refusal becomes 410 in the meeting's terms.
 */
export async function appendInstruction(deps: VotingDeps, instruction: Instruction): Promise<AppendResult> {
  try {
    return await deps.store.append(
      instruction,
      newReceiptCode(deps.randomBytes),
      orderKey(instruction, deps.meeting.timeZone),
    );
  } catch (e) {
    if (!(e instanceof PollsClosedError)) throw e;
    if (e.finalCount) throw finalCountMade();
    const polls = await deps.store.polls();
    throw polls ? pollsClosed(deps.meeting, polls) : new VotingError('closed', e.message);
  }
}

/** 410 in the meeting's terms: when the polls were closed. */
export function pollsClosed(meeting: Meeting, polls: PollsState): VotingError {
  return new VotingError(
    'closed',
    `The polls were closed at ${zonedInstant(Date.parse(polls.closedAt), meeting.timeZone)}: no more votes, revocations or entries can be recorded.`,
  );
}

export function finalCountMade(): VotingError {
  return new VotingError(
    'closed',
    'The final count has been made (or is being made): no more resolutions can be entered.',
  );
}

async function record(deps: VotingDeps, instruction: Instruction, holder: BallotHolder): Promise<Receipt> {
  const result = await appendInstruction(deps, instruction);
  const stored = result.stored.instruction;
  if (result.outcome === 'duplicate' && !sameSubmission(stored, instruction)) {
    throw new VotingError(
      'idempotency-conflict',
      'This idempotency key was already used for a different submission. Use a new key for a new vote.',
      [{ path: 'idempotencyKey', message: 'was used for a different submission' }],
    );
  }
  return {
    receiptCode: result.stored.receiptCode,
    instructionId: stored.id,
    account: stored.account,
    kind: stored.kind === 'revocation' ? 'revocation' : 'proxy',
    executedAt: stored.receivedAt,
    effective: result.effective,
    replayed: result.outcome === 'duplicate',
    votes: stored.kind === 'proxy' ? stored.votes : null,
    holder,
  };
}

/** A retry carries the same votes and signer; its receipt time is the first one's. */
function sameSubmission(a: Instruction, b: Instruction): boolean {
  const votesOf = (i: Instruction) => (i.kind === 'proxy' ? canonicalJson(i.votes) : '');
  return a.kind === b.kind && a.signedBy === b.signedBy && votesOf(a) === votesOf(b);
}

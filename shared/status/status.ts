// The meeting at a glance, for operations (GET /admin/status, `proxyvote status`, the status page):
// the polls and the time left to the internet cut-off (now, on the meeting's clock), the notices
// (now: the register's delivery records), and what the last complete count found (votes and
// revocations in by channel, shares present against the quorum, open conflicts), dated by that count.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { internetCutoffMs, type Meeting, meetingStartMs } from '../domain/meeting.ts';
import { zonedInstant } from '../domain/time.ts';
import { noticeStatus } from '../notices/status.ts';
import type { TableNames } from '../storage/tables.ts';
import { readPolls } from '../storage/vote-store.ts';
import { SnapshotStore } from '../tabulation/snapshots.ts';

/** A notice still 'sending' after this long is stuck (its sender died between SES and the marker). */
export const NOTICE_STUCK_AFTER_MS = 15 * 60_000;

export interface PollsStatus {
  /** open: internet and paper; paper-only: after the internet cut-off; closed: declared closed. */
  state: 'open' | 'paper-only' | 'closed';
  internetCutoff: string;
  /** Milliseconds left to the internet cut-off (0 once passed). */
  msToCutoff: number;
  meetingStart: string;
  closedAt: string | null;
  closedBy: string | null;
}

export interface MeetingStatus {
  meeting: { id: string; company: string; title: string; timeZone: string };
  /** When this status was read, on the meeting's clock. */
  at: string;
  polls: PollsStatus;
  notices: {
    holders: number;
    byEmail: number;
    byPaper: number;
    sent: number;
    inFlight: number;
    notYet: number;
    unknown: number;
    stuck: number;
    bounced: number;
    complained: number;
    paperPending: number;
  };
  /** The last complete count (null: none yet). */
  count: {
    runId: string;
    kind: string;
    finishedAt: string;
    requestedBy: string;
    sharesOutstanding: number;
    sharesPresent: number;
    requiredQuorum: number;
    quorumMet: boolean;
    /** Shares still needed for a quorum (0 once met). */
    sharesToQuorum: number;
    openConflicts: number;
    /** Proxies and ballots counted, by channel; null for a count stored before it was recorded. */
    votesIn: Record<'internet' | 'phone' | 'paper' | 'meeting', number> | null;
    revocationsIn: number | null;
    rejected: number;
  } | null;
}

export async function pollsStatus(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  meeting: Meeting,
  now: number,
): Promise<PollsStatus> {
  const polls = await readPolls(doc, tables);
  const cutoff = internetCutoffMs(meeting);
  const at = (ms: number) => zonedInstant(ms, meeting.timeZone);
  return {
    state: polls ? 'closed' : now > cutoff ? 'paper-only' : 'open',
    internetCutoff: at(cutoff),
    msToCutoff: Math.max(0, cutoff - now),
    meetingStart: at(meetingStartMs(meeting)),
    closedAt: polls ? at(Date.parse(polls.closedAt)) : null,
    closedBy: polls?.closedBy ?? null,
  };
}

/** The most recent complete count, looking back through at most `look` runs. */
async function lastCompleteCount(store: SnapshotStore, look = 20) {
  const { runs } = await store.list(look);
  const header = runs.find((r) => r.status === 'complete');
  if (!header) return null;
  const result = await store.result(header);
  return result ? { header, result } : null;
}

export async function meetingStatus(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  meeting: Meeting,
  now: number,
): Promise<MeetingStatus> {
  const [polls, notices, last] = await Promise.all([
    pollsStatus(doc, tables, meeting, now),
    noticeStatus(doc, tables, now, NOTICE_STUCK_AFTER_MS),
    lastCompleteCount(new SnapshotStore(doc, tables)),
  ]);
  let count: MeetingStatus['count'] = null;
  if (last) {
    const { header, result: r } = last;
    const received = r.presence?.received;
    count = {
      runId: header.runId,
      kind: header.kind,
      finishedAt: zonedInstant(Date.parse(header.finishedAt), meeting.timeZone),
      requestedBy: header.requestedBy,
      sharesOutstanding: r.sharesOutstanding,
      sharesPresent: r.sharesPresent,
      requiredQuorum: r.requiredQuorum,
      quorumMet: r.quorumMet,
      sharesToQuorum: Math.max(0, r.requiredQuorum - r.sharesPresent),
      openConflicts: r.conflicts.length,
      votesIn: received
        ? {
            internet: received.internet.proxies,
            phone: received.phone.proxies,
            paper: received.paper.proxies,
            meeting: received.meeting.ballots,
          }
        : null,
      revocationsIn: received ? received.internet.revocations + received.paper.revocations : null,
      rejected: r.rejected.length,
    };
  }
  return {
    meeting: {
      id: meeting.id,
      company: meeting.company.name,
      title: meeting.title,
      timeZone: meeting.timeZone,
    },
    at: zonedInstant(now, meeting.timeZone),
    polls,
    notices: {
      holders: notices.holders,
      byEmail: notices.eDelivery,
      byPaper: notices.paperAtImport,
      sent: notices.notices.sent,
      inFlight: notices.notices.inFlight,
      notYet: notices.notices.notYet,
      unknown: notices.notices.unknown.length,
      stuck: notices.notices.stuck.length,
      bounced: notices.bounced.length,
      complained: notices.complained.length,
      paperPending: notices.paperPending.length,
    },
    count,
  };
}

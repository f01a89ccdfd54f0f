// The meeting's timeline is part of the count (RULES.md section 7): an instruction counts only if it
// was received when its channel was open. The live entry refuses what breaks these rules; the count
// (live and recount alike) does not trust the record either: an instruction that breaks them is left
// out and listed as rejected, with the rule it broke.
import * as z from 'zod';
import type { Instruction } from './instruction.ts';
import { internetCutoffMs, type Meeting, meetingStartMs } from './meeting.ts';
import { localDate, zonedInstant } from './time.ts';

export type RejectionRule =
  /** An internet or phone instruction received after the internet cut-off. */
  | 'after-internet-cutoff'
  /** Anything but a resolution received once the polls were declared closed. */
  | 'after-polls-closed'
  /** A ballot cast at the meeting received before the meeting started. */
  | 'before-meeting-start'
  /** A paper instrument dated after the day it was received (product policy 7). */
  | 'dated-after-receipt'
  /** An inspector's resolution choosing an instrument received after it. */
  | 'resolution-before-instrument';

export interface RejectedInstruction {
  account: string;
  id: string;
  kind: Instruction['kind'];
  channel: Instruction['channel'];
  receivedAt: string;
  /** The date written on a paper instrument. */
  dated?: string;
  rule: RejectionRule;
  /** The rule in the meeting's own terms. */
  reason: string;
}

/** What the count knows of the meeting's timeline besides the meeting file. */
export interface Timeline {
  /** When the polls were declared closed (ISO instant); null or absent while they are open. */
  pollsClosedAt?: string | null | undefined;
}

/** The meeting's instants, computed once per count. */
export interface TimelineInstants {
  cutoffMs: number;
  startMs: number;
  closedMs: number | null;
  timeZone: string;
  cutoffWords: string;
  startWords: string;
  closedWords: string | null;
}

export function timelineInstants(meeting: Meeting, timeline: Timeline): TimelineInstants {
  const closedMs = timeline.pollsClosedAt ? Date.parse(timeline.pollsClosedAt) : null;
  return {
    cutoffMs: internetCutoffMs(meeting),
    startMs: meetingStartMs(meeting),
    closedMs,
    timeZone: meeting.timeZone,
    cutoffWords: zonedInstant(internetCutoffMs(meeting), meeting.timeZone),
    startWords: zonedInstant(meetingStartMs(meeting), meeting.timeZone),
    closedWords: closedMs === null ? null : zonedInstant(closedMs, meeting.timeZone),
  };
}

/**
 * The rule an instruction breaks, or null. `chosen` is the instruction a resolution chooses (when it
 * is in the history). The order of the checks names the first rule broken.
 */
export function timelineRejection(
  i: Instruction,
  t: TimelineInstants,
  chosen?: Instruction,
): Pick<RejectedInstruction, 'rule' | 'reason'> | null {
  const at = Date.parse(i.receivedAt);
  if (i.kind === 'resolution') {
    if (chosen && Date.parse(chosen.receivedAt) > at) {
      return {
        rule: 'resolution-before-instrument',
        reason: `chooses instruction ${chosen.id}, received after the resolution was entered`,
      };
    }
    return null;
  }
  if (t.closedMs !== null && at >= t.closedMs) {
    return { rule: 'after-polls-closed', reason: `received after the polls were closed at ${t.closedWords}` };
  }
  if (i.kind === 'meeting-ballot') {
    return at < t.startMs
      ? { rule: 'before-meeting-start', reason: `received before the meeting started at ${t.startWords}` }
      : null;
  }
  if (i.channel === 'internet' || i.channel === 'phone') {
    return at > t.cutoffMs
      ? { rule: 'after-internet-cutoff', reason: `received after the internet cut-off, ${t.cutoffWords}` }
      : null;
  }
  if ('dated' in i && i.dated !== undefined) {
    const received = localDate(at, t.timeZone);
    if (i.dated > received)
      return {
        rule: 'dated-after-receipt',
        reason: `dated ${i.dated}, after the day it was received (${received})`,
      };
  }
  return null;
}

/**
 * Split one account's history (duplicates removed) into what counts and what is rejected. A
 * resolution is checked against the instruction it chooses.
 */
export function applyTimeline(
  history: readonly Instruction[],
  t: TimelineInstants,
): { accepted: Instruction[]; rejected: RejectedInstruction[] } {
  const accepted: Instruction[] = [];
  const rejected: RejectedInstruction[] = [];
  const byId = history.some((i) => i.kind === 'resolution') ? new Map(history.map((i) => [i.id, i])) : null;
  for (const i of history) {
    const chosen = i.kind === 'resolution' ? byId?.get(i.chooses) : undefined;
    const broken = timelineRejection(i, t, chosen);
    if (!broken) {
      accepted.push(i);
      continue;
    }
    rejected.push({
      account: i.account,
      id: i.id,
      kind: i.kind,
      channel: i.channel,
      receivedAt: i.receivedAt,
      ...('dated' in i && i.dated !== undefined ? { dated: i.dated } : {}),
      ...broken,
    });
  }
  return { accepted, rejected };
}

/** polls.json of an export: when the polls were closed (null: still open), by whom, and why if early. */
export const pollsFileSchema = z.strictObject({
  closedAt: z.iso.datetime({ offset: true }).nullable(),
  closedBy: z.string().optional(),
  override: z.string().optional(),
});

export type PollsFile = z.infer<typeof pollsFileSchema>;

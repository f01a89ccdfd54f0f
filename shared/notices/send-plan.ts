// Can the notices go out in time at the deployed rate? A register of N e-delivery holders and a sending
// window give the rate needed; the deployment's rate is the token bucket per consumer instance times
// the batches in flight, and must stay under the account's SES quota. Pure: checked at synth
// (infra/meeting-stacks.ts) from the meeting file and the deployment settings.
import type { Meeting } from '../domain/meeting.ts';
import { daysBetween } from '../domain/time.ts';
import { NOTICE_DAYS_BEFORE_MEETING } from './forty-day-rule.ts';

export interface NoticeRateSettings {
  /** E-delivery holders the notices go to (an upper estimate of the register's). */
  expectedHolders: number;
  /** Notices per second per consumer instance (NOTICE_SEND_RATE, the token bucket). */
  sendRatePerConsumer: number;
  /** Batches in flight at once (the notice queue's event source maximum concurrency). */
  maxConcurrency: number;
  /** The account's SES maximum send rate (per second) in the deployment's Region. */
  sesMaxSendRate: number;
  /** Hours of sending planned from the start; omitted: the whole window up to the 40-day date. */
  sendingWindowHours?: number | undefined;
}

export interface SendPlan {
  /** The last day on which the notice may go (40 calendar days before the meeting). */
  lastDay: string;
  /** Hours available: from the notice date's start to the end of the last day, or the configured window. */
  windowHours: number;
  /** The deployment's rate: sendRatePerConsumer x maxConcurrency. */
  ratePerSecond: number;
  /** The rate the register needs in that window. */
  neededPerSecond: number;
  /** Hours the sending takes at the deployment's rate. */
  hoursToSend: number;
  /** Problems, each [settings path, message]; empty when the plan holds. */
  problems: [string, string][];
}

const DAY_MS = 86_400_000;

export function noticeSendPlan(meeting: Meeting, s: NoticeRateSettings): SendPlan {
  const meetingDate = meeting.start.slice(0, 10);
  const lastDay = new Date(Date.parse(`${meetingDate}T00:00:00Z`) - NOTICE_DAYS_BEFORE_MEETING * DAY_MS)
    .toISOString()
    .slice(0, 10);
  // From the notice date's start to the end of the last day. A meeting file whose notice date is
  // already after it (warned about as late, sent only with the operator's override) gets the notice
  // date's own day: the sending must still finish within it.
  const days = daysBetween(meeting.noticeDate, lastDay) + 1;
  const late = days < 1;
  const available = (late ? 1 : days) * 24;
  const windowHours = s.sendingWindowHours ?? available;
  const ratePerSecond = s.sendRatePerConsumer * s.maxConcurrency;
  const neededPerSecond = s.expectedHolders / (windowHours * 3600);
  const hoursToSend = s.expectedHolders / ratePerSecond / 3600;
  const problems: [string, string][] = [];
  if (s.sendingWindowHours !== undefined && s.sendingWindowHours > available) {
    problems.push([
      'notices.sendingWindowHours',
      `${s.sendingWindowHours} hours from the notice date (${meeting.noticeDate}) end after ${late ? 'the notice date' : `the 40-day date (${lastDay})`}: at most ${available}`,
    ]);
  }
  if (ratePerSecond > s.sesMaxSendRate) {
    problems.push([
      'notices.sendRatePerConsumer',
      `${s.sendRatePerConsumer}/s x ${s.maxConcurrency} batches in flight (notices.maxConcurrency) = ${fmt(ratePerSecond)}/s exceeds the SES quota of ${fmt(s.sesMaxSendRate)}/s (notices.sesMaxSendRate): SES would throttle the sending; lower the rate or raise the quota first`,
    ]);
  }
  if (ratePerSecond < neededPerSecond) {
    problems.push([
      'notices.expectedHolders',
      `${s.expectedHolders.toLocaleString('en-US')} notices at ${fmt(ratePerSecond)}/s take ${fmt(hoursToSend)} hours, but the window ${s.sendingWindowHours === undefined ? `from ${meeting.noticeDate} to the 40-day date (${lastDay})` : 'of notices.sendingWindowHours'} has ${fmt(windowHours)}: they need ${fmt(neededPerSecond)}/s (raise notices.sendRatePerConsumer or notices.maxConcurrency, within the SES quota)`,
    ]);
  }
  return { lastDay, windowHours, ratePerSecond, neededPerSecond, hoursToSend, problems };
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toLocaleString('en-US');

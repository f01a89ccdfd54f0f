// The meeting file: the schema, its date checks, and wall-clock times across daylight-saving changes.
import { describe, expect, it } from 'vitest';
import {
  internetCutoffMs,
  meetingSchema,
  meetingStartMs,
  meetingWarnings,
  parseMeeting,
} from '../../shared/domain/meeting.ts';
import { localDate, zonedLocalToEpochMs } from '../../shared/domain/time.ts';
import { hemacare } from '../support/builders.ts';

const raw = () => structuredClone(hemacare()) as Record<string, unknown>;
const problemsOf = (value: unknown): string[] => {
  const r = meetingSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the reference meeting file', () => {
  const m = hemacare();
  it('starts 13 June 2002 at 9:30 California time (16:30 UTC, daylight time)', () => {
    expect(new Date(meetingStartMs(m)).toISOString()).toBe('2002-06-13T16:30:00.000Z');
  });
  it('closes internet voting at 11:59 p.m. Eastern the day before (03:59 UTC on the 13th)', () => {
    expect(new Date(internetCutoffMs(m)).toISOString()).toBe('2002-06-13T03:59:00.000Z');
  });
  it('warns that a notice of 6 May is later than 40 days before 13 June (38 days)', () => {
    expect(meetingWarnings(m)).toEqual([
      {
        path: 'noticeDate',
        message: 'the notice goes out 38 days before the meeting, later than the 40 days of SEC Rule 14a-16',
      },
    ]);
  });
});

describe('meeting file checks name the field', () => {
  it.each([
    [
      'a record date 61 days before the meeting',
      { recordDate: '2002-04-13' },
      'recordDate: must be 10 to 60 days before the meeting (Cal. Corp. Code §701); it is 61',
    ],
    [
      'a record date 9 days before the meeting',
      { recordDate: '2002-06-04' },
      'recordDate: must be 10 to 60 days before the meeting (Cal. Corp. Code §701); it is 9',
    ],
    [
      'a cut-off after the meeting starts',
      { internetCutoff: { local: '2002-06-13T09:31' } },
      'internetCutoff.local: must not be after the meeting starts',
    ],
    [
      'an unknown time zone',
      { timeZone: 'Mars/Olympus' },
      'timeZone: must be an IANA time zone such as America/Los_Angeles',
    ],
    [
      'a 30 February record date',
      { recordDate: '2002-02-30' },
      'recordDate: must be a real calendar date, YYYY-MM-DD',
    ],
    [
      'a quorum below one third',
      { quorum: { numerator: 1, denominator: 4 } },
      'quorum: must be at least one third (articles may not go lower)',
    ],
  ])('%s', (_name, change, problem) => {
    expect(problemsOf({ ...raw(), ...change })).toContain(problem);
  });

  it('accepts record dates of exactly 10 and 60 days', () => {
    expect(problemsOf({ ...raw(), recordDate: '2002-06-03', noticeDate: '2002-06-03' })).toEqual([]);
    expect(problemsOf({ ...raw(), recordDate: '2002-04-14' })).toEqual([]);
  });

  it('refuses duplicate proposal and nominee ids and a missing recommendation', () => {
    const m = raw();
    const proposals = m.proposals as Array<Record<string, unknown>>;
    const election = proposals[0] as { nominees: Array<{ id: string }> };
    (election.nominees[1] as { id: string }).id = 'darlington';
    const matter = { ...(proposals[1] as object) } as Record<string, unknown>;
    delete matter.boardRecommendation;
    const problems = problemsOf({ ...m, proposals: [election, matter, matter] });
    expect(problems).toContain('proposals.0.nominees.1.id: duplicate nominee id "darlington"');
    expect(problems.some((p) => p.startsWith('proposals.1.boardRecommendation:'))).toBe(true);
  });

  it('parseMeeting lists every problem with its path', () => {
    expect(() => parseMeeting(JSON.stringify({ ...raw(), sharesOutstanding: -5, place: '' }))).toThrow(
      /place: must not be empty\n\s+sharesOutstanding: must be more than 0/,
    );
    expect(() => parseMeeting('{ nope')).toThrow(/not valid JSON/);
  });
});

describe('wall-clock times across daylight-saving changes', () => {
  it('before and after the spring change in New York (7 April 2002, 2:00 a.m.)', () => {
    expect(new Date(zonedLocalToEpochMs('2002-04-06T23:59', 'America/New_York')).toISOString()).toBe(
      '2002-04-07T04:59:00.000Z',
    );
    expect(new Date(zonedLocalToEpochMs('2002-04-07T23:59', 'America/New_York')).toISOString()).toBe(
      '2002-04-08T03:59:00.000Z',
    );
  });
  it('a wall time skipped by the spring change resolves one hour later', () => {
    expect(new Date(zonedLocalToEpochMs('2002-04-07T02:30', 'America/New_York')).toISOString()).toBe(
      '2002-04-07T07:30:00.000Z',
    );
  });
  it('the repeated autumn hour resolves to its first occurrence (27 October 2002, 1:30 a.m.)', () => {
    expect(new Date(zonedLocalToEpochMs('2002-10-27T01:30', 'America/New_York')).toISOString()).toBe(
      '2002-10-27T05:30:00.000Z',
    );
  });
  it('dates an instant in the meeting zone: 4 June 06:30 UTC is still 3 June in Los Angeles', () => {
    expect(localDate(Date.parse('2002-06-04T06:30:00Z'), 'America/Los_Angeles')).toBe('2002-06-03');
    expect(localDate(Date.parse('2002-06-04T07:00:00Z'), 'America/Los_Angeles')).toBe('2002-06-04');
  });
});

// Time (issue 9): the internet cut-off on the days clocks change, to the millisecond; the record-date and
// notice-date rules at their edges; wall-clock conversion around every daylight-saving change of several
// zones from 2000 to 2030, checked against a brute-force search with Intl.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import {
  internetCutoffMs,
  type Meeting,
  meetingSchema,
  meetingWarnings,
} from '../../shared/domain/meeting.ts';
import { localDate, zonedLocalToEpochMs } from '../../shared/domain/time.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { enterForOperator } from '../../shared/voting/operator.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { revokeProxy, submitProxy, type VotingDeps, VotingError } from '../../shared/voting/submit.ts';
import { hemacare, holder } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { reportFigures } from './support/figures.ts';

const names = uniqueTableNames('stress-time');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const SECRET = randomBytes(32);
const holders: Holder[] = [holder('T-1', 100), holder('REST', 7_595_075)];
let control: string;

beforeAll(async () => {
  await createTables(client, names);
  control = (await importHolders(doc, names, holders, SECRET, randomBytes)).issued.get('T-1') as string;
});

afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

const DAY = 86_400_000;

/**
 * The reference meeting, with a paper-copy date earlier than every meeting here: the reference date
 * ("request by 30 May 2002") belongs to its own calendar, and the meetings here move to other dates.
 */
function movableMeeting(): ReturnType<typeof hemacare> {
  const m = hemacare();
  if (!m.materials) return m;
  return { ...m, materials: { ...m.materials, copies: { ...m.materials.copies, requestBy: '2002-01-02' } } };
}
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The reference meeting moved to `zone`, the day after `cutoffLocal`, with the cut-off in the same zone. */
function meetingWithCutoff(zone: string, cutoffLocal: string): Meeting {
  const day = Date.parse(`${cutoffLocal.slice(0, 10)}T12:00:00Z`);
  return meetingSchema.parse({
    ...movableMeeting(),
    timeZone: zone,
    start: `${isoDate(day + DAY)}T09:30`,
    recordDate: isoDate(day - 50 * DAY),
    noticeDate: isoDate(day - 45 * DAY),
    internetCutoff: { local: cutoffLocal, timeZone: zone },
  });
}

// Each expected instant worked out by hand from the zone's rules in that year.
const CUTOFFS: Array<[string, string, string, string]> = [
  // zone, cut-off wall time, the instant it is, why
  [
    'America/New_York',
    '2002-04-07T23:59',
    '2002-04-08T03:59:00.000Z',
    'spring-forward day, after the change (EDT)',
  ],
  [
    'America/New_York',
    '2002-04-07T01:59',
    '2002-04-07T06:59:00.000Z',
    'spring-forward day, before the change (EST)',
  ],
  [
    'America/New_York',
    '2002-04-07T02:30',
    '2002-04-07T07:30:00.000Z',
    'a wall time that does not exist: 03:30 EDT',
  ],
  [
    'America/New_York',
    '2002-10-27T23:59',
    '2002-10-28T04:59:00.000Z',
    'fall-back day, after the change (EST)',
  ],
  [
    'America/New_York',
    '2002-10-27T01:30',
    '2002-10-27T05:30:00.000Z',
    'the repeated hour: its first occurrence (EDT)',
  ],
  ['America/New_York', '2024-03-10T23:59', '2024-03-11T03:59:00.000Z', 'spring-forward day 2024 (EDT)'],
  ['America/New_York', '2024-11-03T23:59', '2024-11-04T04:59:00.000Z', 'fall-back day 2024 (EST)'],
  [
    'America/New_York',
    '2024-11-03T01:59',
    '2024-11-03T05:59:00.000Z',
    'the repeated hour 2024: first occurrence',
  ],
  [
    'Europe/London',
    '2002-03-31T23:59',
    '2002-03-31T22:59:00.000Z',
    'spring-forward day, after the change (BST)',
  ],
  [
    'Europe/London',
    '2002-03-31T00:59',
    '2002-03-31T00:59:00.000Z',
    'spring-forward day, before the change (GMT)',
  ],
  [
    'Europe/London',
    '2002-03-31T01:30',
    '2002-03-31T01:30:00.000Z',
    'a wall time that does not exist: 02:30 BST',
  ],
  ['Europe/London', '2002-10-27T23:59', '2002-10-27T23:59:00.000Z', 'fall-back day, after the change (GMT)'],
  ['Europe/London', '2002-10-27T00:59', '2002-10-26T23:59:00.000Z', 'fall-back day, before the change (BST)'],
  [
    'Europe/London',
    '2002-10-27T01:30',
    '2002-10-27T00:30:00.000Z',
    'the repeated hour: its first occurrence (BST)',
  ],
  [
    'Europe/London',
    '2002-10-27T01:00',
    '2002-10-27T00:00:00.000Z',
    'the first minute of the repeated hour (BST)',
  ],
  [
    'Europe/London',
    '2024-10-27T01:59',
    '2024-10-27T00:59:00.000Z',
    'the repeated hour 2024: first occurrence',
  ],
  ['Europe/London', '2024-03-31T23:59', '2024-03-31T22:59:00.000Z', 'spring-forward day 2024 (BST)'],
];

/**
 * Each case is its own viewer: the cases move the clock back and forth across years, which no real
 * viewer's requests do, and the guessing limit keys on the viewer (a reservation given back is dated
 * by the clock that made it).
 */
let viewer = '10.4.0.1';

async function outcome(deps: VotingDeps, kind: 'proxy' | 'revocation'): Promise<string> {
  const key = `time-${randomBytes(6).toString('hex')}`;
  try {
    const r =
      kind === 'proxy'
        ? await submitProxy(
            deps,
            { controlNumber: control, votes: { '2': 'FOR' }, idempotencyKey: key },
            viewer,
          )
        : await revokeProxy(deps, { controlNumber: control, idempotencyKey: key }, viewer);
    return `accepted at ${r.executedAt}`;
  } catch (e) {
    if (e instanceof VotingError) return e.code;
    throw e;
  }
}

describe('the internet cut-off on daylight-saving days', () => {
  const figures = { cases: 0, submissions: 0 };
  afterAll(() => reportFigures('time: cut-off on daylight-saving days', figures));

  it.each(CUTOFFS)('%s %s is %s (%s)', async (zone, local, expected) => {
    const meeting = meetingWithCutoff(zone, local);
    const cutoff = internetCutoffMs(meeting);
    viewer = `10.4.${figures.cases}.1`;
    expect(new Date(cutoff).toISOString()).toBe(expected);
    const store = new DynamoVoteStore(doc, names, () => cutoff);
    const at = (ms: number): VotingDeps => ({ meeting, store, secret: SECRET, now: () => ms, randomBytes });
    const seen = {
      before: await outcome(at(cutoff - 1), 'proxy'),
      at: await outcome(at(cutoff), 'proxy'),
      after: await outcome(at(cutoff + 1), 'proxy'),
      revokeBefore: await outcome(at(cutoff - 1), 'revocation'),
      revokeAfter: await outcome(at(cutoff + 1), 'revocation'),
      anHourLater: await outcome(at(cutoff + 3_600_000), 'proxy'),
    };
    expect(seen).toEqual({
      before: `accepted at ${new Date(cutoff - 1).toISOString()}`,
      // The cut-off instant itself is the last one accepted: "closes at 23:59" means after 23:59:00.000.
      at: `accepted at ${new Date(cutoff).toISOString()}`,
      after: 'closed',
      revokeBefore: `accepted at ${new Date(cutoff - 1).toISOString()}`,
      revokeAfter: 'closed',
      anHourLater: 'closed',
    });
    // The closing message names the cut-off as the meeting file gives it.
    const refused = await submitProxy(
      at(cutoff + 1),
      { controlNumber: control, votes: {}, idempotencyKey: 'time-late-0001' },
      viewer,
    ).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(`${local} (${zone})`);
    figures.cases += 1;
    figures.submissions += 7;
  });
});

describe('dates at their edges', () => {
  const base = movableMeeting();
  const problems = (over: Partial<Meeting>) => {
    const r = meetingSchema.safeParse({ ...base, ...over });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('record date: 10 and 60 days before the meeting are accepted, 9 and 61 refused', () => {
    // The meeting is on 13 June 2002.
    expect(problems({ recordDate: '2002-06-03', noticeDate: '2002-06-03' })).toEqual([]);
    expect(problems({ recordDate: '2002-04-14' })).toEqual([]);
    expect(problems({ recordDate: '2002-06-04', noticeDate: '2002-06-04' })).toEqual([
      'recordDate: must be 10 to 60 days before the meeting (Cal. Corp. Code §701); it is 9',
    ]);
    expect(problems({ recordDate: '2002-04-13' })).toEqual([
      'recordDate: must be 10 to 60 days before the meeting (Cal. Corp. Code §701); it is 61',
    ]);
  });

  it('counts calendar days, not 24-hour periods, across a clock change and a leap day', () => {
    // 10 days spanning the spring-forward Sunday (one of them 23 hours long) in New York.
    const ny = { timeZone: 'America/New_York', internetCutoff: { local: '2002-04-11T23:59' } };
    expect(
      problems({ ...ny, start: '2002-04-12T09:30', recordDate: '2002-04-02', noticeDate: '2002-04-02' }),
    ).toEqual([]);
    expect(
      problems({ ...ny, start: '2002-04-12T09:30', recordDate: '2002-04-03', noticeDate: '2002-04-03' }),
    ).toHaveLength(1);
    // 60 days spanning the fall-back Sunday (one of them 25 hours long) in London.
    const london = { timeZone: 'Europe/London', internetCutoff: { local: '2002-11-14T23:59' } };
    expect(
      problems({ ...london, start: '2002-11-15T10:00', recordDate: '2002-09-16', noticeDate: '2002-09-16' }),
    ).toEqual([]);
    expect(
      problems({ ...london, start: '2002-11-15T10:00', recordDate: '2002-09-15', noticeDate: '2002-09-15' }),
    ).toHaveLength(1);
    // 29 February 2004 to 10 March 2004 is 10 days.
    const leap = { timeZone: 'America/Los_Angeles', internetCutoff: { local: '2004-03-09T23:59' } };
    expect(
      problems({ ...leap, start: '2004-03-10T09:30', recordDate: '2004-02-29', noticeDate: '2004-02-29' }),
    ).toEqual([]);
    expect(
      problems({ ...leap, start: '2004-03-10T09:30', recordDate: '2004-03-01', noticeDate: '2004-03-01' }),
    ).toHaveLength(1);
  });

  it('notice date: 40 days before the meeting gives no warning, 39 days warns; before the record date is refused', () => {
    const warnings = (noticeDate: string) => meetingWarnings(meetingSchema.parse({ ...base, noticeDate }));
    expect(warnings('2002-05-04')).toEqual([]);
    expect(warnings('2002-05-05')).toEqual([
      {
        path: 'noticeDate',
        message: 'the notice goes out 39 days before the meeting, later than the 40 days of SEC Rule 14a-16',
      },
    ]);
    expect(warnings('2002-06-13').map((w) => w.message)).toEqual([
      'the notice goes out 0 days before the meeting, later than the 40 days of SEC Rule 14a-16',
    ]);
    expect(problems({ noticeDate: '2002-04-18' })).toEqual([
      'noticeDate: must not be before the record date',
    ]);
    expect(problems({ noticeDate: '2002-04-19' })).toEqual([]);
  });

  it('a paper dated "today" is accepted from local midnight, in the meeting zone, across the autumn change', async () => {
    // Los Angeles falls back on 27 October 2002; local midnight starting the 28th is 08:00 UTC.
    const meeting = meetingSchema.parse({
      ...hemacare(),
      start: '2002-11-20T09:30',
      recordDate: '2002-10-21',
      noticeDate: '2002-10-21',
      internetCutoff: { local: '2002-11-19T23:59', timeZone: 'America/New_York' },
    });
    const midnight = Date.parse('2002-10-28T08:00:00.000Z');
    expect(localDate(midnight - 1, meeting.timeZone)).toBe('2002-10-27');
    expect(localDate(midnight, meeting.timeZone)).toBe('2002-10-28');
    const store = new DynamoVoteStore(doc, names, () => midnight);
    const enter = (now: number, entryKey: string) =>
      enterForOperator(
        { meeting, store, secret: SECRET, now: () => now, randomBytes },
        {
          kind: 'revocation',
          account: 'T-1',
          operator: 'clerk',
          entryKey,
          dated: '2002-10-28',
          signedBy: 'Holder T-1',
        },
      ).then(
        () => 'accepted',
        (e: unknown) => (e instanceof VotingError ? `${e.code}: ${e.message}` : String(e)),
      );
    expect(await enter(midnight - 1, 'paper-midnight-1')).toBe(
      'invalid: is after today (2002-10-27): a paper cannot be dated in the future',
    );
    expect(await enter(midnight, 'paper-midnight-2')).toBe('accepted');
  });
});

// ---------------------------------------------------------------------------------------------------
// Wall-clock conversion around every clock change, against brute force.

const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'Asia/Kolkata',
];

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, zone: string): string {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** Every instant (on the minute) whose wall clock in `zone` reads `local`: offsets tried every 15 minutes. */
function instantsShowing(local: string, zone: string): number[] {
  const asUtc = Date.parse(`${local}:00Z`);
  const found = new Set<number>();
  for (let offset = -16 * 60; offset <= 16 * 60; offset += 15) {
    const candidate = asUtc - offset * 60_000;
    if (wallClock(candidate, zone) === local) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}

/** The instants, from 2000 to 2030, at which the zone's offset changes (to the minute). */
function transitions(zone: string): number[] {
  const offsetAt = (ms: number) =>
    Date.parse(`${wallClock(ms, zone)}:00Z`) - Math.floor(ms / 60_000) * 60_000;
  const out: number[] = [];
  let t = Date.parse('2000-01-01T00:00:00Z');
  const end = Date.parse('2030-12-31T00:00:00Z');
  let previous = offsetAt(t);
  for (t += DAY; t <= end; t += DAY) {
    const now = offsetAt(t);
    if (now === previous) continue;
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(mid) === previous) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    previous = now;
  }
  return out;
}

describe('wall-clock times around every clock change, 2000 to 2030', () => {
  it('convert to the instant the wall clock shows, the first of two, or one shift later in a gap', () => {
    const changes = ZONES.flatMap((zone) => transitions(zone).map((at) => ({ zone, at })));
    expect(changes.length).toBeGreaterThan(300);
    let ambiguous = 0;
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...changes),
        fc.integer({ min: -180, max: 180 }),
        ({ zone, at }, minutes) => {
          // A wall time near the change, counted on the wall clock from the last minute before it: so
          // the times a spring change skips are drawn as well as those an autumn change repeats.
          const wallBefore = Date.parse(`${wallClock(at - 60_000, zone)}:00Z`);
          const local = new Date(wallBefore + (minutes + 1) * 60_000).toISOString().slice(0, 16);
          const got = zonedLocalToEpochMs(local, zone);
          const showing = instantsShowing(local, zone);
          if (showing.length > 0) {
            if (showing.length > 1) ambiguous += 1;
            expect(new Date(got).toISOString()).toBe(new Date(showing[0] as number).toISOString());
          } else {
            // In the gap: the wall time read with the offset in force before the change.
            skipped += 1;
            const before = Date.parse(`${wallClock(at - 60_000, zone)}:00Z`) - (at - 60_000);
            expect(new Date(got).toISOString()).toBe(
              new Date(Date.parse(`${local}:00Z`) - before).toISOString(),
            );
          }
        },
      ),
      { numRuns: 3_000, seed: 20020613 },
    );
    // Also each change's own minutes: the first minute after, and the last before.
    for (const { zone, at } of changes) {
      for (const ms of [at - 60_000, at]) {
        const local = wallClock(ms, zone);
        expect(zonedLocalToEpochMs(local, zone)).toBe(instantsShowing(local, zone)[0]);
      }
    }
    reportFigures('time: wall-clock conversion around clock changes', {
      zones: ZONES.length,
      changes2000to2030: changes.length,
      samples: 3_000,
      ambiguousSampled: ambiguous,
      skippedSampled: skipped,
    });
  });
});

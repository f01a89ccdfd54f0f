// The notices' pure parts: the print file (CSV quoting, formula neutralising, hostile names), the
// notice and reminder texts, the 40-day rule, the reminder schedule, the token bucket (fake clock),
// what a failed send means, the message and SES event parsing, and the local queue's event source
// semantics against an in-memory consumer.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  checkControlNumber,
  formatControlNumber,
  luhnCheckDigit,
} from '../../shared/domain/control-number.ts';
import { csvCell as anyCsvCell, neutralizeFormula } from '../../shared/domain/csv.ts';
import { linkTokenFor } from '../../shared/domain/link-token.ts';
import { renderNoticeEmail } from '../../shared/domain/notice.ts';
import { PRINT_FILE_COLUMNS, printFileCsv, readPrintFile } from '../../shared/domain/print-file.ts';
import { reminderDays } from '../../shared/notices/config.ts';
import { fortyDayCheck } from '../../shared/notices/forty-day-rule.ts';
import { InProcessNoticeQueue } from '../../shared/notices/local-queue.ts';
import { BadNoticeMessage, noticeMessage, parseNoticeMessage } from '../../shared/notices/message.ts';
import { dueReminder, renderReminderEmail } from '../../shared/notices/reminder-email.ts';
import { classifySendError } from '../../shared/notices/send-errors.ts';
import { parseSesEvent } from '../../shared/notices/ses-events.ts';
import { retryDelaySeconds } from '../../shared/notices/sqs.ts';
import { TokenBucket } from '../../shared/notices/token-bucket.ts';
import { hemacare, holder } from '../support/builders.ts';

const meeting = hemacare();
/** The print file's cells: every one quoted. */
const csvCell = (v: string) => anyCsvCell(v, { quoteAll: true });
const BALLOT = 'https://vote.example.com/vote';
const number = (payload: string) => `${payload}${luhnCheckDigit(payload)}`;
const N1 = number('123456789012345');
const N2 = number('987654321098765');

describe('print file', () => {
  it('neutralises cells a spreadsheet would run as formulas, and nothing else', () => {
    for (const bad of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx', '  =HYPERLINK("x")', '\uff1d1']) {
      expect(neutralizeFormula(bad)).toBe(`'${bad}`);
    }
    for (const good of ['Jane Smith', "O'Brien", '1200 Ventura Blvd', 'a=b', 'x-y', '1234 5678 9012 3456']) {
      expect(neutralizeFormula(good)).toBe(good);
    }
  });

  it('quotes every cell and doubles quotes inside', () => {
    expect(csvCell('Robert "Bob" Lee, Jr.')).toBe('"Robert ""Bob"" Lee, Jr."');
    expect(csvCell('=cmd|"/C calc"!A0')).toBe(`"'=cmd|""/C calc""!A0"`);
  });

  it('writes one row per paper holder with the facts, the number and the bare link, and reads back', () => {
    const hostile = holder('H-1', 100, {
      name: '=HYPERLINK("http://evil.example","click") "Bob", Jr.',
      jointNames: ['@SUM(1)', 'Ann "A" Lee'],
      mailingAddress: '1 Main St\n-Apt 4\nSpringfield, IL 62701',
    });
    const plain = holder('H-2', 7, { name: 'Mary Jones' });
    const csv = printFileCsv(meeting, BALLOT, [
      { holder: hostile, controlNumber: N1, reason: 'no-e-delivery', reissued: false },
      { holder: plain, controlNumber: N2, reason: 'bounced', reissued: true },
    ]);
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(csv.slice(1).split('\r\n')[0]).toBe(PRINT_FILE_COLUMNS.map((c) => `"${c}"`).join(','));
    const rows = readPrintFile(csv);
    expect(rows).toHaveLength(2);
    const [a, b] = rows as [Record<string, string>, Record<string, string>];
    expect(a.name).toBe(`'${hostile.name}`);
    expect(a.joint_names).toBe(`'@SUM(1); Ann "A" Lee`);
    expect(a.address_line_2).toBe("'-Apt 4");
    expect(a.address_line_3).toBe('Springfield, IL 62701');
    expect(a.control_number).toBe(formatControlNumber(N1));
    expect(checkControlNumber(a.control_number as string)).toEqual({ ok: true, digits: N1 });
    // No URL holds the control number: the paper notice gives the page, the number is typed.
    expect(a.voting_link).toBe(BALLOT);
    expect(a.reason).toBe('no-e-delivery');
    expect(a.reissued).toBe('no');
    expect(b.reissued).toBe('yes');
    // The paper notice states the same facts as the e-mail.
    const text = a.notice_text as string;
    for (const fact of [
      'HemaCare Corporation',
      'IMPORTANT NOTICE REGARDING THE AVAILABILITY OF PROXY MATERIALS FOR THE SHAREHOLDER MEETING TO BE HELD ON THURSDAY, JUNE 13, 2002',
      'will be held on Thursday, June 13, 2002, 9:30 a.m. PDT',
      'Warner Center Marriott Hotel',
      'Friday, April 19, 2002',
      'Election of five directors',
      'The Board recommends a vote FOR',
      'Internet voting closes on Wednesday, June 12, 2002, 8:59 p.m. PDT.',
      'HOW TO CHANGE OR REVOKE YOUR VOTE',
      meeting.proxyStatementUrl,
      'Please make your request on or before Thursday, May 30, 2002 to facilitate timely delivery.',
      'ATTENDING THE MEETING',
      'Cumulative voting is allowed in this election',
      '1-800-555-0143',
      '1234 5678 9012 345',
    ]) {
      expect(text).toContain(fact);
    }
    // No row can be broken out of: each record has every column.
    for (const r of rows) expect(Object.keys(r)).toEqual([...PRINT_FILE_COLUMNS]);
  });

  it('keeps more address lines than columns in the last one', () => {
    const many = holder('H-3', 1, {
      mailingAddress: Array.from({ length: 9 }, (_, i) => `line ${i + 1}`).join('\n'),
    });
    const [row] = readPrintFile(
      printFileCsv(meeting, BALLOT, [
        { holder: many, controlNumber: N1, reason: 'operator', reissued: true },
      ]),
    );
    expect(row?.address_line_6).toBe('line 6, line 7, line 8, line 9');
    expect((row?.mailing_address ?? '').split('\n')).toHaveLength(9);
  });
});

describe('notice and reminder e-mails', () => {
  it('the notice links with a single-use link token in the fragment, never the control number', () => {
    const token = linkTokenFor(N1, 'notice-secret');
    const email = renderNoticeEmail({
      meeting,
      holder: holder('H-1', 10),
      controlNumber: N1,
      ballotUrl: BALLOT,
      linkToken: token,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(email.text).toContain(`Vote now: ${BALLOT}#t=${token}\nThe button works once.`);
    // The button opens a window of its own: a mail viewer's frame cannot hold the ballot page.
    expect(email.html).toContain(`href="${BALLOT}#t=${token}" target="_blank" rel="noopener noreferrer"`);
    // The number is printed for the holder to type, and is in no URL.
    expect(email.text).toContain(formatControlNumber(N1));
    for (const url of `${email.text} ${email.html}`.match(/https?:\/\/[^\s"<]+/g) ?? [])
      expect(url.replace(/\D/g, '')).not.toContain(N1);
    // Without a token (paper), the notice names the bare page.
    const paperText = renderNoticeEmail({
      meeting,
      holder: holder('H-1', 10),
      controlNumber: N1,
      ballotUrl: BALLOT,
    });
    expect(paperText.text).toContain(`Go to ${BALLOT} and type your control number.`);
    expect(paperText.text).toContain(`Your control number: ${formatControlNumber(N1)}`);
    expect(paperText.html).not.toContain('#t=');
    expect(paperText.text).not.toContain('Vote now');
  });

  it('a reminder carries no control number, says where the number is and when voting closes', () => {
    const email = renderReminderEmail({
      meeting,
      holder: holder('H-1', 10, { name: 'Mary <b>Jones</b>' }),
      ballotUrl: BALLOT,
      noticeSentAt: '2002-05-06T16:00:00.000Z',
      reminder: 1,
    });
    expect(email.text).not.toMatch(/\d{16}|\d{4} \d{4} \d{4} \d{4}|#c=/);
    expect(email.text).toContain('notice of meeting we e-mailed you on Monday, May 6, 2002');
    expect(email.text).toContain('Internet voting closes on Wednesday, June 12, 2002, 8:59 p.m. PDT.');
    expect(email.html).toContain('Mary &lt;b&gt;Jones&lt;/b&gt;');
    expect(email.subject).toContain('reminder to vote before Wednesday, June 12, 2002, 8:59 p.m. PDT');
  });
});

describe('the 40-day rule (SEC Rule 14a-16)', () => {
  const at = (iso: string) => Date.parse(iso);

  it('is met 40 or more calendar days before the meeting, in the meeting time zone', () => {
    // 2002-05-04 in Los Angeles is 40 days before 2002-06-13.
    const ok = fortyDayCheck(meeting, at('2002-05-05T06:59:00Z'));
    expect(ok).toMatchObject({
      today: '2002-05-04',
      daysBefore: 40,
      late: false,
      closed: false,
      warning: null,
    });
    // One minute later it is 5 May in Los Angeles: 39 days.
    const late = fortyDayCheck(meeting, at('2002-05-05T07:00:00Z'));
    expect(late).toMatchObject({ today: '2002-05-05', daysBefore: 39, late: true });
    expect(late.warning).toMatch(
      /39 days before the meeting on 2002-06-13.*at least 40 calendar days.*by 2002-05-04/,
    );
  });

  it('after the internet cut-off nothing may be sent', () => {
    const c = fortyDayCheck(meeting, at('2002-06-13T04:00:00Z'));
    expect(c.closed).toBe(true);
    expect(c.warning).toMatch(/internet voting closed/);
  });
});

describe('reminder schedule', () => {
  const cutoff = Date.parse('2002-06-13T03:59:00Z');
  const day = 86_400_000;

  it('numbers reminders from the most days before the cut-off and picks the latest due', () => {
    expect(reminderDays(' 2, 7 ')).toEqual([2, 7]);
    expect(dueReminder(cutoff, cutoff - 8 * day, [7, 2])).toBeNull();
    expect(dueReminder(cutoff, cutoff - 7 * day, [2, 7])).toBe(1);
    expect(dueReminder(cutoff, cutoff - 3 * day, [7, 2])).toBe(1);
    expect(dueReminder(cutoff, cutoff - 2 * day, [7, 2])).toBe(2);
    expect(dueReminder(cutoff, cutoff, [7, 2])).toBeNull();
  });
});

describe('token bucket', () => {
  it('lets a burst of its capacity through, then one per 1/rate seconds (fake clock)', async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket({
      ratePerSecond: 4,
      capacity: 2,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(slept).toEqual([250, 250]);
    expect(now).toBe(500);
  });

  it('with rate 0 never waits', async () => {
    const bucket = new TokenBucket({
      ratePerSecond: 0,
      sleep: async () => {
        throw new Error('slept');
      },
    });
    await Promise.all(Array.from({ length: 100 }, () => bucket.take()));
    expect(bucket.unlimited).toBe(true);
  });
});

describe('a failed send', () => {
  it('certainly sent nothing when SES answered or the connection was refused', () => {
    expect(classifySendError({ name: 'Throttling', $metadata: { httpStatusCode: 400 } })).toEqual({
      definite: true,
      code: 'Throttling',
      httpStatus: 400,
    });
    expect(
      classifySendError(Object.assign(new Error('x'), { code: 'ECONNREFUSED', $metadata: {} })),
    ).toMatchObject({
      definite: true,
      code: 'ECONNREFUSED',
    });
  });

  it('may have sent when the request timed out or the connection reset', () => {
    expect(classifySendError(Object.assign(new Error('x'), { code: 'ECONNRESET' })).definite).toBe(false);
    expect(classifySendError({ name: 'TimeoutError', $metadata: {} }).definite).toBe(false);
  });

  it('comes back after an exponential delay on AWS, at most 12 hours', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(30, 30)).toBe(43_200);
  });
});

describe('messages and events', () => {
  it('a bad notice message names its fields, never its values', () => {
    const body = JSON.stringify({ ...noticeMessage('m', 'A-1', N1), controlNumber: '12345', extra: 'x' });
    try {
      parseNoticeMessage(body);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BadNoticeMessage);
      expect((e as Error).message).toContain('controlNumber');
      expect((e as Error).message).not.toContain('12345');
    }
    expect(parseNoticeMessage(JSON.stringify(noticeMessage('m', 'A-1', N1)))).toEqual(
      noticeMessage('m', 'A-1', N1),
    );
  });

  it('reads SES events published by a configuration set or by an identity', () => {
    const event = parseSesEvent(
      JSON.stringify({
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'x@example.com' }] },
        mail: { messageId: 'm1', tags: { account: ['A-1'] } },
      }),
    );
    expect(event?.bounce?.bounceType).toBe('Permanent');
    expect(parseSesEvent('{"notificationType":"Complaint","complaint":{},"mail":{}}')?.notificationType).toBe(
      'Complaint',
    );
    expect(parseSesEvent('not json')).toBeNull();
    expect(parseSesEvent('{"eventType":"Bounce"}')).toBeNull();
  });
});

describe('the local queue (event source mapping semantics)', () => {
  const messages = (n: number) => Array.from({ length: n }, (_, i) => noticeMessage('m', `A-${i}`, N1));
  const account = (body: string) => (JSON.parse(body) as { account: string }).account;

  it('delivers in batches of ten, retries only the reported failures, dead-letters after maxReceiveCount', async () => {
    const seen: { size: number; counts: string[] }[] = [];
    const attempts = new Map<string, number>();
    const queue = new InProcessNoticeQueue({
      handler: {
        handler: async (event: SQSEvent): Promise<SQSBatchResponse> => {
          seen.push({
            size: event.Records.length,
            counts: event.Records.map((r) => r.attributes.ApproximateReceiveCount),
          });
          const failures = event.Records.filter((r) => {
            const a = account(r.body);
            attempts.set(a, (attempts.get(a) ?? 0) + 1);
            // A-0 always fails; A-1 fails once, then succeeds.
            return a === 'A-0' || (a === 'A-1' && attempts.get(a) === 1);
          });
          return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
        },
      },
      maxReceiveCount: 3,
      backoffMs: () => 1,
      concurrency: 2,
    });
    await queue.enqueue(messages(25));
    expect(queue.depth).toBe(25);
    expect(seen).toHaveLength(0); // held until started
    await queue.start();
    await queue.drained();
    // Ten at most per batch (retried records may join a later batch): 25 first deliveries + 3 retries.
    expect(seen[0]?.size).toBe(10);
    expect(Math.max(...seen.map((s) => s.size))).toBe(10);
    expect(seen.reduce((n, s) => n + s.size, 0)).toBe(28);
    expect(attempts.get('A-0')).toBe(3);
    expect(attempts.get('A-1')).toBe(2);
    expect(attempts.get('A-2')).toBe(1);
    expect(queue.deadLetters.map((d) => account(d.body))).toEqual(['A-0']);
    expect(queue.deadLetters[0]?.receiveCount).toBe(3);
    expect(queue.stats).toMatchObject({ enqueued: 25, succeeded: 24, deadLettered: 1, retried: 3 });
    expect(seen.flatMap((s) => s.counts)).toContain('3');
  });

  it('retries the whole batch when the handler throws or names a record not in the batch', async () => {
    let calls = 0;
    const queue = new InProcessNoticeQueue({
      handler: {
        handler: async () => {
          calls++;
          if (calls === 1) throw new Error('cold start failed');
          if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
          return { batchItemFailures: [] };
        },
      },
      maxReceiveCount: 5,
      backoffMs: () => 1,
    });
    await queue.enqueue(messages(3));
    await queue.start();
    await queue.drained();
    expect(calls).toBe(3);
    expect(queue.stats).toMatchObject({ succeeded: 3, retried: 6, deadLettered: 0 });
  });
});

// The inspectors' certificate in Chromium: served with the admin API's CSP (its inline style allowed by
// hash, nothing else), read on a phone without sideways scrolling, no axe violation, and printed to
// PDF on several pages. Two meetings: the small one worked by hand, and the contested reference
// meeting with a disinterested tally.
import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateInput, renderCertificateHtml } from '../../shared/domain/certificate.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import { meetingSchema } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { STATUS_CSP } from '../../shared/status/admin-api.ts';
import { renderStatusHtml } from '../../shared/status/format.ts';
import type { MeetingStatus } from '../../shared/status/status.ts';
import { CERTIFICATE_CSP } from '../../shared/tabulation/admin-api.ts';
import { AXE_TAGS, CHROMIUM_ARGS } from '../support/browser.ts';
import { holder, internet, paper } from '../support/builders.ts';
import { smallCertificate } from '../support/certificate-meeting.ts';

const contestedFile = JSON.parse(
  readFileSync(new URL('../../meetings/hemacare-2002-contested.json', import.meta.url), 'utf8'),
);
contestedFile.proposals[1].interestedAccounts = ['INSIDER-1'];
const contested = meetingSchema.parse(contestedFile);
const contestedHolders = [
  holder('INSIDER-1', 35_000, { name: 'Alan C. Darlington' }),
  holder('DISS-1', 1_000_000, { name: 'Committee Fund LP' }),
  holder('RET-1', 3_000_000, { name: 'Retail Holder' }),
  holder('REST', contested.sharesOutstanding - 4_035_000),
];
const contestedCertificate: CertificateInput = {
  meeting: contested,
  result: tabulate(
    contested,
    contestedHolders,
    [
      internet('INSIDER-1', '2002-05-20T17:00:00.000Z', { '2': 'FOR' }),
      paper('DISS-1', '2002-06-01', '2002-06-02T17:00:00.000Z', { '2': 'AGAINST' }),
      {
        ...(paper('DISS-1', '2002-06-03', '2002-06-04T17:00:00.000Z', { '2': 'AGAINST' }) as Extract<
          Instruction,
          { kind: 'proxy' }
        >),
        party: 'committee',
      },
      internet('RET-1', '2002-05-21T17:00:00.000Z', { '2': 'FOR' }),
    ],
    { cumulative: false, pollsClosedAt: '2002-06-13T17:30:00.000Z' },
  ),
  run: {
    runId: '20020613T180000000Z-0a1b2c3d',
    kind: 'final',
    finishedAt: '2002-06-13T18:00:05.000Z',
    historyRoot: 'a'.repeat(64),
  },
  polls: { closedAt: '2002-06-13T17:30:00.000Z', closedBy: 'supervisor' },
};

let browser: Browser;
let phone: BrowserContext;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  phone = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  });
});

afterAll(async () => {
  await phone?.close();
  await browser?.close();
});

/** A page as the admin API serves it (the certificate by default): its CSP header, on a URL of its own. */
async function open(
  context: BrowserContext,
  input: CertificateInput,
  served: { body: string; csp: string } = { body: renderCertificateHtml(input), csp: CERTIFICATE_CSP },
): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  await page.route('https://admin.example/certificate', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'content-security-policy': served.csp },
      body: served.body,
    }),
  );
  await page.goto('https://admin.example/certificate');
  return { page, problems };
}

async function axe(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
  );
}

const sideways = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe.each([
  ['the small meeting', smallCertificate],
  ['the contested meeting', contestedCertificate],
])('the certificate of %s', (_, input) => {
  it('is styled under the CSP, has no axe violation and no sideways scroll on a phone', async () => {
    const { page, problems } = await open(phone, input);
    // The style sheet applied (the CSP allowed it by its hash): the status mark has its border.
    expect(
      await page.evaluate<string>("getComputedStyle(document.querySelector('.status')).borderTopWidth"),
    ).toBe('3px');
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('prints to PDF on several numbered pages', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US' });
    const { page } = await open(desktop, input);
    const pdf = await page.pdf({ format: 'Letter' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeGreaterThan(1);
    await desktop.close();
  });
});

describe('a contested meeting', () => {
  it("shows each party's nominees under its name, and the disinterested tally", async () => {
    const { page } = await open(phone, contestedCertificate);
    const headings = await page.getByRole('heading', { level: 3 }).allTextContents();
    expect(headings).toContain('Nominees of The Board of Directors of HemaCare Corporation');
    expect(headings.some((h) => h.startsWith("Nominees of The HemaCare Shareholders' Committee"))).toBe(true);
    expect(headings).toContain('Disinterested holders');
    // INSIDER-1's 35,000 FOR are left out of the disinterested tally: FOR 3,000,000 there.
    const text = await page.locator('main').innerText();
    expect(text).toMatch(
      /Without the shares of the interested accounts INSIDER-1 \(35,000 shares of record, 35,000 present\)/,
    );
    await page.close();
  });
});

describe("the operator's status page", () => {
  const status: MeetingStatus = {
    meeting: {
      id: 'hemacare-2002',
      company: 'HemaCare Corporation',
      title: '2002 Annual Meeting of Shareholders',
      timeZone: 'America/Los_Angeles',
    },
    at: '2002-06-10 09:00:00 PDT',
    polls: {
      state: 'open',
      internetCutoff: '2002-06-12 20:59:00 PDT',
      msToCutoff: 2 * 86_400_000 + 11 * 3_600_000 + 59 * 60_000,
      meetingStart: '2002-06-13 09:30:00 PDT',
      closedAt: null,
      closedBy: null,
    },
    notices: {
      holders: 3_000,
      byEmail: 1_800,
      byPaper: 1_200,
      sent: 1_790,
      inFlight: 0,
      notYet: 0,
      unknown: 4,
      stuck: 0,
      bounced: 6,
      complained: 1,
      paperPending: 7,
    },
    count: {
      runId: '20020610T070000000Z-0a1b2c3d',
      kind: 'nightly',
      finishedAt: '2002-06-10 00:00:41 PDT',
      requestedBy: 'schedule',
      sharesOutstanding: 7_595_175,
      sharesPresent: 3_500_000,
      requiredQuorum: 3_797_588,
      quorumMet: false,
      sharesToQuorum: 297_588,
      openConflicts: 2,
      votesIn: { internet: 812, phone: 0, paper: 95, meeting: 0 },
      revocationsIn: 12,
      rejected: 0,
    },
  };

  it('reads on a phone without sideways scrolling, with no axe violation, styled under its CSP', async () => {
    const { page, problems } = await open(phone, smallCertificate, {
      body: renderStatusHtml(status),
      csp: STATUS_CSP,
    });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    const text = await page.locator('main').innerText();
    expect(text).toContain('2002-06-12 20:59:00 PDT (in 2 d 11 h 59 min)');
    expect(text).toContain(
      'Attention: 3,500,000 of 7,595,175; quorum 3,797,588: NOT REACHED (297,588 more needed)',
    );
    await page.close();
  });
});

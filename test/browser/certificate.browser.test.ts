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
import { CERTIFICATE_CSP } from '../../shared/tabulation/admin-api.ts';
import { holder, internet, paper } from '../support/builders.ts';
import { smallCertificate } from '../support/certificate-meeting.ts';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];

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

/** The page as the admin API serves it: its CSP header, on a URL of its own. */
async function open(
  context: BrowserContext,
  input: CertificateInput,
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
      headers: { 'content-security-policy': CERTIFICATE_CSP },
      body: renderCertificateHtml(input),
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

// What a shareholder meets, in Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// - the notice e-mail, read back from the local SES endpoint, shown inside a frame as a mail viewer
//   shows it: its "Vote now" button opens the ballot in a window of its own (the ballot refuses to be
//   framed), and the holder goes through the review to a receipt;
// - one clock: every time the holder reads in that flow (the notice, the ballot, the receipt, the
//   confirmation and revocation e-mails, the reminder) is in the meeting's zone with its abbreviation;
// - every holder page (the ballot's steps, the closed ballot, /counted with a warning answer, the
//   notice) in English and Spanish at 320 px wide and at 200 % zoom: axe finds nothing, nothing
//   scrolls sideways, and the Spanish pages show no English of the product's own.
// No timing: every wait is Playwright's auto-waiting for an element or an event.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { renderBallotHtml } from '../../shared/ballot-page/page.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { linkTokenFor } from '../../shared/domain/link-token.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { LANGS, type Lang } from '../../shared/domain/messages.ts';
import { renderNoticeEmail } from '../../shared/domain/notice.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { StreamPoller } from '../../shared/local/stream-poller.ts';
import { SesMailer } from '../../shared/mail/mailer.ts';
import { renderReminderEmail } from '../../shared/notices/reminder-email.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import type { CountedAnswer } from '../../shared/tabulation/counted.ts';
import { countedTexts } from '../../shared/tabulation/counted-api.ts';
import { confirmationsFromEnv } from '../../shared/voting/confirmation-stream.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { AXE_TAGS, CHROMIUM_ARGS } from '../support/browser.ts';
import { holder } from '../support/builders.ts';
import { setHandlerEnv, uniqueTableNames } from '../support/local-env.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

const names = uniqueTableNames('holderpages');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const meetingJson = readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8');
const meeting = parseMeeting(meetingJson);
const SECRET = randomBytes(32).toString('hex');
const mailbox = `holder-${randomBytes(4).toString('hex')}@example.com`;
const holders = [
  holder('N-1', 4_000, { name: 'Nora Nunez', email: mailbox, eDelivery: true }),
  ...['en-320', 'en-200', 'es-320', 'es-200'].map((k, i) =>
    holder(`P-${k}`, 1_000 + i, { name: `Pat ${k}` }),
  ),
  holder('REST', meeting.sharesOutstanding - 4_000 - 4_006),
];

let api: HttpAdapter;
// The confirmations worker on the votes stream (on AWS, its event source mapping), drained on demand.
let confirmations: StreamPoller | undefined;
let browser: Browser;
const issued = new Map<string, string>();
const problems: string[] = [];

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

beforeAll(async () => {
  await createTables(client, names);
  const out = await importHolders(doc, names, holders, Buffer.from(SECRET, 'hex'), randomBytes);
  for (const [k, v] of out.issued) issued.set(k, v);
  setHandlerEnv(names);
  Object.assign(process.env, {
    MEETING_JSON: meetingJson,
    CONTROL_SECRET: SECRET,
    MAIL_FROM: 'HemaCare Proxy <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    CLOCK_OFFSET_MS: String(offsetToReach('2002-06-01T17:00:00.000Z')),
  });
  api = await startHttpAdapter({ routes, port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await confirmations?.stop();
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

function watch(page: Page): Page {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return page;
}

async function axe(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
  );
}

/** Reflow (WCAG 1.4.10): nothing wider than the viewport, so nothing scrolls sideways. */
const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

async function mailTo(address: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((m) => m.destination.to.includes(address));
}

/** Every time of day in a text with what follows it: each must carry the meeting's zone abbreviation. */
function clockTimes(text: string): { time: string; zone: string }[] {
  const out: { time: string; zone: string }[] = [];
  // Addresses hold ports ("127.0.0.1:34567"), not times.
  for (const m of text
    .replace(/https?:\/\/\S+/g, ' ')
    .matchAll(/\b(\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?:[ap]\.\s?m\.|AM|PM|h))?\s*([A-Za-z_/()]+)?/g))
    out.push({ time: m[1] as string, zone: (m[2] ?? '').replace(/[()]/g, '') });
  return out;
}

const visibleText = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&');

describe('a holder from the notice e-mail to the receipt', () => {
  it('opens the notice link outside the mail viewer frame, reviews, gets a receipt, all on one clock', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const number = issued.get('N-1') as string;
    const mailer = new SesMailer({
      from: 'HemaCare Proxy <proxy@example.com>',
      endpoint: inject('sesEndpoint'),
    });
    await mailer.send(
      mailbox,
      renderNoticeEmail({
        meeting,
        holder: holders[0] as (typeof holders)[number],
        controlNumber: number,
        ballotUrl: `${api.url}/vote`,
        linkToken: linkTokenFor(number, Buffer.from(SECRET, 'hex')),
      }),
      { kind: 'notice' },
    );
    const [notice] = (await mailTo(mailbox)).filter((m) => m.subject.includes('notice of the'));
    expect(notice).toBeDefined();
    const noticeMail = notice as StoredEmail;

    // The mail viewer stand-in: the message's HTML in a frame, as webmail shows it.
    const viewer = watch(await context.newPage());
    await viewer.setContent(
      `<!doctype html><html lang="en"><head><title>Mail viewer</title></head><body><main><h1>Inbox</h1><iframe title="The message" style="width:100%;height:600px" srcdoc="${noticeMail.body.html.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe></main></body></html>`,
    );
    const frame = viewer.frameLocator('iframe[title="The message"]');
    await frame.getByRole('heading', { level: 1 }).waitFor();
    expect(await frame.locator('p[role="note"]').textContent()).toContain(
      'Important Notice Regarding the Availability of Proxy Materials for the Shareholder Meeting to Be Held on Thursday, June 13, 2002',
    );
    const voteNow = frame.getByRole('link', { name: 'Vote now' });
    expect(await voteNow.getAttribute('target')).toBe('_blank');
    const [ballot] = await Promise.all([context.waitForEvent('page'), voteNow.click()]);
    watch(ballot);
    // The ballot is in its own window; the viewer's frame still shows the message.
    expect(viewer.frames().map((f) => f.url())).toEqual(['about:blank', 'about:srcdoc']);
    await ballot.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    expect(ballot.url()).toBe(`${api.url}/vote`);

    // The quick way is below the choices: the first Tab from the ballot's heading reaches a choice.
    await ballot.keyboard.press('Tab');
    const first = await ballot.evaluate<string | null>('document.activeElement && document.activeElement.id');
    expect(first).not.toBe('vote-board');
    expect(first).toMatch(/^v_1_/);

    await ballot
      .getByRole('group', { name: /^Proposal 2\b/ })
      .getByRole('radio', { name: 'Against' })
      .check();
    await ballot.getByRole('button', { name: 'Review my vote' }).click();
    await ballot.getByRole('heading', { name: 'Check your vote before you send it' }).waitFor();
    expect(await ballot.locator('#review-shares').textContent()).toBe(
      'Your 4,000 shares will be voted as follows.',
    );
    await ballot.getByRole('button', { name: 'Send my vote' }).click();
    await ballot.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    const receiptTime = (await ballot.locator('#receipt-time').textContent()) ?? '';
    expect(receiptTime).toMatch(/^Saturday, June 1, 2002, 10:\d\d a\.m\. PDT$/);
    expect(await ballot.locator('#receipt-names').textContent()).toBe('Nora Nunez');
    await ballot.getByRole('button', { name: 'Print this receipt' }).waitFor();
    const ballotText = (await ballot.locator('main').innerText()) ?? '';

    // Change of mind: revoke, which sends the revocation e-mail.
    await ballot.getByRole('button', { name: 'Change my vote' }).click();
    await ballot.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    expect(await ballot.locator('#current-vote').textContent()).toContain(
      'We received your vote on the internet on Saturday, June 1, 2002, 10:',
    );
    const ballotText2 = (await ballot.locator('main').innerText()) ?? '';
    await ballot.getByRole('button', { name: 'Revoke my proxy', exact: true }).click();
    await ballot.getByRole('button', { name: 'Yes, revoke my proxy' }).click();
    await ballot.getByRole('heading', { name: 'Your proxy is revoked' }).waitFor();

    // Vote another control number: the number step, empty.
    await ballot.getByRole('button', { name: 'Vote another control number' }).click();
    await ballot.getByRole('heading', { name: 'Your control number' }).waitFor();
    expect(await ballot.getByRole('textbox', { name: 'Control number' }).inputValue()).toBe('');

    confirmations ??= new StreamPoller({
      client,
      table: names.votes,
      handler: confirmationsFromEnv(process.env),
    });
    await confirmations.drain();
    const mails = await mailTo(mailbox);
    const confirmation = mails.find((m) => m.subject.includes('your vote was received')) as StoredEmail;
    const revocation = mails.find((m) => m.subject.includes('your proxy is revoked')) as StoredEmail;
    expect(confirmation).toBeDefined();
    expect(revocation).toBeDefined();
    // The revocation e-mail does not invite a change "until" the cut-off of a proxy the holder no longer has.
    expect(revocation.body.text).not.toContain('You can change your vote until');
    expect(revocation.body.text).toContain('unless you give a new proxy on the internet before');
    expect(revocation.body.text).toContain('HemaCare shareholder services');
    expect(confirmation.body.text).not.toContain('contact the company');
    const reminder = renderReminderEmail({
      meeting,
      holder: holders[0] as (typeof holders)[number],
      ballotUrl: `${api.url}/vote`,
      noticeSentAt: '2002-05-06T16:00:00.000Z',
      reminder: 1,
    });

    // One clock: every time of day the holder read carries PDT, and no UTC or zone name is left.
    const read: [string, string][] = [
      ['notice (text)', noticeMail.body.text],
      ['notice (HTML)', visibleText(noticeMail.body.html)],
      ['ballot and receipt', ballotText],
      ['ballot with the current vote', ballotText2],
      ['confirmation', `${confirmation.subject}\n${confirmation.body.text}`],
      ['revocation', `${revocation.subject}\n${revocation.body.text}`],
      ['reminder', `${reminder.subject}\n${reminder.text}`],
    ];
    let seen = 0;
    for (const [where, text] of read) {
      const times = clockTimes(text);
      expect(times.length, `${where} shows no time`).toBeGreaterThan(0);
      for (const t of times) expect(`${where}: ${t.time} ${t.zone}`).toBe(`${where}: ${t.time} PDT`);
      expect(text, where).not.toMatch(/\bUTC\b|America\/|\d{4}-\d{2}-\d{2}T\d{2}:|Eastern|EDT/);
      seen += times.length;
    }
    expect(seen).toBeGreaterThan(12);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

const LAYOUTS = [
  { name: '320', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 },
  // 200 % zoom of a 1280 x 800 window: 640 x 400 CSS pixels, drawn at twice the density.
  { name: '200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

/** The meeting file's own texts (shown as written) taken out, to look for English of the product's own. */
function productText(text: string): string {
  let out = text;
  const fileTexts = [
    meeting.company.name,
    meeting.company.address,
    meeting.title,
    meeting.place,
    meeting.admission ?? '',
    ...(meeting.proxyholders ?? []),
    ...(meeting.materials?.documents.map((d) => d.title) ?? []),
    ...(meeting.help ? [meeting.help.name, meeting.help.phone ?? ''] : []),
    ...meeting.proposals.flatMap((p) => [
      p.title,
      ...(p.kind === 'election' ? p.nominees.map((n) => n.name) : []),
    ]),
  ];
  for (const s of fileTexts.filter((x) => x !== '').sort((a, b) => b.length - a.length))
    out = out.split(s).join(' ');
  return out.replace(/Pat es-\d+|https?:\/\/\S+|\S+@\S+/g, ' ');
}
// Words of English only ("vote" is Spanish too: "vote en persona").
const ENGLISH =
  /\b(the|your|you|will|with|shares|proposal|receipt|ballot|meeting|board|nominee|change|send|check|internet voting)\b/i;

describe('every holder page, in both languages, at 320 px and at 200 % zoom', () => {
  for (const lang of LANGS)
    for (const layout of LAYOUTS) {
      it(`${lang} at ${layout.name === '320' ? '320 px' : '200 % zoom'}: axe finds nothing, nothing scrolls sideways`, async () => {
        const context: BrowserContext = await browser.newContext({
          viewport: layout.viewport,
          deviceScaleFactor: layout.deviceScaleFactor,
          locale: lang === 'es' ? 'es-US' : 'en-US',
        });
        const page = watch(await context.newPage());
        const found: Record<string, string[]> = {};
        const wide: Record<string, number> = {};
        const english: Record<string, string> = {};
        const check = async (step: string) => {
          found[step] = await axe(page);
          wide[step] = await overflow(page);
          if (lang === 'es') {
            const m = ENGLISH.exec(productText(await page.locator('body').innerText()));
            if (m) english[step] = m[0];
          }
          await page.screenshot({
            path: `${ARTIFACTS}holder-${lang}-${layout.name}-${step}.png`,
            fullPage: true,
          });
        };
        const q = lang === 'es' ? '?lang=es' : '';
        const L = (en: string, es: string) => (lang === 'es' ? es : en);

        await page.goto(`${api.url}/vote${q}`);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        await check('number');
        await page
          .getByRole('textbox', { name: L('Control number', 'Número de control') })
          .fill(issued.get(`P-${lang}-${layout.name}`) as string);
        await page.getByRole('button', { name: L('Open my ballot', 'Abrir mi papeleta') }).click();
        await page.getByRole('heading', { name: L('Your ballot', 'Su papeleta'), level: 2 }).waitFor();
        await check('ballot');
        await page
          .getByRole('button', {
            name: L('Vote as the Board recommends', 'Votar según la recomendación de la Junta'),
          })
          .click();
        await page
          .getByRole('heading', {
            name: L('Check your vote before you send it', 'Revise su voto antes de enviarlo'),
          })
          .waitFor();
        await check('review');
        await page.getByRole('button', { name: L('Send my vote', 'Enviar mi voto') }).click();
        await page
          .getByRole('heading', { name: L('Your vote is recorded', 'Su voto está registrado') })
          .waitFor();
        expect(await page.locator('#receipt-time').textContent()).toMatch(/ PDT$/);
        await check('receipt');

        // The closed ballot (after the cut-off), as the page renders it then (in a blank page: the
        // ballot's own CSP would refuse the inline style of a document written into it).
        await page.goto('about:blank');
        await page.setContent(renderBallotHtml(meeting, { lang: lang as Lang, closed: true }));
        await page
          .getByRole('heading', {
            name: L('Internet voting is closed', 'La votación por Internet está cerrada'),
          })
          .waitFor();
        expect(await page.locator('#step-closed').innerText()).toContain(
          L('You can still vote in person at the meeting', 'Todavía puede votar en persona en la junta'),
        );
        await check('closed');

        // /counted, with an answer whose account record no longer matches: a warning, hashes folded away.
        const answer: CountedAnswer = {
          status: 'counted',
          message: 'This instruction is the one that was counted for your shares in the final count.',
          instruction: { kind: 'proxy', channel: 'internet', receivedAt: '2002-06-01T17:05:00.000Z' },
          countedInstead: null,
          unvoted: [],
          finalCount: {
            runId: 'final',
            finishedAt: '2002-06-13T20:15:00.000Z',
            historyRoot: 'f'.repeat(64),
            inputDigest: 'e'.repeat(64),
          },
          historyUnchanged: false,
          evidence: { count: 1, head: 'a'.repeat(64) },
        };
        await page.route('**/api/counted', (route) =>
          route.fulfill({
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({ ...answer, texts: countedTexts(meeting, answer) }),
          }),
        );
        await page.goto(`${api.url}/counted${q}`);
        await check('counted-form');
        await page
          .getByRole('textbox', { name: L('Control number', 'Número de control') })
          .fill(issued.get(`P-${lang}-${layout.name}`) as string);
        await page
          .getByRole('textbox', { name: L('Receipt code', 'Código de comprobante') })
          .fill('ABCD-EFGH-JKLM');
        await page.getByRole('button', { name: L('Check my vote', 'Comprobar mi voto') }).click();
        await page.locator('#answer:not([hidden])').waitFor();
        expect(await page.locator('#answer').getAttribute('class')).toBe('warning');
        expect(await page.locator('#answer .mismatch').textContent()).toContain(L('Warning', 'Advertencia'));
        expect(await page.locator('#answer').innerText()).toMatch(
          /Thursday, June 13, 2002, 1:15 p\.m\. PDT|jueves, 13 de junio de 2002, 1:15 p\. m\. PDT/,
        );
        expect(await page.locator('#answer details.proof').count()).toBe(1);
        await check('counted-answer');

        // The notice e-mail itself, as a browser shows it.
        await page.goto('about:blank');
        await page.setContent(
          renderNoticeEmail({
            meeting,
            holder: holder('X', 10, { name: 'Pat Lee' }),
            controlNumber: issued.get('N-1') as string,
            ballotUrl: `${api.url}/vote`,
            linkToken: 'abcdefghijklmnopqrstuv',
            lang: lang as Lang,
          }).html,
        );
        await check('notice');

        expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
        expect(wide).toEqual(Object.fromEntries(Object.keys(wide).map((k) => [k, 0])));
        expect(english).toEqual({});
        expect(problems).toEqual([]);
        await context.close();
      }, 180_000);
    }
});

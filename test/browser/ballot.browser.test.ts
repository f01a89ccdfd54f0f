// The ballot page end to end in Chromium (Debian's, /usr/bin/chromium, driven by playwright-core): the
// notice e-mail's link opens the ballot on a phone-sized screen, the holder votes, sees the receipt,
// goes back and changes the vote; the API, the stored history and the tabulation then count only the
// latest vote. Also: typing the control number, field errors, the Board's-recommendation button,
// revoking with a confirm step, a network retry that reuses its idempotency key, and 400/410/429
// answers shown in plain words. axe-core (WCAG 2.0 A/AA, 2.1 AA) finds nothing on the ballot, the error
// state and the receipt. No timing: every wait is Playwright's auto-waiting for an element.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { formatControlNumber } from '../../shared/domain/control-number.ts';
import { linkTokenFor } from '../../shared/domain/link-token.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { renderNoticeEmail } from '../../shared/domain/notice.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { SesMailer } from '../../shared/mail/mailer.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { AXE_TAGS, CHROMIUM_ARGS } from '../support/browser.ts';
import { holder } from '../support/builders.ts';
import { setHandlerEnv, uniqueTableNames } from '../support/local-env.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

const names = uniqueTableNames('ballotpage');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const meetingJson = readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8');
const meeting = parseMeeting(meetingJson);
const SECRET = randomBytes(32).toString('hex');
const email = `ballot-${randomBytes(4).toString('hex')}@example.com`;
// Holder names are the holder's own data: the page must show them as text, never run them.
const HOSTILE = 'Vera <img src=x onerror="window.pwned=1"> Lynn';
const JOINT = 'Bob "Bobby" <b>Lynn</b>';
const holders = [
  holder('V-1', 5_000, { name: HOSTILE, jointNames: [JOINT], email, eDelivery: true }),
  holder('W-2', 3_000, { name: 'Wanda Wu' }),
  holder('X-3', 2_000, { name: 'Xavier Xu' }),
  holder('REST', meeting.sharesOutstanding - 10_000),
];

let api: HttpAdapter;
let browser: Browser;
let context: BrowserContext;
let issued: Map<string, string>;
const number = (account: string) => issued.get(account) as string;
const token = (account: string) => linkTokenFor(number(account), Buffer.from(SECRET, 'hex'));
const problems: string[] = [];

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

beforeAll(async () => {
  await createTables(client, names);
  issued = (await importHolders(doc, names, holders, Buffer.from(SECRET, 'hex'), randomBytes)).issued;
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
  context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

async function newPage(): Promise<Page> {
  const page = await context.newPage();
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

const focusedId = (page: Page) =>
  page.evaluate<string | null>('document.activeElement ? document.activeElement.id : null');

const postJson = async (path: string, body: unknown) => {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Every submission goes through the review: "Review my vote", then "Send my vote". */
async function reviewAndSend(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Review my vote' }).click();
  await page.getByRole('heading', { name: 'Check your vote before you send it' }).waitFor();
  await page.getByRole('button', { name: 'Send my vote' }).click();
}

const nominee = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const proposal = (page: Page, n: string) =>
  page.getByRole('group', { name: new RegExp(`^Proposal ${n}\\b`) });

describe('the ballot page in Chromium', () => {
  it('opens from the notice link, takes a vote, shows the receipt, and counts only the changed vote', async () => {
    // The notice e-mail, sent through the SES endpoint like the real run, carries the link.
    const mailer = new SesMailer({
      from: 'HemaCare Proxy <proxy@example.com>',
      endpoint: inject('sesEndpoint'),
    });
    const notice = renderNoticeEmail({
      meeting,
      holder: holders[0] as (typeof holders)[number],
      controlNumber: number('V-1'),
      ballotUrl: `${api.url}/vote`,
      linkToken: token('V-1'),
    });
    await mailer.send(email, notice, { kind: 'notice' });
    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: StoredEmail[] };
    const mine = store.emails.filter((m) => m.destination.to.includes(email) && m.subject.includes('notice'));
    expect(mine).toHaveLength(1);
    const link = /https?:\/\/\S+\/vote#t=[A-Za-z0-9_-]{22}/.exec(mine[0]?.body.text ?? '')?.[0] as string;
    expect(link).toBe(`${api.url}/vote#t=${token('V-1')}`);
    // No URL in the notice holds the control number.
    for (const url of (mine[0]?.body.text ?? '').match(/https?:\/\/\S+/g) ?? [])
      expect(url.replace(/\D/g, '')).not.toContain(number('V-1'));

    // A link scanner fetches the link first: a GET (the fragment never leaves the client) burns nothing.
    expect((await fetch(link)).status).toBe(200);

    const page = await newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();

    // The token left the address bar at once; the control number is nowhere in the document.
    expect(page.url()).toBe(`${api.url}/vote`);
    expect(await page.content()).not.toContain(number('V-1'));
    expect(await page.content()).not.toContain(formatControlNumber(number('V-1')));

    // The meeting, the holder (as text, not markup), the proposals with the Board's recommendation.
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('header').textContent()).toContain('HemaCare Corporation');
    const facts = (await page.locator('section[aria-labelledby="meeting-h"]').textContent()) ?? '';
    expect(facts).toContain('Thursday, June 13, 2002, 9:30 a.m. PDT');
    expect(facts).toContain('Warner Center Marriott Hotel');
    expect(await page.locator('#holder-names').textContent()).toBe(`${HOSTILE} and ${JOINT}`);
    expect(await page.locator('#holder-names img, #holder-names b').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await page.locator('#holder-names-label').textContent()).toBe('Registered holders');
    expect(await page.locator('#holder-shares').textContent()).toBe('5,000');
    expect(await page.locator('#current-vote').textContent()).toContain('We have no vote from you yet');
    expect(await proposal(page, '1').locator('.rec').textContent()).toContain(
      'The Board recommends a vote FOR each nominee.',
    );
    expect(await proposal(page, '2').locator('.rec').textContent()).toContain(
      'The Board recommends a vote For.',
    );
    for (const n of meeting.proposals.flatMap((p) => (p.kind === 'election' ? p.nominees : []))) {
      await nominee(page, n.name).getByRole('radio', { name: 'Withhold' }).waitFor();
    }
    // Cumulative voting is allowed: optional allocation boxes, totals filled in from the holder's shares.
    expect(await page.locator('[data-slot="alloc-total"]').textContent()).toBe('25,000');
    await page.getByLabel('Votes for Dana E. Belisle').waitFor();
    // Joint holders: who signs.
    const signer = page.getByLabel('Signed by');
    expect(await signer.locator('option').allTextContents()).toEqual([HOSTILE, JOINT]);

    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}ballot.png`, fullPage: true });

    // Keyboard: from the ballot's heading, Tab reaches the first radio, and Space selects it.
    expect(await focusedId(page)).toBe('ballot-h');
    let presses = 0;
    while ((await focusedId(page)) !== 'v_1_darlington_FOR' && presses < 20) {
      await page.keyboard.press('Tab');
      presses += 1;
    }
    expect(await focusedId(page)).toBe('v_1_darlington_FOR');
    expect(presses).toBeLessThanOrEqual(3);
    expect(await page.locator('#v_1_darlington_FOR').isChecked()).toBe(false);
    await page.keyboard.press('Space');
    expect(await page.locator('#v_1_darlington_FOR').isChecked()).toBe(true);

    // First vote: withhold Robert L. Johnson, AGAINST proposal 2.
    await nominee(page, 'Robert L. Johnson').getByRole('radio', { name: 'Withhold' }).check();
    await proposal(page, '2').getByRole('radio', { name: 'Against' }).check();
    await reviewAndSend(page);
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    const first = (await page.locator('#receipt-code').textContent()) ?? '';
    expect(first).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.locator('#receipt-effective').textContent()).toContain('This is the vote that counts');
    expect(await page.locator('#receipt-time').getAttribute('datetime')).toMatch(/^2002-06-01T17:/);
    expect(await page.locator('#receipt-time').textContent()).toContain('Saturday, June 1, 2002');
    const recorded = await page
      .locator('#receipt-votes li li, #receipt-votes > ul > li > div')
      .allTextContents();
    expect(recorded).toEqual([
      'Alan C. Darlington: For',
      'Robert L. Johnson: Withhold',
      'Julian L. Steffenhagen: For (left blank: voted as the Board recommends)',
      'Stephen P. Wallace: For (left blank: voted as the Board recommends)',
      'Dana E. Belisle: For (left blank: voted as the Board recommends)',
      'If cumulative voting is used: the proxyholder spreads your votes among the nominees voted For.',
      'Against',
    ]);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}ballot-receipt.png`, fullPage: true });

    // Back (the browser's own button) to the ballot: the first vote is current and pre-selected.
    await page.goBack();
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    expect(await page.locator('#current-vote').textContent()).toContain(first);
    expect(await page.locator('#v_1_johnson_WITHHOLD').isChecked()).toBe(true);
    expect(await page.locator('#v_1_darlington_FOR').isChecked()).toBe(true);
    expect(await page.locator('#v_2_AGAINST').isChecked()).toBe(true);

    // Second vote: Johnson FOR after all, withhold Stephen P. Wallace, ABSTAIN on 2, signed by the joint holder.
    await nominee(page, 'Robert L. Johnson').getByRole('radio', { name: 'For' }).check();
    await nominee(page, 'Stephen P. Wallace').getByRole('radio', { name: 'Withhold' }).check();
    await proposal(page, '2').getByRole('radio', { name: 'Abstain' }).check();
    await signer.selectOption({ label: JOINT });
    await reviewAndSend(page);
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    const second = (await page.locator('#receipt-code').textContent()) ?? '';
    expect(second).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(second).not.toBe(first);
    expect(await page.locator('#receipt-effective').textContent()).toContain('This is the vote that counts');

    // Only the latest counts: the API's current vote, the stored history, and the tabulation.
    const secondVotes = {
      '1': { marks: { darlington: 'FOR', johnson: 'FOR', wallace: 'WITHHOLD' } },
      '2': 'ABSTAIN',
    };
    const ballot = await postJson('/api/ballot', { controlNumber: number('V-1') });
    expect(ballot.status).toBe(200);
    expect(ballot.body.current).toMatchObject({ kind: 'proxy', receiptCode: second, votes: secondVotes });
    const store2 = new DynamoVoteStore(doc, names, Date.now);
    const history = await store2.history('V-1');
    expect(history.map((h) => h.receiptCode)).toEqual([first, second]);
    expect(history.map((h) => h.instruction.signedBy)).toEqual([HOSTILE, JOINT]);
    const all = (await Promise.all(holders.map((h) => store2.history(h.account))))
      .flat()
      .map((s) => s.instruction);
    const result = tabulate(meeting, holders, all, { cumulative: false });
    expect(result.sharesPresent).toBe(5_000);
    const directors = result.proposals.find((p) => p.id === '1');
    const counted =
      directors?.kind === 'election'
        ? Object.fromEntries(directors.nominees.map((n) => [n.id, [n.for, n.withhold]]))
        : null;
    expect(counted).toEqual({
      darlington: [5_000, 0],
      johnson: [5_000, 0],
      steffenhagen: [5_000, 0],
      wallace: [0, 5_000],
      belisle: [5_000, 0],
    });
    const other = result.proposals.find((p) => p.id === '2');
    expect(other?.kind === 'matter' && [other.for, other.against, other.abstain]).toEqual([0, 0, 5_000]);

    // The link worked once: opened again, it asks for the control number printed in the notice.
    const again = await newPage();
    await again.goto(link);
    await again.locator('#number-alert').getByText('This link has already been used').waitFor();
    expect(again.url()).toBe(`${api.url}/vote`);
    await again.close();

    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('takes a typed control number, shows field errors, votes as the Board recommends, and revokes after a confirm step', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/vote`);
    await page.getByRole('heading', { name: 'Your control number' }).waitFor();
    const input = page.getByRole('textbox', { name: 'Control number' });

    // A typo: the check digit catches it before any request; the error is tied to the field.
    const good = number('W-2');
    const typo = `${good.slice(0, 15)}${(Number(good[15]) + 1) % 10}`;
    await input.fill(formatControlNumber(typo));
    await page.getByRole('button', { name: 'Open my ballot' }).click();
    await page.locator('#err_controlNumber').waitFor();
    expect(await page.locator('#err_controlNumber').textContent()).toBe(
      'Control number has a digit that is wrong: check it against your notice.',
    );
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.getAttribute('aria-describedby')).toContain('err_controlNumber');
    expect(await page.getByRole('alert').first().textContent()).toContain('Check your control number.');
    expect(await focusedId(page)).toBe('controlNumber');
    expect(await axe(page)).toEqual([]);

    // The right number, typed with spaces, submitted with Enter.
    await input.fill(formatControlNumber(good));
    await input.press('Enter');
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    expect(await page.locator('#holder-names').textContent()).toBe('Wanda Wu');
    expect(await page.locator('#signer-field').isHidden()).toBe(true);
    expect(await page.locator('#revoke').isHidden()).toBe(true);

    // One button: an empty proxy, voted as the Board recommends.
    // The quick way is not the first thing on the ballot, and never votes in one tap: it shows the review.
    await page.getByRole('button', { name: 'Vote as the Board recommends' }).click();
    await page.getByRole('heading', { name: 'Check your vote before you send it' }).waitFor();
    expect(await new DynamoVoteStore(doc, names, Date.now).history('W-2')).toHaveLength(0);
    expect(await page.locator('#review-votes').textContent()).toContain(
      'Alan C. Darlington: For (left blank: voted as the Board recommends)',
    );
    await page.getByRole('button', { name: 'Send my vote' }).click();
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    const recorded = await page.locator('#receipt-votes').textContent();
    expect(recorded).toContain('Alan C. Darlington: For (left blank: voted as the Board recommends)');
    expect(recorded).toContain('For (left blank: voted as the Board recommends)');
    const history = await new DynamoVoteStore(doc, names, Date.now).history('W-2');
    expect(history.map((h) => h.instruction)).toMatchObject([
      { kind: 'proxy', votes: {}, signedBy: 'Wanda Wu' },
    ]);

    // Change my vote -> Revoke, with a confirm step that can be cancelled.
    await page.getByRole('button', { name: 'Change my vote' }).click();
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    const start = page.getByRole('button', { name: 'Revoke my proxy', exact: true });
    await start.click();
    expect(await start.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('button', { name: 'No, keep my proxy' }).click();
    expect(await page.locator('#revoke-confirm').isHidden()).toBe(true);
    expect(await focusedId(page)).toBe('revoke-start');
    await start.click();
    await page.getByRole('button', { name: 'Yes, revoke my proxy' }).click();
    await page.getByRole('heading', { name: 'Your proxy is revoked' }).waitFor();
    expect(await page.locator('#receipt-effective').textContent()).toContain('You now have no proxy');
    expect(await axe(page)).toEqual([]);
    const ballot = await postJson('/api/ballot', { controlNumber: good });
    expect(ballot.body.current).toMatchObject({ kind: 'revocation', votes: null });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('retries a lost request with the same idempotency key, and shows refusals next to the field or plainly', async () => {
    const page = await newPage();
    const sent: Array<{ idempotencyKey: string; votes: unknown }> = [];
    let calls = 0;
    await page.route('**/api/proxy', async (route) => {
      sent.push(JSON.parse(route.request().postData() ?? '{}'));
      calls += 1;
      if (calls === 1) await route.abort('failed');
      else await route.continue();
    });
    await page.goto(`${api.url}/vote#t=${token('X-3')}`);
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    expect(page.url()).toBe(`${api.url}/vote`);

    // Client-side check: cumulative votes beyond shares x seats, shown next to the allocation.
    await page.getByLabel('Votes for Alan C. Darlington').fill('20000');
    expect(await page.locator('[data-slot="alloc-sum"]').textContent()).toBe(
      'You have given 20,000 of your 10,000 votes.',
    );
    await page.getByRole('button', { name: 'Review my vote' }).click();
    await page.locator('#err_votes_1_allocation').waitFor();
    expect(await page.locator('#err_votes_1_allocation').textContent()).toBe(
      'Cumulative votes in proposal 1 add up to 20,000, more than your 10,000 votes.',
    );
    expect(sent).toHaveLength(0);
    await page.getByLabel('Votes for Alan C. Darlington').fill('');

    // The first request is lost on the network; the page retries it with the very same key.
    await proposal(page, '2').getByRole('radio', { name: 'For' }).check();
    await reviewAndSend(page);
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    expect(sent).toHaveLength(2);
    expect(sent[0]?.idempotencyKey).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
    expect(await new DynamoVoteStore(doc, names, Date.now).history('X-3')).toHaveLength(1);
    await page.unroute('**/api/proxy');

    // A server refusal naming a field is shown next to that field.
    await page.getByRole('button', { name: 'Change my vote' }).click();
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    const refuse = (status: number, error: unknown) =>
      page.route('**/api/proxy', (route) =>
        route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error }) }),
      );
    await refuse(400, {
      code: 'invalid_request',
      message: 'The vote could not be recorded as given.',
      fields: [
        { path: 'votes.1.marks.johnson', message: 'a plurality election takes FOR or WITHHOLD, not AGAINST' },
      ],
    });
    await nominee(page, 'Robert L. Johnson').getByRole('radio', { name: 'Withhold' }).check();
    await reviewAndSend(page);
    const fieldError = page.locator('#err_votes_1_marks_johnson');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBe(
      'Robert L. Johnson: a plurality election takes FOR or WITHHOLD, not AGAINST.',
    );
    expect(await nominee(page, 'Robert L. Johnson').getAttribute('aria-describedby')).toContain(
      'err_votes_1_marks_johnson',
    );
    expect(await page.locator('#ballot-alert').textContent()).toContain(
      'The vote could not be recorded as given.',
    );
    expect(await axe(page)).toEqual([]);
    await page.unroute('**/api/proxy');

    // 410: voting closed, said plainly; the buttons are disabled.
    await refuse(410, { code: 'voting_closed', message: 'Internet voting closed.', fields: [] });
    await reviewAndSend(page);
    await page.locator('#ballot-alert').getByText('Internet voting is closed').waitFor();
    expect(await page.locator('#ballot-alert').textContent()).toContain(
      'You can still vote in person at the meeting.',
    );
    expect(await page.getByRole('button', { name: 'Review my vote' }).isDisabled()).toBe(true);
    await page.close();

    // 429: too many attempts from this address, said plainly.
    const limited = await newPage();
    await limited.route('**/api/ballot', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'too_many_attempts',
            message:
              'Too many control numbers were not recognised from your address. Wait an hour and try again.',
            fields: [],
          },
        }),
      }),
    );
    await limited.goto(`${api.url}/vote`);
    await limited.getByRole('textbox', { name: 'Control number' }).fill(number('X-3'));
    await limited.getByRole('button', { name: 'Open my ballot' }).click();
    await limited.locator('#number-alert').getByText('Too many attempts.').waitFor();
    expect(await limited.locator('#number-alert').textContent()).toContain('Wait an hour and try again.');
    expect(limited.url()).toBe(`${api.url}/vote`);
    expect(problems).toEqual([]);
    await limited.close();
  }, 90_000);
});

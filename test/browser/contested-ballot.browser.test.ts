// The internet ballot of a contested meeting (meetings/hemacare-2002-contested.json, universal proxy
// card, Rule 14a-19(e)) in Chromium: nominees grouped by party, the Board's first, alphabetical by last
// name; the most FOR votes stated before the nominees; an over-vote refused on the page with what it
// would do, next to the election; five FOR accepted through the review; axe finds nothing, at 320 px
// and at 200 % zoom, in English and Spanish.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { AXE_TAGS, CHROMIUM_ARGS } from '../support/browser.ts';
import { holder } from '../support/builders.ts';
import { setHandlerEnv, uniqueTableNames } from '../support/local-env.ts';

const names = uniqueTableNames('contestpage');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const meetingJson = readFileSync(
  new URL('../../meetings/hemacare-2002-contested.json', import.meta.url),
  'utf8',
);
const meeting = parseMeeting(meetingJson);
const SECRET = randomBytes(32).toString('hex');
const holders = [
  holder('K-1', 2_500, { name: 'Kim Kato' }),
  holder('K-2', 1_500, { name: 'Luz Lara' }),
  holder('K-3', 1_200, { name: 'Max Mora' }),
  holder('REST', meeting.sharesOutstanding - 5_200),
];
let api: HttpAdapter;
let browser: Browser;
let issued: Map<string, string>;
const problems: string[] = [];

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
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

async function open(page: Page, account: string, lang: 'en' | 'es'): Promise<void> {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${api.url}/vote${lang === 'es' ? '?lang=es' : ''}`);
  await page.locator('#controlNumber').fill(issued.get(account) as string);
  await page.locator('#open-ballot').click();
  await page.locator('#ballot-h:visible').waitFor();
}

const violations = async (page: Page) =>
  (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`,
  );

describe('the universal proxy card on-line', () => {
  it('lists the nominees by party, refuses an over-vote with its effect, and takes five FOR after a review', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await open(page, 'K-1', 'en');
    const election = page.getByRole('group', { name: /^Proposal 1\b/ });
    expect(await election.locator('.limit-max').textContent()).toBe('Vote FOR no more than 5 nominees.');
    const order = await election.locator('fieldset.nominee > legend').allTextContents();
    expect(order).toEqual([
      'Dana E. Belisle',
      'Alan C. Darlington',
      'Robert L. Johnson',
      'Julian L. Steffenhagen',
      'Stephen P. Wallace',
      'Margaret A. Hartley',
      'Erik J. Lindqvist',
      'Daniel C. Okafor',
    ]);
    expect(await election.locator('fieldset.party-group > legend').allTextContents()).toEqual(
      (meeting.parties ?? []).map((p) => `Nominees of ${p.name}`),
    );
    // One style for every name: the same computed font for each nominee's legend.
    const fonts = await page.evaluate<string[]>(
      "[...document.querySelectorAll('#p_1 fieldset.nominee > legend')].map((e) => getComputedStyle(e).font)",
    );
    expect(fonts).toHaveLength(8);
    expect(new Set(fonts).size).toBe(1);

    // Six FOR: refused on the page, next to the election, saying what an over-vote would do.
    for (const name of order.slice(0, 6))
      await page.getByRole('group', { name, exact: true }).getByRole('radio', { name: 'For' }).check();
    await page.getByRole('button', { name: 'Review my vote' }).click();
    const error = page.locator('#err_votes_1');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'Proposal 1 marks For 6 nominees, but no more than 5 may be voted For. An over-vote would give no vote in this election: mark For no more than 5.',
    );
    expect(await page.locator('#ballot-alert').textContent()).toContain(
      'Please correct the choices marked below.',
    );
    expect(await violations(page)).toEqual([]);
    expect(await new DynamoVoteStore(doc, names, Date.now).history('K-1')).toHaveLength(0);

    // Five FOR (a dissident among them): the review lists them in the card's order, then the receipt.
    await page
      .getByRole('group', { name: 'Stephen P. Wallace', exact: true })
      .getByRole('radio', { name: 'Withhold' })
      .check();
    await page.getByRole('button', { name: 'Review my vote' }).click();
    await page.getByRole('heading', { name: 'Check your vote before you send it' }).waitFor();
    const review = await page.locator('#review-votes li li').allTextContents();
    expect(review).toEqual([
      'Dana E. Belisle: For',
      'Alan C. Darlington: For',
      'Robert L. Johnson: For',
      'Julian L. Steffenhagen: For',
      'Stephen P. Wallace: Withhold',
      'Margaret A. Hartley: For',
      'Erik J. Lindqvist: Not voted (left blank)',
      'Daniel C. Okafor: Not voted (left blank)',
    ]);
    await page.getByRole('button', { name: 'Send my vote' }).click();
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    const [stored] = await new DynamoVoteStore(doc, names, Date.now).history('K-1');
    expect(stored?.instruction).toMatchObject({
      kind: 'proxy',
      votes: {
        '1': {
          marks: {
            belisle: 'FOR',
            darlington: 'FOR',
            johnson: 'FOR',
            steffenhagen: 'FOR',
            wallace: 'WITHHOLD',
            hartley: 'FOR',
          },
        },
      },
    });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  for (const lang of ['en', 'es'] as const)
    for (const [label, viewport, scale] of [
      ['320 px', { width: 320, height: 640 }, 1],
      ['200 % zoom', { width: 640, height: 400 }, 2],
    ] as const)
      it(`is accessible in ${lang} at ${label}, and nothing scrolls sideways`, async () => {
        const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
        const page = await context.newPage();
        await open(page, lang === 'en' ? 'K-2' : 'K-3', lang);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        expect(await violations(page)).toEqual([]);
        expect(
          await page.evaluate<number>(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          ),
        ).toBe(0);
        expect(problems).toEqual([]);
        await context.close();
      }, 120_000);
});

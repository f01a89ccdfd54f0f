// What holders read, rendered without a browser: the one clock, the notice of Rule 14a-16 (English and
// Spanish, built once per meeting), the confirmation and revocation e-mails, the message catalog, the
// printed notice's QR code, the universal card's layout on the ballot page and the printed proxy card
// (Rule 14a-19(e)), and the ballot page closed after the cut-off.
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import QRCode from 'qrcode';
import { describe, expect, it, vi } from 'vitest';
import { renderBallotHtml } from '../../shared/ballot-page/page.ts';
import { renderConfirmation } from '../../shared/domain/confirmation-email.ts';
import { formatControlNumber } from '../../shared/domain/control-number.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { cutoffText, holderInstant, meetingStartText } from '../../shared/domain/holder-time.ts';
import { lastName, nomineeGroups } from '../../shared/domain/holder-words.ts';
import { type Election, parseMeeting } from '../../shared/domain/meeting.ts';
import { MESSAGES, type MessageKey } from '../../shared/domain/messages.ts';
import { noticeTemplate, renderNoticeEmail } from '../../shared/domain/notice.ts';
import { printFileCsv, readPrintFile } from '../../shared/domain/print-file.ts';
import { proxyCardsHtml } from '../../shared/domain/proxy-card.ts';
import { parseRegister, serializeRegister } from '../../shared/domain/register.ts';
import { printedNoticesHtml, qrSvg, qrTarget } from '../../shared/notices/printed-notice.ts';
import { holderToItem, itemToHolder } from '../../shared/register/holder-item.ts';
import { hemacare, holder } from '../support/builders.ts';

const meeting = hemacare();
const contested = parseMeeting(
  readFileSync(new URL('../../meetings/hemacare-2002-contested.json', import.meta.url), 'utf8'),
);
const BALLOT = 'https://vote.example.com/vote';
const N1 = '1234567890123452';
const visible = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('one clock', () => {
  it('writes every instant in the meeting zone with its abbreviation, one format per language', () => {
    expect(meetingStartText(meeting, 'en')).toBe('Thursday, June 13, 2002, 9:30 a.m. PDT');
    expect(meetingStartText(meeting, 'es')).toBe('jueves, 13 de junio de 2002, 9:30 a. m. PDT');
    // The cut-off is set at 23:59 New York time: the holder reads it in the meeting's zone.
    expect(cutoffText(meeting, 'en')).toBe('Wednesday, June 12, 2002, 8:59 p.m. PDT');
    expect(holderInstant(Date.parse('2002-06-01T17:05:31.954Z'), meeting.timeZone, 'en')).toBe(
      'Saturday, June 1, 2002, 10:05 a.m. PDT',
    );
    // Winter: standard time.
    expect(holderInstant(Date.parse('2002-01-15T20:00:00Z'), meeting.timeZone, 'en')).toBe(
      'Tuesday, January 15, 2002, 12:00 p.m. PST',
    );
    expect(holderInstant(Date.parse('2002-01-16T07:59:00Z'), meeting.timeZone, 'es')).toBe(
      'martes, 15 de enero de 2002, 11:59 p. m. PST',
    );
  });

  it('says the meeting "will be held" and gives the receipt time in PDT in the confirmation', () => {
    const mail = renderConfirmation({
      meeting,
      holderName: 'Ann Lee',
      shares: 100,
      nominee: false,
      receiptCode: 'ABCD-EFGH-JKLM',
      executedAt: '2002-05-20T17:08:55.954Z',
      kind: 'proxy',
      votes: {},
    });
    expect(mail.text).toContain('which will be held on Thursday, June 13, 2002, 9:30 a.m. PDT');
    expect(mail.text).toContain('Received: Monday, May 20, 2002, 10:08 a.m. PDT');
    expect(mail.text).toContain('You can change your vote until Wednesday, June 12, 2002, 8:59 p.m. PDT');
    expect(mail.text).not.toMatch(/UTC|America\/|was held|contact the company/);
    expect(mail.text).toContain('contact HemaCare shareholder services, telephone 1-800-555-0143');
  });

  it('the revocation e-mail never offers to "change your vote until", and names the help contact', () => {
    const mail = renderConfirmation({
      meeting,
      holderName: 'Ann Lee',
      shares: 100,
      nominee: false,
      receiptCode: 'ABCD-EFGH-JKLM',
      executedAt: '2002-05-20T17:08:55.954Z',
      kind: 'revocation',
      votes: null,
    });
    expect(mail.subject).toBe('HemaCare Corporation: your proxy is revoked, receipt ABCD-EFGH-JKLM');
    expect(mail.text).not.toContain('change your vote until');
    expect(mail.text).toContain(
      'Your shares will not be voted unless you give a new proxy on the internet before Wednesday, June 12, 2002, 8:59 p.m. PDT',
    );
    expect(mail.text).toContain('HemaCare shareholder services');
    const es = renderConfirmation({
      meeting,
      holderName: 'Ana López',
      shares: 100,
      nominee: false,
      receiptCode: 'ABCD-EFGH-JKLM',
      executedAt: '2002-05-20T17:08:55.954Z',
      kind: 'revocation',
      votes: null,
      lang: 'es',
    });
    expect(es.html).toContain('<html lang="es">');
    expect(es.text).toContain('Estimado/a Ana López:');
    expect(es.text).toContain('antes del miércoles, 12 de junio de 2002, 8:59 p. m. PDT');
  });
});

describe('the message catalog', () => {
  it('has every English message in Spanish, with the same parameters, none empty', () => {
    const params = (s: string) => [...s.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    expect(Object.keys(MESSAGES.es).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(MESSAGES.es[k].trim(), k).not.toBe('');
      expect(params(MESSAGES.es[k]), k).toEqual(params(MESSAGES.en[k]));
    }
    // Translated, not copied: at most the few messages that are only parameters or names.
    const same = keys.filter((k) => MESSAGES.es[k] === MESSAGES.en[k]);
    expect(same).toEqual(['vote.nominee', 'notice.electionGroup']);
  });
});

describe('the notice of meeting (Rule 14a-16)', () => {
  const facts = {
    meeting,
    holder: holder('H-1', 12_500, { name: 'Jane A. Smith', jointNames: ['John R. Smith'] }),
    controlNumber: N1,
    ballotUrl: BALLOT,
    linkToken: 'abcdefghijklmnopqrstuv',
  };

  it('states every fact the rule asks for, in the HTML and in the text part alike', () => {
    const mail = renderNoticeEmail(facts);
    const m = meeting;
    const mat = m.materials;
    if (!mat) throw new Error('the reference meeting names its materials');
    const needed = [
      'Important Notice Regarding the Availability of Proxy Materials for the Shareholder Meeting to Be Held on Thursday, June 13, 2002',
      'This communication presents only an overview of the more complete proxy materials',
      'This notice is not a ballot',
      'Jane A. Smith and John R. Smith',
      '12,500',
      formatControlNumber(N1),
      'Internet voting closes on Wednesday, June 12, 2002, 8:59 p.m. PDT.',
      'will be held on Thursday, June 13, 2002, 9:30 a.m. PDT, at Warner Center Marriott Hotel',
      'close of business on Friday, April 19, 2002',
      'Proposal 1. Election of five directors',
      'Alan C. Darlington, Robert L. Johnson, Julian L. Steffenhagen, Stephen P. Wallace and Dana E. Belisle',
      'The Board recommends a vote FOR each nominee.',
      'Cumulative voting is allowed in this election',
      'Proposal 2. Other business',
      'The Board recommends a vote FOR.',
      `The proxy materials are on the website ${mat.website}`,
      ...mat.documents.map((d) => d.title),
      'you must request one. There is no charge to you for requesting a copy. Please make your request on or before Thursday, May 30, 2002',
      mat.copies.phone,
      mat.copies.email,
      mat.copies.website,
      'How to vote',
      'By mail: request a paper copy of the materials, which includes a proxy card',
      'In person: vote by ballot at the meeting.',
      'How to change or revoke your vote',
      'Attending the meeting',
      m.admission ?? 'Bring photo identification',
      'Questions',
      'HemaCare shareholder services, telephone 1-800-555-0143',
    ];
    const text = mail.text.replace(/\s+/g, ' ');
    const html = visible(mail.html);
    for (const fact of needed) {
      expect(html, fact).toContain(fact);
      expect(text.toLowerCase(), fact).toContain(fact.toLowerCase());
    }
    // Each document at its own address: a link in the HTML, the address in the text.
    for (const d of mat.documents) {
      expect(mail.html).toContain(`<a href="${d.url}" target="_blank" rel="noopener noreferrer"`);
      expect(mail.text).toContain(`${d.title} (${d.url})`);
    }
    // The documents are documents, not an EDGAR search.
    expect(mail.html).not.toContain('browse-edgar');
  });

  it('is accessible HTML: language, headings, a large button opening outside any frame, no credential in a URL', () => {
    const mail = renderNoticeEmail(facts);
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(mail.html.match(/<h1\b/g)).toHaveLength(1);
    expect((mail.html.match(/<h2\b/g) ?? []).length).toBeGreaterThanOrEqual(6);
    const button =
      /<a href="([^"]+)" target="_blank" rel="noopener noreferrer" style="display:inline-block;padding:16px 32px;[^"]*font-size:20px[^"]*">Vote now<\/a>/.exec(
        mail.html,
      );
    expect(button?.[1]).toBe(`${BALLOT}#t=abcdefghijklmnopqrstuv`);
    for (const a of mail.html.match(/<a [^>]*>/g) ?? []) {
      if (a.includes('mailto:')) continue;
      expect(a).toContain('target="_blank"');
    }
    for (const url of `${mail.text} ${mail.html}`.match(/https?:\/\/[^\s"<)]+/g) ?? [])
      expect(url.replace(/\D/g, '')).not.toContain(N1);
  });

  it('is built once per meeting and language: holders differ only in their own fields', () => {
    const tpl = noticeTemplate(meeting, 'en', BALLOT, 'email');
    expect(noticeTemplate(meeting, 'en', BALLOT, 'email')).toBe(tpl);
    expect(noticeTemplate(meeting, 'es', BALLOT, 'email')).not.toBe(tpl);
    const a = tpl.render({
      names: ['Ann <b>Lee</b>'],
      shares: 10,
      controlNumber: N1,
      linkToken: 'aaaaaaaaaaaaaaaaaaaaaa',
    });
    const b = tpl.render({
      names: ['Bob'],
      shares: 2_000,
      controlNumber: '4111111111111111',
      linkToken: 'bbbbbbbbbbbbbbbbbbbbbb',
    });
    expect(a.html).toContain('Ann &lt;b&gt;Lee&lt;/b&gt;');
    expect(a.html).not.toContain('<b>Lee');
    expect(b.html).toContain('2,000');
    const strip = (s: string) =>
      s.replace(
        /Ann &lt;b&gt;Lee&lt;\/b&gt;|Ann <b>Lee<\/b>|Bob|2,000|\b10\b|[ab]{22}|1234 5678 9012 3452|4111 1111 1111 1111/g,
        '',
      );
    expect(strip(a.html)).toBe(strip(b.html));
    expect(strip(a.text)).toBe(strip(b.text));
    // The wrapper keeps working for the notice sender, with the same result.
    expect(
      renderNoticeEmail({
        ...facts,
        holder: holder('A', 10, { name: 'Ann <b>Lee</b>' }),
        linkToken: 'aaaaaaaaaaaaaaaaaaaaaa',
      }),
    ).toEqual(a);
  });

  it('in Spanish: the legend, the page in Spanish, and the same facts', () => {
    const mail = renderNoticeEmail({ ...facts, lang: 'es' });
    expect(mail.html).toContain('<html lang="es">');
    expect(mail.subject).toContain('aviso de la 2002 Annual Meeting of Shareholders');
    const html = visible(mail.html);
    expect(html).toContain(
      'Aviso importante sobre la disponibilidad de los materiales de representación (proxy) para la junta de accionistas que se celebrará el jueves, 13 de junio de 2002',
    );
    expect(html).toContain(
      'La votación por Internet se cierra el miércoles, 12 de junio de 2002, 8:59 p. m. PDT.',
    );
    expect(html).toContain('a más tardar el jueves, 30 de mayo de 2002');
    expect(mail.html).toContain(`href="${BALLOT}?lang=es#t=abcdefghijklmnopqrstuv" target="_blank"`);
    expect(mail.html).toContain('>Votar ahora</a>');
  });
});

describe('the printed notice', () => {
  it('gives each holder a page with the facts, the number, and a QR code of the bare ballot page', () => {
    const html = printedNoticesHtml(meeting, BALLOT, [
      {
        holder: holder('H-1', 100, { name: 'Ann Lee', mailingAddress: '1 Main St\nSpringfield' }),
        controlNumber: N1,
        reason: 'no-e-delivery',
        reissued: false,
      },
      {
        holder: holder('H-2', 7, { name: 'Ana Ruiz' }),
        controlNumber: '4111111111111111',
        reason: 'bounced',
        reissued: true,
        lang: 'es',
      },
    ]);
    expect(html.match(/<article class="notice"/g)).toHaveLength(2);
    expect(html).toContain('Ann Lee\n1 Main St\nSpringfield');
    expect(html).toContain(formatControlNumber(N1));
    expect(html).toContain('Important Notice Regarding the Availability of Proxy Materials');
    expect(html).toContain('Aviso importante sobre la disponibilidad');
    expect(html).not.toContain('#t=');
    // The code holds the bare page (in Spanish for the Spanish notice), and nothing of the number.
    expect(qrTarget(BALLOT, 'en')).toBe(BALLOT);
    expect(qrTarget(BALLOT, 'es')).toBe(`${BALLOT}?lang=es`);
    for (const target of [BALLOT, `${BALLOT}?lang=es`]) {
      const svg = qrSvg(target, target);
      expect(html).toContain(svg);
      const { modules } = QRCode.create(target, { errorCorrectionLevel: 'M' });
      const dark = Array.from(modules.data).filter((d) => d === 1).length;
      expect(svg.match(/h1v1h-1z/g)).toHaveLength(dark);
      expect(target.replace(/\D/g, '')).not.toContain(N1);
    }
  });
});

describe('the universal proxy card (Rule 14a-19(e)) on the ballot page and on paper', () => {
  const election = contested.proposals[0] as Election;

  it('groups nominees by party, the Board first, alphabetical by last name', () => {
    expect(lastName('Alan C. Darlington')).toBe('Darlington');
    expect(lastName('John Smith, Jr.')).toBe('Smith');
    const groups = nomineeGroups(contested, election);
    expect(groups.map((g) => g.parties)).toEqual([['board'], ['committee']]);
    expect(groups.map((g) => g.nominees.map((n) => n.name))).toEqual([
      [
        'Dana E. Belisle',
        'Alan C. Darlington',
        'Robert L. Johnson',
        'Julian L. Steffenhagen',
        'Stephen P. Wallace',
      ],
      ['Margaret A. Hartley', 'Erik J. Lindqvist', 'Daniel C. Okafor'],
    ]);
    // A one-party meeting keeps the file's order.
    expect(nomineeGroups(meeting, meeting.proposals[0] as Election)[0]?.nominees.map((n) => n.id)).toEqual(
      (meeting.proposals[0] as Election).nominees.map((n) => n.id),
    );
  });

  it('the ballot page: groups in that order, one style for every nominee, the limit and its effects stated first', () => {
    for (const lang of ['en', 'es'] as const) {
      const page = renderBallotHtml(contested, { lang });
      const legends = [
        ...page.matchAll(/<fieldset class="(nominee|party-group)"[^>]*>\s*<legend>([^<]+)<\/legend>/g),
      ].map((m) => (m[1] === 'party-group' ? `group: ${m[2]}` : m[2]));
      const of = lang === 'en' ? 'Nominees of' : 'Candidatos de';
      const [board, committee] = (contested.parties ?? []).map((p) => p.name.replace(/'/g, '&#39;'));
      expect(legends).toEqual([
        `group: ${of} ${board}`,
        'Dana E. Belisle',
        'Alan C. Darlington',
        'Robert L. Johnson',
        'Julian L. Steffenhagen',
        'Stephen P. Wallace',
        `group: ${of} ${committee}`,
        'Margaret A. Hartley',
        'Erik J. Lindqvist',
        'Daniel C. Okafor',
      ]);
      // One style: every nominee is the same element with the same class and nothing else.
      expect(
        new Set(
          [...page.matchAll(/<fieldset class="nominee" id="n_1_[a-z-]+" data-nominee/g)].map((m) =>
            m[0].replace(/id="[^"]+"/, ''),
          ),
        ).size,
      ).toBe(1);
      const limit = page.indexOf('class="limit"');
      expect(limit).toBeGreaterThan(0);
      expect(limit).toBeLessThan(page.indexOf('data-nominee='));
      const text = visible(page);
      if (lang === 'en') {
        expect(text).toContain('Vote FOR no more than 5 nominees.');
        expect(text).toContain(
          'More than 5 FOR: an over-vote. This page does not accept it; on a paper card it gives no vote in this election',
        );
        expect(text).toContain('Fewer than 5 FOR: only the nominees you mark FOR get your votes.');
        expect(text).toContain(
          'No nominee marked: your shares are voted as the Board recommends: For: Dana E. Belisle, Alan C. Darlington, Robert L. Johnson, Julian L. Steffenhagen and Stephen P. Wallace.',
        );
        expect(text).toContain('This is a universal proxy card');
      } else expect(text).toContain('Vote A FAVOR de 5 candidatos como máximo.');
    }
  });

  it('the printed card: the same order, boxes for every nominee, the limit, signature and date', () => {
    const html = proxyCardsHtml(contested, BALLOT, [
      { names: ['Ann Lee'], shares: 100, controlNumber: N1, lang: 'en' },
    ]);
    const rows = [...html.matchAll(/<th scope="row" class="nominee">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(rows).toEqual([
      'Dana E. Belisle',
      'Alan C. Darlington',
      'Robert L. Johnson',
      'Julian L. Steffenhagen',
      'Stephen P. Wallace',
      'Margaret A. Hartley',
      'Erik J. Lindqvist',
      'Daniel C. Okafor',
    ]);
    const text = visible(html);
    expect(text).toContain('Vote FOR no more than 5 nominees.');
    expect(text).toContain(
      'The Board recommends WITHHOLD on: Margaret A. Hartley, Erik J. Lindqvist and Daniel C. Okafor.',
    );
    expect(text).toContain(
      'This proxy is solicited on behalf of The Board of Directors of HemaCare Corporation.',
    );
    expect(text).toContain(formatControlNumber(N1));
    expect(text).toContain('Signature');
    expect(text).toContain('Date the card: the latest-dated proxy is the one that counts.');
  });
});

describe('GET /vote after the cut-off', () => {
  it('opens closed, in the language asked, saying what is still possible', async () => {
    vi.resetModules();
    vi.stubEnv('MEETING_JSON', JSON.stringify(meeting));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.stubEnv('ORIGIN_SECRET', 'b'.repeat(40));
    vi.stubEnv('CLOCK_OFFSET_MS', '');
    try {
      const { handler } = await import('../../functions/ballot-page/handler.ts');
      const call = async (lang?: string) =>
        (await handler(
          {
            version: '2.0',
            routeKey: 'GET /vote',
            rawPath: '/vote',
            rawQueryString: lang ? `lang=${lang}` : '',
            ...(lang ? { queryStringParameters: { lang } } : {}),
            headers: {
              'x-proxyvote-origin': 'b'.repeat(40),
              'cloudfront-viewer-address': '198.51.100.7:50000',
            },
            requestContext: {
              http: { method: 'GET', path: '/vote', sourceIp: '127.0.0.1' },
              timeEpoch: Date.now(),
            },
            isBase64Encoded: false,
          } as unknown as APIGatewayProxyEventV2,
          { functionName: 'ballot-page', awsRequestId: 'x' } as Context,
        )) as APIGatewayProxyStructuredResultV2;
      const en = await call();
      expect(en.statusCode).toBe(200);
      const body = String(en.body);
      // The real clock is long past June 2002.
      expect(body).toContain('<h2 id="closed-h">Internet voting is closed</h2>');
      expect(body).toContain('Internet voting closed on Wednesday, June 12, 2002, 8:59 p.m. PDT.');
      expect(body).toContain(
        'You can still vote in person at the meeting, on Thursday, June 13, 2002, 9:30 a.m. PDT',
      );
      expect(body).not.toContain('<script>');
      expect(body).not.toContain('id="controlNumber"');
      expect(String(en.headers?.['content-security-policy'])).toContain("script-src 'none'");
      const es = String((await call('es')).body);
      expect(es).toContain('<html lang="es">');
      expect(es).toContain('La votación por Internet está cerrada');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("the register's language column", () => {
  const header = 'account,name,joint_names,email,e_delivery,mailing_address,shares,nominee';
  it('is optional, takes en or es (or empty for English), and chooses the notice language', () => {
    const without = parseRegister(`${header}\r\nA-1,Ann,,,no,1 Main St,10,no\r\n`, 10).holders;
    expect(without[0]?.language).toBeUndefined();
    const csv = `${header},language\r\nA-1,Ann,,,no,1 Main St,10,no,es\r\nB-2,Bob,,,no,2 Main St,5,no,\r\nC-3,Cy,,,no,3 Main St,1,no,EN\r\n`;
    const holders = parseRegister(csv, 16).holders;
    expect(holders.map((h) => h.language)).toEqual(['es', undefined, 'en']);
    // It writes and reads back the same.
    expect(parseRegister(serializeRegister(holders), 16).holders).toEqual(holders);
    // The stored holder keeps it, and the notice follows it.
    expect(itemToHolder({ ...holderToItem(holders[0] as Holder) }).language).toBe('es');
    const notice = renderNoticeEmail({
      meeting,
      holder: holders[0] as Holder,
      controlNumber: N1,
      ballotUrl: BALLOT,
    });
    expect(notice.html).toContain('<html lang="es">');
    const [row] = readPrintFile(
      printFileCsv(meeting, BALLOT, [
        { holder: holders[0] as Holder, controlNumber: N1, reason: 'no-e-delivery', reissued: false },
      ]),
    );
    expect(row?.voting_link).toBe(`${BALLOT}?lang=es`);
    expect(row?.notice_text).toContain('AVISO IMPORTANTE SOBRE LA DISPONIBILIDAD');
    expect(notice.text).toContain(`Vaya a ${BALLOT}?lang=es y escriba su número de control.`);
  });

  it('refuses a language it cannot write in, naming the line and the column', () => {
    expect(() => parseRegister(`${header},language\r\nA-1,Ann,,,no,1 Main St,10,no,fr\r\n`, 10)).toThrow(
      /line 2.*language: must be en \(English\) or es \(Spanish\), or empty for English, not "fr"/s,
    );
  });
});

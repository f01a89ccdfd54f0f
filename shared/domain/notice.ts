// The notice of meeting (RULES.md section 3; SEC Rule 14a-16(d)), rendered from the meeting file: the
// legend, the overview, the holder's facts and control number, the way to vote, the meeting, each
// proposal with the Board's recommendation (cumulative voting where allowed), the materials website
// and its documents, how and by when to ask for paper or e-mail copies, how to change or revoke, the
// admission to the meeting and a help contact. The same facts as accessible HTML (headings, a large
// button that opens in a new window, never inside a mail viewer's frame) and as plain text, and on
// paper (the print file's text and the printed notice).
//
// A notice is prepared once per meeting, language and kind (e-mail or paper) as a template: the
// holder's names, shares, control number and voting link are the only parts filled in per holder.
//
// No URL ever carries the control number: the e-mail's link carries a link token that works once
// (shared/domain/link-token.ts), in the URL fragment, which browsers never send to a server; the
// paper notice gives the bare ballot page's address. Either way the control number is printed in
// the notice for the holder to type.
import type { RenderedEmail } from './confirmation-email.ts';
import { formatControlNumber } from './control-number.ts';
import type { Holder } from './holder.ts';
import { cutoffText, holderDate, meetingStartText } from './holder-time.ts';
import { choiceWord, helpContact, joinNames, nomineeGroups } from './holder-words.ts';
import type { Meeting } from './meeting.ts';
import { formatNumber, type Lang, langOf, type MessageKey, t } from './messages.ts';
import { escapeHtml, headerSafe } from './text.ts';

export interface NoticeFacts {
  meeting: Meeting;
  holder: Pick<Holder, 'name' | 'jointNames' | 'shares'> & { language?: string | null | undefined };
  controlNumber: string;
  /** The ballot page, e.g. https://vote.example.com/vote */
  ballotUrl: string;
  /** The e-mail's single-use link token; absent on paper, which gives the bare address. */
  linkToken?: string | undefined;
  /** The holder's language (else the holder's own `language`, else English). */
  lang?: Lang | undefined;
}

/** The ballot page in a language: Spanish adds `?lang=es` (never anything secret). */
export function ballotPageUrl(ballotUrl: string, lang: Lang): string {
  const page = ballotUrl.replace(/#.*$/, '');
  if (lang === 'en') return page;
  const u = new URL(page);
  u.searchParams.set('lang', lang);
  return u.toString();
}

/** The link in the notice: the link token after '#' (never the control number), or the bare page. */
export function votingLink(ballotUrl: string, linkToken?: string): string {
  const page = ballotUrl.replace(/#.*$/, '');
  return linkToken ? `${page}#t=${linkToken}` : page;
}

// ---- the notice as blocks, with holder slots --------------------------------------------------

type Slot = 'names' | 'shares' | 'controlNumber' | 'link';
type Inline = string | { slot: Slot } | { href: string; text: string };
type Block =
  | { kind: 'legend'; text: string }
  | { kind: 'h1' | 'h2'; text: string }
  | { kind: 'p'; parts: Inline[]; strong?: boolean }
  | { kind: 'facts'; rows: [string, Inline[]][] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'button'; label: string }
  | { kind: 'qr' };

const isHttp = (url: string) => /^https?:\/\//i.test(url);
const link = (href: string, text = href): Inline => (isHttp(href) ? { href, text } : text);

/** A message whose `{name}` parameters may be links or slots; the other parameters are plain text. */
function parts(lang: Lang, key: MessageKey, params: Record<string, string | number | Inline>): Inline[] {
  const template = t(
    lang,
    key,
    Object.fromEntries(
      Object.entries(params).filter(([, v]) => typeof v === 'string' || typeof v === 'number'),
    ) as Record<string, string | number>,
  );
  const out: Inline[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{([A-Za-z0-9_]+)\}/g)) {
    const v = params[m[1] as string];
    if (v === undefined || typeof v === 'string' || typeof v === 'number') continue;
    if (m.index > last) out.push(template.slice(last, m.index));
    out.push(v);
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

function noticeBlocks(m: Meeting, lang: Lang, ballotUrl: string, channel: 'email' | 'paper'): Block[] {
  const page = ballotPageUrl(ballotUrl, lang);
  const cutoff = cutoffText(m, lang);
  const start = meetingStartText(m, lang);
  const help = helpContact(m, lang);
  const blocks: Block[] = [
    { kind: 'legend', text: t(lang, 'notice.legend', { date: holderDate(m.start, lang) }) },
    { kind: 'h1', text: t(lang, 'notice.title', { title: m.title }) },
    { kind: 'p', parts: [`${m.company.name}, ${m.company.address}`] },
    { kind: 'p', parts: [t(lang, 'notice.overview')], strong: true },
    { kind: 'p', parts: [t(lang, 'notice.notABallot')] },
    {
      kind: 'facts',
      rows: [
        [t(lang, 'notice.to'), [{ slot: 'names' }]],
        [t(lang, 'notice.shares'), [{ slot: 'shares' }]],
        [t(lang, 'notice.controlNumber'), [{ slot: 'controlNumber' }]],
      ],
    },
  ];
  if (channel === 'email') {
    blocks.push(
      { kind: 'button', label: t(lang, 'notice.voteNow') },
      { kind: 'p', parts: parts(lang, 'notice.linkOnce', { url: link(page) }) },
    );
  } else {
    blocks.push({ kind: 'p', parts: parts(lang, 'notice.goTo', { url: link(page) }) }, { kind: 'qr' });
  }
  blocks.push(
    { kind: 'p', parts: [t(lang, 'notice.closes', { cutoff })], strong: true },
    { kind: 'h2', text: t(lang, 'notice.meetingH') },
    {
      kind: 'p',
      parts: [
        t(lang, 'notice.willBeHeld', { title: m.title, company: m.company.name, start, place: m.place }),
      ],
    },
    {
      kind: 'facts',
      rows: [
        [t(lang, 'notice.when'), [start]],
        [t(lang, 'notice.where'), [m.place]],
        [
          t(lang, 'notice.whoMayVote'),
          [t(lang, 'notice.whoMayVoteText', { date: holderDate(m.recordDate, lang) })],
        ],
      ],
    },
    { kind: 'h2', text: t(lang, 'notice.proposalsH') },
  );
  const proposals: Inline[][] = [];
  for (const p of m.proposals) {
    if (p.kind === 'matter') {
      proposals.push([
        t(lang, 'notice.matter', {
          id: p.id,
          title: p.title,
          rec: choiceWord(p.boardRecommendation, lang).toUpperCase(),
        }),
      ]);
      continue;
    }
    const groups = nomineeGroups(m, p);
    const board = p.nominees.filter((n) => n.boardRecommends).map((n) => n.name);
    const rec =
      board.length === 0
        ? t(lang, 'notice.boardNone')
        : board.length === p.nominees.length
          ? t(lang, 'notice.boardForAll')
          : t(lang, 'notice.boardFor', { nominees: joinNames(board, lang) });
    const head =
      groups.length === 1 && groups[0]?.parties.length === 0
        ? t(lang, 'notice.election', {
            id: p.id,
            title: p.title,
            seats: p.seats,
            nominees: joinNames(
              p.nominees.map((n) => n.name),
              lang,
            ),
          })
        : [
            t(lang, 'notice.electionParty', { id: p.id, title: p.title, seats: p.seats }),
            ...groups.map((g) =>
              t(lang, 'notice.electionGroup', {
                party: t(lang, 'party.nominatedBy', { parties: joinNames(g.partyNames, lang) }),
                nominees: joinNames(
                  g.nominees.map((n) => n.name),
                  lang,
                ),
              }),
            ),
          ].join(' ');
    const cumulative = p.cumulativeVotingAllowed
      ? ` ${t(lang, 'notice.cumulative', { seats: p.seats })}`
      : '';
    proposals.push([`${head} ${rec}${cumulative}`]);
  }
  blocks.push({ kind: 'list', items: proposals });

  blocks.push({ kind: 'h2', text: t(lang, 'notice.materialsH') });
  const mat = m.materials;
  if (mat) {
    blocks.push(
      { kind: 'p', parts: parts(lang, 'notice.materialsAt', { website: link(mat.website) }) },
      { kind: 'list', items: mat.documents.map((d) => [link(d.url, d.title)]) },
    );
  } else {
    blocks.push(
      { kind: 'p', parts: [t(lang, 'notice.materialsOnly')] },
      { kind: 'list', items: [[link(m.proxyStatementUrl)]] },
    );
  }
  blocks.push({ kind: 'h2', text: t(lang, 'notice.copiesH') });
  if (mat) {
    blocks.push(
      { kind: 'p', parts: [t(lang, 'notice.copies', { date: holderDate(mat.copies.requestBy, lang) })] },
      {
        kind: 'p',
        parts: parts(lang, 'notice.copiesHow', {
          phone: mat.copies.phone,
          email: { href: `mailto:${mat.copies.email}`, text: mat.copies.email },
          website: link(mat.copies.website),
        }),
      },
    );
  } else {
    blocks.push({
      kind: 'p',
      parts: [t(lang, 'notice.copiesDefault', { company: m.company.name, address: m.company.address })],
    });
  }
  blocks.push(
    { kind: 'h2', text: t(lang, 'notice.howH') },
    {
      kind: 'list',
      items: [
        parts(lang, 'notice.howInternet', { cutoff, url: link(page) }),
        [t(lang, 'notice.howMail')],
        [t(lang, 'notice.howMeeting')],
      ],
    },
    { kind: 'p', parts: [t(lang, 'notice.blank', { proxyholders: joinNames(m.proxyholders, lang) })] },
    { kind: 'h2', text: t(lang, 'notice.revokeH') },
    {
      kind: 'p',
      parts: [t(lang, 'notice.revoke', { cutoff, company: m.company.name, address: m.company.address })],
    },
    { kind: 'h2', text: t(lang, 'notice.admissionH') },
    { kind: 'p', parts: [m.admission ?? t(lang, 'notice.admissionDefault', { help })] },
    { kind: 'h2', text: t(lang, 'notice.helpH') },
    { kind: 'p', parts: [t(lang, 'notice.help', { help })] },
    { kind: 'p', parts: [t(lang, 'notice.private')], strong: true },
  );
  return blocks;
}

// ---- rendering once, filling per holder ----------------------------------------------------------

/** A rendered text with holder slots: the constant pieces and, between them, which slot goes there. */
interface Filled {
  pieces: string[];
  slots: Slot[];
}

const MARK = '\u0000';

function split(rendered: string): Filled {
  const pieces: string[] = [];
  const slots: Slot[] = [];
  const chunks = rendered.split(MARK);
  chunks.forEach((c, i) => {
    if (i % 2 === 0) pieces.push(c);
    else slots.push(c as Slot);
  });
  return { pieces, slots };
}

function join(f: Filled, values: Record<Slot, string>): string {
  let out = f.pieces[0] ?? '';
  f.slots.forEach((s, i) => {
    out += values[s] + (f.pieces[i + 1] ?? '');
  });
  return out;
}

const slotMark = (s: Slot) => `${MARK}${s}${MARK}`;
/** Text of the meeting file never holds the slot mark (it would split the template). */
const clean = (s: string) => s.replaceAll(MARK, '');

function inlineText(parts: Inline[]): string {
  return parts
    .map((p) =>
      typeof p === 'string'
        ? clean(p)
        : 'slot' in p
          ? slotMark(p.slot)
          : clean(p.text === p.href ? p.href : `${p.text} (${p.href.replace(/^mailto:/, '')})`),
    )
    .join('');
}

function textOf(blocks: Block[], voteLinkLabel: string): string {
  const lines: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'legend':
        lines.push(clean(b.text).toUpperCase(), '');
        break;
      case 'h1':
        lines.push(clean(b.text).toUpperCase());
        break;
      case 'h2':
        lines.push('', clean(b.text).toUpperCase());
        break;
      case 'p':
        lines.push(inlineText(b.parts));
        break;
      case 'facts':
        lines.push('', ...b.rows.map(([k, v]) => `${k}: ${inlineText(v)}`), '');
        break;
      case 'list':
        lines.push(...b.items.map((i) => `  - ${inlineText(i)}`));
        break;
      case 'button':
        lines.push(`${voteLinkLabel}: ${slotMark('link')}`);
        break;
      case 'qr':
        break;
    }
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

const INK = '#1b1b1b';
const BRAND = '#0b4f8a';

function inlineHtml(parts: Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return escapeHtml(clean(p));
      if ('slot' in p) return slotMark(p.slot);
      const external = p.href.startsWith('mailto:') ? '' : ' target="_blank" rel="noopener noreferrer"';
      return `<a href="${escapeHtml(clean(p.href))}"${external} style="color:${BRAND}">${escapeHtml(clean(p.text))}</a>`;
    })
    .join('');
}

function bodyOf(blocks: Block[], qr: string): string {
  return blocks
    .map((b) => {
      if ('text' in b) b = { ...b, text: clean(b.text) };
      switch (b.kind) {
        case 'legend':
          return `<p role="note" style="margin:0 0 16px;padding:12px 16px;border:2px solid ${INK};font-weight:bold;font-size:17px">${escapeHtml(b.text)}</p>`;
        case 'h1':
          return `<h1 style="font-size:24px;line-height:1.25;margin:16px 0 8px">${escapeHtml(b.text)}</h1>`;
        case 'h2':
          return `<h2 style="font-size:20px;line-height:1.3;margin:24px 0 8px">${escapeHtml(b.text)}</h2>`;
        case 'p':
          return `<p style="margin:8px 0${b.strong ? ';font-weight:bold' : ''}">${inlineHtml(b.parts)}</p>`;
        case 'facts':
          return `<dl style="margin:12px 0">${b.rows
            .map(
              ([k, v]) =>
                `<dt style="font-weight:bold">${escapeHtml(k)}</dt><dd style="margin:0 0 8px">${inlineHtml(v)}</dd>`,
            )
            .join('')}</dl>`;
        case 'list':
          return `<ul style="margin:8px 0;padding-left:24px">${b.items.map((i) => `<li style="margin:4px 0">${inlineHtml(i)}</li>`).join('')}</ul>`;
        case 'button':
          // target="_blank": a mail viewer showing the message in a frame cannot hold the ballot page,
          // which refuses to be framed; the link opens in a window of its own.
          return `<p style="margin:20px 0"><a href="${slotMark('link')}" target="_blank" rel="noopener noreferrer" style="display:inline-block;padding:16px 32px;min-width:12em;text-align:center;background:${BRAND};color:#ffffff;font-size:20px;font-weight:bold;text-decoration:none;border-radius:8px">${escapeHtml(b.label)}</a></p>`;
        case 'qr':
          return qr;
      }
      return '';
    })
    .join('\n');
}

function htmlOf(blocks: Block[], lang: Lang, title: string, qr: string): string {
  const body = bodyOf(blocks, qr);
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(clean(title))}</title></head>
<body style="margin:0;padding:0;background:#ffffff">
<main style="font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.5;color:${INK};max-width:40em;margin:0 auto;padding:16px;overflow-wrap:break-word">
${body}
</main>
</body>
</html>
`;
}

export interface NoticeHolder {
  names: string[];
  shares: number;
  controlNumber: string;
  linkToken?: string | undefined;
}

/** A notice prepared for one meeting, language and channel; `render` fills in one holder. */
export interface NoticeTemplate {
  lang: Lang;
  subject: string;
  render(h: NoticeHolder): RenderedEmail;
  /** The plain-text lines (paper and the print file). */
  lines(h: NoticeHolder): string[];
}

function prepare(m: Meeting, lang: Lang, ballotUrl: string, channel: 'email' | 'paper'): NoticeTemplate {
  const blocks = noticeBlocks(m, lang, ballotUrl, channel);
  const subject = headerSafe(t(lang, 'notice.subject', { company: m.company.name, title: m.title }));
  const text = split(textOf(blocks, t(lang, 'notice.voteNow')));
  const html = split(htmlOf(blocks, lang, subject, ''));
  const page = ballotPageUrl(ballotUrl, lang);
  const values = (h: NoticeHolder, esc: (s: string) => string): Record<Slot, string> => ({
    names: esc(joinNames(h.names, lang)),
    shares: esc(formatNumber(h.shares, lang)),
    controlNumber: esc(formatControlNumber(h.controlNumber)),
    link: esc(votingLink(page, h.linkToken)),
  });
  const same = (s: string) => s;
  return {
    lang,
    subject,
    render: (h) => ({ subject, text: join(text, values(h, same)), html: join(html, values(h, escapeHtml)) }),
    lines: (h) => join(text, values(h, same)).replace(/\n$/, '').split('\n'),
  };
}

const templates = new WeakMap<Meeting, Map<string, NoticeTemplate>>();

/** The notice template for a meeting, language and channel: built once, then reused for every holder. */
export function noticeTemplate(
  m: Meeting,
  lang: Lang,
  ballotUrl: string,
  channel: 'email' | 'paper',
): NoticeTemplate {
  let byKey = templates.get(m);
  if (!byKey) {
    byKey = new Map();
    templates.set(m, byKey);
  }
  const key = `${lang}\n${channel}\n${ballotUrl}`;
  let tpl = byKey.get(key);
  if (!tpl) {
    tpl = prepare(m, lang, ballotUrl, channel);
    byKey.set(key, tpl);
  }
  return tpl;
}

function holderOf(f: NoticeFacts): NoticeHolder {
  return {
    names: [f.holder.name, ...f.holder.jointNames],
    shares: f.holder.shares,
    controlNumber: f.controlNumber,
    linkToken: f.linkToken,
  };
}

/** The language of a holder's notice: the one asked for, else the register's, else English. */
export function noticeLang(f: Pick<NoticeFacts, 'lang' | 'holder'>): Lang {
  return f.lang ?? langOf(f.holder.language);
}

/** The notice's lines, shared by the e-mail's text part and the paper print file. */
export function noticeLines(f: NoticeFacts): string[] {
  const channel = f.linkToken ? 'email' : 'paper';
  return noticeTemplate(f.meeting, noticeLang(f), f.ballotUrl, channel).lines(holderOf(f));
}

/** The e-mailed notice (a thin wrapper over the template: the template is built once per meeting). */
export function renderNoticeEmail(f: NoticeFacts): RenderedEmail {
  const channel = f.linkToken ? 'email' : 'paper';
  return noticeTemplate(f.meeting, noticeLang(f), f.ballotUrl, channel).render(holderOf(f));
}

/**
 * The printed notice of one holder as HTML to place in a page (no document around it), with the QR
 * code's markup in its place: the paper notice's facts, the bare ballot page and the control number.
 */
export function paperNoticeBody(f: NoticeFacts, qrMarkup: string): string {
  const lang = noticeLang(f);
  const tpl = split(bodyOf(noticeBlocks(f.meeting, lang, f.ballotUrl, 'paper'), qrMarkup));
  const h = holderOf(f);
  return join(tpl, {
    names: escapeHtml(joinNames(h.names, lang)),
    shares: escapeHtml(formatNumber(h.shares, lang)),
    controlNumber: escapeHtml(formatControlNumber(h.controlNumber)),
    link: escapeHtml(ballotPageUrl(f.ballotUrl, lang)),
  });
}

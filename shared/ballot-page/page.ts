// The ballot page (GET /vote): one HTML document rendered from the meeting file, the same for every
// holder. It carries nothing secret. The notice's link brings a single-use link token in the URL
// fragment (never the control number), which the script removes from the address bar and exchanges by
// its own POST for a ballot session (an HttpOnly cookie); a holder without a fresh link types the
// control number, which travels only in the body of one request. All meeting text is escaped; holder text is set by the
// script with textContent. The style sheet and the script are inline and allowed by their SHA-256 in a
// strict Content-Security-Policy, so the page needs one request and no other origin.
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cutoffText, holderDate, meetingStartText } from '../domain/holder-time.ts';
import {
  choiceWord,
  helpContact,
  joinNames,
  nomineeGroups,
  orderedNominees,
} from '../domain/holder-words.ts';
import {
  type Election,
  electionStandard,
  isContestedElection,
  isProxyContest,
  type Matter,
  type Meeting,
  type Nominee,
  nomineeRecommendation,
} from '../domain/meeting.ts';
import { clientMessages, LANGS, type Lang, t } from '../domain/messages.ts';
import { html as htmlResponse } from '../http/json.ts';
import { BALLOT_SCRIPT } from './client.ts';
import { html, type Markup, message, trusted } from './markup.ts';
import { BALLOT_CSS } from './styles.ts';

export interface BallotPage {
  body: string;
  csp: string;
  headers: Record<string, string>;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The Content-Security-Policy of the page: only its own hashed style and script, only its own API. */
export function ballotCsp(script = ballotScript('en'), css = BALLOT_CSS): string {
  return [
    "default-src 'self'",
    `script-src ${script === '' ? "'none'" : sha256(script)}`,
    `style-src ${sha256(css)}`,
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers beyond those of `html()` (which adds no-store, nosniff, no-referrer, X-Frame-Options). */
export const PAGE_HEADERS: Record<string, string> = {
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** The id of an element for a proposal or nominee. Ids in the meeting file are [a-z0-9-]; "_" separates. */
const id = (...parts: string[]) => parts.join('_');
/** The error slot for an API field path ("votes.1.marks.darlington" -> "err_votes_1_marks_darlington"). */
const errId = (path: string) => `err_${path.split('.').join('_')}`;

function errorSlot(path: string, label: string, control: string): Markup {
  return html`<p class="field-error" id="${errId(path)}" data-label="${label}" data-control="${control}" hidden></p>`;
}

const NEGATIVE: Record<Election['standard'], 'WITHHOLD' | 'AGAINST'> = {
  plurality: 'WITHHOLD',
  'majority-of-votes-cast': 'AGAINST',
};

function radios(lang: Lang, name: string, idPrefix: string, choices: readonly string[]): Markup {
  return html`<div class="choices">${choices.map(
    (value) =>
      html`<label class="choice" for="${id(idPrefix, value)}"><input type="radio" id="${id(idPrefix, value)}" name="${name}" value="${value}"><span>${choiceWord(value, lang)}</span></label>`,
  )}</div>`;
}

function electionAdvice(m: Meeting, e: Election, lang: Lang): string {
  const board = e.nominees.filter((n) => n.boardRecommends);
  const against = choiceWord(NEGATIVE[electionStandard(m, e)], lang);
  const rec =
    board.length === 0
      ? t(lang, 'notice.boardNone')
      : board.length === e.nominees.length
        ? t(lang, 'notice.boardForAll')
        : t(lang, 'notice.boardFor', {
            nominees: joinNames(
              board.map((n) => n.name),
              lang,
            ),
          });
  const seats = e.seats === 1 ? t(lang, 'page.seats1') : t(lang, 'page.seatsN', { seats: e.seats });
  const how = isContestedElection(e)
    ? t(lang, 'page.howContested', { against, seats: e.seats })
    : t(lang, 'page.howUncontested', { against });
  return `${seats} ${rec} ${how}`;
}

/** The most FOR votes, stated prominently, and what an over-vote, an under-vote and no mark do (Rule 14a-19(e)). */
function forLimit(m: Meeting, e: Election, lang: Lang, p: string): Markup {
  const boardFor = orderedNominees(m, e)
    .filter((n) => nomineeRecommendation(m, n, undefined) === 'FOR')
    .map((n) => n.name);
  const rec = `${choiceWord('FOR', lang)}: ${joinNames(boardFor, lang) || '-'}`;
  return html`<div class="limit" id="${id(p, 'limit')}">
<p class="limit-max"><strong>${t(lang, 'page.maxFor', { seats: e.seats })}</strong></p>
<ul>
<li>${t(lang, 'page.overVote', { seats: e.seats })}</li>
<li>${t(lang, 'page.underVote', { seats: e.seats })}</li>
<li>${t(lang, 'page.noMark', { rec })}</li>
</ul>
${isProxyContest(m) ? html`<p>${t(lang, 'page.universal')}</p>` : ''}
</div>`;
}

function nomineeNote(m: Meeting, n: Nominee, lang: Lang, against: string): string {
  const rec = nomineeRecommendation(m, n, undefined);
  if (rec === 'FOR') return t(lang, 'page.nomineeBoard');
  if (rec === 'WITHHOLD') return t(lang, 'page.nomineeWithhold', { against });
  return t(lang, 'page.nomineeNotBoard');
}

function election(m: Meeting, e: Election, lang: Lang): Markup {
  const p = id('p', e.id);
  const path = `votes.${e.id}`;
  const negative = NEGATIVE[electionStandard(m, e)];
  const against = choiceWord(negative, lang);
  const choices = ['FOR', negative];
  const groups = nomineeGroups(m, e);
  const firstNominee = groups[0]?.nominees[0]?.id ?? '';
  const names = new Map((m.parties ?? []).map((x) => [x.id, x.name]));
  const nominee = (n: Nominee) => {
    const nid = id('n', e.id, n.id);
    const npath = `${path}.marks.${n.id}`;
    const by =
      n.parties && isProxyContest(m)
        ? html`<p class="hint">${t(lang, 'party.nominatedBy', {
            parties: joinNames(
              n.parties.map((x) => names.get(x) ?? x),
              lang,
            ),
          })}</p>`
        : '';
    return html`<fieldset class="nominee" id="${nid}" data-nominee="${n.id}" aria-describedby="${id(nid, 'note')} ${errId(npath)}">
<legend>${n.name}</legend>
${by}<p class="hint" id="${id(nid, 'note')}">${nomineeNote(m, n, lang, against)}</p>
${radios(lang, id('v', e.id, n.id), id('v', e.id, n.id), choices)}
${errorSlot(npath, n.name, id('v', e.id, n.id, 'FOR'))}
</fieldset>`;
  };
  const nominees = groups.map((g, i) =>
    g.parties.length === 0
      ? g.nominees.map(nominee)
      : html`<fieldset class="party-group" id="${id(p, 'g', String(i))}">
<legend>${g.partyNames.length > 1 ? t(lang, 'page.commonGroupLabel', { parties: joinNames(g.partyNames, lang) }) : t(lang, 'page.groupLabel', { party: g.partyNames[0] ?? '' })}</legend>
${g.nominees.map(nominee)}
</fieldset>`,
  );
  const allocation = e.cumulativeVotingAllowed
    ? html`<div class="allocation" data-allocation-for="${e.id}">
<h3>${t(lang, 'page.cumulativeH')}</h3>
<p class="hint" id="${id(p, 'alloc', 'help')}">${message(t(lang, 'page.cumulativeHelp'), { seats: e.seats, total: html`<strong data-slot="alloc-total">${t(lang, 'page.cumulativeTotal', { seats: e.seats })}</strong>` })}</p>
${orderedNominees(m, e).map((n) => {
  const aid = id('a', e.id, n.id);
  const apath = `${path}.allocation.${n.id}`;
  const label = t(lang, 'page.votesFor', { name: n.name });
  return html`<div class="field"><label for="${aid}">${label}</label><input type="text" id="${aid}" class="number" inputmode="numeric" pattern="[0-9]*" autocomplete="off" spellcheck="false" data-allocation="${n.id}" aria-describedby="${id(p, 'alloc', 'help')} ${errId(apath)}">${errorSlot(apath, label, aid)}</div>`;
})}
<p class="hint" data-slot="alloc-sum" aria-live="polite"></p>
${errorSlot(`${path}.allocation`, t(lang, 'page.cumulativeSlot', { id: e.id }), id('a', e.id, firstNominee))}
</div>`
    : '';
  const contested = isContestedElection(e);
  return html`<fieldset class="proposal" id="${p}" data-proposal="${e.id}" data-kind="election" data-seats="${e.seats}" aria-describedby="${id(p, 'rec')}${contested ? ` ${id(p, 'limit')}` : ''} ${errId(path)}">
<legend><span class="num">${t(lang, 'page.proposal', { id: e.id })}</span> ${e.title}</legend>
${contested ? forLimit(m, e, lang, p) : ''}
<p class="rec" id="${id(p, 'rec')}">${electionAdvice(m, e, lang)}</p>
${errorSlot(path, t(lang, 'page.proposal', { id: e.id }), id('v', e.id, firstNominee, 'FOR'))}
${nominees}
${allocation}
</fieldset>`;
}

function matter(mt: Matter, lang: Lang): Markup {
  const p = id('p', mt.id);
  const path = `votes.${mt.id}`;
  return html`<fieldset class="proposal" id="${p}" data-proposal="${mt.id}" data-kind="matter" aria-describedby="${id(p, 'rec')} ${errId(path)}">
<legend><span class="num">${t(lang, 'page.proposal', { id: mt.id })}</span> ${mt.title}</legend>
<p class="rec" id="${id(p, 'rec')}">${t(lang, 'page.matterRec', { rec: choiceWord(mt.boardRecommendation, lang) })}</p>
${radios(lang, id('v', mt.id), id('v', mt.id), ['FOR', 'AGAINST', 'ABSTAIN'])}
${errorSlot(path, t(lang, 'page.proposal', { id: mt.id }), id('v', mt.id, 'FOR'))}
</fieldset>`;
}

/** Only http(s) links are rendered as links; anything else in the meeting file is shown as text. */
function safeLink(url: string, text: string): Markup {
  let ok = false;
  try {
    ok = ['https:', 'http:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  return ok ? html`<a href="${url}" rel="noopener noreferrer">${text}</a>` : html`${text} (${url})`;
}

/** The proxy materials the holder should read before voting (Rule 14a-16: no proxy without them). */
function materials(m: Meeting, lang: Lang): Markup {
  const docs = m.materials?.documents ?? [
    { title: t(lang, 'page.proxyStatement'), url: m.proxyStatementUrl },
  ];
  return html`<p>${t(lang, 'page.materials')}</p>
<ul class="documents">${docs.map((d) => html`<li>${safeLink(d.url, d.title)}</li>`)}</ul>`;
}

export interface BallotPageOptions {
  lang?: Lang;
  /** Internet voting is closed (past the cut-off): the page says so and what is still possible. */
  closed?: boolean;
}

/** The ballot page's script for a language: the catalog's page messages go in as JSON. */
export function ballotScript(lang: Lang = 'en'): string {
  const json = JSON.stringify(clientMessages(lang, ['js.', 'choice.'])).replace(/</g, '\\u003c');
  return BALLOT_SCRIPT.replace('__MESSAGES__', json);
}

/** The holder pages' header: the company, its address, and the link to the same page in the other language. */
export function siteHeader(m: Meeting, lang: Lang, path: string): Markup {
  return html`<header class="site"><div class="wrap"><p class="company">${m.company.name}</p><p class="address">${m.company.address}</p>${languageSwitch(lang, path)}</div></header>`;
}

function languageSwitch(lang: Lang, path: string): Markup {
  const other: Lang = lang === 'en' ? 'es' : 'en';
  const href = other === 'en' ? path : `${path}?lang=${other}`;
  return html`<p class="lang"><a id="lang-switch" href="${href}" hreflang="${other}" lang="${other}" aria-label="${t(lang, 'lang.switch.label')}">${t(lang, 'lang.switch')}</a></p>`;
}

function closedSection(m: Meeting, lang: Lang): Markup {
  return html`<section class="step" id="step-closed" aria-labelledby="closed-h">
<h2 id="closed-h">${t(lang, 'page.closedH')}</h2>
<div class="warning">
<p><strong>${t(lang, 'page.closedText', { cutoff: cutoffText(m, lang) })}</strong></p>
<p>${t(lang, 'page.closedMeeting', { start: meetingStartText(m, lang), place: m.place })}</p>
</div>
<p>${t(lang, 'page.closedProxy')}</p>
<p>${message(t(lang, 'page.closedCounted'), { link: html`<a href="${lang === 'en' ? 'counted' : `counted?lang=${lang}`}">${t(lang, 'page.countedLink')}</a>` })}</p>
</section>`;
}

function openSections(m: Meeting, lang: Lang): Markup {
  return html`<noscript><p class="warning">${t(lang, 'page.noscript')}</p></noscript>
<p class="status" id="status" role="status" aria-live="polite"></p>

<section class="step" id="step-number" aria-labelledby="number-h">
<h2 id="number-h" tabindex="-1">${t(lang, 'page.numberH')}</h2>
<form id="number-form" novalidate>
<div class="field">
<label for="controlNumber">${t(lang, 'page.number')}</label>
<p class="hint" id="controlNumber-hint">${t(lang, 'page.numberHint')}</p>
<input type="text" id="controlNumber" class="number" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="controlNumber-hint ${errId('controlNumber')}">
${errorSlot('controlNumber', t(lang, 'page.number'), 'controlNumber')}
</div>
<div class="alert" id="number-alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="open-ballot">${t(lang, 'page.open')}</button></div>
</form>
</section>

<section class="step" id="step-ballot" aria-labelledby="ballot-h" hidden>
<h2 id="ballot-h" tabindex="-1">${t(lang, 'page.ballotH')}</h2>
<dl class="facts">
<dt id="holder-names-label" data-one="${t(lang, 'page.holder')}" data-many="${t(lang, 'page.holders')}">${t(lang, 'page.holder')}</dt><dd id="holder-names"></dd>
<dt>${t(lang, 'page.sharesYouVote')}</dt><dd id="holder-shares"></dd>
<dt>${t(lang, 'page.changeUntil')}</dt><dd id="closes-at"></dd>
</dl>
<div class="panel" id="current-vote"></div>
<p class="warning" id="nominee-note" hidden>${t(lang, 'page.nomineeNote')}</p>
<form id="ballot-form" novalidate>
<h3 id="mark-h">${t(lang, 'page.markH')}</h3>
<p>${t(lang, 'page.markHelp', { proxyholders: joinNames(m.proxyholders, lang) })}</p>
${m.proposals.map((p) => (p.kind === 'election' ? election(m, p, lang) : matter(p, lang)))}
<div class="field" id="signer-field" hidden>
<label for="signer">${t(lang, 'page.signedBy')}</label>
<p class="hint" id="signer-hint">${t(lang, 'page.signedByHint')}</p>
<select id="signer" aria-describedby="signer-hint ${errId('signedBy')}"></select>
${errorSlot('signedBy', t(lang, 'page.signedBy'), 'signer')}
</div>
<div class="alert" id="ballot-alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="submit-vote">${t(lang, 'page.review')}</button></div>
</form>
<div class="panel" id="quick">
<h3 id="quick-h">${t(lang, 'page.quickH')}</h3>
<p id="quick-help">${t(lang, 'page.quickHelp')}</p>
<div class="actions"><button type="button" id="vote-board" aria-describedby="quick-help">${t(lang, 'page.quick')}</button></div>
</div>
<section class="revoke panel" id="revoke" aria-labelledby="revoke-h" hidden>
<h3 id="revoke-h">${t(lang, 'page.revokeH')}</h3>
<p>${t(lang, 'page.revokeText')}</p>
<div class="actions"><button type="button" id="revoke-start" aria-expanded="false" aria-controls="revoke-confirm">${t(lang, 'page.revokeStart')}</button></div>
<div id="revoke-confirm" hidden>
<p id="revoke-question" tabindex="-1"><strong>${t(lang, 'page.revokeSure')}</strong></p>
<div class="actions"><button type="button" class="danger" id="revoke-yes">${t(lang, 'page.revokeYes')}</button><button type="button" id="revoke-no">${t(lang, 'page.revokeNo')}</button></div>
</div>
</section>
</section>

<section class="step" id="step-review" aria-labelledby="review-h" hidden>
<h2 id="review-h" tabindex="-1">${t(lang, 'page.reviewH')}</h2>
<p id="review-shares"></p>
<div id="review-votes"></div>
<p id="review-signed"></p>
<p>${t(lang, 'page.reviewText')}</p>
<div class="alert" id="review-alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="button" class="primary" id="send-vote">${t(lang, 'page.send')}</button><button type="button" id="review-back">${t(lang, 'page.back')}</button></div>
</section>

<section class="step" id="step-receipt" aria-labelledby="receipt-h" hidden>
<h2 id="receipt-h" tabindex="-1">${t(lang, 'page.receiptH')}</h2>
<p id="receipt-effective"></p>
<dl class="facts">
<dt>${t(lang, 'page.receiptCode')}</dt><dd class="code" id="receipt-code"></dd>
<dt>${t(lang, 'page.received')}</dt><dd><time id="receipt-time"></time></dd>
<dt id="receipt-names-label">${t(lang, 'page.holder')}</dt><dd id="receipt-names"></dd>
<dt>${t(lang, 'page.sharesYouVote')}</dt><dd id="receipt-shares"></dd>
<dt>${t(lang, 'page.receiptMeeting')}</dt><dd>${m.company.name}, ${m.title}, ${meetingStartText(m, lang)}</dd>
</dl>
<p id="receipt-replayed" hidden>${t(lang, 'page.replayed')}</p>
<h3 id="receipt-votes-h">${t(lang, 'page.receiptVotesH')}</h3>
<div id="receipt-votes"></div>
<p>${t(lang, 'page.keep')}</p>
<div class="actions"><button type="button" class="primary" id="print-receipt">${t(lang, 'page.print')}</button><button type="button" id="change-vote">${t(lang, 'page.change')}</button><button type="button" id="vote-another">${t(lang, 'page.another')}</button></div>
</section>`;
}

export function renderBallotHtml(meeting: Meeting, options: BallotPageOptions = {}): string {
  const m = meeting;
  const lang = options.lang ?? 'en';
  const closed = options.closed ?? false;
  const script = ballotScript(lang);
  const page = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${t(lang, 'page.title', { company: m.company.name, title: m.title })}</title>
<style>${trusted(BALLOT_CSS)}</style>
</head>
<body>
${siteHeader(m, lang, 'vote')}
<main class="wrap" id="main">
<h1>${t(lang, 'page.h1', { title: m.title })}</h1>
<section aria-labelledby="meeting-h" id="meeting">
<h2 id="meeting-h">${t(lang, 'page.meetingH')}</h2>
<dl class="facts">
<dt>${t(lang, 'page.when')}</dt><dd>${meetingStartText(m, lang)}</dd>
<dt>${t(lang, 'page.where')}</dt><dd>${m.place}</dd>
<dt>${t(lang, 'page.whoMayVote')}</dt><dd>${t(lang, 'page.whoMayVoteText', { date: holderDate(m.recordDate, lang) })}</dd>
<dt>${t(lang, 'page.closes')}</dt><dd id="closes-at-page">${cutoffText(m, lang)}</dd>
<dt>${t(lang, 'page.proxyholder')}</dt><dd>${joinNames(m.proxyholders, lang)}</dd>
</dl>
${materials(m, lang)}
</section>
${closed ? closedSection(m, lang) : openSections(m, lang)}
</main>
<footer class="site-footer"><div class="wrap"><p>${t(lang, 'page.footer', { company: m.company.name, help: helpContact(m, lang) })}</p></div></footer>
${closed ? '' : html`<script>${trusted(script)}</script>`}
</body>
</html>
`;
  return page.value;
}

export function renderBallotPage(meeting: Meeting, options: BallotPageOptions = {}): BallotPage {
  const lang = options.lang ?? 'en';
  return {
    body: renderBallotHtml(meeting, options),
    csp: options.closed ? ballotCsp('', BALLOT_CSS) : ballotCsp(ballotScript(lang)),
    headers: PAGE_HEADERS,
  };
}

/** Every variant of the page (each language, open and closed), rendered once; `pick` chooses one per request. */
export function ballotPages(meeting: Meeting): { pick(lang: Lang, closed: boolean): BallotPage } {
  const pages = new Map<string, BallotPage>();
  for (const lang of LANGS)
    for (const closed of [false, true])
      pages.set(`${lang}${closed}`, renderBallotPage(meeting, { lang, closed }));
  return { pick: (lang, closed) => pages.get(`${lang}${closed}`) as BallotPage };
}

export function ballotPageResponse(page: BallotPage): APIGatewayProxyStructuredResultV2 {
  const res = htmlResponse(200, page.body, page.csp);
  return { ...res, headers: { ...res.headers, ...page.headers } };
}

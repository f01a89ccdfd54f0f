// The ballot page (GET /vote): one HTML document rendered from the meeting file, the same for every
// holder. It carries nothing secret. The notice's link brings a single-use link token in the URL
// fragment (never the control number), which the script removes from the address bar and exchanges by
// its own POST for a ballot session (an HttpOnly cookie); a holder without a fresh link types the
// control number, which travels only in the body of one request. All meeting text is escaped; holder text is set by the
// script with textContent. The style sheet and the script are inline and allowed by their SHA-256 in a
// strict Content-Security-Policy, so the page needs one request and no other origin.
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Election, Matter, Meeting } from '../domain/meeting.ts';
import { html as htmlResponse } from '../http/json.ts';
import { BALLOT_SCRIPT } from './client.ts';
import { localDateTime, longDate } from './format.ts';
import { html, type Markup, trusted } from './markup.ts';
import { BALLOT_CSS } from './styles.ts';

export interface BallotPage {
  body: string;
  csp: string;
  headers: Record<string, string>;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The Content-Security-Policy of the page: only its own hashed style and script, only its own API. */
export function ballotCsp(script = BALLOT_SCRIPT, css = BALLOT_CSS): string {
  return [
    "default-src 'self'",
    `script-src ${sha256(script)}`,
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

const NOMINEE_CHOICES: Record<Election['standard'], [string, string][]> = {
  plurality: [
    ['FOR', 'For'],
    ['WITHHOLD', 'Withhold'],
  ],
  'majority-of-votes-cast': [
    ['FOR', 'For'],
    ['AGAINST', 'Against'],
  ],
};

const MATTER_CHOICES: [string, string][] = [
  ['FOR', 'For'],
  ['AGAINST', 'Against'],
  ['ABSTAIN', 'Abstain'],
];

function radios(name: string, idPrefix: string, choices: [string, string][]): Markup {
  return html`<div class="choices">${choices.map(
    ([value, label]) =>
      html`<label class="choice" for="${id(idPrefix, value)}"><input type="radio" id="${id(idPrefix, value)}" name="${name}" value="${value}"><span>${label}</span></label>`,
  )}</div>`;
}

function electionAdvice(e: Election): string {
  const board = e.nominees.filter((n) => n.boardRecommends);
  const against = e.standard === 'plurality' ? 'Withhold' : 'Against';
  const rec =
    board.length === 0
      ? 'The Board makes no recommendation in this election.'
      : board.length === e.nominees.length
        ? 'The Board recommends a vote FOR each nominee.'
        : `The Board recommends a vote FOR ${board.map((n) => n.name).join(', ')}.`;
  const seats = `${e.seats} ${e.seats === 1 ? 'director is' : 'directors are'} to be elected.`;
  const how =
    e.nominees.length > e.seats
      ? `Mark For or ${against} for each nominee, with no more than ${e.seats} For. If you mark no nominee, your shares are voted for the Board's nominees; if you mark some, only your marks count.`
      : `Mark For or ${against} for each nominee. A nominee you leave blank is voted as the Board recommends.`;
  return `${seats} ${rec} ${how}`;
}

function election(e: Election): Markup {
  const p = id('p', e.id);
  const path = `votes.${e.id}`;
  const choices = NOMINEE_CHOICES[e.standard];
  const firstNominee = e.nominees[0]?.id ?? '';
  const nominees = e.nominees.map((n) => {
    const nid = id('n', e.id, n.id);
    const npath = `${path}.marks.${n.id}`;
    const note = n.boardRecommends
      ? "The Board's nominee: the Board recommends a vote For."
      : 'Not nominated by the Board: the Board does not recommend a vote For. Left blank, this nominee gets no vote.';
    return html`<fieldset class="nominee" id="${nid}" data-nominee="${n.id}" aria-describedby="${id(nid, 'note')} ${errId(npath)}">
<legend>${n.name}</legend>
<p class="hint" id="${id(nid, 'note')}">${note}</p>
${radios(id('v', e.id, n.id), id('v', e.id, n.id), choices)}
${errorSlot(npath, n.name, id('v', e.id, n.id, 'FOR'))}
</fieldset>`;
  });
  const allocation = e.cumulativeVotingAllowed
    ? html`<div class="allocation" data-allocation-for="${e.id}">
<h3>Cumulative voting (optional)</h3>
<p class="hint" id="${id(p, 'alloc', 'help')}">If a shareholder calls for cumulative voting at the meeting, you have one vote per share for each of the ${e.seats} seats: <strong data-slot="alloc-total">your shares times ${e.seats}</strong> votes in all. You may give them all to one nominee or spread them among several. Leave these boxes empty to let the proxyholder spread your votes among the nominees you vote For (the Board's nominees if you leave them blank), so as to elect as many of them as possible.</p>
${e.nominees.map((n) => {
  const aid = id('a', e.id, n.id);
  const apath = `${path}.allocation.${n.id}`;
  return html`<div class="field"><label for="${aid}">Votes for ${n.name}</label><input type="text" id="${aid}" class="number" inputmode="numeric" pattern="[0-9]*" autocomplete="off" spellcheck="false" data-allocation="${n.id}" aria-describedby="${id(p, 'alloc', 'help')} ${errId(apath)}">${errorSlot(apath, `Votes for ${n.name}`, aid)}</div>`;
})}
<p class="hint" data-slot="alloc-sum" aria-live="polite"></p>
${errorSlot(`${path}.allocation`, `Cumulative votes in proposal ${e.id}`, id('a', e.id, firstNominee))}
</div>`
    : '';
  return html`<fieldset class="proposal" id="${p}" data-proposal="${e.id}" data-kind="election" data-seats="${e.seats}" aria-describedby="${id(p, 'rec')} ${errId(path)}">
<legend><span class="num">Proposal ${e.id}</span> ${e.title}</legend>
<p class="rec" id="${id(p, 'rec')}">${electionAdvice(e)}</p>
${errorSlot(path, `Proposal ${e.id}`, id('v', e.id, firstNominee, 'FOR'))}
${nominees}
${allocation}
</fieldset>`;
}

function matter(m: Matter): Markup {
  const p = id('p', m.id);
  const path = `votes.${m.id}`;
  return html`<fieldset class="proposal" id="${p}" data-proposal="${m.id}" data-kind="matter" aria-describedby="${id(p, 'rec')} ${errId(path)}">
<legend><span class="num">Proposal ${m.id}</span> ${m.title}</legend>
<p class="rec" id="${id(p, 'rec')}">The Board recommends a vote ${m.boardRecommendation === 'FOR' ? 'For' : 'Against'}. If you leave this blank, it is voted as the Board recommends.</p>
${radios(id('v', m.id), id('v', m.id), MATTER_CHOICES)}
${errorSlot(path, `Proposal ${m.id}`, id('v', m.id, 'FOR'))}
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

export function renderBallotHtml(meeting: Meeting, script = BALLOT_SCRIPT, css = BALLOT_CSS): string {
  const m = meeting;
  const cutoffZone = m.internetCutoff.timeZone ?? m.timeZone;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Vote your shares: ${m.company.name}, ${m.title}</title>
<style>${trusted(css)}</style>
</head>
<body>
<header class="site"><div class="wrap"><p class="company">${m.company.name}</p><p class="address">${m.company.address}</p></div></header>
<main class="wrap" id="main">
<h1>${m.title}: vote your shares</h1>
<section aria-labelledby="meeting-h">
<h2 id="meeting-h">The meeting</h2>
<dl class="facts">
<dt>When</dt><dd>${localDateTime(m.start, m.timeZone)}</dd>
<dt>Where</dt><dd>${m.place}</dd>
<dt>Who may vote</dt><dd>Holders of record at the close of business on ${longDate(m.recordDate)}</dd>
<dt>Internet voting closes</dt><dd>${localDateTime(m.internetCutoff.local, cutoffZone)}</dd>
<dt>Proxyholder</dt><dd>${m.proxyholders.join(' or ')}</dd>
</dl>
<p>Read the ${safeLink(m.proxyStatementUrl, 'proxy statement')} before you vote.</p>
</section>
<noscript><p class="warning">This page needs JavaScript to record your vote. You can also vote by signing and returning your proxy card, or in person at the meeting.</p></noscript>
<p class="status" id="status" role="status" aria-live="polite"></p>

<section class="step" id="step-number" aria-labelledby="number-h">
<h2 id="number-h" tabindex="-1">Your control number</h2>
<form id="number-form" novalidate>
<div class="field">
<label for="controlNumber">Control number</label>
<p class="hint" id="controlNumber-hint">The 16 digits in your notice of meeting. Spaces are fine. Keep it private: anyone who has it can vote your shares.</p>
<input type="text" id="controlNumber" class="number" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="controlNumber-hint ${errId('controlNumber')}">
${errorSlot('controlNumber', 'Control number', 'controlNumber')}
</div>
<div class="alert" id="number-alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="open-ballot">Open my ballot</button></div>
</form>
</section>

<section class="step" id="step-ballot" aria-labelledby="ballot-h" hidden>
<h2 id="ballot-h" tabindex="-1">Your ballot</h2>
<dl class="facts">
<dt id="holder-names-label">Registered holder</dt><dd id="holder-names"></dd>
<dt>Shares you can vote</dt><dd id="holder-shares"></dd>
<dt>You can change your vote until</dt><dd id="closes-at"></dd>
</dl>
<div class="panel" id="current-vote"></div>
<p class="warning" id="nominee-note" hidden>This is a nominee (broker or bank) account: a choice you leave blank is not voted.</p>
<form id="ballot-form" novalidate>
<div class="panel">
<h3 id="quick-h">The quick way</h3>
<p id="quick-help">Vote all your shares as the Board recommends, in one step. You will see your receipt, and you can still change your vote later.</p>
<div class="actions"><button type="button" class="primary" id="vote-board" aria-describedby="quick-help">Vote as the Board recommends</button></div>
</div>
<h3>Or mark your own choices</h3>
<p>Anything you leave blank is voted as the Board recommends. Your proxy appoints ${m.proxyholders.join(' or ')} to vote your shares as you mark them here.</p>
${m.proposals.map((p) => (p.kind === 'election' ? election(p) : matter(p)))}
<div class="field" id="signer-field" hidden>
<label for="signer">Signed by</label>
<p class="hint" id="signer-hint">The account is held jointly. Any one of you may sign the proxy: choose who is signing.</p>
<select id="signer" aria-describedby="signer-hint ${errId('signedBy')}"></select>
${errorSlot('signedBy', 'Signed by', 'signer')}
</div>
<div class="alert" id="ballot-alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="submit-vote">Submit my vote</button></div>
</form>
<section class="revoke panel" id="revoke" aria-labelledby="revoke-h" hidden>
<h3 id="revoke-h">Revoke my proxy</h3>
<p>Revoking cancels your proxy without giving a new one. Your shares are then not voted unless you vote again before internet voting closes, return a later-dated proxy card, or vote at the meeting.</p>
<div class="actions"><button type="button" id="revoke-start" aria-expanded="false" aria-controls="revoke-confirm">Revoke my proxy</button></div>
<div id="revoke-confirm" hidden>
<p id="revoke-question" tabindex="-1"><strong>Are you sure you want to revoke your proxy?</strong></p>
<div class="actions"><button type="button" class="danger" id="revoke-yes">Yes, revoke my proxy</button><button type="button" id="revoke-no">No, keep my proxy</button></div>
</div>
</section>
</section>

<section class="step" id="step-receipt" aria-labelledby="receipt-h" hidden>
<h2 id="receipt-h" tabindex="-1">Your vote is recorded</h2>
<p id="receipt-effective"></p>
<dl class="facts">
<dt>Receipt code</dt><dd class="code" id="receipt-code"></dd>
<dt>Received</dt><dd><time id="receipt-time"></time></dd>
</dl>
<p id="receipt-replayed" hidden>You had already sent this vote: it was recorded once, and this is its receipt.</p>
<h3 id="receipt-votes-h">How your shares will be voted</h3>
<div id="receipt-votes"></div>
<p>Keep the receipt code. If we have your e-mail address, we have also sent you a confirmation.</p>
<div class="actions"><button type="button" id="change-vote">Change my vote</button></div>
</section>
</main>
<footer class="site-footer"><div class="wrap"><p>${m.company.name}. Questions about voting: see the ${safeLink(m.proxyStatementUrl, 'proxy statement')}.</p></div></footer>
<script>${trusted(script)}</script>
</body>
</html>
`;
  return page.value;
}

export function renderBallotPage(meeting: Meeting): BallotPage {
  return {
    body: renderBallotHtml(meeting),
    csp: ballotCsp(),
    headers: PAGE_HEADERS,
  };
}

export function ballotPageResponse(page: BallotPage): APIGatewayProxyStructuredResultV2 {
  const res = htmlResponse(200, page.body, page.csp);
  return { ...res, headers: { ...res.headers, ...page.headers } };
}

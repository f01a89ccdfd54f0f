// GET /counted: "check that my vote was counted". One HTML document rendered from the meeting file, the
// same for everyone, in the ballot page's style (its style sheet, its strict CSP built from hashes). The
// holder types the control number and the receipt code; the script posts them to /api/counted and shows
// the answer with textContent only. Nothing secret is in the page or in its address (a control number in
// the URL fragment, as the notice's link gives it, is read and removed from the address bar at once).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { html, trusted } from '../ballot-page/markup.ts';
import { ballotCsp, PAGE_HEADERS, siteHeader } from '../ballot-page/page.ts';
import { BALLOT_CSS } from '../ballot-page/styles.ts';
import { helpContact } from '../domain/holder-words.ts';
import type { Meeting } from '../domain/meeting.ts';
import { clientMessages, type Lang, t } from '../domain/messages.ts';
import { html as htmlResponse } from '../http/json.ts';

// Keep this source free of back-ticks, of "${", and of the text "</" + "script".
const COUNTED_SCRIPT_TEMPLATE = `
(function () {
  'use strict';
  var M = __MESSAGES__;
  var LANG = document.documentElement.lang === 'es' ? 'es' : 'en';
  function tr(key, params) {
    var text = M[key] === undefined ? key : M[key];
    return text.replace(/[{]([A-Za-z0-9_]+)[}]/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var FIELDS = { controlNumber: 'controlNumber', receiptCode: 'receiptCode' };
  var hash = window.location.hash.replace(/^#/, '');
  var m = /(?:^|&)c=([0-9 -]{16,40})/.exec(hash);
  if (m) {
    $('controlNumber').value = decodeURIComponent(m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  function clearErrors() {
    Object.keys(FIELDS).forEach(function (k) {
      var slot = $('err_' + k);
      slot.hidden = true; slot.textContent = '';
      $(FIELDS[k]).removeAttribute('aria-invalid');
    });
    $('alert').textContent = '';
  }
  function showError(body, status) {
    var err = body && body.error ? body.error : { message: tr('counted.page.error', { status: status }) };
    var first = null;
    (err.fields || []).forEach(function (f) {
      var slot = $('err_' + f.path);
      if (!slot) return;
      slot.textContent = slot.getAttribute('data-label') + ': ' + f.message;
      slot.hidden = false;
      $(FIELDS[f.path]).setAttribute('aria-invalid', 'true');
      if (!first) first = $(FIELDS[f.path]);
    });
    $('alert').textContent = err.message;
    (first || $('alert')).focus();
  }
  function fact(dl, term, value, className) {
    dl.appendChild(el('dt', null, term));
    dl.appendChild(el('dd', className || null, value));
  }
  function showAnswer(a) {
    var words = a.texts && a.texts[LANG] ? a.texts[LANG] : { message: a.message, instruction: '', finalCount: a.finalCount.runId };
    var box = $('answer');
    box.textContent = '';
    var good = (a.status === 'counted' || a.status === 'revocation-in-effect') && a.historyUnchanged !== false;
    box.className = good ? 'success' : 'warning';
    if (words.mismatch) box.appendChild(el('p', 'mismatch', words.mismatch)).insertBefore(el('strong', null, '\u26a0 '), null);
    box.appendChild(el('p', null, words.message));
    var dl = el('dl', 'facts');
    fact(dl, tr('counted.page.yours'), words.instruction);
    if (words.countedInstead) fact(dl, tr('counted.page.instead'), words.countedInstead);
    fact(dl, tr('counted.page.final'), words.finalCount);
    box.appendChild(dl);
    if (a.finalCount.historyRoot || a.evidence) {
      var details = el('details', 'proof');
      details.appendChild(el('summary', null, tr('counted.page.proof')));
      var proof = el('dl', 'facts');
      if (a.finalCount.historyRoot) fact(proof, tr('counted.page.digest'), a.finalCount.historyRoot, 'hash');
      if (a.evidence) fact(proof, tr('counted.page.evidence'), tr('counted.page.evidenceText', { count: a.evidence.count, head: a.evidence.head }), 'hash');
      details.appendChild(proof);
      box.appendChild(details);
    }
    if (a.email) box.appendChild(el('p', null, a.email.sent ? tr('counted.page.emailSent') : tr('counted.page.emailNot', { reason: a.email.reason })));
    box.hidden = false;
    box.focus();
  }
  $('counted-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearErrors();
    $('answer').hidden = true;
    var button = $('check');
    button.setAttribute('aria-disabled', 'true');
    $('status').textContent = tr('counted.page.checking');
    fetch('/api/counted', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        controlNumber: $('controlNumber').value,
        receiptCode: $('receiptCode').value,
        email: $('email').checked,
        lang: LANG
      })
    }).then(function (res) {
      return res.json().then(function (body) { return { res: res, body: body }; }, function () { return { res: res, body: null }; });
    }).then(function (r) {
      $('status').textContent = '';
      button.removeAttribute('aria-disabled');
      if (r.res.ok) showAnswer(r.body); else showError(r.body, r.res.status);
    }, function () {
      $('status').textContent = '';
      button.removeAttribute('aria-disabled');
      showError(null, '-');
    });
  });
})();
`;

/** The page's script for a language: the catalog's /counted messages go in as JSON. */
export function countedScript(lang: Lang = 'en'): string {
  const json = JSON.stringify(clientMessages(lang, ['counted.page.'])).replace(/</g, '\\u003c');
  return COUNTED_SCRIPT_TEMPLATE.replace('__MESSAGES__', json);
}

/** The English script (kept for callers that hash it). */
export const COUNTED_SCRIPT = countedScript('en');

export function renderCountedHtml(m: Meeting, lang: Lang = 'en'): string {
  const slot = (path: string, label: string) =>
    html`<p class="field-error" id="err_${path}" data-label="${label}" hidden></p>`;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${t(lang, 'counted.page.title', { company: m.company.name, title: m.title })}</title>
<style>${trusted(BALLOT_CSS)}</style>
</head>
<body>
${siteHeader(m, lang, 'counted')}
<main class="wrap" id="main">
<h1>${t(lang, 'counted.page.h1', { title: m.title })}</h1>
<p>${t(lang, 'counted.page.intro')}</p>
<noscript><p class="warning">${t(lang, 'counted.page.noscript')}</p></noscript>
<p class="status" id="status" role="status" aria-live="polite"></p>
<form id="counted-form" novalidate>
<div class="field">
<label for="controlNumber">${t(lang, 'counted.page.number')}</label>
<p class="hint" id="controlNumber-hint">${t(lang, 'counted.page.numberHint')}</p>
<input type="text" id="controlNumber" class="number" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="controlNumber-hint err_controlNumber">
${slot('controlNumber', t(lang, 'counted.page.number'))}
</div>
<div class="field">
<label for="receiptCode">${t(lang, 'counted.page.receipt')}</label>
<p class="hint" id="receiptCode-hint">${t(lang, 'counted.page.receiptHint')}</p>
<input type="text" id="receiptCode" class="number" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="receiptCode-hint err_receiptCode">
${slot('receiptCode', t(lang, 'counted.page.receipt'))}
</div>
<div class="choices"><label class="choice" for="email"><input type="checkbox" id="email"><span>${t(lang, 'counted.page.email')}</span></label></div>
<div class="alert" id="alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="check">${t(lang, 'counted.page.check')}</button></div>
</form>
<div id="answer" tabindex="-1" role="region" aria-label="${t(lang, 'counted.page.answer')}" hidden></div>
</main>
<footer class="site-footer"><div class="wrap"><p>${m.company.name}. ${t(lang, 'counted.page.help', { help: helpContact(m, lang) })}</p></div></footer>
<script>${trusted(countedScript(lang))}</script>
</body>
</html>
`.value;
}

export interface CountedPage {
  body: string;
  csp: string;
}

export function renderCountedPage(m: Meeting, lang: Lang = 'en'): CountedPage {
  return { body: renderCountedHtml(m, lang), csp: ballotCsp(countedScript(lang), BALLOT_CSS) };
}

export function countedPageResponse(page: CountedPage): APIGatewayProxyStructuredResultV2 {
  const res = htmlResponse(200, page.body, page.csp);
  return { ...res, headers: { ...res.headers, ...PAGE_HEADERS } };
}

// GET /counted: "check that my vote was counted". One HTML document rendered from the meeting file, the
// same for everyone, in the ballot page's style (its style sheet, its strict CSP built from hashes). The
// holder types the control number and the receipt code; the script posts them to /api/counted and shows
// the answer with textContent only. Nothing secret is in the page or in its address (a control number in
// the URL fragment, as the notice's link gives it, is read and removed from the address bar at once).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { html, trusted } from '../ballot-page/markup.ts';
import { ballotCsp, PAGE_HEADERS } from '../ballot-page/page.ts';
import { BALLOT_CSS } from '../ballot-page/styles.ts';
import type { Meeting } from '../domain/meeting.ts';
import { html as htmlResponse } from '../http/json.ts';

// Keep this source free of back-ticks, of "${", and of the text "</" + "script".
export const COUNTED_SCRIPT = `
(function () {
  'use strict';
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
    var err = body && body.error ? body.error : { message: 'Something went wrong (' + status + '). Please try again.' };
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
  function fact(dl, term, value) {
    dl.appendChild(el('dt', null, term));
    dl.appendChild(el('dd', null, value));
  }
  function words(d) {
    var what = d.kind === 'meeting-ballot' ? 'ballot cast at the meeting' : d.channel + ' ' + d.kind;
    return what + (d.dated ? ', dated ' + d.dated : ', received ' + new Date(d.receivedAt).toLocaleString('en-US'));
  }
  function showAnswer(a) {
    var box = $('answer');
    box.textContent = '';
    box.className = a.status === 'counted' || a.status === 'revocation-in-effect' ? 'success' : 'warning';
    box.appendChild(el('p', null, a.message));
    var dl = el('dl', 'facts');
    fact(dl, 'Your instruction', words(a.instruction));
    if (a.countedInstead) fact(dl, 'Counted instead', words(a.countedInstead));
    fact(dl, 'Final count', a.finalCount.runId + ', finished ' + new Date(a.finalCount.finishedAt).toLocaleString('en-US'));
    if (a.finalCount.historyRoot) fact(dl, 'History digest of the final count', a.finalCount.historyRoot);
    if (a.evidence) fact(dl, 'Your account in that digest', a.evidence.count + ' instruction(s), chain ' + a.evidence.head);
    box.appendChild(dl);
    if (a.email) box.appendChild(el('p', null, a.email.sent ? 'We have also sent this answer to your e-mail address on file.' : 'No e-mail was sent: ' + a.email.reason));
    box.hidden = false;
    box.focus();
  }
  $('counted-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearErrors();
    $('answer').hidden = true;
    var button = $('check');
    button.setAttribute('aria-disabled', 'true');
    $('status').textContent = 'Checking...';
    fetch('/api/counted', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        controlNumber: $('controlNumber').value,
        receiptCode: $('receiptCode').value,
        email: $('email').checked
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
      showError(null, 'no connection');
    });
  });
})();
`;

export function renderCountedHtml(m: Meeting): string {
  const slot = (path: string, label: string) =>
    html`<p class="field-error" id="err_${path}" data-label="${label}" hidden></p>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Check that your vote was counted: ${m.company.name}, ${m.title}</title>
<style>${trusted(BALLOT_CSS)}</style>
</head>
<body>
<header class="site"><div class="wrap"><p class="company">${m.company.name}</p><p class="address">${m.company.address}</p></div></header>
<main class="wrap" id="main">
<h1>${m.title}: check that your vote was counted</h1>
<p>Once the polls are closed and the final count is made, you can check here that the instruction you gave (your proxy, your revocation, or your ballot at the meeting) is the one that was counted for your shares.</p>
<noscript><p class="warning">This page needs JavaScript.</p></noscript>
<p class="status" id="status" role="status" aria-live="polite"></p>
<form id="counted-form" novalidate>
<div class="field">
<label for="controlNumber">Control number</label>
<p class="hint" id="controlNumber-hint">The 16 digits in your notice of meeting. Keep it private.</p>
<input type="text" id="controlNumber" class="number" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="controlNumber-hint err_controlNumber">
${slot('controlNumber', 'Control number')}
</div>
<div class="field">
<label for="receiptCode">Receipt code</label>
<p class="hint" id="receiptCode-hint">The 12-character code on your confirmation, e.g. ABCD-EFGH-JKLM.</p>
<input type="text" id="receiptCode" class="number" autocomplete="off" spellcheck="false" maxlength="40" aria-describedby="receiptCode-hint err_receiptCode">
${slot('receiptCode', 'Receipt code')}
</div>
<div class="choices"><label class="choice" for="email"><input type="checkbox" id="email"><span>Also send me the answer by e-mail, to my address on file</span></label></div>
<div class="alert" id="alert" role="alert" tabindex="-1"></div>
<div class="actions"><button type="submit" class="primary" id="check">Check my vote</button></div>
</form>
<div id="answer" tabindex="-1" role="region" aria-label="The answer" hidden></div>
</main>
<footer class="site-footer"><div class="wrap"><p>${m.company.name}.</p></div></footer>
<script>${trusted(COUNTED_SCRIPT)}</script>
</body>
</html>
`.value;
}

export interface CountedPage {
  body: string;
  csp: string;
}

export function renderCountedPage(m: Meeting): CountedPage {
  return { body: renderCountedHtml(m), csp: ballotCsp(COUNTED_SCRIPT, BALLOT_CSS) };
}

export function countedPageResponse(page: CountedPage): APIGatewayProxyStructuredResultV2 {
  const res = htmlResponse(200, page.body, page.csp);
  return { ...res, headers: { ...res.headers, ...PAGE_HEADERS } };
}

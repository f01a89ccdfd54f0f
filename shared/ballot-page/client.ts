// The ballot page's script, as text: plain ES2019 that the page inlines (allowed by its hash in the
// CSP). It never builds HTML from strings: every piece of meeting or holder text goes in through
// textContent. The notice's link brings a single-use link token in the URL fragment (#t=...): the
// script removes any fragment from the address bar at once (history.replaceState) and exchanges the
// token by its own POST (api/link) for the ballot and a session cookie (HttpOnly: the script never
// sees it). A holder without a fresh link types the control number, which goes in one request
// (api/ballot, which also opens a session) and is then forgotten: the page never keeps it, and no URL
// ever holds it. Every submission gets an idempotency key (crypto.randomUUID) that is
// reused when the same submission is retried after a network failure, so a retry is recorded once.
//
// Keep this source free of back-ticks, of "${", and of the text "</" + "script": it sits in a
// template literal and inside a <script> element.
export const BALLOT_SCRIPT = `
(function () {
  'use strict';

  var RETRIES = 2;
  var M = __MESSAGES__;
  var LANG = document.documentElement.lang === 'es' ? 'es' : 'en';
  var state = {
    ballot: null,
    receipt: null,
    pending: null,
    review: null,
    busy: false,
    closed: false
  };
  /** A catalog message with its {name} parameters filled in. */
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
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function fmtNumber(n) { return Number(n).toLocaleString('en-US'); }
  /** A time the server wrote for the holder (in the meeting's zone, one format), in the page's language. */
  function said(texts, fallback) { return texts && texts[LANG] ? texts[LANG] : String(fallback || ''); }
  function word(choice) { return M['choice.' + choice] || String(choice); }
  function splitWords(split) {
    return Object.keys(split).map(function (k) { return tr('js.shares', { choice: word(k), shares: fmtNumber(split[k]) }); }).join(', ');
  }
  function joinNames(names) {
    if (names.length < 2) return names[0] || '';
    return names.slice(0, -1).join(', ') + tr('js.and') + names[names.length - 1];
  }

  // ---- steps, status, busy state --------------------------------------------------------------
  var STEPS = ['step-number', 'step-ballot', 'step-review', 'step-receipt'];
  function show(step, focusId) {
    each(STEPS, function (s) { $(s).hidden = s !== step; });
    var target = focusId ? $(focusId) : null;
    if (target) target.focus();
  }
  function setStatus(text) { $('status').textContent = text || ''; }
  var BUSY_BUTTONS = ['open-ballot', 'vote-board', 'submit-vote', 'send-vote', 'revoke-yes'];
  function setBusy(on) {
    state.busy = on;
    each(BUSY_BUTTONS, function (id) {
      var b = $(id);
      if (!b) return;
      if (on) b.setAttribute('aria-disabled', 'true'); else b.removeAttribute('aria-disabled');
    });
    if (on) document.body.setAttribute('aria-busy', 'true'); else document.body.removeAttribute('aria-busy');
  }
  function setClosed() {
    state.closed = true;
    each(['vote-board', 'submit-vote', 'send-vote', 'revoke-start', 'revoke-yes'], function (id) {
      var b = $(id);
      if (b) b.disabled = true;
    });
  }

  // ---- errors ---------------------------------------------------------------------------------
  function clearErrors(scopeId) {
    var scope = $(scopeId);
    each(scope.querySelectorAll('.field-error'), function (slot) {
      slot.textContent = '';
      slot.hidden = true;
      var control = $(slot.getAttribute('data-control') || '');
      if (control) control.removeAttribute('aria-invalid');
    });
    each(scope.querySelectorAll('.alert'), function (a) { a.textContent = ''; });
  }
  function slotFor(path, scope) {
    var parts = String(path || '').split('.');
    while (parts.length > 0) {
      var slot = $('err_' + parts.join('_'));
      if (slot && scope.contains(slot)) return slot;
      parts.pop();
    }
    return null;
  }
  var FRAGMENT = /^(is|are|must|marks|allocates|gives|splits|was|has|add) /;
  function problemText(label, message) {
    var m = String(message || 'is not valid');
    var s = FRAGMENT.test(m) ? label + ' ' + m : label + ': ' + m;
    return /[.!?]$/.test(s) ? s : s + '.';
  }
  /** Shows a message in the step's alert (role=alert) and each field problem next to its field. */
  function showErrors(scopeId, alertId, message, fields) {
    var scope = $(scopeId);
    var box = $(alertId);
    var first = null;
    var items = [];
    each(fields || [], function (f) {
      var slot = slotFor(f.path, scope);
      if (!slot) {
        if (f.path && f.path !== '(body)') items.push(problemText(f.path, f.message));
        return;
      }
      var text = problemText(slot.getAttribute('data-label') || '', f.message);
      slot.textContent = slot.hidden ? text : slot.textContent + ' ' + text;
      slot.hidden = false;
      items.push(text);
      var control = $(slot.getAttribute('data-control') || '');
      if (control && control.type !== 'radio') control.setAttribute('aria-invalid', 'true');
      if (!first && control) first = control;
    });
    box.textContent = '';
    box.appendChild(el('p', null, message));
    if (items.length > 0) {
      var ul = el('ul');
      each(items, function (t) { ul.appendChild(el('li', null, t)); });
      box.appendChild(ul);
    }
    (first || box).focus();
  }
  function closedMessage() {
    var at = state.ballot ? said(state.ballot.texts && state.ballot.texts.closesAt, state.ballot.closesAt) : '';
    var closesAt = document.getElementById('closes-at-page');
    return tr('js.closed', { time: at || (closesAt ? closesAt.textContent : '') });
  }
  /** Plain words for an API refusal. */
  function refusal(r) {
    var err = r && r.data && r.data.error ? r.data.error : null;
    var message = err && err.message ? err.message : '';
    if (r.status === 410) return { message: closedMessage(), fields: [] };
    if (r.status === 429) {
      return { message: tr('js.tooMany', { why: message || tr('js.waitHour') }), fields: [] };
    }
    if (r.status >= 500 || r.status === 0) {
      return { message: tr('js.unreachable'), fields: [] };
    }
    return { message: message || tr('js.refused', { status: r.status }), fields: err ? err.fields : [] };
  }

  // ---- the API --------------------------------------------------------------------------------
  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      referrerPolicy: 'no-referrer'
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: res.status, data: data };
      });
    });
  }
  function pause(attempt) { return new Promise(function (resolve) { setTimeout(resolve, 700 * (attempt + 1)); }); }
  /** Retries a network failure or a 5xx with the very same body (and so the same idempotency key). */
  function postWithRetry(path, body, attempt) {
    attempt = attempt || 0;
    return post(path, body).then(function (r) {
      if (r.status >= 500 && attempt < RETRIES) return pause(attempt).then(function () { return postWithRetry(path, body, attempt + 1); });
      return r;
    }, function (error) {
      if (attempt < RETRIES) return pause(attempt).then(function () { return postWithRetry(path, body, attempt + 1); });
      throw error;
    });
  }
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  // ---- the control number ---------------------------------------------------------------------
  function luhnOk(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }
  /**
   * The link token in the fragment (#t=...). Any fragment is removed from the address bar and this
   * history entry at once, whatever it holds.
   */
  function takeFragmentToken() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) return null;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    var t = new URLSearchParams(hash.slice(1)).get('t');
    return t && /^[A-Za-z0-9_-]{1,64}$/.test(t) ? t : null;
  }
  /** A ballot answer opens the ballot step; anything else goes back to the number step with why. */
  function opened(r, focusBallot, typed) {
    setBusy(false);
    if (r.status === 200 && r.data && r.data.meeting) {
      state.ballot = r.data;
      $('controlNumber').value = '';
      renderBallot();
      setStatus('');
      show('step-ballot', focusBallot === false ? null : 'ballot-h');
      return;
    }
    setStatus('');
    var why = refusal(r);
    state.ballot = null;
    show('step-number');
    $('controlNumber').value = typed || '';
    showErrors('step-number', 'number-alert', why.message, why.fields);
  }
  function unreachable() {
    setBusy(false);
    setStatus('');
    show('step-number');
    var why = refusal({ status: 0 });
    showErrors('step-number', 'number-alert', why.message, []);
  }
  function openWithLink(token) {
    if (state.busy) return;
    clearErrors('step-number');
    setBusy(true);
    setStatus(tr('js.opening'));
    postWithRetry('api/link', { linkToken: token }).then(function (r) { opened(r, true, ''); }, unreachable);
  }
  function openBallot(input, focusBallot) {
    if (state.busy) return;
    clearErrors('step-number');
    var digits = String(input || '').replace(/[\\s-]/g, '');
    var problem = null;
    if (!/^[0-9]{16}$/.test(digits)) problem = tr('js.numberDigits');
    else if (!luhnOk(digits)) problem = tr('js.numberWrong');
    if (problem) {
      show('step-number');
      showErrors('step-number', 'number-alert', tr('js.checkNumber'), [{ path: 'controlNumber', message: problem }]);
      return;
    }
    setBusy(true);
    setStatus(tr('js.opening'));
    postWithRetry('api/ballot', { controlNumber: digits }).then(function (r) { opened(r, focusBallot, digits); }, unreachable);
  }
  /** The ballot again, by the session (after a vote, going back, or after switching language). */
  function reopenBallot(quiet) {
    if (state.busy) return;
    setBusy(true);
    post('api/ballot', {}).then(function (r) {
      if (quiet && r.status === 401) { setBusy(false); show('step-number'); return; }
      opened(r, true, '');
    }, unreachable);
  }

  // ---- the ballot -----------------------------------------------------------------------------
  function registrant(meeting) { return meeting.parties && meeting.parties[0] ? meeting.parties[0].id : null; }
  /** The Board's recommendation on a nominee: what a blank line of its card gives. */
  function boardRec(meeting, n) {
    var r = registrant(meeting);
    if (r && n.recommendations && n.recommendations[r]) return n.recommendations[r];
    return n.boardRecommends ? 'FOR' : null;
  }
  /** The nominees in the card's order: the page lists them grouped by party (universal card). */
  function cardOrder(p) {
    var byId = {};
    each(p.nominees, function (n) { byId[n.id] = n; });
    var out = [];
    each(document.querySelectorAll('#p_' + p.id + ' fieldset[data-nominee]'), function (fs) {
      var n = byId[fs.getAttribute('data-nominee')];
      if (n) out.push(n);
    });
    return out.length === p.nominees.length ? out : p.nominees;
  }
  function describeVotes(votes, meeting, holder) {
    var list = el('ul', 'recorded');
    votes = votes || {};
    each(meeting.proposals, function (p) {
      var li = el('li');
      li.appendChild(el('strong', null, tr('js.proposal', { id: p.id, title: p.title })));
      var v = votes[p.id];
      if (p.kind === 'matter') {
        var line;
        if (typeof v === 'string') line = word(v);
        else if (v && typeof v === 'object') line = splitWords(v);
        else if (holder.nominee) line = tr('js.notVoted');
        else line = tr('js.blankBoard', { choice: word(p.boardRecommendation) });
        li.appendChild(el('div', null, line));
      } else {
        var marks = v && v.marks ? v.marks : {};
        var allocation = v && v.allocation ? v.allocation : null;
        var anyMarked = Object.keys(marks).length > 0;
        var allocationOnly = !anyMarked && allocation !== null;
        var contested = p.nominees.length > p.seats;
        var sub = el('ul');
        each(cardOrder(p), function (n) {
          var mark = marks[n.id];
          var rec = boardRec(meeting, n);
          var what;
          if (typeof mark === 'string') what = word(mark);
          else if (mark && typeof mark === 'object') what = splitWords(mark);
          else if (allocationOnly) what = allocation[n.id] > 0 ? word('FOR') : tr('js.notVoted');
          else if (!holder.nominee && rec && !(contested && anyMarked)) what = tr('js.blankBoard', { choice: word(rec) });
          else what = tr('js.notVoted');
          sub.appendChild(el('li', null, n.name + ': ' + what));
        });
        if (p.cumulativeVotingAllowed) {
          var given = allocation ? p.nominees.filter(function (n) { return allocation[n.id] !== undefined; }) : [];
          sub.appendChild(el('li', null, given.length > 0
            ? tr('js.cumulativeGiven', { list: given.map(function (n) { return tr('js.nomineeVotes', { name: n.name, votes: fmtNumber(allocation[n.id]) }); }).join(', ') })
            : tr('js.cumulativeSpread')));
        }
        li.appendChild(sub);
      }
      list.appendChild(li);
    });
    return list;
  }
  function partyName(meeting, id) {
    var found = null;
    each(meeting.parties || [], function (p) { if (p.id === id) found = p.name; });
    return found || id;
  }
  function renderCurrent() {
    var b = state.ballot;
    var box = $('current-vote');
    box.textContent = '';
    box.appendChild(el('h3', null, tr('js.currentH')));
    var c = b.current;
    var texts = b.texts && b.texts.current ? b.texts.current : {};
    $('revoke').hidden = !(c && c.kind === 'proxy') || state.closed;
    if (!c) {
      box.appendChild(el('p', null, tr('js.noVote')));
      return;
    }
    var when = said(texts.receivedAt, c.receivedAt);
    var dated = said(texts.dated, c.dated);
    var receipt = el('p');
    var text;
    if (c.kind === 'proxy' && c.dated) {
      text = c.party && c.party !== registrant(b.meeting)
        ? tr('js.currentPaperParty', { party: partyName(b.meeting, c.party), date: dated })
        : tr('js.currentPaper', { date: dated });
    } else if (c.kind === 'proxy') text = tr('js.currentInternet', { time: when });
    else if (c.kind === 'revocation') text = c.dated ? tr('js.currentRevokedPaper', { date: dated }) : tr('js.currentRevoked', { time: when });
    else text = tr('js.currentMeeting', { time: when });
    receipt.appendChild(document.createTextNode(text));
    receipt.appendChild(el('span', 'code', c.receiptCode));
    box.appendChild(receipt);
    if (c.kind === 'proxy') {
      box.appendChild(el('p', null, tr('js.currentFilled')));
      box.appendChild(describeVotes(c.votes, b.meeting, b.holder));
    } else if (c.kind === 'revocation') {
      box.appendChild(el('p', null, tr('js.currentNoProxy')));
    }
  }
  function check(id) {
    var input = $(id);
    if (input && input.type === 'radio') input.checked = true;
  }
  function preselect(votes) {
    each(Object.keys(votes || {}), function (pid) {
      var v = votes[pid];
      if (typeof v === 'string') { check('v_' + pid + '_' + v); return; }
      if (!v || typeof v !== 'object') return;
      var marks = v.marks || {};
      each(Object.keys(marks), function (nid) {
        if (typeof marks[nid] === 'string') check('v_' + pid + '_' + nid + '_' + marks[nid]);
      });
      var allocation = v.allocation || {};
      each(Object.keys(allocation), function (nid) {
        var input = $('a_' + pid + '_' + nid);
        if (input) input.value = String(allocation[nid]);
      });
    });
  }
  function updateAllocationSums() {
    if (!state.ballot) return;
    var shares = state.ballot.holder.shares;
    each(document.querySelectorAll('[data-allocation-for]'), function (box) {
      var fieldset = box.closest('fieldset');
      var total = shares * Number(fieldset.getAttribute('data-seats'));
      var sum = 0;
      each(box.querySelectorAll('input[data-allocation]'), function (input) {
        var raw = input.value.replace(/[,\\s]/g, '');
        if (/^[0-9]+$/.test(raw)) sum += Number(raw);
      });
      box.querySelector('[data-slot="alloc-total"]').textContent = fmtNumber(total);
      box.querySelector('[data-slot="alloc-sum"]').textContent = sum > 0
        ? tr('js.allocationGiven', { sum: fmtNumber(sum), total: fmtNumber(total) })
        : '';
    });
  }
  function renderBallot() {
    var b = state.ballot;
    var h = b.holder;
    var form = $('ballot-form');
    form.reset();
    var names = [h.name].concat(h.jointNames || []);
    var label = $('holder-names-label');
    label.textContent = label.getAttribute(names.length > 1 ? 'data-many' : 'data-one');
    $('holder-names').textContent = joinNames(names);
    $('holder-shares').textContent = fmtNumber(h.shares);
    $('closes-at').textContent = said(b.texts && b.texts.closesAt, b.closesAt);
    $('nominee-note').hidden = !h.nominee;
    var signer = $('signer');
    signer.textContent = '';
    each(names, function (n) {
      var option = el('option', null, n);
      option.value = n;
      signer.appendChild(option);
    });
    $('signer-field').hidden = names.length < 2;
    $('revoke-confirm').hidden = true;
    $('revoke-start').setAttribute('aria-expanded', 'false');
    clearErrors('step-ballot');
    renderCurrent();
    if (b.current && b.current.kind === 'proxy') preselect(b.current.votes);
    updateAllocationSums();
  }
  /** The votes marked on the form, and the problems the page can see before sending. */
  function collectVotes() {
    var votes = {};
    var problems = [];
    var shares = state.ballot.holder.shares;
    each(document.querySelectorAll('fieldset[data-proposal]'), function (fs) {
      var pid = fs.getAttribute('data-proposal');
      if (fs.getAttribute('data-kind') === 'matter') {
        var chosen = fs.querySelector('input[type="radio"]:checked');
        if (chosen) votes[pid] = chosen.value;
        return;
      }
      var seats = Number(fs.getAttribute('data-seats'));
      var marks = {};
      var forCount = 0;
      each(fs.querySelectorAll('fieldset[data-nominee]'), function (nfs) {
        var mark = nfs.querySelector('input[type="radio"]:checked');
        if (!mark) return;
        marks[nfs.getAttribute('data-nominee')] = mark.value;
        if (mark.value === 'FOR') forCount += 1;
      });
      if (forCount > seats) {
        problems.push({ path: 'votes.' + pid, message: tr('js.overVote', { count: forCount, seats: seats }) });
      }
      var allocation = {};
      var given = false;
      var sum = 0;
      each(fs.querySelectorAll('input[data-allocation]'), function (input) {
        var raw = input.value.replace(/[,\\s]/g, '');
        if (raw === '') return;
        var nid = input.getAttribute('data-allocation');
        if (!/^[0-9]+$/.test(raw) || !isFinite(Number(raw))) {
          problems.push({ path: 'votes.' + pid + '.allocation.' + nid, message: tr('js.allocationWhole') });
          return;
        }
        allocation[nid] = Number(raw);
        sum += Number(raw);
        given = true;
      });
      if (sum > shares * seats) {
        problems.push({
          path: 'votes.' + pid + '.allocation',
          message: tr('js.allocationOver', { sum: fmtNumber(sum), total: fmtNumber(shares * seats) })
        });
      }
      if (Object.keys(marks).length > 0 || given) {
        votes[pid] = given ? { marks: marks, allocation: allocation } : { marks: marks };
      }
    });
    return { votes: votes, problems: problems };
  }
  function signedBy() {
    return $('signer-field').hidden ? undefined : $('signer').value || undefined;
  }

  // ---- submitting -----------------------------------------------------------------------------
  function send(path, body, busyText) {
    if (state.busy || state.closed) return;
    var fingerprint = JSON.stringify([path, body]);
    // One key per intended submission: the same submission retried keeps its key.
    if (!state.pending || state.pending.fingerprint !== fingerprint) state.pending = { fingerprint: fingerprint, key: newKey() };
    var request = {};
    each(Object.keys(body), function (k) { request[k] = body[k]; });
    request.idempotencyKey = state.pending.key;
    request.lang = LANG;
    clearErrors('step-ballot');
    clearErrors('step-review');
    setBusy(true);
    setStatus(busyText);
    postWithRetry(path, request).then(function (r) {
      setBusy(false);
      if ((r.status === 200 || r.status === 201) && r.data && r.data.receiptCode) {
        state.pending = null;
        showReceipt(r.data, true);
        return;
      }
      setStatus('');
      show('step-ballot');
      // A refusal (4xx) is final: changing the choices and sending again is a new submission.
      if (r.status < 500) state.pending = null;
      if (r.status === 410) setClosed();
      if (r.status === 401) {
        // The session ended: the holder types the control number to go on.
        opened(r, true, '');
        return;
      }
      var why = refusal(r);
      showErrors('step-ballot', 'ballot-alert', why.message, why.fields);
    }, function () {
      setBusy(false);
      setStatus('');
      // Still on the review: the same button sends the same submission again, with the same key.
      var why = refusal({ status: 0 });
      showErrors($('step-review').hidden ? 'step-ballot' : 'step-review', $('step-review').hidden ? 'ballot-alert' : 'review-alert', why.message, []);
    });
  }
  /** Every submission is shown whole for review first; only "Send my vote" sends it. */
  function reviewVotes(votes) {
    var body = { votes: votes };
    var signer = signedBy();
    if (signer) body.signedBy = signer;
    state.review = body;
    var b = state.ballot;
    $('review-shares').textContent = tr('js.reviewShares', { shares: fmtNumber(b.holder.shares) });
    var box = $('review-votes');
    box.textContent = '';
    box.appendChild(describeVotes(votes, b.meeting, b.holder));
    $('review-signed').textContent = signer ? tr('js.reviewSigned', { name: signer }) : '';
    $('review-signed').hidden = !signer;
    clearErrors('step-review');
    setStatus('');
    show('step-review', 'review-h');
  }
  function showReceipt(receipt, push) {
    state.receipt = receipt;
    var b = state.ballot;
    var revocation = receipt.kind === 'revocation';
    $('receipt-h').textContent = revocation ? tr('js.revoked') : tr('js.recorded');
    $('receipt-code').textContent = receipt.receiptCode;
    var time = $('receipt-time');
    time.textContent = said(receipt.executedAtText, receipt.executedAt);
    time.setAttribute('datetime', receipt.executedAt);
    var names = [b.holder.name].concat(b.holder.jointNames || []);
    var label = $('holder-names-label');
    $('receipt-names-label').textContent = label.getAttribute(names.length > 1 ? 'data-many' : 'data-one');
    $('receipt-names').textContent = joinNames(names);
    $('receipt-shares').textContent = fmtNumber(b.holder.shares);
    var effective = $('receipt-effective');
    effective.className = receipt.effective ? 'success' : 'warning';
    if (receipt.effective) {
      effective.textContent = revocation ? tr('js.effectiveRevoked') : tr('js.effectiveVote');
    } else {
      effective.textContent = tr('js.notEffective');
    }
    $('receipt-replayed').hidden = !receipt.replayed;
    $('receipt-votes-h').hidden = revocation;
    var votes = $('receipt-votes');
    votes.textContent = '';
    if (!revocation) votes.appendChild(describeVotes(receipt.votes, b.meeting, b.holder));
    if (push) window.history.pushState({ step: 'receipt' }, '', window.location.pathname + window.location.search);
    setStatus('');
    show('step-receipt', 'receipt-h');
  }
  function backToBallot() {
    if (state.ballot) reopenBallot();
    else show('step-number', 'number-h');
  }

  // ---- wiring ---------------------------------------------------------------------------------
  $('number-form').addEventListener('submit', function (e) {
    e.preventDefault();
    openBallot($('controlNumber').value, true);
  });
  $('ballot-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (state.busy || state.closed || !state.ballot) return;
    clearErrors('step-ballot');
    var collected = collectVotes();
    if (collected.problems.length > 0) {
      showErrors('step-ballot', 'ballot-alert', tr('js.correct'), collected.problems);
      return;
    }
    reviewVotes(collected.votes);
  });
  $('send-vote').addEventListener('click', function () {
    if (!state.review) return;
    send('api/proxy', state.review, tr('js.sending'));
  });
  $('review-back').addEventListener('click', function () {
    state.review = null;
    show('step-ballot', 'ballot-h');
  });
  $('print-receipt').addEventListener('click', function () { window.print(); });
  $('vote-another').addEventListener('click', function () {
    state.ballot = null;
    state.receipt = null;
    state.review = null;
    state.pending = null;
    $('controlNumber').value = '';
    clearErrors('step-number');
    if (window.history.state && window.history.state.step) window.history.replaceState(null, '', window.location.pathname + window.location.search);
    show('step-number', 'controlNumber');
  });
  $('lang-switch').addEventListener('click', function () {
    // With a ballot open, the page in the other language reopens it by the session cookie: the link
    // says so in its query (resume=1), never with anything secret.
    var a = $('lang-switch');
    var base = a.getAttribute('href').split('&resume=')[0];
    if (state.ballot) a.setAttribute('href', base + (base.indexOf('?') < 0 ? '?' : '&') + 'resume=1');
  });
  $('ballot-form').addEventListener('input', function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute('data-allocation')) updateAllocationSums();
  });
  $('vote-board').addEventListener('click', function () {
    if (state.busy || state.closed || !state.ballot) return;
    if (state.ballot.holder.nominee) {
      // A nominee account's blanks are not voted: fill in the Board's choices for review instead.
      each(state.ballot.meeting.proposals, function (p) {
        if (p.kind === 'matter') check('v_' + p.id + '_' + p.boardRecommendation);
        else each(p.nominees, function (n) { if (n.boardRecommends) check('v_' + p.id + '_' + n.id + '_FOR'); });
      });
      setStatus(tr('js.boardFilled'));
      return;
    }
    reviewVotes({});
  });
  $('revoke-start').addEventListener('click', function () {
    $('revoke-confirm').hidden = false;
    $('revoke-start').setAttribute('aria-expanded', 'true');
    $('revoke-question').focus();
  });
  $('revoke-no').addEventListener('click', function () {
    $('revoke-confirm').hidden = true;
    $('revoke-start').setAttribute('aria-expanded', 'false');
    $('revoke-start').focus();
  });
  $('revoke-yes').addEventListener('click', function () {
    if (!state.ballot) return;
    var body = {};
    var signer = signedBy();
    if (signer) body.signedBy = signer;
    send('api/revoke', body, tr('js.revoking'));
  });
  $('change-vote').addEventListener('click', function () {
    if (window.history.state && window.history.state.step === 'receipt') window.history.back();
    else backToBallot();
  });
  window.addEventListener('popstate', function (e) {
    if (e.state && e.state.step === 'receipt' && state.receipt && state.ballot) showReceipt(state.receipt, false);
    else backToBallot();
  });
  window.addEventListener('hashchange', function () {
    var t = takeFragmentToken();
    if (t !== null) openWithLink(t);
  });
  window.addEventListener('pagehide', function () { $('controlNumber').value = ''; });

  if (window.history.state && window.history.state.step) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  var fromLink = takeFragmentToken();
  var query = new URLSearchParams(window.location.search);
  var resume = query.get('resume') === '1';
  if (resume) {
    query.delete('resume');
    var rest = query.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : ''));
  }
  if (fromLink !== null) openWithLink(fromLink);
  else if (resume) reopenBallot(true);
})();
`;

// Every sentence a holder reads, in English and Spanish: the notice of meeting (e-mail and paper), the
// confirmation, revocation, reminder and counted-as-cast e-mails, the ballot page and its script, and
// /counted. One catalog, one lookup (`t`): the Spanish table has exactly the English keys (the type says
// so), and `{name}` in a message is filled from the parameters. Texts of the meeting file (the company,
// the proposals' titles, the nominees) are shown as the file gives them.

export const LANGS = ['en', 'es'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The language of a request or a register value ("es", "es-MX", "Spanish"...): English unless Spanish. */
export function langOf(value: string | null | undefined): Lang {
  const v = (value ?? '').trim().toLowerCase();
  return v === 'es' || v.startsWith('es-') || v === 'spanish' || v === 'español' || v === 'espanol'
    ? 'es'
    : 'en';
}

const en = {
  // ---- shared words ---------------------------------------------------------------------------
  'lang.name': 'English',
  'lang.switch': 'Español',
  'lang.switch.label': 'Leer esta página en español',
  'choice.FOR': 'For',
  'choice.AGAINST': 'Against',
  'choice.WITHHOLD': 'Withhold',
  'choice.ABSTAIN': 'Abstain',
  'vote.shares': '{choice} {shares} shares',
  'vote.votes': '{name} {votes} votes',
  'vote.notVoted': 'not voted',
  'vote.asBoard': '{choice} (as the Board recommends)',
  'vote.proposal': 'Proposal {id}, {title}: {words}',
  'vote.proposalHead': 'Proposal {id}, {title}:',
  'vote.allocation': 'Proposal {id}, {title} (cumulative allocation): {parts}',
  'vote.nominee': '{name}: {words}',
  'help.default': 'the Corporate Secretary, {company}, {address}',
  'help.phone': 'telephone {phone}',
  'help.email': 'e-mail {email}',
  'help.website': 'on the web at {website}',
  'names.and': '{a} and {b}',
  'party.nominatedBy': 'Nominated by {parties}',

  // ---- the notice of meeting ------------------------------------------------------------------
  'notice.subject': '{company}: notice of the {title}, and how to vote',
  'notice.legend':
    'Important Notice Regarding the Availability of Proxy Materials for the Shareholder Meeting to Be Held on {date}',
  'notice.title': 'Notice of the {title}',
  'notice.overview':
    'This communication presents only an overview of the more complete proxy materials that are available to you on the Internet. We encourage you to access and review all of the important information contained in the proxy materials before voting.',
  'notice.notABallot':
    'This notice is not a ballot: you cannot vote by returning it. Vote on the internet as shown below, with a proxy card from a paper copy of the materials, or in person at the meeting.',
  'notice.to': 'To',
  'notice.shares': 'Shares held on the record date',
  'notice.controlNumber': 'Your control number',
  'notice.voteNow': 'Vote now',
  'notice.linkOnce': 'The button works once. Afterwards, go to {url} and type your control number.',
  'notice.goTo': 'Go to {url} and type your control number.',
  'notice.qr':
    'Or scan this code with a phone’s camera: it opens the ballot page, where you type your control number.',
  'notice.closes': 'Internet voting closes on {cutoff}.',
  'notice.meetingH': 'The meeting',
  'notice.when': 'When',
  'notice.where': 'Where',
  'notice.whoMayVote': 'Who may vote',
  'notice.whoMayVoteText': 'Holders of record at the close of business on {date}, the record date.',
  'notice.willBeHeld': 'The {title} of {company} will be held on {start}, at {place}.',
  'notice.proposalsH': 'What the meeting will vote on, and the Board’s recommendations',
  'notice.election': 'Proposal {id}. {title} ({seats} seats). Nominees: {nominees}.',
  'notice.electionParty': 'Proposal {id}. {title} ({seats} seats).',
  'notice.electionGroup': '{party}: {nominees}.',
  'notice.boardForAll': 'The Board recommends a vote FOR each nominee.',
  'notice.boardFor': 'The Board recommends a vote FOR {nominees}.',
  'notice.boardNone': 'The Board makes no recommendation in this election.',
  'notice.cumulative':
    'Cumulative voting is allowed in this election: if any shareholder gives notice at the meeting, before the voting, of the intention to cumulate votes, each share has one vote for each of the {seats} seats, and you may give them all to one nominee or spread them among several.',
  'notice.matter': 'Proposal {id}. {title}. The Board recommends a vote {rec}.',
  'notice.materialsH': 'The proxy materials',
  'notice.materialsAt': 'The proxy materials are on the website {website}:',
  'notice.materialsOnly': 'The proxy statement:',
  'notice.copiesH': 'Paper or e-mail copies, free of charge',
  'notice.copies':
    'If you want to receive a paper or e-mail copy of these documents, you must request one. There is no charge to you for requesting a copy. Please make your request on or before {date} to facilitate timely delivery. You will not otherwise receive a paper or e-mail copy.',
  'notice.copiesHow':
    'To request a copy, for this meeting or for all future meetings: call {phone}, e-mail {email}, or visit {website}.',
  'notice.copiesDefault':
    'To request a copy, for this meeting or for all future meetings, write to the Corporate Secretary, {company}, {address}.',
  'notice.howH': 'How to vote',
  'notice.howInternet':
    'On the internet, until {cutoff}: with the button above, or at {url} with your control number.',
  'notice.howMail':
    'By mail: request a paper copy of the materials, which includes a proxy card; sign, date and return the card so that it arrives before the polls close at the meeting.',
  'notice.howMeeting': 'In person: vote by ballot at the meeting.',
  'notice.blank':
    'A proxy that does not mark a choice is voted as the Board recommends, by {proxyholders} as proxyholder.',
  'notice.revokeH': 'How to change or revoke your vote',
  'notice.revoke':
    'The latest-dated proxy is the one that counts. You can vote again on the internet until {cutoff}; return a later-dated proxy card; send a written revocation to the Corporate Secretary, {company}, {address}, that arrives before the polls close; or vote in person at the meeting (attending without voting does not revoke a proxy).',
  'notice.admissionH': 'Attending the meeting',
  'notice.admissionDefault':
    'Holders of record may attend. Bring photo identification; if a broker or bank holds your shares, bring a statement showing that you owned them on the record date. For directions, contact {help}.',
  'notice.helpH': 'Questions',
  'notice.help': 'For help with voting or with this notice, contact {help}.',
  'notice.private':
    'Keep your control number private: anyone who has it can vote your shares. It is never part of a web address, and no one from the company will ask you for it.',

  // ---- the confirmation and revocation e-mails ------------------------------------------------
  'mail.dear': 'Dear {name},',
  'mail.subjectProxy': '{company}: your vote was received, receipt {code}',
  'mail.subjectRevocation': '{company}: your proxy is revoked, receipt {code}',
  'mail.introProxy':
    'We received your proxy for the {title} of {company}, which will be held on {start}, at {place}.',
  'mail.introRevocation':
    'We received your revocation: you have no proxy now for the {title} of {company}, which will be held on {start}, at {place}.',
  'mail.receipt': 'Receipt code: {code}',
  'mail.received': 'Received: {time}',
  'mail.shares': 'Shares: {shares}',
  'mail.votedAs': 'Your shares will be voted as follows:',
  'mail.changeProxy':
    'You can change your vote until {cutoff} with the voting link in your notice or your control number: the latest-dated proxy is the one that counts. You can also revoke your proxy in writing to the Corporate Secretary, or vote in person at the meeting.',
  'mail.afterRevocation':
    'Your shares will not be voted unless you give a new proxy on the internet before {cutoff}, return a later-dated proxy card, or vote in person at the meeting.',
  'mail.notYou': 'If you did not do this, contact {help} at once.',

  // ---- the reminder ---------------------------------------------------------------------------
  'reminder.subject': '{company}: reminder to vote before {cutoff}',
  'reminder.title': 'Reminder: {title}',
  'reminder.noProxy': 'We have no proxy from you for the meeting on {start}, at {place}.',
  'reminder.closes': 'Internet voting closes on {cutoff}.',
  'reminder.howLink':
    'Open the “Vote now” link in the notice of meeting we e-mailed you{sent} (it works once),',
  'reminder.sentOn': ' on {date}',
  'reminder.howNumber': 'or go to {url} and type the 16-digit control number printed in that notice.',
  'reminder.noNumber':
    'This reminder does not contain your control number. If you cannot find the notice, contact {help} for a copy, or vote in person at the meeting.',
  'reminder.materials': 'The proxy materials: {url}',
  'reminder.thanks':
    'If you have voted since this reminder was sent, thank you: there is nothing more to do.',

  // ---- the counted-as-cast answer (page and e-mail) -------------------------------------------
  'counted.subject': '{company}: receipt {code}, {status}',
  'counted.asked':
    'You asked whether your instruction with receipt code {code} was counted at the {title} of {company}.',
  'counted.yours': 'Your instruction: {what}.',
  'counted.asGiven': 'As given:',
  'counted.instead': 'Counted instead: {what}.',
  'counted.final': 'Final count: run {run}, finished {time}.',
  'counted.digest': 'History digest of the final count: {root}',
  'counted.evidence': 'Your account in that digest: {count} instruction(s), chain {head}',
  'counted.notYou': 'If this is not what you did, contact {help} at once.',
  'counted.status.counted': 'counted',
  'counted.status.superseded': 'replaced by a later instruction',
  'counted.status.revoked': 'revoked',
  'counted.status.revocation-in-effect': 'your revocation was in effect',
  'counted.status.in-conflict': 'in an open conflict',
  'counted.status.rejected': 'not counted: received outside the times the meeting allows',
  'counted.status.not-in-final-count': 'not part of the final count',
  'counted.msg.counted': 'This instruction is the one that was counted for your shares in the final count.',
  'counted.msg.superseded': 'This instruction was replaced by a later one, which was counted instead.',
  'counted.msg.revoked':
    'A later revocation was in effect at the final count: your shares were not counted as present.',
  'counted.msg.revocation-in-effect':
    'This revocation was in effect at the final count: your shares were not counted as present, as you asked.',
  'counted.msg.in-conflict':
    'This instrument is one of several of the same date that differ, and the inspector of elections had not resolved the conflict at the final count: your shares were counted as present, and left unvoted where they differ.',
  'counted.msg.rejected':
    'This instruction was not counted: it was received outside the times the meeting allows.',
  'counted.msg.not-in-final-count':
    'This instruction was received after the final count was made: it is not part of it.',
  'counted.mismatch':
    'Warning: the record of your account does not match the one the final count read. The inspector of elections has been alerted.',
  'counted.kind.proxy': '{channel} proxy',
  'counted.kind.revocation': '{channel} revocation',
  'counted.kind.meeting-ballot': 'ballot cast at the meeting',
  'counted.kind.resolution': 'resolution of the inspector of elections',
  'counted.channel.internet': 'internet',
  'counted.channel.phone': 'telephone',
  'counted.channel.paper': 'signed paper',
  'counted.channel.meeting': 'meeting',
  'counted.channel.inspector': 'inspector',
  'counted.dated': '{what}, dated {date}',
  'counted.receivedAt': '{what}, received {time}',
  'counted.page.title': 'Check that your vote was counted: {company}, {title}',
  'counted.page.h1': '{title}: check that your vote was counted',
  'counted.page.intro':
    'Once the polls are closed and the final count is made, you can check here that the instruction you gave (your proxy, your revocation, or your ballot at the meeting) is the one that was counted for your shares.',
  'counted.page.noscript': 'This page needs JavaScript.',
  'counted.page.number': 'Control number',
  'counted.page.numberHint': 'The 16 digits in your notice of meeting. Keep it private.',
  'counted.page.receipt': 'Receipt code',
  'counted.page.receiptHint': 'The 12-character code on your confirmation, e.g. ABCD-EFGH-JKLM.',
  'counted.page.email': 'Also send me the answer by e-mail, to my address on file',
  'counted.page.check': 'Check my vote',
  'counted.page.answer': 'The answer',
  'counted.page.checking': 'Checking…',
  'counted.page.error': 'Something went wrong ({status}). Please try again.',
  'counted.page.yours': 'Your instruction',
  'counted.page.instead': 'Counted instead',
  'counted.page.final': 'Final count',
  'counted.page.finalText': 'run {run}, finished {time}',
  'counted.page.proof': 'The evidence (for the inspector of elections)',
  'counted.page.digest': 'History digest of the final count',
  'counted.page.evidence': 'Your account in that digest',
  'counted.page.evidenceText': '{count} instruction(s), chain {head}',
  'counted.page.emailSent': 'We have also sent this answer to your e-mail address on file.',
  'counted.page.emailNot': 'No e-mail was sent: {reason}',
  'counted.page.help': 'Questions: contact {help}.',

  // ---- the ballot page (server-rendered) ------------------------------------------------------
  'page.title': 'Vote your shares: {company}, {title}',
  'page.h1': '{title}: vote your shares',
  'page.meetingH': 'The meeting',
  'page.when': 'When',
  'page.where': 'Where',
  'page.whoMayVote': 'Who may vote',
  'page.whoMayVoteText': 'Holders of record at the close of business on {date}',
  'page.closes': 'Internet voting closes',
  'page.proxyholder': 'Proxyholder',
  'page.materials': 'Before you vote, read the proxy materials:',
  'page.proxyStatement': 'proxy statement',
  'page.noscript':
    'This page needs JavaScript to record your vote. You can also vote by signing and returning a proxy card, or in person at the meeting.',
  'page.closedH': 'Internet voting is closed',
  'page.closedText': 'Internet voting closed on {cutoff}.',
  'page.closedMeeting':
    'You can still vote in person at the meeting, on {start}, at {place}: ask for a ballot when you arrive.',
  'page.closedProxy':
    'A proxy you gave before the cut-off stays in effect. You can still revoke it by a written revocation that reaches the Corporate Secretary before the polls close, or by voting in person at the meeting.',
  'page.closedCounted': 'After the final count, you can check that your vote was counted: {link}.',
  'page.countedLink': 'check my vote',
  'page.numberH': 'Your control number',
  'page.number': 'Control number',
  'page.numberHint':
    'The 16 digits in your notice of meeting. Spaces are fine. Keep it private: anyone who has it can vote your shares.',
  'page.open': 'Open my ballot',
  'page.ballotH': 'Your ballot',
  'page.holder': 'Registered holder',
  'page.holders': 'Registered holders',
  'page.sharesYouVote': 'Shares you can vote',
  'page.changeUntil': 'You can change your vote until',
  'page.nomineeNote': 'This is a nominee (broker or bank) account: a choice you leave blank is not voted.',
  'page.markH': 'Mark your choices',
  'page.markHelp':
    'Anything you leave blank is voted as the Board recommends. Your proxy appoints {proxyholders} to vote your shares as you mark them here. You will see your whole vote before you send it.',
  'page.review': 'Review my vote',
  'page.quickH': 'Or vote as the Board recommends',
  'page.quickHelp':
    'Every proposal as the Board recommends. You will see your whole vote before you send it, and you can change it later.',
  'page.quick': 'Vote as the Board recommends',
  'page.signedBy': 'Signed by',
  'page.signedByHint':
    'The account is held jointly. Any one of you may sign the proxy: choose who is signing.',
  'page.revokeH': 'Revoke my proxy',
  'page.revokeText':
    'Revoking cancels your proxy without giving a new one. Your shares are then not voted unless you vote again before internet voting closes, return a later-dated proxy card, or vote at the meeting.',
  'page.revokeStart': 'Revoke my proxy',
  'page.revokeSure': 'Are you sure you want to revoke your proxy?',
  'page.revokeYes': 'Yes, revoke my proxy',
  'page.revokeNo': 'No, keep my proxy',
  'page.reviewH': 'Check your vote before you send it',
  'page.reviewText': 'Nothing is recorded until you press “Send my vote”.',
  'page.send': 'Send my vote',
  'page.back': 'Go back and change it',
  'page.receiptH': 'Your vote is recorded',
  'page.receiptCode': 'Receipt code',
  'page.received': 'Received',
  'page.receiptMeeting': 'Meeting',
  'page.replayed': 'You had already sent this vote: it was recorded once, and this is its receipt.',
  'page.receiptVotesH': 'How your shares will be voted',
  'page.keep': 'Keep the receipt code. If we have your e-mail address, we have also sent you a confirmation.',
  'page.print': 'Print this receipt',
  'page.change': 'Change my vote',
  'page.another': 'Vote another control number',
  'page.footer': '{company}. Questions about voting: contact {help}.',
  'page.proposal': 'Proposal {id}',
  'page.seats1': '1 director is to be elected.',
  'page.seatsN': '{seats} directors are to be elected.',
  'page.howContested':
    'Mark For or {against} for each nominee, with no more than {seats} For. If you mark no nominee, your shares are voted as the Board recommends; if you mark some, only your marks count.',
  'page.howUncontested':
    'Mark For or {against} for each nominee. A nominee you leave blank is voted as the Board recommends.',
  'page.nomineeBoard': 'The Board’s nominee: the Board recommends a vote For.',
  'page.nomineeNotBoard':
    'Not nominated by the Board: the Board does not recommend a vote For. Left blank, this nominee gets no vote.',
  'page.nomineeWithhold': 'The Board recommends a vote {against}. Left blank, this nominee gets no vote.',
  'page.matterRec':
    'The Board recommends a vote {rec}. If you leave this blank, it is voted as the Board recommends.',
  'page.cumulativeH': 'Cumulative voting (optional)',
  'page.cumulativeHelp':
    'If a shareholder calls for cumulative voting at the meeting, you have one vote per share for each of the {seats} seats: {total} votes in all. You may give them all to one nominee or spread them among several. Leave these boxes empty to let the proxyholder spread your votes among the nominees you vote For (the Board’s nominees if you leave them blank), so as to elect as many of them as possible.',
  'page.cumulativeTotal': 'your shares times {seats}',
  'page.votesFor': 'Votes for {name}',
  'page.cumulativeSlot': 'Cumulative votes in proposal {id}',
  'page.maxFor': 'Vote FOR no more than {seats} nominees.',
  'page.overVote':
    'More than {seats} FOR: an over-vote. This page does not accept it; on a paper card it gives no vote in this election (the rest of the card counts).',
  'page.underVote': 'Fewer than {seats} FOR: only the nominees you mark FOR get your votes.',
  'page.noMark': 'No nominee marked: your shares are voted as the Board recommends: {rec}.',
  'page.groupLabel': 'Nominees of {party}',
  'page.commonGroupLabel': 'Nominees of both {parties}',
  'page.universal':
    'This is a universal proxy card: it lists every nominee of every party soliciting proxies, grouped by party, the Board’s first, in alphabetical order of last name within each group.',

  // ---- the ballot page's script ---------------------------------------------------------------
  'js.opening': 'Opening your ballot…',
  'js.sending': 'Sending your vote…',
  'js.revoking': 'Revoking your proxy…',
  'js.checkNumber': 'Check your control number.',
  'js.numberDigits': 'must be the 16 digits in your notice',
  'js.numberWrong': 'has a digit that is wrong: check it against your notice',
  'js.closed':
    'Internet voting is closed (it closed on {time}). You can still vote in person at the meeting.',
  'js.tooMany': 'Too many attempts. {why}',
  'js.waitHour': 'Wait an hour and try again.',
  'js.unreachable':
    'We could not reach the voting service, so we cannot tell whether it was recorded. Check your connection and press the button again: a retry is never counted twice.',
  'js.refused': 'The request was refused ({status}). Please try again.',
  'js.correct': 'Please correct the choices marked below.',
  'js.overVote':
    'marks For {count} nominees, but no more than {seats} may be voted For. An over-vote would give no vote in this election: mark For no more than {seats}.',
  'js.allocationWhole': 'must be a whole number of votes, or left empty',
  'js.allocationOver': 'add up to {sum}, more than your {total} votes',
  'js.allocationGiven': 'You have given {sum} of your {total} votes.',
  'js.currentH': 'Your current vote',
  'js.noVote': 'We have no vote from you yet. Mark your choices below, or vote as the Board recommends.',
  'js.currentInternet': 'We received your vote on the internet on {time}. Receipt code: ',
  'js.currentPaper': 'We received your signed proxy card dated {date}. Receipt code: ',
  'js.currentPaperParty': 'We received your signed proxy card of {party}, dated {date}. Receipt code: ',
  'js.currentRevoked': 'You revoked your proxy on {time}. Receipt code: ',
  'js.currentRevokedPaper': 'We received your written revocation dated {date}. Receipt code: ',
  'js.currentMeeting': 'You voted at the meeting on {time}. Receipt code: ',
  'js.currentFilled':
    'Your choices are filled in below. To change your vote, change them and send again: only your latest vote counts.',
  'js.currentNoProxy':
    'You have no proxy now: your shares will not be voted unless you vote again or vote at the meeting.',
  'js.boardFilled': 'The Board’s recommendations are filled in below. Check them, then review your vote.',
  'js.proposal': 'Proposal {id}: {title}',
  'js.notVoted': 'Not voted (left blank)',
  'js.blankBoard': '{choice} (left blank: voted as the Board recommends)',
  'js.cumulativeGiven': 'If cumulative voting is used: {list}.',
  'js.cumulativeSpread':
    'If cumulative voting is used: the proxyholder spreads your votes among the nominees voted For.',
  'js.nomineeVotes': '{name} {votes} votes',
  'js.shares': '{choice} {shares} shares',
  'js.reviewShares': 'Your {shares} shares will be voted as follows.',
  'js.reviewSigned': 'Signed by {name}.',
  'js.revoked': 'Your proxy is revoked',
  'js.recorded': 'Your vote is recorded',
  'js.effectiveRevoked':
    'Done. You now have no proxy: your shares will not be voted unless you vote again before internet voting closes, or vote at the meeting.',
  'js.effectiveVote': 'Done. This is the vote that counts: it replaces any earlier vote.',
  'js.notEffective':
    'Recorded, but it does not count: an instruction with a later date is already on file, and the latest one counts.',
  'js.and': ' and ',

  // ---- the printed proxy card -----------------------------------------------------------------
  'card.title': 'Proxy card: {company}, {title}',
  'card.solicited': 'This proxy is solicited on behalf of {party}.',
  'card.boardParty': 'the Board of Directors',
  'card.appoint':
    'The undersigned appoints {proxyholders} as proxyholder, with power of substitution, to vote all the shares the undersigned may vote at the {title} on {start}, and at any adjournment, as marked on this card.',
  'card.holder': 'Holder',
  'card.shares': 'Shares',
  'card.controlNumber': 'Control number',
  'card.recFor': 'The Board recommends a vote FOR: {nominees}.',
  'card.recWithhold': 'The Board recommends {against} on: {nominees}.',
  'card.blank':
    'Signed and returned without a mark on a proposal, this card votes that proposal as the Board recommends.',
  'card.sign': 'Signature',
  'card.signJoint': 'Signature (joint holder)',
  'card.date': 'Date',
  'card.dateNote':
    'Date the card: the latest-dated proxy is the one that counts. Joint holders: any one may sign.',
  'card.internet': 'Or vote on the internet until {cutoff} at {url} with the control number above.',
} as const;

export type MessageKey = keyof typeof en;

const es: Record<MessageKey, string> = {
  'lang.name': 'Español',
  'lang.switch': 'English',
  'lang.switch.label': 'Read this page in English',
  'choice.FOR': 'A favor',
  'choice.AGAINST': 'En contra',
  'choice.WITHHOLD': 'Retener',
  'choice.ABSTAIN': 'Abstención',
  'vote.shares': '{choice} {shares} acciones',
  'vote.votes': '{name} {votes} votos',
  'vote.notVoted': 'no votado',
  'vote.asBoard': '{choice} (según la recomendación de la Junta Directiva)',
  'vote.proposal': 'Propuesta {id}, {title}: {words}',
  'vote.proposalHead': 'Propuesta {id}, {title}:',
  'vote.allocation': 'Propuesta {id}, {title} (reparto acumulativo): {parts}',
  'vote.nominee': '{name}: {words}',
  'help.default': 'el Secretario Corporativo, {company}, {address}',
  'help.phone': 'teléfono {phone}',
  'help.email': 'correo electrónico {email}',
  'help.website': 'en la web {website}',
  'names.and': '{a} y {b}',
  'party.nominatedBy': 'Propuesto por {parties}',

  'notice.subject': '{company}: aviso de la {title} y cómo votar',
  'notice.legend':
    'Aviso importante sobre la disponibilidad de los materiales de representación (proxy) para la junta de accionistas que se celebrará el {date}',
  'notice.title': 'Aviso de la {title}',
  'notice.overview':
    'Esta comunicación presenta solo un resumen de los materiales de representación más completos, que están a su disposición en Internet. Le recomendamos consultar y leer toda la información importante de esos materiales antes de votar.',
  'notice.notABallot':
    'Este aviso no es una papeleta: no puede votar devolviéndolo. Vote por Internet como se indica abajo, con una tarjeta de representación de una copia impresa de los materiales, o en persona en la junta.',
  'notice.to': 'Para',
  'notice.shares': 'Acciones en la fecha de registro',
  'notice.controlNumber': 'Su número de control',
  'notice.voteNow': 'Votar ahora',
  'notice.linkOnce': 'El botón funciona una sola vez. Después, vaya a {url} y escriba su número de control.',
  'notice.goTo': 'Vaya a {url} y escriba su número de control.',
  'notice.qr':
    'O escanee este código con la cámara de un teléfono: abre la página de votación, donde escribe su número de control.',
  'notice.closes': 'La votación por Internet se cierra el {cutoff}.',
  'notice.meetingH': 'La junta',
  'notice.when': 'Cuándo',
  'notice.where': 'Dónde',
  'notice.whoMayVote': 'Quién puede votar',
  'notice.whoMayVoteText':
    'Los titulares registrados al cierre de operaciones del {date}, la fecha de registro.',
  'notice.willBeHeld': 'La {title} de {company} se celebrará el {start}, en {place}.',
  'notice.proposalsH': 'Qué se votará en la junta, y las recomendaciones de la Junta Directiva',
  'notice.election': 'Propuesta {id}. {title} ({seats} puestos). Candidatos: {nominees}.',
  'notice.electionParty': 'Propuesta {id}. {title} ({seats} puestos).',
  'notice.electionGroup': '{party}: {nominees}.',
  'notice.boardForAll': 'La Junta Directiva recomienda votar A FAVOR de cada candidato.',
  'notice.boardFor': 'La Junta Directiva recomienda votar A FAVOR de {nominees}.',
  'notice.boardNone': 'La Junta Directiva no hace ninguna recomendación en esta elección.',
  'notice.cumulative':
    'En esta elección se permite el voto acumulativo: si algún accionista anuncia en la junta, antes de la votación, su intención de acumular votos, cada acción tiene un voto por cada uno de los {seats} puestos, y usted puede darlos todos a un candidato o repartirlos entre varios.',
  'notice.matter': 'Propuesta {id}. {title}. La Junta Directiva recomienda votar {rec}.',
  'notice.materialsH': 'Los materiales de representación',
  'notice.materialsAt': 'Los materiales de representación están en el sitio web {website}:',
  'notice.materialsOnly': 'La declaración de representación (proxy statement):',
  'notice.copiesH': 'Copias impresas o por correo electrónico, sin costo',
  'notice.copies':
    'Si desea recibir una copia impresa o por correo electrónico de estos documentos, debe solicitarla. Solicitar una copia no tiene ningún costo para usted. Haga su solicitud a más tardar el {date} para facilitar la entrega a tiempo. De lo contrario, no recibirá una copia impresa ni por correo electrónico.',
  'notice.copiesHow':
    'Para pedir una copia, para esta junta o para todas las futuras: llame al {phone}, escriba a {email} o visite {website}.',
  'notice.copiesDefault':
    'Para pedir una copia, para esta junta o para todas las futuras, escriba al Secretario Corporativo, {company}, {address}.',
  'notice.howH': 'Cómo votar',
  'notice.howInternet':
    'Por Internet, hasta el {cutoff}: con el botón de arriba, o en {url} con su número de control.',
  'notice.howMail':
    'Por correo: pida una copia impresa de los materiales, que incluye una tarjeta de representación; fírmela, féchela y devuélvala para que llegue antes del cierre de la votación en la junta.',
  'notice.howMeeting': 'En persona: vote con una papeleta en la junta.',
  'notice.blank':
    'Una representación que no marque una opción se vota según la recomendación de la Junta Directiva, por {proxyholders} como apoderado.',
  'notice.revokeH': 'Cómo cambiar o revocar su voto',
  'notice.revoke':
    'Cuenta la representación de fecha más reciente. Puede volver a votar por Internet hasta el {cutoff}; devolver una tarjeta de representación de fecha posterior; enviar una revocación por escrito al Secretario Corporativo, {company}, {address}, que llegue antes del cierre de la votación; o votar en persona en la junta (asistir sin votar no revoca una representación).',
  'notice.admissionH': 'Asistir a la junta',
  'notice.admissionDefault':
    'Los titulares registrados pueden asistir. Traiga una identificación con foto; si sus acciones están en manos de un corredor o banco, traiga un estado de cuenta que muestre que las tenía en la fecha de registro. Para saber cómo llegar, comuníquese con {help}.',
  'notice.helpH': 'Preguntas',
  'notice.help': 'Para recibir ayuda con la votación o con este aviso, comuníquese con {help}.',
  'notice.private':
    'Mantenga privado su número de control: cualquiera que lo tenga puede votar sus acciones. Nunca forma parte de una dirección web, y nadie de la empresa se lo pedirá.',

  'mail.dear': 'Estimado/a {name}:',
  'mail.subjectProxy': '{company}: recibimos su voto, comprobante {code}',
  'mail.subjectRevocation': '{company}: su representación está revocada, comprobante {code}',
  'mail.introProxy':
    'Recibimos su representación para la {title} de {company}, que se celebrará el {start}, en {place}.',
  'mail.introRevocation':
    'Recibimos su revocación: ya no tiene representación para la {title} de {company}, que se celebrará el {start}, en {place}.',
  'mail.receipt': 'Código de comprobante: {code}',
  'mail.received': 'Recibido: {time}',
  'mail.shares': 'Acciones: {shares}',
  'mail.votedAs': 'Sus acciones se votarán así:',
  'mail.changeProxy':
    'Puede cambiar su voto hasta el {cutoff} con el enlace de su aviso o con su número de control: cuenta la representación de fecha más reciente. También puede revocarla por escrito ante el Secretario Corporativo, o votar en persona en la junta.',
  'mail.afterRevocation':
    'Sus acciones no se votarán a menos que otorgue una nueva representación por Internet antes del {cutoff}, devuelva una tarjeta de representación de fecha posterior o vote en persona en la junta.',
  'mail.notYou': 'Si no fue usted, comuníquese de inmediato con {help}.',

  'reminder.subject': '{company}: recordatorio para votar antes del {cutoff}',
  'reminder.title': 'Recordatorio: {title}',
  'reminder.noProxy': 'No tenemos ninguna representación suya para la junta del {start}, en {place}.',
  'reminder.closes': 'La votación por Internet se cierra el {cutoff}.',
  'reminder.howLink':
    'Abra el enlace “Votar ahora” del aviso de la junta que le enviamos por correo electrónico{sent} (funciona una sola vez),',
  'reminder.sentOn': ' el {date}',
  'reminder.howNumber': 'o vaya a {url} y escriba el número de control de 16 dígitos impreso en ese aviso.',
  'reminder.noNumber':
    'Este recordatorio no contiene su número de control. Si no encuentra el aviso, pida una copia a {help}, o vote en persona en la junta.',
  'reminder.materials': 'Los materiales de representación: {url}',
  'reminder.thanks':
    'Si ya votó después del envío de este recordatorio, gracias: no tiene que hacer nada más.',

  'counted.subject': '{company}: comprobante {code}, {status}',
  'counted.asked':
    'Preguntó si su instrucción con el código de comprobante {code} se contó en la {title} de {company}.',
  'counted.yours': 'Su instrucción: {what}.',
  'counted.asGiven': 'Tal como la dio:',
  'counted.instead': 'Se contó en su lugar: {what}.',
  'counted.final': 'Recuento final: ejecución {run}, terminada el {time}.',
  'counted.digest': 'Resumen criptográfico del historial del recuento final: {root}',
  'counted.evidence': 'Su cuenta en ese resumen: {count} instrucción(es), cadena {head}',
  'counted.notYou': 'Si esto no es lo que usted hizo, comuníquese de inmediato con {help}.',
  'counted.status.counted': 'contada',
  'counted.status.superseded': 'reemplazada por una instrucción posterior',
  'counted.status.revoked': 'revocada',
  'counted.status.revocation-in-effect': 'su revocación estaba vigente',
  'counted.status.in-conflict': 'en un conflicto abierto',
  'counted.status.rejected': 'no contada: recibida fuera de los plazos de la junta',
  'counted.status.not-in-final-count': 'no forma parte del recuento final',
  'counted.msg.counted': 'Esta instrucción es la que se contó para sus acciones en el recuento final.',
  'counted.msg.superseded': 'Esta instrucción fue reemplazada por una posterior, que se contó en su lugar.',
  'counted.msg.revoked':
    'En el recuento final estaba vigente una revocación posterior: sus acciones no se contaron como presentes.',
  'counted.msg.revocation-in-effect':
    'Esta revocación estaba vigente en el recuento final: sus acciones no se contaron como presentes, como usted pidió.',
  'counted.msg.in-conflict':
    'Este documento es uno de varios de la misma fecha que difieren, y el inspector de elecciones no había resuelto el conflicto en el recuento final: sus acciones se contaron como presentes y quedaron sin votar donde difieren.',
  'counted.msg.rejected': 'Esta instrucción no se contó: se recibió fuera de los plazos de la junta.',
  'counted.msg.not-in-final-count':
    'Esta instrucción se recibió después de hacerse el recuento final: no forma parte de él.',
  'counted.mismatch':
    'Advertencia: el registro de su cuenta no coincide con el que leyó el recuento final. Se ha avisado al inspector de elecciones.',
  'counted.kind.proxy': 'representación {channel}',
  'counted.kind.revocation': 'revocación {channel}',
  'counted.kind.meeting-ballot': 'papeleta emitida en la junta',
  'counted.kind.resolution': 'resolución del inspector de elecciones',
  'counted.channel.internet': 'por Internet',
  'counted.channel.phone': 'por teléfono',
  'counted.channel.paper': 'en papel firmado',
  'counted.channel.meeting': 'en la junta',
  'counted.channel.inspector': 'del inspector',
  'counted.dated': '{what}, con fecha {date}',
  'counted.receivedAt': '{what}, recibida el {time}',
  'counted.page.title': 'Compruebe que su voto se contó: {company}, {title}',
  'counted.page.h1': '{title}: compruebe que su voto se contó',
  'counted.page.intro':
    'Una vez cerrada la votación y hecho el recuento final, puede comprobar aquí que la instrucción que dio (su representación, su revocación o su papeleta en la junta) es la que se contó para sus acciones.',
  'counted.page.noscript': 'Esta página necesita JavaScript.',
  'counted.page.number': 'Número de control',
  'counted.page.numberHint': 'Los 16 dígitos de su aviso de la junta. Manténgalo privado.',
  'counted.page.receipt': 'Código de comprobante',
  'counted.page.receiptHint': 'El código de 12 caracteres de su confirmación, por ejemplo ABCD-EFGH-JKLM.',
  'counted.page.email': 'Enviarme también la respuesta por correo electrónico, a mi dirección registrada',
  'counted.page.check': 'Comprobar mi voto',
  'counted.page.answer': 'La respuesta',
  'counted.page.checking': 'Comprobando…',
  'counted.page.error': 'Algo salió mal ({status}). Inténtelo de nuevo.',
  'counted.page.yours': 'Su instrucción',
  'counted.page.instead': 'Se contó en su lugar',
  'counted.page.final': 'Recuento final',
  'counted.page.finalText': 'ejecución {run}, terminada el {time}',
  'counted.page.proof': 'La evidencia (para el inspector de elecciones)',
  'counted.page.digest': 'Resumen criptográfico del historial del recuento final',
  'counted.page.evidence': 'Su cuenta en ese resumen',
  'counted.page.evidenceText': '{count} instrucción(es), cadena {head}',
  'counted.page.emailSent':
    'También le enviamos esta respuesta a su dirección de correo electrónico registrada.',
  'counted.page.emailNot': 'No se envió ningún correo electrónico: {reason}',
  'counted.page.help': 'Preguntas: comuníquese con {help}.',

  'page.title': 'Vote sus acciones: {company}, {title}',
  'page.h1': '{title}: vote sus acciones',
  'page.meetingH': 'La junta',
  'page.when': 'Cuándo',
  'page.where': 'Dónde',
  'page.whoMayVote': 'Quién puede votar',
  'page.whoMayVoteText': 'Los titulares registrados al cierre de operaciones del {date}',
  'page.closes': 'La votación por Internet se cierra',
  'page.proxyholder': 'Apoderado',
  'page.materials': 'Antes de votar, lea los materiales de representación:',
  'page.proxyStatement': 'declaración de representación (proxy statement)',
  'page.noscript':
    'Esta página necesita JavaScript para registrar su voto. También puede votar firmando y devolviendo una tarjeta de representación, o en persona en la junta.',
  'page.closedH': 'La votación por Internet está cerrada',
  'page.closedText': 'La votación por Internet se cerró el {cutoff}.',
  'page.closedMeeting':
    'Todavía puede votar en persona en la junta, el {start}, en {place}: pida una papeleta al llegar.',
  'page.closedProxy':
    'Una representación que otorgó antes del cierre sigue vigente. Todavía puede revocarla con una revocación por escrito que llegue al Secretario Corporativo antes del cierre de la votación, o votando en persona en la junta.',
  'page.closedCounted': 'Después del recuento final, puede comprobar que su voto se contó: {link}.',
  'page.countedLink': 'comprobar mi voto',
  'page.numberH': 'Su número de control',
  'page.number': 'Número de control',
  'page.numberHint':
    'Los 16 dígitos de su aviso de la junta. Puede escribir espacios. Manténgalo privado: cualquiera que lo tenga puede votar sus acciones.',
  'page.open': 'Abrir mi papeleta',
  'page.ballotH': 'Su papeleta',
  'page.holder': 'Titular registrado',
  'page.holders': 'Titulares registrados',
  'page.sharesYouVote': 'Acciones que puede votar',
  'page.changeUntil': 'Puede cambiar su voto hasta el',
  'page.nomineeNote':
    'Esta es una cuenta de intermediario (corredor o banco): una opción que deje en blanco no se vota.',
  'page.markH': 'Marque sus opciones',
  'page.markHelp':
    'Lo que deje en blanco se vota según la recomendación de la Junta Directiva. Su representación designa a {proxyholders} para votar sus acciones como usted las marque aquí. Verá su voto completo antes de enviarlo.',
  'page.review': 'Revisar mi voto',
  'page.quickH': 'O vote según la recomendación de la Junta Directiva',
  'page.quickHelp':
    'Cada propuesta según la recomendación de la Junta Directiva. Verá su voto completo antes de enviarlo, y podrá cambiarlo después.',
  'page.quick': 'Votar según la recomendación de la Junta',
  'page.signedBy': 'Firmado por',
  'page.signedByHint':
    'La cuenta es conjunta. Cualquiera de ustedes puede firmar la representación: elija quién firma.',
  'page.revokeH': 'Revocar mi representación',
  'page.revokeText':
    'Revocar cancela su representación sin otorgar una nueva. Sus acciones no se votarán a menos que vuelva a votar antes del cierre de la votación por Internet, devuelva una tarjeta de representación de fecha posterior o vote en la junta.',
  'page.revokeStart': 'Revocar mi representación',
  'page.revokeSure': '¿Seguro que quiere revocar su representación?',
  'page.revokeYes': 'Sí, revocar mi representación',
  'page.revokeNo': 'No, mantener mi representación',
  'page.reviewH': 'Revise su voto antes de enviarlo',
  'page.reviewText': 'No se registra nada hasta que pulse “Enviar mi voto”.',
  'page.send': 'Enviar mi voto',
  'page.back': 'Volver y cambiarlo',
  'page.receiptH': 'Su voto está registrado',
  'page.receiptCode': 'Código de comprobante',
  'page.received': 'Recibido',
  'page.receiptMeeting': 'Junta',
  'page.replayed': 'Ya había enviado este voto: se registró una sola vez, y este es su comprobante.',
  'page.receiptVotesH': 'Cómo se votarán sus acciones',
  'page.keep':
    'Guarde el código de comprobante. Si tenemos su dirección de correo electrónico, también le enviamos una confirmación.',
  'page.print': 'Imprimir este comprobante',
  'page.change': 'Cambiar mi voto',
  'page.another': 'Votar con otro número de control',
  'page.footer': '{company}. Preguntas sobre la votación: comuníquese con {help}.',
  'page.proposal': 'Propuesta {id}',
  'page.seats1': 'Se elige 1 director.',
  'page.seatsN': 'Se eligen {seats} directores.',
  'page.howContested':
    'Marque A favor o {against} para cada candidato, con un máximo de {seats} A favor. Si no marca ningún candidato, sus acciones se votan según la recomendación de la Junta Directiva; si marca algunos, solo cuentan sus marcas.',
  'page.howUncontested':
    'Marque A favor o {against} para cada candidato. Un candidato que deje en blanco se vota según la recomendación de la Junta Directiva.',
  'page.nomineeBoard': 'Candidato de la Junta Directiva: la Junta recomienda votar A favor.',
  'page.nomineeNotBoard':
    'No propuesto por la Junta Directiva: la Junta no recomienda votar A favor. En blanco, este candidato no recibe ningún voto.',
  'page.nomineeWithhold':
    'La Junta Directiva recomienda votar {against}. En blanco, este candidato no recibe ningún voto.',
  'page.matterRec':
    'La Junta Directiva recomienda votar {rec}. Si lo deja en blanco, se vota según la recomendación de la Junta.',
  'page.cumulativeH': 'Voto acumulativo (opcional)',
  'page.cumulativeHelp':
    'Si un accionista pide el voto acumulativo en la junta, usted tiene un voto por acción por cada uno de los {seats} puestos: {total} votos en total. Puede darlos todos a un candidato o repartirlos entre varios. Deje estas casillas vacías para que el apoderado reparta sus votos entre los candidatos que usted vote A favor (los de la Junta Directiva si los deja en blanco), para elegir a tantos como sea posible.',
  'page.cumulativeTotal': 'sus acciones por {seats}',
  'page.votesFor': 'Votos para {name}',
  'page.cumulativeSlot': 'Votos acumulativos en la propuesta {id}',
  'page.maxFor': 'Vote A FAVOR de {seats} candidatos como máximo.',
  'page.overVote':
    'Más de {seats} A favor: un exceso de votos. Esta página no lo acepta; en una tarjeta de papel no da ningún voto en esta elección (el resto de la tarjeta cuenta).',
  'page.underVote': 'Menos de {seats} A favor: solo los candidatos que marque A favor reciben sus votos.',
  'page.noMark':
    'Ningún candidato marcado: sus acciones se votan según la recomendación de la Junta Directiva: {rec}.',
  'page.groupLabel': 'Candidatos de {party}',
  'page.commonGroupLabel': 'Candidatos de {parties}',
  'page.universal':
    'Esta es una tarjeta de representación universal: incluye a todos los candidatos de todas las partes que solicitan representaciones, agrupados por parte, primero los de la Junta Directiva, en orden alfabético por apellido dentro de cada grupo.',

  'js.opening': 'Abriendo su papeleta…',
  'js.sending': 'Enviando su voto…',
  'js.revoking': 'Revocando su representación…',
  'js.checkNumber': 'Revise su número de control.',
  'js.numberDigits': 'debe ser los 16 dígitos de su aviso',
  'js.numberWrong': 'tiene un dígito equivocado: compárelo con su aviso',
  'js.closed':
    'La votación por Internet está cerrada (se cerró el {time}). Todavía puede votar en persona en la junta.',
  'js.tooMany': 'Demasiados intentos. {why}',
  'js.waitHour': 'Espere una hora y vuelva a intentarlo.',
  'js.unreachable':
    'No pudimos comunicarnos con el servicio de votación, así que no sabemos si se registró. Revise su conexión y pulse el botón otra vez: un reintento nunca se cuenta dos veces.',
  'js.refused': 'La solicitud fue rechazada ({status}). Inténtelo de nuevo.',
  'js.correct': 'Corrija las opciones marcadas abajo.',
  'js.overVote':
    'marca A favor {count} candidatos, pero solo se puede votar A favor de {seats} como máximo. Un exceso de votos no daría ningún voto en esta elección: marque A favor {seats} como máximo.',
  'js.allocationWhole': 'debe ser un número entero de votos, o quedar vacío',
  'js.allocationOver': 'suman {sum}, más que sus {total} votos',
  'js.allocationGiven': 'Ha dado {sum} de sus {total} votos.',
  'js.currentH': 'Su voto actual',
  'js.noVote':
    'Todavía no tenemos ningún voto suyo. Marque sus opciones abajo, o vote según la recomendación de la Junta Directiva.',
  'js.currentInternet': 'Recibimos su voto por Internet el {time}. Código de comprobante: ',
  'js.currentPaper':
    'Recibimos su tarjeta de representación firmada con fecha {date}. Código de comprobante: ',
  'js.currentPaperParty':
    'Recibimos su tarjeta de representación firmada de {party}, con fecha {date}. Código de comprobante: ',
  'js.currentRevoked': 'Revocó su representación el {time}. Código de comprobante: ',
  'js.currentRevokedPaper': 'Recibimos su revocación por escrito con fecha {date}. Código de comprobante: ',
  'js.currentMeeting': 'Votó en la junta el {time}. Código de comprobante: ',
  'js.currentFilled':
    'Sus opciones están marcadas abajo. Para cambiar su voto, cámbielas y envíe de nuevo: solo cuenta su último voto.',
  'js.currentNoProxy':
    'Ya no tiene representación: sus acciones no se votarán a menos que vuelva a votar o vote en la junta.',
  'js.boardFilled':
    'Las recomendaciones de la Junta Directiva están marcadas abajo. Revíselas y luego revise su voto.',
  'js.proposal': 'Propuesta {id}: {title}',
  'js.notVoted': 'No votado (en blanco)',
  'js.blankBoard': '{choice} (en blanco: se vota según la recomendación de la Junta Directiva)',
  'js.cumulativeGiven': 'Si se usa el voto acumulativo: {list}.',
  'js.cumulativeSpread':
    'Si se usa el voto acumulativo: el apoderado reparte sus votos entre los candidatos votados A favor.',
  'js.nomineeVotes': '{name} {votes} votos',
  'js.shares': '{choice} {shares} acciones',
  'js.reviewShares': 'Sus {shares} acciones se votarán así.',
  'js.reviewSigned': 'Firmado por {name}.',
  'js.revoked': 'Su representación está revocada',
  'js.recorded': 'Su voto está registrado',
  'js.effectiveRevoked':
    'Hecho. Ya no tiene representación: sus acciones no se votarán a menos que vuelva a votar antes del cierre de la votación por Internet, o vote en la junta.',
  'js.effectiveVote': 'Hecho. Este es el voto que cuenta: reemplaza cualquier voto anterior.',
  'js.notEffective':
    'Registrado, pero no cuenta: ya hay una instrucción de fecha posterior, y cuenta la más reciente.',
  'js.and': ' y ',

  'card.title': 'Tarjeta de representación: {company}, {title}',
  'card.solicited': 'Esta representación se solicita en nombre de {party}.',
  'card.boardParty': 'la Junta Directiva',
  'card.appoint':
    'El firmante designa a {proxyholders} como apoderado, con facultad de sustitución, para votar todas las acciones que el firmante pueda votar en la {title} del {start}, y en cualquier aplazamiento, según lo marcado en esta tarjeta.',
  'card.holder': 'Titular',
  'card.shares': 'Acciones',
  'card.controlNumber': 'Número de control',
  'card.recFor': 'La Junta Directiva recomienda votar A FAVOR de: {nominees}.',
  'card.recWithhold': 'La Junta Directiva recomienda {against} para: {nominees}.',
  'card.blank':
    'Firmada y devuelta sin marcar una propuesta, esta tarjeta vota esa propuesta según la recomendación de la Junta Directiva.',
  'card.sign': 'Firma',
  'card.signJoint': 'Firma (cotitular)',
  'card.date': 'Fecha',
  'card.dateNote':
    'Feche la tarjeta: cuenta la representación de fecha más reciente. Cotitulares: cualquiera puede firmar.',
  'card.internet': 'O vote por Internet hasta el {cutoff} en {url} con el número de control de arriba.',
};

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, es };

export type Params = Record<string, string | number>;

/** A message with its `{name}` parameters filled in (numbers as the language writes them). */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return fill(MESSAGES[lang][key], params, lang);
}

export function fill(template: string, params: Params, lang: Lang = 'en'): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? formatNumber(v, lang) : v;
  });
}

/** 7,595,175 in both languages (US Spanish groups thousands with a comma too). */
export function formatNumber(n: number, _lang: Lang = 'en'): string {
  return n.toLocaleString('en-US');
}

/** The messages the ballot page's script needs, for one language (it gets them as JSON). */
export function clientMessages(lang: Lang, prefixes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(MESSAGES[lang])) if (prefixes.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}
